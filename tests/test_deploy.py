"""Deploying the edition: production settings at a domain root or under a sub-path, and
publishing to a server of our own as releases behind an atomically switched `current`."""

import gzip
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import brotli
import pytest
from bs4 import BeautifulSoup
from invoke import Context

from conftest import ROOT, write_item
from publishing import release
from publishing.build import build_into
from publishing.lock import Holder
from publishing.release import PublishFailed, Target, publish, rollback, state

SUBPATH = "https://example.org/edition"
LINK_ATTRIBUTES = ("href", "src", "action", "poster", "data")


def build_published(output, siteurl):
    """The real content built with publishconf.py, as `invoke preview` does, for this SITEURL."""
    env = {**os.environ, "SITEURL": siteurl}
    build_into(output, ROOT / "publishconf.py", content=str(ROOT / "content"), env=env, capture=True)
    return Path(output)


def page_links(soup):
    """Every URL a page points at: links, assets, forms and srcset candidates."""
    for tag in soup.find_all(True):
        for attribute in LINK_ATTRIBUTES:
            if tag.get(attribute):
                yield tag[attribute]
        for candidate in (tag.get("srcset") or "").split(","):
            if candidate.strip():
                yield candidate.split()[0]


@pytest.fixture(scope="module")
def subpath_site(tmp_path_factory):
    return build_published(tmp_path_factory.mktemp("subpath") / "output", SUBPATH)


def test_every_link_of_an_edition_under_a_sub_path_stays_under_it(subpath_site):
    wrong = {}
    for path in sorted(subpath_site.rglob("*.html")):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")
        for url in page_links(soup):
            parts = urlsplit(url)
            if url.startswith("#") or parts.scheme in ("data", "mailto", "tel") or parts.netloc not in ("", "example.org"):
                continue
            if not url.startswith(SUBPATH + "/"):
                wrong.setdefault(url, path.relative_to(subpath_site))
    assert not wrong, "\n".join(f"{page}: {url}" for url, page in wrong.items())


def test_feeds_and_sitemaps_of_an_edition_under_a_sub_path_use_absolute_urls_under_it(subpath_site):
    assert SUBPATH + "/" in (subpath_site / "feeds" / "all.atom.xml").read_text(encoding="utf-8")
    for path in sorted(subpath_site.rglob("*.xml")):
        urls = re.findall(r"https?://example\.org[^\"'<\s]*", path.read_text(encoding="utf-8"))
        assert all(url == SUBPATH or url.startswith(SUBPATH + "/") for url in urls), path


def test_every_text_file_has_a_gzip_and_a_brotli_copy_beside_it(subpath_site):
    texts = [p for p in subpath_site.rglob("*") if p.suffix in (".html", ".css", ".js", ".xml") and p.stat().st_size >= 200]
    assert any(p.suffix == ".css" for p in texts)
    for path in texts:
        original = path.read_bytes()
        assert gzip.decompress(path.with_name(path.name + ".gz").read_bytes()) == original, path
        assert brotli.decompress(path.with_name(path.name + ".br").read_bytes()) == original, path


def make_edition(folder, front="第一期"):
    """A stand-in for a built edition: a front page and a stylesheet."""
    folder = Path(folder)
    (folder / "theme" / "css").mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_text(f"<!DOCTYPE html><title>{front}</title>", encoding="utf-8")
    css = folder / "theme" / "css" / "edition.css"
    css.write_text("body { margin: 0 }", encoding="utf-8")
    # Pelican copies theme files keeping their time (and incremental builds keep unchanged
    # pages' inodes), and rsync links only files whose time matches too.
    os.utime(css, (1_600_000_000, 1_600_000_000))
    return folder


def served(target):
    """What a web server whose root is <target>/current would serve as the front page."""
    return (Path(target) / "current" / "index.html").read_text(encoding="utf-8")


def test_two_publishes_make_two_releases_and_current_serves_the_newest(tmp_path):
    target = tmp_path / "srv"
    first = publish(make_edition(tmp_path / "one", "第一期"), target)
    second = publish(make_edition(tmp_path / "two", "第二期"), target)
    assert first < second
    assert sorted(p.name for p in (target / "releases").iterdir()) == [first, second]
    assert os.readlink(target / "current") == f"releases/{second}"
    assert "第二期" in served(target)


