"""The staged build's commit: output/ is the old site or the new one whenever a build is killed, the
site before it stays beside it at the cost of what changed, and static files follow content/."""

import ast
import contextlib
import gzip
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest
from PIL import Image
from test_incremental import build_cut_short, files, prepared, write_day

from conftest import ROOT, run_pelican, search_page_count, write_item, write_settings
from publishing.build import build_into

BUILD = "import sys; from publishing.build import build_into; build_into(sys.argv[1], sys.argv[2], content=sys.argv[3], capture=True)"


def site(folder):
    """Every file of a site (search index, bookkeeping and all): {name: bytes}."""
    found = {}
    for root, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(root, name)
            with open(path, "rb") as handle:
                found[os.path.relpath(path, folder)] = handle.read()
    return found


def indexed(found):
    """{shard: sorted (url, text) of its pages} of a site's search index: Pagefind names some of its
    files differently from run to run, but what it indexed is the same."""
    shards = {}
    for name, data in found.items():
        parts = name.split("/")
        if parts[0] == "pagefind" and len(parts) == 4 and parts[2] == "fragment":
            fragment = json.loads(gzip.decompress(data).removeprefix(b"pagefind_dcd"))
            shards.setdefault(parts[1], []).append((fragment["url"], fragment["content"]))
    return {shard: sorted(pages) for shard, pages in shards.items()}


def same_site(found, expected):
    """The same files, byte for byte, outside the search index; the same index list and the same
    pages indexed in each shard, no shard more."""

    def outside(files_):
        return {name: data for name, data in files_.items() if not name.startswith("pagefind/") or name == "pagefind/shards.json"}

    return outside(found) == outside(expected) and indexed(found) == indexed(expected)


