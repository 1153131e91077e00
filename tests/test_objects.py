"""Publishing the edition to S3-compatible object storage, against a real S3 server on loopback
(moto's server mode): only what changed is sent, in an order that never lets a reader reach a page
linking to an object not yet there, with each object's headers; a publish cut short at any stage
leaves a bucket without a broken link and is finished by the next; rollback; one publish at a time."""

import gzip
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import unquote, urlsplit

import boto3
import pytest
from botocore.exceptions import ClientError
from bs4 import BeautifulSoup
from invoke import Context
from moto.server import ThreadedMotoServer
from PIL import Image
from test_deploy import load_tasks, make_edition, page_links

from conftest import ROOT, write_item
from publishing import digests, objects, web_headers
from publishing.bucket import CONFIG, Bucket
from publishing.build import build_into
from publishing.digests import edition_files
from publishing.publish_order import rank, stage_names
from publishing.release import PublishFailed

SITE = "https://news.example"
ENTRY_POINTS = ("index.html", "pagefind/shards.json", "sitemap.xml", "news-sitemap.xml", "feeds/all.atom.xml")
REMOVED = "2020-12-30/a06-07-zhan-he-qu-shou-pi-te-yao-xing-zheng-zhi-fa-jian-du-yuan.md"


@pytest.fixture(scope="module")
def s3():
    """An S3 server on 127.0.0.1, and the environment boto3 reads it from, as a publish from CI would."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    env = {"AWS_ENDPOINT_URL": f"http://{host}:{port}", "AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "edition", "AWS_SECRET_ACCESS_KEY": "edition"}
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    yield env
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    server.stop()


class Store:
    """A fresh bucket, its objects read back as a reader's browser would get them."""

    def __init__(self):
        self.client = boto3.client("s3", config=CONFIG)
        self.name = f"edition-{uuid.uuid4().hex[:12]}"
        self.client.create_bucket(Bucket=self.name)
        self.url = f"s3://{self.name}/site"
        self.calls = []
        self.client.meta.events.register("before-parameter-build.s3", self.record)

    def record(self, params, model, **_):
        self.calls.append((model.name, params))

    def target(self):
        return Bucket.parse(self.url, client=self.client)

    def paths(self):
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name, Prefix="site/")
        return [item["Key"][len("site/") :] for page in pages for item in page.get("Contents", ())]

    def get(self, path):
        answer = self.client.get_object(Bucket=self.name, Key="site/" + path)
        body = answer["Body"].read()
        return gzip.decompress(body) if answer.get("ContentEncoding") == "gzip" else body, answer

    def files(self):
        """{path: bytes} of the edition in the bucket (without the publish's own records)."""
        return {path: self.get(path)[0] for path in self.paths() if not path.startswith(".publish/")}

    def puts(self):
        return [params["Key"][len("site/") :] for name, params in self.calls if name == "PutObject" and "/.publish/" not in params["Key"]]


@pytest.fixture
def store(s3):
    return Store()


def build(content, output):
    build_into(output, ROOT / "publishconf.py", content=str(content), env={**os.environ, "SITEURL": SITE}, capture=True)
    return Path(output)


@pytest.fixture(scope="module")
def editions(tmp_path_factory):
    """The real edition (one day), and the same a day later: a new day with a photo, and a report of the first day withdrawn."""
    folder = tmp_path_factory.mktemp("objects")
    content = folder / "content"
    shutil.copytree(ROOT / "content", content)
    first = build(content, folder / "first")
    shutil.copytree(first, folder / "second", symlinks=True)
    (content / "images" / "2020-12-31").mkdir(parents=True)
    Image.effect_noise((800, 600), 40).convert("RGB").save(content / "images" / "2020-12-31" / "dot.png")
    (content / REMOVED).unlink()
    for position in (1, 2, 3):
        write_item(
            content,
            f"2020-12-31/a06-{position:02d}.md",
            f"新的一天第{position}条",
            date="2020-12-31",
            page="A06",
            section="湛河区",
            position=position,
            Tags="新闻",
        )
    write_item(
        content, "2020-12-31/a06-04.md", "图片新闻", date="2020-12-31", page="A06", section="湛河区", position=4,
        Kind="photo", people="摄影:王五", Credit="王五 摄", Image="images/2020-12-31/dot.png", body="▲图片说明文字。",
    )  # fmt: skip
    second = build(content, folder / "second")
    return first, second