def test_publishing_the_current_release_again_makes_no_release_so_rollback_still_goes_back_one_edition(tmp_path):
    """A publish of an unchanged edition made a new release of the same files: rollback then went back to
    that copy, and after --keep such publishes the edition before was pruned."""
    target = tmp_path / "srv"
    first = publish(make_edition(tmp_path / "one", "第一期"), target)
    second_edition = make_edition(tmp_path / "two", "第二期")
    second = publish(second_edition, target)
    with pytest.raises(release.NothingChanged, match=second):
        publish(second_edition, target, keep=1)
    assert state(Target.parse(target)) == (second, [first, second]), "no release made, none pruned"
    assert rollback(target) == first and "第一期" in served(target)
    (second_edition / "index.html").write_text("<!DOCTYPE html><title>第二期 更正</title>", encoding="utf-8")
    assert publish(second_edition, target) > second, "a changed file is a new release"


def test_files_unchanged_since_the_last_release_are_hard_links_not_copies(tmp_path):
    target = tmp_path / "srv"
    first = publish(make_edition(tmp_path / "one", "第一期"), target)
    second = publish(make_edition(tmp_path / "two", "第二期"), target)
    css = [(target / "releases" / name / "theme" / "css" / "edition.css").stat() for name in (first, second)]
    assert css[0].st_ino == css[1].st_ino


def test_rollback_serves_the_previous_release_and_refuses_to_go_past_the_first(tmp_path):
    target = tmp_path / "srv"
    first = publish(make_edition(tmp_path / "one", "第一期"), target)
    publish(make_edition(tmp_path / "two", "第二期"), target)
    assert rollback(target) == first
    assert "第一期" in served(target)
    with pytest.raises(PublishFailed, match="no release before"):
        rollback(target)
    assert os.readlink(target / "current") == f"releases/{first}"


def test_keep_prunes_the_oldest_releases_but_never_the_one_being_served(tmp_path):
    target = tmp_path / "srv"
    names = [publish(make_edition(tmp_path / str(n), f"第{n}期"), target, keep=2) for n in range(4)]
    assert state(Target.parse(target)) == (names[3], names[2:])
    rollback(target)
    newest = publish(make_edition(tmp_path / "5", "第5期"), target, keep=1)
    assert state(Target.parse(target)) == (newest, [newest])
    assert release.releases_to_prune(["a", "b", "c"], current="a", keep=1) == ["b"]


def test_a_failed_upload_leaves_current_and_the_releases_as_they_were(tmp_path, monkeypatch):
    target = tmp_path / "srv"
    first = publish(make_edition(tmp_path / "one", "第一期"), target)
    monkeypatch.setattr(release, "RSYNC", ["false"])
    with pytest.raises(PublishFailed, match="rsync"):
        publish(make_edition(tmp_path / "two", "第二期"), target)
    assert state(Target.parse(target)) == (first, [first])
    assert sorted(p.name for p in (target / "releases").iterdir()) == [first]
    assert "第一期" in served(target)


def test_the_copy_a_killed_publish_left_goes_with_the_next_publish(tmp_path):
    """A publish stopped during its upload left releases/<name>.partial, a whole site, for good: its name
    is no release's, so nothing pruned it."""
    target = tmp_path / "srv"
    first = publish(make_edition(tmp_path / "one", "第一期"), target)
    left = target / "releases" / "20200101T000000.000000Z.partial"
    (left / "theme").mkdir(parents=True)
    (left / "index.html").write_text("半个站点", encoding="utf-8")
    second = publish(make_edition(tmp_path / "two", "第二期"), target)
    assert sorted(p.name for p in (target / "releases").iterdir()) == [first, second]


def test_a_folder_that_is_not_a_built_edition_is_never_published(tmp_path):
    with pytest.raises(PublishFailed, match="no index.html"):
        publish(tmp_path, tmp_path / "srv")
    assert not (tmp_path / "srv").exists()