def commit_steps():
    """The steps named in the staged build's code (staging.trees.step calls)."""
    names = []
    for path in [*sorted((ROOT / "plugins/staging").glob("*.py")), ROOT / "plugins/publishing/build.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "step" and node.args and isinstance(node.args[0], ast.Constant):
                names.append(node.args[0].value)
    return names


STEPS = ["pelican", "search", "journal", "replay", "replayed", "folders", "move", "moved", "removed", "switch", "switched", "done"]
OLD_AFTER = STEPS[: STEPS.index("switch") + 1]  # killed here, output/ is the old site; later, the new one


def photo(path, seed):
    """A small photo made with Pillow; another seed, other pixels."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.effect_noise((480, 320), 10 + seed).convert("RGB").save(path, "JPEG", quality=80)


def old_content(content):
    for date in ("2020-12-26", "2020-12-27"):  # Saturday and Sunday of 2020-W52: a search shard each
        write_day(content, date, pages=2, items=2)
    (content / "images").mkdir()
    photo(content / "images/photo.jpg", seed=1)
    write_item(content, "2020-12-27/a03-1.md", "图片新闻", date="2020-12-27", page="A03", section="版3", people="摄影:李四", Image="images/photo.jpg")


def new_content(content):
    """Monday closes 2020-W52 (its days' shards give way to one), a report goes, the photo changes."""
    write_day(content, "2020-12-28", pages=2, items=2)
    (content / "2020-12-26/a02-2.md").unlink()
    photo(content / "images/photo.jpg", seed=2)


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """A small archive built twice (so the site beside output/ lags it by the second build), the same
    content with a new day, and what a build of it gives: incrementally, and from nothing."""
    folder = tmp_path_factory.mktemp("kills")
    content, pristine = folder / "content", folder / "pristine"
    pristine.mkdir()
    settings = write_settings(pristine, "SECTIONS = []\nDEFAULT_PAGINATION = 2\n")
    old_content(content)
    build_into(pristine / "output", settings, content=str(content), capture=True)
    edited = content / "2020-12-26/a01-1.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("正文。", "改过的正文。"), encoding="utf-8")
    build_into(pristine / "output", settings, content=str(content), capture=True)
    old = site(pristine / "output")
    new_content(content)
    reference = folder / "reference"
    subprocess.run(["cp", "-a", str(pristine), str(reference)], check=True)
    started = time.perf_counter()
    build_into(reference / "output", reference / "settings.py", content=str(content), capture=True)
    seconds = time.perf_counter() - started
    clean = folder / "clean"
    clean.mkdir()
    build_into(clean / "output", write_settings(clean, "SECTIONS = []\nDEFAULT_PAGINATION = 2\n"), content=str(content), capture=True)
    return {
        "folder": folder,
        "content": content,
        "pristine": pristine,
        "old": old,
        "new": site(reference / "output"),
        "clean": clean / "output",
        "seconds": seconds,
    }


def killed_build(archive, step=None, after=None):
    """Restore the old site, then run the new day's build in its own process group and kill it: at
    a step (it kills itself there), or after some seconds (the whole group). Returns its exit code."""
    work = archive["folder"] / "work"
    shutil.rmtree(work, ignore_errors=True)
    subprocess.run(["cp", "-a", str(archive["pristine"]), str(work)], check=True)  # keeps the hard links between the two sites
    env = os.environ | {"PYTHONPATH": str(ROOT / "plugins")} | ({"STAGING_KILL_AT": step} if step else {})
    command = [sys.executable, "-c", BUILD, str(work / "output"), str(work / "settings.py"), str(archive["content"])]
    build = subprocess.Popen(command, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        build.wait(timeout=after)
    except subprocess.TimeoutExpired:
        os.killpg(build.pid, signal.SIGKILL)
    code = build.wait()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(build.pid, signal.SIGKILL)  # what it left running (the check, picture makers or render workers of the Pelican process)
    return work, code


def test_every_step_of_the_staged_build_is_one_the_kill_test_kills_at():
    assert set(commit_steps()) == set(STEPS)


@pytest.mark.parametrize("step", STEPS)
def test_a_build_killed_at_any_step_leaves_the_old_site_and_the_next_build_equals_a_clean_one(archive, step):
    work, code = killed_build(archive, step=step)
    assert code == -signal.SIGKILL, f"the build got past {step} without stopping there"
    found = site(work / "output")
    if step in OLD_AFTER:
        assert found == archive["old"], "output/ is the old site, byte for byte"
    else:
        assert same_site(found, archive["new"]), "output/ is the new site"
    assert_next_build_is_clean(archive, work)


@pytest.mark.parametrize("share", [0.15, 0.35, 0.55, 0.75])
def test_a_build_killed_while_it_runs_leaves_the_old_site_or_the_new_one(archive, share):
    work, _ = killed_build(archive, after=archive["seconds"] * share)
    found = site(work / "output")
    assert found == archive["old"] or same_site(found, archive["new"]), "output/ is the old site or the new one, not a mix"
    assert_next_build_is_clean(archive, work)


def assert_next_build_is_clean(archive, work):
    build_into(work / "output", work / "settings.py", content=str(archive["content"]), capture=True)
    assert same_site(site(work / "output"), archive["new"])
    assert files(work / "output") == files(archive["clean"])
    assert search_page_count(work / "output") == search_page_count(archive["clean"])


def test_a_commit_costs_what_changed_and_keeps_the_site_before_beside_it(tmp_path):
    """The site before output/ shares every file neither build changed, and the record of where the two
    differ names what the last commit changed, not the archive."""
    content, output = tmp_path / "content", tmp_path / "output"
    settings = write_settings(tmp_path, "SECTIONS = []\n")
    for date in ("2020-12-28", "2020-12-29"):
        write_day(content, date)
    build_into(output, settings, content=str(content), capture=True)
    before = files(output)
    write_day(content, "2020-12-30", pages=1, items=1)
    build_into(output, settings, content=str(content), capture=True)
    assert files(prepared(output)) == before, "the site before, as it was"
    page = "2020-12-28/a01/item-2020-12-28-a01-1/index.html"
    assert (output / page).stat().st_ino == (prepared(output) / page).stat().st_ino, "an unchanged page is one file in both"
    differs = set(json.loads((tmp_path / ".output.previous.json").read_text(encoding="utf-8"))["names"])
    after = files(output)
    assert {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)} <= differs
    assert not [name for name in differs if "/item-" in name and not name.startswith("2020-12-30/")], "no report page of the days before"


def inodes(folder):
    """{name: inode} of every file under a folder, and {name/: None} of every folder."""
    found = {}
    for root, dirs, names in os.walk(folder):
        relative = os.path.relpath(root, folder)
        for name in dirs:
            found[os.path.normpath(os.path.join(relative, name)) + "/"] = None
        for name in names:
            found[os.path.normpath(os.path.join(relative, name))] = os.stat(os.path.join(root, name)).st_ino
    return found


@pytest.mark.parametrize("before", ["nothing", "a stale copy"])
def test_the_site_before_is_made_the_same_files_as_output_whether_it_was_there_or_not(tmp_path, before):
    """What a first commit makes beside output/ (no folder there yet: made without reading it) and what
    a commit after a build in place brings up to date (a folder there, stale): the same names, each one
    file with output's."""
    from staging.trees import Trees

    output = tmp_path / "output"
    for name in ("index.html", "2020-12-28/a01/item-1/index.html", "2020-12-28/a01/item-2/index.html", "tag/x/index.html", "theme/css/a.css"):
        (output / name).parent.mkdir(parents=True, exist_ok=True)
        (output / name).write_text(name, encoding="utf-8")
    trees = Trees(output)
    if before == "a stale copy":
        (trees.previous / "2020-12-28/a01").mkdir(parents=True)
        (trees.previous / "2020-12-28/a01/item-1").write_text("a file where output has a folder", encoding="utf-8")
        (trees.previous / "index.html").write_text("an older front page", encoding="utf-8")
        (trees.previous / "gone/old").mkdir(parents=True)
        (trees.previous / "theme").write_text("a file where output has a folder", encoding="utf-8")
    trees.bring_up_to_date(None)
    assert inodes(trees.previous) == inodes(output)


def test_a_build_in_place_between_staged_builds_leaves_the_next_commit_nothing_stale(tmp_path):
    """Plain `pelican` writes into output/ itself, unlisted: the next commit brings the site beside it up
    to date everywhere, so what the build in place changed is not undone."""
    content, output = tmp_path / "content", tmp_path / "output"
    settings = write_settings(tmp_path, "SECTIONS = []\nDEFAULT_PAGINATION = 4\n")
    write_day(content, "2020-12-28")
    build_into(output, settings, content=str(content), capture=True)
    write_day(content, "2020-12-29")
    build_into(output, settings, content=str(content), capture=True)
    edited = content / "2020-12-28/a01-2.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("正文。", "在原处改过的正文。"), encoding="utf-8")
    result = run_pelican(content, output, settings)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads((tmp_path / ".output.previous.json").read_text(encoding="utf-8")) == {"all": True}
    write_day(content, "2020-12-30")  # a staged build that does not render the edited page again
    build_into(output, settings, content=str(content), capture=True)
    assert "在原处改过的正文" in (output / "2020-12-28/a01/item-2020-12-28-a01-2/index.html").read_text(encoding="utf-8")
    build_into(tmp_path / "clean", settings, content=str(content), capture=True)
    assert files(output) == files(tmp_path / "clean")
    write_day(content, "2020-12-31")  # and the one after it, from the site the build in place left
    build_into(output, settings, content=str(content), capture=True)
    build_into(tmp_path / "clean", settings, content=str(content), capture=True)
    assert files(output) == files(tmp_path / "clean")


def test_where_folders_cannot_be_exchanged_at_once_the_commit_renames_them_and_a_kill_between_is_undone(tmp_path, monkeypatch):
    import errno

    import staging.trees

    def cannot(first, second):
        raise OSError(errno.EINVAL, "not supported here")

    content, output = tmp_path / "content", tmp_path / "output"
    settings = write_settings(tmp_path, "SECTIONS = []\n")
    write_day(content, "2020-12-29")
    monkeypatch.setattr(staging.trees, "exchange_folders", cannot)
    build_into(output, settings, content=str(content), capture=True)
    old = site(output)
    write_day(content, "2020-12-30")
    build_cut_short(monkeypatch, lambda target: target == str(output), output, settings, content, call="rename")  # the second of three renames
    assert not output.exists(), "the moment this file system cannot avoid"
    build_into(output, settings, content=str(content), capture=True)
    build_into(tmp_path / "clean", settings, content=str(content), capture=True)
    assert files(output) == files(tmp_path / "clean") and site(output) != old


def test_an_output_a_commit_of_the_code_before_left_cut_short_is_settled_by_the_next_build(tmp_path):
    """Before the exchange, a commit moved pages in one by one and listed them as unsure: their digests are not taken."""
    content, output = tmp_path / "content", tmp_path / "output"
    settings = write_settings(tmp_path, "SECTIONS = []\n")
    write_day(content, "2020-12-29")
    build_into(output, settings, content=str(content), capture=True)
    shutil.rmtree(prepared(output))
    (tmp_path / ".output.previous.json").unlink()
    page = output / "2020-12-29/a01/item-2020-12-29-a01-2/index.html"
    right = page.read_bytes()
    page.unlink()
    page.write_bytes(right.replace("正文。".encode(), "半途的正文。".encode()))  # moved in by the cut-short commit, its report since put back
    marked = [str(page.relative_to(output)), "2020-12-29/index.html.gz", "pagefind/2020-12-29/", "pagefind/shards.json"]  # as that commit listed them
    (output / ".build-unsure.json").write_text(json.dumps(marked), encoding="utf-8")
    build_into(output, settings, content=str(content), capture=True)
    assert page.read_bytes() == right
    assert not (output / ".build-unsure.json").exists()
    build_into(tmp_path / "clean", settings, content=str(content), capture=True)
    assert files(output) == files(tmp_path / "clean")
    assert search_page_count(output) == 6


def test_a_static_file_is_copied_only_when_its_bytes_change_and_leaves_output_with_content(tmp_path):
    content, output = tmp_path / "content", tmp_path / "output"
    settings = write_settings(tmp_path, "SECTIONS = []\n")
    write_day(content, "2020-12-29", pages=1, items=1)
    (content / "images/2020-12-29").mkdir(parents=True)
    # Files that are not photos (photos are published as news_photos makes them, tests/test_photos.py)
    photo, other = content / "images/2020-12-29/map.svg", content / "images/2020-12-29/other.svg"
    photo.write_bytes(os.urandom(5000))
    other.write_bytes(os.urandom(5000))
    build_into(output, settings, content=str(content), capture=True)
    published = output / "images/2020-12-29/map.svg"
    assert published.read_bytes() == photo.read_bytes()
    first = published.stat().st_ino

    build_into(output, settings, content=str(content), capture=True)
    later = time.time() + 3600
    os.utime(photo, (later, later))  # a fresh checkout: a new time, the same bytes
    build_into(output, settings, content=str(content), capture=True)
    assert published.stat().st_ino == first, "an unchanged image is not copied again"

    photo.write_bytes(os.urandom(5000))
    build_into(output, settings, content=str(content), capture=True)
    assert published.read_bytes() == photo.read_bytes()

    other.unlink()
    build_into(output, settings, content=str(content), capture=True)
    assert not (output / "images/2020-12-29/other.svg").exists(), "an image gone from content/ goes"
    photo.unlink()
    result = run_pelican(content, output, settings)  # in place too
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (output / "images").exists()


def test_static_files_whose_bytes_the_last_build_has_are_left_out_of_pelicans_copying(tmp_path):
    from types import SimpleNamespace

    from incremental import static_files
    from site_build.state import KEY, Build
    from staging.manifest import write_manifest

    last = tmp_path / "last"
    (last / "images").mkdir(parents=True)
    sources = {name: os.urandom(100) for name in ("same.jpg", "changed.jpg", "new.jpg", "gone-from-output.jpg")}
    for name, data in sources.items():
        (tmp_path / name).write_bytes(data)
        (last / "images" / name).write_bytes(data)
    (last / "images/gone-from-output.jpg").unlink()
    write_manifest(last, {f"images/{name}": static_files.file_digest(tmp_path / name) for name in ("same.jpg", "changed.jpg", "gone-from-output.jpg")})
    (tmp_path / "changed.jpg").write_bytes(os.urandom(100))
    statics = [SimpleNamespace(source_path=name, save_as=f"images/{name}") for name in sources]
    settings = {"LAST_OUTPUT": str(last), "CACHE_PATH": str(tmp_path / "cache")}
    settings[KEY] = Build(settings)
    generator = SimpleNamespace(settings=settings, output_path=str(tmp_path / "fresh"), path=str(tmp_path), staticfiles=list(statics))
    static_files.skip_unchanged(generator)
    assert [static.source_path for static in generator.staticfiles] == ["changed.jpg", "new.jpg", "gone-from-output.jpg"]


def test_the_theme_static_folder_is_the_one_the_settings_name_and_follows_the_theme(tmp_path):
    content, output, theme = tmp_path / "content", tmp_path / "output", tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    (theme / "static/js/unused.js").write_text("// a file no page links\n", encoding="utf-8")
    write_day(content, "2020-12-29", pages=1, items=1)
    settings = write_settings(tmp_path, f"SECTIONS = []\nTHEME = {str(theme)!r}\nTHEME_STATIC_DIR = 'assets'\n")
    build_into(output, settings, content=str(content), capture=True)
    stylesheet = output / "assets/css/edition.css"
    assert stylesheet.read_bytes() == (theme / "static/css/edition.css").read_bytes() and not (output / "theme").exists()
    first = stylesheet.stat().st_ino
    write_day(content, "2020-12-30", pages=1, items=1)
    build_into(output, settings, content=str(content), capture=True)
    assert stylesheet.stat().st_ino == first, "an unchanged theme file stays as it is"

    (theme / "static/css/edition.css").write_text("body { color: black; }\n", encoding="utf-8")
    (theme / "static/js/unused.js").unlink()
    build_into(output, settings, content=str(content), capture=True)
    assert stylesheet.read_text(encoding="utf-8") == "body { color: black; }\n"
    assert not (output / "assets/js/unused.js").exists(), "a file gone from the theme goes"
    assert (output / "assets/js/search.js").is_file()

    settings = write_settings(tmp_path, f"SECTIONS = []\nTHEME = {str(theme)!r}\nTHEME_STATIC_DIR = 'static'\n")
    build_into(output, settings, content=str(content), capture=True)
    assert (output / "static/css/edition.css").is_file() and not (output / "assets").exists()


def test_invoke_build_and_clean_use_the_output_and_cache_folders_the_settings_name(tmp_path, monkeypatch):
    from invoke import Context
    from test_deploy import load_tasks

    tasks = load_tasks()
    settings = write_settings(tmp_path, "SECTIONS = []\nOUTPUT_PATH = 'site'\nCACHE_PATH = 'kept'\n")
    write_day(tmp_path / "content", "2020-12-29", pages=1, items=1)
    for key, value in (("settings", settings), ("publish_settings", settings), ("content", tmp_path / "content")):
        monkeypatch.setitem(tasks.CONFIG, key, value)
    monkeypatch.chdir(ROOT)  # the tasks work from the project's folder
    tasks.build(Context())
    assert (tmp_path / "site/index.html").is_file() and (tmp_path / ".site.previous/index.html").is_file()
    assert list((tmp_path / "kept").glob("articles-*/articles.sqlite")), "Pelican's cache is where CACHE_PATH says"
    tasks.clean(Context())
    assert [name for name in ("site", ".site.previous", ".site.previous.json", "kept") if (tmp_path / name).exists()] == []


def test_a_second_build_says_it_waits_for_the_first(tmp_path, capfd):
    """A second `invoke build` waited on the first in silence."""
    import threading

    from staging.trees import Trees

    trees = Trees(tmp_path / "output")
    trees.output.parent.mkdir(parents=True, exist_ok=True)
    hold = "import fcntl, sys, time; handle = open(sys.argv[1], 'a'); fcntl.flock(handle, fcntl.LOCK_EX); print('held', flush=True); time.sleep(60)"
    first = subprocess.Popen([sys.executable, "-c", hold, str(trees.lock_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert first.stdout.readline() == "held\n"
        built = threading.Event()

        def second_build():
            with trees.locked():
                built.set()

        waiting = threading.Thread(target=second_build)
        waiting.start()
        assert not built.wait(1), "it waits for the first"
        assert "Waiting for the build of output/ already running" in capfd.readouterr().err
    finally:
        first.kill()
        first.wait()
    assert built.wait(10), "and builds once the first is done"
    waiting.join()


def test_a_server_given_the_output_folder_serves_the_new_site_after_a_build_without_a_restart(tmp_path):
    """`invoke serve` (Pelican's server) and nginx look a file up by its path at each request: after the
    exchange the path leads into the new site."""
    import threading
    import urllib.request

    from pelican.server import ComplexHTTPRequestHandler, RootedHTTPServer

    content, output = tmp_path / "content", tmp_path / "output"
    settings = write_settings(tmp_path, "SECTIONS = []\n")
    report = write_item(content, "2020-12-30/a01-1.md", "旧标题", date="2020-12-30")
    build_into(output, settings, content=str(content), capture=True)
    server = RootedHTTPServer(str(output), ("127.0.0.1", 0), ComplexHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/2020-12-30/a01/item-2020-12-30-a01-1/"
        assert "旧标题" in urllib.request.urlopen(url).read().decode()
        report.write_text(report.read_text(encoding="utf-8").replace("旧标题", "新标题"), encoding="utf-8")
        build_into(output, settings, content=str(content), capture=True)
        assert "新标题" in urllib.request.urlopen(url).read().decode()
    finally:
        server.shutdown()
        server.server_close()


def test_the_manifest_reads_back_as_written_whatever_its_names(tmp_path):
    """write_manifest writes sorted, compact JSON (orjson); a name orjson cannot write (a file name not in UTF-8,
    a lone surrogate) is written escaped by json, and read back all the same. A damaged manifest reads as none."""
    import json

    from staging.manifest import read_manifest, write_manifest

    digests = {"2020-12-30/a01/tui-jin/index.html": "ab:cd:ef", "images/版面.jpg": "picture:1", "z": None}
    write_manifest(tmp_path, digests)
    written = (tmp_path / ".build-digests.json").read_bytes()
    assert written == json.dumps(digests, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert read_manifest(tmp_path) == digests
    odd = digests | {"images/b\udcff.jpg": "picture:2"}
    write_manifest(tmp_path, odd)
    assert read_manifest(tmp_path) == odd
    (tmp_path / ".build-digests.json").write_text("{not json", encoding="utf-8")
    assert read_manifest(tmp_path) == {}


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"date": "2026-13-45"}, "--date: no such date"),
        ({"section": "体育"}, "--section: unknown page name “体育”"),
        ({"title": "！！！"}, "--title: “！！！” gives no pinyin"),
        ({"position": "二"}, "--position: “二” is not a position"),
        ({"kind": "video"}, "--kind: unknown kind"),
    ],
)
def test_invoke_new_refuses_what_the_check_would_and_writes_nothing(tmp_path, monkeypatch, options, says):
    """`invoke new` made content/2026-13-45/, wrote a02-01-.md for a title without pinyin, took any
    section or kind, and ended in a traceback for --position 二: the check refused it all afterwards."""
    from invoke import Context
    from test_deploy import load_tasks

    tasks = load_tasks()
    monkeypatch.setitem(tasks.CONFIG, "content", tmp_path / "content")
    given = {"date": "2020-12-30", "page": "A06", "title": "湛河区推进项目建设", "section": "湛河区"} | options
    with pytest.raises(SystemExit, match=re.escape(says)):
        tasks.new(Context(), **given)
    assert not (tmp_path / "content").exists(), "nothing written"
    tasks.new(
        Context(),
        **(
            given
            | {
                key: value
                for key, value in {"date": "2020-12-30", "section": "湛河区", "title": "推进项目建设", "position": 3, "kind": "report"}.items()
                if key in options
            }
        ),
    )
    assert [path.name for path in (tmp_path / "content").rglob("*.md")] == [
        f"a06-0{3 if 'position' in options else 1}-{'tui-jin-xiang-mu-jian-she' if 'title' in options else 'zhan-he-qu-tui-jin-xiang-mu-jian-she'}.md"
    ]


def test_invoke_check_takes_the_content_folder_and_serve_needs_a_build(tmp_path, monkeypatch):
    """`invoke check --content content/2020-12-30` said every photo was missing (they are named from the
    content folder), and a file ended in a traceback; `invoke serve` before a build dropped every request."""
    from invoke import Context
    from test_deploy import load_tasks

    tasks = load_tasks()
    day = ROOT / "content" / "2020-12-30"
    with pytest.raises(SystemExit, match="is a day's folder: give the content folder it is in"):
        tasks.check(Context(), content=str(day))
    with pytest.raises(SystemExit, match="is not a folder"):
        tasks.check(Context(), content=str(next(day.glob("*.md"))))
    monkeypatch.setitem(tasks.CONFIG, "output", tmp_path / "output")
    with pytest.raises(SystemExit, match="No edition in .*: build it first"):
        tasks.serve(Context(), port=0)