def file_bytes(output):
    return {path: (Path(output) / path).read_bytes() for path in edition_files(output)}


def url_path(url):
    """The object a URL of the edition is served from, or None for another site's."""
    if not url.startswith(SITE + "/"):
        return None
    path = unquote(urlsplit(url).path).lstrip("/")
    return path + "index.html" if path == "" or path.endswith("/") else path


def links(path, body):
    """The objects a reader (a browser, a feed reader, a crawler, the search page's script) goes to from this one."""
    text = body.decode("utf-8", "replace")
    if path.endswith(".html"):
        urls = page_links(BeautifulSoup(text, "lxml"))
    elif path.endswith(".xml"):
        urls = re.findall(r'(?:href="|<loc>)([^"<]+)', text)
    elif path == "pagefind/shards.json":
        return [f"pagefind/{shard['name']}/{name}" for shard in json.loads(text)["shards"] for name in ("pagefind-entry.json", "pagefind.js")]
    elif path.endswith("/pagefind-entry.json"):
        folder = path.rsplit("/", 1)[0]
        return [f"{folder}/pagefind.{language['hash']}.pf_meta" for language in json.loads(text)["languages"].values()]
    else:
        return []
    return [target for url in urls if (target := url_path(url))]


def broken_links(graph):
    """[(page, missing object)] over everything reachable from the front page, the search index, the sitemaps and the feed.

    graph: {path: [paths it links to]} of the objects there are."""
    broken, seen, queue = [], set(), [(None, path) for path in ENTRY_POINTS]
    while queue:
        referrer, path = queue.pop()
        if path not in graph:
            broken.append((referrer, path))
            continue
        if path in seen:
            continue
        seen.add(path)
        queue.extend((path, target) for target in graph[path])
    return broken


def bucket_broken_links(store):
    return broken_links({path: links(path, body) for path, body in store.files().items()})


def test_a_first_publish_sends_every_file_and_a_new_day_only_the_files_that_changed(store, editions, tmp_path):
    first, second = editions
    done = objects.publish(first, store.target(), cache_folder=tmp_path / "cache")
    assert sorted(store.puts()) == sorted(edition_files(first)) == sorted(done.sent)
    assert store.files() == file_bytes(first)

    before, after = file_bytes(first), file_bytes(second)
    changed = {path for path, data in after.items() if before.get(path) != data}
    gone = set(before) - set(after)
    store.calls.clear()
    done = objects.publish(second, store.target(), cache_folder=tmp_path / "cache")
    assert sorted(store.puts()) == sorted(changed) == sorted(done.sent)
    assert sorted(done.deleted) == sorted(gone)
    assert "2020-12-30/a06/zhan-he-qu-shou-pi-te-yao-xing-zheng-zhi-fa-jian-du-yuan/index.html" in gone
    assert any(path.startswith("images/2020-12-31/dot-800.") for path in changed) and "index.html" in changed
    assert len(changed) < len(after) / 2, "a new day changes its own pages and the lists, not the archive"
    assert store.files() == after

    store.calls.clear()
    assert objects.publish(second, store.target(), cache_folder=tmp_path / "cache").sent == []
    assert store.puts() == []