def test_a_target_with_a_host_is_reached_over_ssh_and_a_path_is_local():
    assert Target.parse("deploy@news.example:/srv/edition") == Target("deploy@news.example", "/srv/edition")
    assert Target.parse("/srv/edition") == Target(None, "/srv/edition")
    assert Target.parse("./a:b").host is None


FAKE_SSH = """#!/bin/sh
# Stands in for ssh: drops the options and the host, then runs the command here
while [ $# -gt 0 ]; do case "$1" in -o|-p|-l|-i) shift 2;; -*) shift;; *) break;; esac; done
shift
exec sh -c "$*"
"""


def test_publish_and_rollback_over_ssh_run_the_same_steps_on_the_server(tmp_path, monkeypatch):
    bin_folder = tmp_path / "bin"
    bin_folder.mkdir()
    (bin_folder / "ssh").write_text(FAKE_SSH, encoding="utf-8")
    (bin_folder / "ssh").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_folder}{os.pathsep}{os.environ['PATH']}")
    # a path relative to the ssh user's home folder, with a space to prove the quoting
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "server folder"
    remote = "deploy@news.example:server folder"
    first = publish(make_edition(tmp_path / "one", "第一期"), remote)
    publish(make_edition(tmp_path / "two", "第二期"), remote)
    assert "第二期" in served(folder)
    assert rollback(remote) == first
    assert "第一期" in served(folder)


def load_tasks():
    spec = importlib.util.spec_from_file_location("edition_tasks", ROOT / "tasks.py")
    tasks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tasks)
    return tasks


def test_invoke_publish_builds_with_publishconf_then_publishes_and_a_failing_build_switches_nothing(tmp_path, monkeypatch):
    tasks = load_tasks()
    monkeypatch.setitem(tasks.CONFIG, "output", tmp_path / "output")
    monkeypatch.setenv("SITEURL", "https://news.example")
    monkeypatch.chdir(ROOT)
    target = tmp_path / "srv"
    tasks.publish(Context(), target=str(target), keep=3)
    assert 'href="https://news.example/' in served(target)
    assert (target / "current" / "index.html.gz").is_file()
    before = state(Target.parse(target))
    tasks.publish(Context(), target=str(target), keep=3)
    assert state(Target.parse(target)) == before, "nothing changed: no new release, the one before kept for rollback"

    write_item(tmp_path / "bad", "2020-12-31/a01-1.md", "坏稿", date="12月31日", section="湛河区")
    monkeypatch.setitem(tasks.CONFIG, "content", tmp_path / "bad")
    with pytest.raises(SystemExit):
        tasks.publish(Context(), target=str(target))
    assert state(Target.parse(target)) == before


def test_invoke_publish_without_a_target_says_how_to_give_one(monkeypatch):
    tasks = load_tasks()
    monkeypatch.delenv("PUBLISH_TARGET", raising=False)
    with pytest.raises(SystemExit, match="PUBLISH_TARGET"):
        tasks.publish(Context())
    with pytest.raises(SystemExit, match="s3://bucket/prefix"):
        tasks.publish(Context(), target="s3:/bucket")  # one slash: it was taken for an ssh host named s3


@pytest.mark.parametrize(
    ("site_url", "says"), [(None, "No SITEURL"), ("news.example.org", "is not an address"), ("https://news.example.org /x", "is not an address")]
)
def test_invoke_publish_without_a_real_siteurl_refuses_before_building(tmp_path, monkeypatch, site_url, says):
    """Published without SITEURL, every link of the edition went to https://example.invalid; with one
    without its scheme, to news.example.org/… under each page's own path: the site went live broken."""
    tasks = load_tasks()
    monkeypatch.setitem(tasks.CONFIG, "output", tmp_path / "output")
    if site_url is None:
        monkeypatch.delenv("SITEURL", raising=False)
    else:
        monkeypatch.setenv("SITEURL", site_url)
    with pytest.raises(SystemExit, match=says):
        tasks.publish(Context(), target=str(tmp_path / "srv"))
    assert not (tmp_path / "srv").exists() and not (tmp_path / "output").exists(), "nothing built, nothing published"
    if site_url is not None:
        with pytest.raises(SystemExit, match=says):
            tasks.preview(Context())