KINDS = [
    # path, Content-Type, Cache-Control, stored gzipped
    ("index.html", "text/html; charset=utf-8", "public, max-age=300", True),
    ("2020-12-31/a06/item-2020-12-31-a06-1/index.html", "text/html; charset=utf-8", "public, max-age=300", True),
    ("theme/css/edition.css", "text/css; charset=utf-8", "public, max-age=86400", True),
    ("theme/js/search.js", "application/javascript; charset=utf-8", "public, max-age=86400", True),
    ("images/2020-12-31/dot-800.*.jpg", "image/jpeg", web_headers.A_YEAR, False),
    ("images/2020-12-31/dot-800.*.avif", "image/avif", web_headers.A_YEAR, False),
    ("feeds/all.atom.xml", "application/atom+xml; charset=utf-8", "public, max-age=300", True),
    ("sitemap.xml", "text/xml; charset=utf-8", "public, max-age=300", True),
    ("pagefind/shards.json", "application/json; charset=utf-8", "public, max-age=300", None),
    ("pagefind/*/pagefind-entry.json", "application/json; charset=utf-8", "public, max-age=300", None),  # small: gzipped or not
    ("pagefind/*/pagefind.js", "application/javascript; charset=utf-8", "public, max-age=300", True),
    ("pagefind/*/pagefind.*.pf_meta", "application/octet-stream", web_headers.A_YEAR, False),
    ("pagefind/*/fragment/*.pf_fragment", "application/octet-stream", web_headers.A_YEAR, False),
    ("pagefind/*/index/*.pf_index", "application/octet-stream", web_headers.A_YEAR, False),
    ("pagefind/*/wasm.unknown.pagefind", "application/octet-stream", "public, max-age=300", False),
]


@pytest.fixture(scope="module")
def published(s3, editions, tmp_path_factory):
    store = Store()
    objects.publish(editions[0], store.target())
    objects.publish(editions[1], store.target())
    return store, editions[1]


@pytest.mark.parametrize("pattern, kind, cache, zipped", KINDS, ids=[k[0] for k in KINDS])
def test_each_kind_of_object_has_its_content_type_cache_control_and_encoding(published, pattern, kind, cache, zipped):
    store, output = published
    path = next(output.glob(pattern)).relative_to(output).as_posix()
    body, answer = store.get(path)
    assert body == (output / path).read_bytes()
    assert answer["ContentType"] == kind
    assert answer["CacheControl"] == cache
    if zipped is not None:
        assert (answer.get("ContentEncoding") == "gzip") is zipped
    if zipped:
        assert answer["ContentLength"] < len(body), "text is stored gzip-compressed"


def test_every_link_in_the_bucket_leads_to_an_object_of_it(published):
    store, output = published
    graph = {path: links(path, body) for path, body in store.files().items()}
    assert not broken_links(graph)
    reached = {target for targets in graph.values() for target in targets}
    assert "2020-12-31/a06/item-2020-12-31-a06-4/index.html" in reached
    assert any(re.fullmatch(r"images/2020-12-31/dot-800\.[0-9a-f]{16}\.avif", path) for path in reached), "the photo, as the pipeline made it"
    assert any(re.fullmatch(r"theme/css/edition\.[0-9a-f]{8}\.css", path) for path in reached), "the stylesheet, by its hashed name"
    assert any(path.endswith(".pf_meta") for path in reached)


def test_the_build_bookkeeping_and_compressed_copies_are_not_objects(published):
    store, output = published
    keys = store.paths()
    assert (output / ".build-digests.json").exists() and (output / "index.html.gz").exists()
    assert not [key for key in keys if key.endswith((".gz", ".br")) and not key.startswith(".publish/")]
    assert not [key for key in keys if key.startswith(".") and not key.startswith(".publish/")]


def test_at_no_moment_of_a_publish_does_a_reachable_page_link_to_a_missing_object(store, editions):
    first, second = editions
    objects.publish(first, store.target())
    store.calls.clear()
    objects.publish(second, store.target(), threads=1)  # one request at a time: the order the bucket sees
    versions = {"old": file_bytes(first), "new": file_bytes(second)}
    graphs = {version: {path: links(path, body) for path, body in files.items()} for version, files in versions.items()}
    live = dict.fromkeys(versions["old"], "old")
    order = []
    for name, params in store.calls:
        path = params["Key"][len("site/") :] if "Key" in params else None
        if name == "PutObject" and not path.startswith(".publish/"):
            live[path] = "new"
            order.append(path)
        elif name == "DeleteObjects":
            for item in params["Delete"]["Objects"]:
                live.pop(item["Key"][len("site/") :], None)
        else:
            continue
        broken = broken_links({path: graphs[version][path] for path, version in live.items()})
        assert not broken, f"after {name} {path}: {broken[:3]}"
    assert {path: versions[version][path] for path, version in live.items()} == versions["new"]
    # the lists after the reports they list, the feeds and sitemaps after the pages
    assert order.index("index.html") > max(order.index(p) for p in order if rank(p)[0] == 1)
    assert order.index("feeds/all.atom.xml") > order.index("index.html") and order.index("sitemaps/2020-12.xml") > order.index("index.html")
    assert rank("sitemaps/2021-01.xml") < rank("sitemap.xml"), "a new month's sitemap goes up before the index that names it"
    shard = next(p for p in order if p.endswith("pagefind-entry.json"))
    assert order.index(shard) > max(order.index(p) for p in order if p.startswith(shard.rsplit("/", 1)[0]) and p.endswith(".pf_meta"))


STOPPED = """
import os, sys
sys.path[:0] = {paths!r}
from publishing import objects

def stop(stage):
    if stage == {stage!r}:
        os._exit(3)  # killed: no cleanup, the lock left behind

objects.publish({output!r}, {target!r}, on_stage=stop)
sys.exit("the publish was not stopped")
"""


@pytest.mark.parametrize("stage", ["new assets", "new reports", "new pages", "changed reports", "changed pages", "changed feeds", "switched", "deleting"])
def test_a_publish_killed_at_a_stage_leaves_no_broken_link_and_the_next_one_finishes_it(store, editions, stage):
    first, second = editions
    objects.publish(first, store.target())
    script = STOPPED.format(paths=[str(ROOT / "plugins")], stage=stage, output=str(second), target=store.url)
    killed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=os.environ)
    assert killed.returncode == 3, killed.stderr
    assert not bucket_broken_links(store)
    assert store.client.get_object(Bucket=store.name, Key="site/.publish/lock"), "the killed publish left its lock"

    objects.publish(second, store.target())
    assert store.files() == file_bytes(second)
    assert not store.paths().count(".publish/lock") and not store.paths().count(".publish/pending.json")
    # what the cut-short publish replaced was kept aside: the release before is still restorable
    objects.rollback(store.target())
    if stage in ("switched", "deleting"):  # the cut-short release had gone live: it comes first
        assert store.files() == file_bytes(second)
        objects.rollback(store.target())
    assert store.files() == file_bytes(first)


def test_rollback_puts_back_the_previous_release_with_the_objects_the_last_one_deleted(store, editions):
    first, second = editions
    one = objects.publish(first, store.target()).release
    objects.publish(second, store.target())
    assert objects.rollback(store.target()) == one
    assert store.files() == file_bytes(first)
    assert not bucket_broken_links(store)
    headers = store.get("2020-12-30/a06/zhan-he-qu-shou-pi-te-yao-xing-zheng-zhi-fa-jian-du-yuan/index.html")[1]
    assert headers["ContentType"] == "text/html; charset=utf-8" and headers["CacheControl"] == "public, max-age=300"
    with pytest.raises(PublishFailed, match="no release before"):
        objects.rollback(store.target())
    objects.publish(second, store.target())
    assert store.files() == file_bytes(second)