def test_invoke_publish_holds_its_build_until_it_is_uploaded(tmp_path, monkeypatch):
    """A build in the same checkout while a publish uploaded (`invoke livereload`, with the development
    settings, into the same output/) was published: a production release linking to 127.0.0.1."""
    import subprocess
    import sys

    tasks = load_tasks()
    monkeypatch.setitem(tasks.CONFIG, "output", tmp_path / "output")
    monkeypatch.setenv("SITEURL", "https://news.example")
    lock = tmp_path / ".output.lock"
    real, seen = release.publish, []

    def publish_while_another_build_tries(output, target, keep):
        probe = "import fcntl, sys; fcntl.flock(open(sys.argv[1], 'a'), fcntl.LOCK_EX | fcntl.LOCK_NB)"
        seen.append(subprocess.run([sys.executable, "-c", probe, str(lock)], capture_output=True).returncode)
        return real(output, target, keep=keep)

    monkeypatch.setattr(release, "publish", publish_while_another_build_tries)
    tasks.publish(Context(), target=str(tmp_path / "srv"), keep=3)
    assert seen == [1], "another build could take output/ while it was being uploaded"
    assert (
        subprocess.run([sys.executable, "-c", "import fcntl, sys; fcntl.flock(open(sys.argv[1], 'a'), fcntl.LOCK_EX | fcntl.LOCK_NB)", str(lock)]).returncode
        == 0
    )


def test_invoke_publish_to_a_folder_named_from_where_it_is_typed(tmp_path, monkeypatch):
    """The build runs from the project's root: a relative --target was taken from there, not from where it was typed."""
    tasks = load_tasks()
    monkeypatch.setitem(tasks.CONFIG, "output", tmp_path / "output")
    monkeypatch.setenv("SITEURL", "https://news.example")
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    tasks.publish(Context(), target="../srv", keep=3)
    assert 'href="https://news.example/' in served(tmp_path / "srv")


def test_rsync_publishes_hold_a_lock_so_a_second_one_and_a_rollback_are_refused_meanwhile(tmp_path, monkeypatch):
    target = tmp_path / "srv"
    first = publish(make_edition(tmp_path / "one", "第一期"), target)
    upload = release.upload
    refused = []

    def upload_while_another_tries(*args):
        for attempt in (lambda: publish(make_edition(tmp_path / "three", "第三期"), target), lambda: rollback(target)):
            with pytest.raises(PublishFailed, match="another publish is under way") as error:
                attempt()
            refused.append(error.value)
        return upload(*args)

    monkeypatch.setattr(release, "upload", upload_while_another_tries)
    second = publish(make_edition(tmp_path / "two", "第二期"), target)
    assert len(refused) == 2
    assert state(Target.parse(target)) == (second, [first, second])
    assert not (target / release.LOCK_FILE).exists()


def test_an_rsync_lock_left_by_a_killed_publish_of_this_machine_is_taken_over(tmp_path):
    target = tmp_path / "srv"
    target.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    holder = Holder.me(600)
    stale = Holder(holder.host, dead.pid, "killed", holder.started, holder.expires)
    (target / release.LOCK_FILE).write_text(stale.text(), encoding="utf-8")
    name = publish(make_edition(tmp_path / "one"), target)
    assert os.readlink(target / "current") == f"releases/{name}"


def test_an_rsync_publish_whose_lock_was_taken_over_meanwhile_switches_nothing(tmp_path, monkeypatch):
    target = tmp_path / "srv"
    first = publish(make_edition(tmp_path / "one", "第一期"), target)
    upload = release.upload
    other = Holder.me(600)

    def upload_then_lose_the_lock(*args):
        partial = upload(*args)
        (target / release.LOCK_FILE).write_text(other.text(), encoding="utf-8")  # expired, and taken over by another publish
        return partial

    monkeypatch.setattr(release, "upload", upload_then_lose_the_lock)
    with pytest.raises(PublishFailed, match="no longer this publish's"):
        publish(make_edition(tmp_path / "two", "第二期"), target)
    assert state(Target.parse(target)) == (first, [first])
    assert "第一期" in served(target) and sorted(p.name for p in (target / "releases").iterdir()) == [first]
    assert (target / release.LOCK_FILE).read_text(encoding="utf-8") == other.text(), "the other publish's lock is left alone"