def test_rollback_goes_back_in_the_same_order_as_a_publish(store, editions):
    first, second = editions
    objects.publish(first, store.target())
    objects.publish(second, store.target())
    store.calls.clear()
    stages = []
    objects.rollback(store.target(), on_stage=stages.append, threads=1)
    assert stages == [*stage_names(), "switched", "deleting"]
    restored = [params["Key"][len("site/") :] for name, params in store.calls if name == "CopyObject" and "/.publish/" not in params["Key"]]
    assert restored.index("index.html") > restored.index("2020-12-30/a06/index.html")
    assert restored.index("sitemaps/2020-12.xml") > restored.index("index.html")


def test_only_as_many_releases_as_kept_stay_restorable(store, editions):
    first, second = editions
    for output in (first, second, first):
        objects.publish(output, store.target(), keep=2)
    records = [key for key in store.paths() if key.startswith(".publish/manifest-")]
    assert len(records) == 2
    objects.rollback(store.target())
    assert store.files() == file_bytes(second)
    with pytest.raises(PublishFailed, match="no release before"):
        objects.rollback(store.target())


def test_a_second_publish_while_one_is_under_way_is_refused_and_the_first_finishes(store, editions):
    first, second = editions
    objects.publish(first, store.target())
    refused = []

    def meanwhile(stage):
        if stage == "new assets":
            for attempt in (lambda: objects.publish(first, store.target()), lambda: objects.rollback(store.target())):
                with pytest.raises(PublishFailed, match="another publish is under way") as error:
                    attempt()
                refused.append(str(error.value))

    objects.publish(second, store.target(), on_stage=meanwhile)
    assert len(refused) == 2 and f"process {os.getpid()}" in refused[0]
    assert store.files() == file_bytes(second)
    objects.publish(first, store.target())  # the lock went with the publish that held it


def test_a_lock_left_by_another_machine_holds_until_it_expires(store, editions):
    first = editions[0]
    lock = {"host": "runner-elsewhere", "pid": 1, "token": "x", "started": "2026-01-01 08:00:00 +0800"}
    store.client.put_object(Bucket=store.name, Key="site/.publish/lock", Body=json.dumps({**lock, "expires": 4e9}).encode())
    with pytest.raises(PublishFailed, match="runner-elsewhere"):
        objects.publish(first, store.target())
    assert "index.html" not in store.paths()
    store.client.put_object(Bucket=store.name, Key="site/.publish/lock", Body=json.dumps({**lock, "expires": 1.0}).encode())
    objects.publish(first, store.target())
    assert store.files() == file_bytes(first)


def test_without_gzip_text_is_stored_as_it_is_and_switching_sends_the_text_files_again(store, editions):
    first = editions[0]
    objects.publish(first, store.target())
    done = objects.publish(first, store.target(), compress=False)
    zipped = {path for path in edition_files(first) if web_headers.compressible(path) and (first / path).stat().st_size >= objects.GZIP_FROM}
    assert sorted(done.sent) == sorted(zipped) and "index.html" in zipped
    answer = store.client.get_object(Bucket=store.name, Key="site/index.html")
    assert "ContentEncoding" not in answer and answer["Body"].read() == (first / "index.html").read_bytes()


def test_on_a_store_without_conditional_writes_the_lock_still_refuses_a_second_publish(store, editions):
    first, second = editions

    def refuse_conditions(params, **_):
        if "IfNoneMatch" in params or "IfMatch" in params:
            raise ClientError(
                {"Error": {"Code": "NotImplemented", "Message": "A header you provided implies functionality that is not implemented"}}, "PutObject"
            )

    store.client.meta.events.register("before-parameter-build.s3.PutObject", refuse_conditions)

    def meanwhile(stage):
        if stage == "new assets":
            with pytest.raises(PublishFailed, match="another publish is under way"):
                objects.publish(first, store.target())

    objects.publish(first, store.target())
    objects.publish(second, store.target(), on_stage=meanwhile)
    assert store.files() == file_bytes(second)
    assert ".publish/lock" not in store.paths()


def test_digests_read_only_the_files_that_changed_since_the_last_publish(tmp_path, monkeypatch):
    monkeypatch.setattr(digests, "RACY_NS", 0)
    output = make_edition(tmp_path / "output")
    (output / "index.html.gz").write_bytes(gzip.compress((output / "index.html").read_bytes()))
    (output / ".build-digests.json").write_text("{}", encoding="utf-8")
    found, read = digests.digests(output, tmp_path / "cache")
    assert sorted(found) == ["index.html", "theme/css/edition.css"] and read == 2
    assert digests.digests(output, tmp_path / "cache")[1] == 0
    replacement = output / "index.html.new"
    replacement.write_text("<!DOCTYPE html><title>第二期</title>", encoding="utf-8")
    os.replace(replacement, output / "index.html")  # as a build commits a page
    again, read = digests.digests(output, tmp_path / "cache")
    assert read == 1 and again["index.html"] != found["index.html"] and again["theme/css/edition.css"] == found["theme/css/edition.css"]


def test_a_file_changed_just_before_a_publish_is_read_again_by_the_next(tmp_path):
    output = make_edition(tmp_path / "output")
    digests.digests(output, tmp_path / "cache")
    assert digests.digests(output, tmp_path / "cache")[1] == 2, "its time may not move if it changes again within the clock's step"


def nginx_locations():
    """{location: Cache-Control} of the nginx site configuration."""
    conf = (ROOT / "plugins" / "publishing" / "nginx" / "edition.conf").read_text(encoding="utf-8")
    blocks = re.findall(r'location\s+(~\s+)?(?:"([^"]+)"|([^"\s]+))\s*\{([^}]*)\}', conf)
    return {(bool(regex), quoted or bare): (re.search(r'Cache-Control "([^"]+)"', body) or [None, None])[1] for regex, quoted, bare, body in blocks}


def nginx_cache_control(locations, path):
    """Which location nginx picks: the first regex that matches, else the longest prefix."""
    for (regex, where), value in locations.items():
        if regex and re.search(where, path):
            return value
    return max(((where, value) for (regex, where), value in locations.items() if not regex and path.startswith(where)), key=lambda item: len(item[0]))[1]


def test_objects_get_the_same_cache_rules_as_nginx_gives_the_same_files(editions):
    locations = nginx_locations()
    assert (True, web_headers.IMMUTABLE) in locations
    output = editions[1]
    paths = [*edition_files(output), "theme/css/edition.0123abcd.css", "images/photo.0123abcdef.jpg", "pagefind/2020-W52/pagefind.zh-cn_0a1b.pf_meta"]
    differ = {path: (web_headers.cache_control(path), nginx_cache_control(locations, "/" + path)) for path in paths}
    assert not {path: pair for path, pair in differ.items() if pair[0] != pair[1]}
    assert {value for value, _ in differ.values()} == {web_headers.A_YEAR, web_headers.A_DAY, web_headers.MINUTES}


def test_invoke_publish_to_a_bucket_builds_with_publishconf_and_rollback_says_when_there_is_nothing_before(store, tmp_path, monkeypatch):
    tasks = load_tasks()
    monkeypatch.setitem(tasks.CONFIG, "output", tmp_path / "output")
    monkeypatch.setitem(tasks.CONFIG, "cache", tmp_path / "cache")
    monkeypatch.setenv("SITEURL", SITE)
    monkeypatch.chdir(ROOT)
    tasks.publish(Context(), target=store.url)
    body, headers = store.get("index.html")
    assert f'href="{SITE}/' in body.decode("utf-8") and headers["ContentEncoding"] == "gzip"
    assert (tmp_path / "cache" / digests.CACHE).is_file()
    with pytest.raises(SystemExit, match="no release before"):
        tasks.rollback(Context(), target=store.url)
    with pytest.raises(SystemExit, match="not a bucket"):
        tasks.rollback(Context(), target="s3://")
