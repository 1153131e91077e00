"""The published edition served by a real nginx with the repository's configuration:
every page and asset answers, the 404 page, pre-compressed files, cache and security
headers, and a strict Content-Security-Policy that blocks nothing the pages use."""

import http.client
import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup
from test_deploy import build_published, page_links

from publishing.nginx_config import BROTLI_MODULE, write_site
from publishing.release import publish

pytestmark = pytest.mark.nginx

SECURITY_HEADERS = {
    "content-security-policy": "default-src 'self'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "permissions-policy": "camera=()",
}
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)")

MAIN_CONF = """{user}
worker_processes 1;
error_log {tmp}/error.log warn;
pid {tmp}/nginx.pid;
{modules}
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {site};
}}
"""


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, {k.lower(): v for k, v in headers}, body


class Server:
    """nginx on 127.0.0.1:port serving `root`, the `current` symlink of a publish target."""

    def __init__(self, port, root):
        self.port, self.root = port, Path(root)

    def get(self, path, **headers):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            return Response(response.status, response.getheaders(), response.read())
        finally:
            connection.close()

    def url(self, path="/"):
        return f"http://127.0.0.1:{self.port}{path}"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_nginx(folder, port, root):
    nginx = shutil.which("nginx") or shutil.which("/usr/sbin/nginx")
    if not nginx:
        pytest.fail("nginx is not installed: apt-get install -y nginx (the README's test command does)")
    brotli = BROTLI_MODULE.exists()
    site = write_site(folder / "conf", root, listen=f"127.0.0.1:{port}", server_name="localhost", brotli=brotli)
    main = folder / "nginx.conf"
    main.write_text(
        MAIN_CONF.format(
            # workers run as nobody otherwise, and cannot read pytest's private temporary folders
            user="user root;" if os.geteuid() == 0 else "",
            tmp=folder,
            modules=f"load_module {BROTLI_MODULE};" if brotli else "",
            site=site,
        ),
        encoding="utf-8",
    )
    process = subprocess.Popen([nginx, "-p", str(folder), "-c", str(main), "-g", "daemon off;"], stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"nginx did not start: {process.stderr.read()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    pytest.fail("nginx did not listen within 15 s")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The real content built with publishconf.py, published to a target, served by nginx."""
    folder = tmp_path_factory.mktemp("nginx")
    port = free_port()
    output = build_published(folder / "output", f"http://127.0.0.1:{port}")
    publish(output, folder / "srv")
    process = start_nginx(folder, port, folder / "srv" / "current")
    yield Server(port, folder / "srv" / "current")
    process.terminate()
    process.wait(timeout=10)


def internal_path(server, base, url):
    parts = urlsplit(urljoin(base, url))
    if parts.scheme in ("http", "https") and parts.netloc == f"127.0.0.1:{server.port}":
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return None


def linked_paths(server, path, response):
    """Same-site paths an HTML page or a stylesheet refers to."""
    kind = response.headers.get("content-type", "")
    if kind.startswith("text/html"):
        urls = list(page_links(BeautifulSoup(response.body.decode("utf-8"), "lxml")))
    elif kind.startswith("text/css"):
        urls = CSS_URL.findall(response.body.decode("utf-8"))
    else:
        return []
    return [p for url in urls if not url.startswith(("#", "data:")) and (p := internal_path(server, server.url(path), url))]


@pytest.fixture(scope="module")
def crawl(server):
    """Every response reachable from the front page, by path."""
    seen, queue = {}, ["/"]
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        seen[path] = response = server.get(path)
        if response.status == 200:
            queue.extend(linked_paths(server, path, response))
    return seen


def page_shape(path):
    """One page of each type: the front page, edition, page, report, tag, reporter, …"""
    segments = [s for s in path.split("/") if s]
    first = "date" if segments and re.fullmatch(r"\d{4}-\d{2}-\d{2}", segments[0]) else (segments[0] if segments else "")
    return first, len(segments)


def test_every_page_and_asset_reachable_from_the_front_page_answers_200(crawl):
    failures = {path: response.status for path, response in crawl.items() if response.status != 200}
    assert not failures
    kinds = {response.headers["content-type"].split(";")[0] for response in crawl.values()}
    assert {"text/html", "text/css"} <= kinds
    assert len([r for r in crawl.values() if r.headers["content-type"].startswith("text/html")]) > 20


def test_a_missing_path_answers_404_with_the_edition_404_page(server):
    response = server.get("/2020-12-30/no-such-report/")
    assert response.status == 404
    assert response.body == (server.root / "404.html").read_bytes()
    assert "页面不存在" in response.body.decode("utf-8")


def test_a_folder_asked_for_without_its_slash_is_redirected_to_it(server):
    response = server.get("/2020-12-30")
    assert response.status == 301
    assert response.headers["location"] == "/2020-12-30/"


@pytest.mark.parametrize(
    "path, file", [("/", "index.html"), ("/2020-12-30/a06/", "2020-12-30/a06/index.html"), ("/theme/css/edition.css", "theme/css/edition.css")]
)
def test_html_and_css_are_sent_as_the_gzip_file_the_build_wrote(server, path, file):
    compressed = server.get(path, **{"Accept-Encoding": "gzip"})
    assert compressed.headers.get("content-encoding") == "gzip"
    assert compressed.headers.get("vary") == "Accept-Encoding"
    assert compressed.body == (server.root / f"{file}.gz").read_bytes()
    plain = server.get(path)
    assert "content-encoding" not in plain.headers
    assert plain.body == (server.root / file).read_bytes()


def test_brotli_is_sent_as_the_br_file_the_build_wrote_when_nginx_has_the_module(server):
    response = server.get("/", **{"Accept-Encoding": "br, gzip"})
    assert response.headers.get("content-encoding") == "br"
    assert response.body == (server.root / "index.html.br").read_bytes()


@pytest.mark.parametrize("path, status", [("/", 200), ("/theme/css/edition.css", 200), ("/no-such-page/", 404)])
def test_security_headers_are_on_every_response_including_404s(server, path, status):
    response = server.get(path)
    assert response.status == status
    for name, value in SECURITY_HEADERS.items():
        assert value in response.headers.get(name, ""), name
    assert "unsafe-inline" not in response.headers["content-security-policy"]


def test_pages_are_cached_for_minutes_and_the_theme_for_a_day(server):
    assert server.get("/").headers["cache-control"] == "public, max-age=300"
    assert server.get("/theme/css/edition.css").headers["cache-control"] == "public, max-age=86400"


def test_theme_files_under_their_hashed_names_are_cached_for_a_year(server):
    front = BeautifulSoup(server.get("/").body.decode("utf-8"), "lxml")
    links = [front.select_one("link[rel=stylesheet]")["href"], front.select_one("script[src]")["src"], front.select_one("link[rel=icon]")["href"]]
    for link in links:
        path = internal_path(server, server.url("/"), link)
        assert re.search(r"\.[0-9a-f]{8}\.(css|js|png|svg)$", path), path
        response = server.get(path)
        assert response.status == 200
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable", path


RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


@pytest.mark.browser
def test_the_content_security_policy_blocks_nothing_any_page_type_uses(server, crawl, browser):
    pages = {}
    for path, response in sorted(crawl.items()):
        if response.headers["content-type"].startswith("text/html"):
            pages.setdefault(page_shape(path), path)
    paths = [*pages.values(), "/no-such-page/"]
    problems = []
    page = browser.new_page()
    page.add_init_script(RECORD_VIOLATIONS)
    page.on("console", lambda message: problems.append(f"console {message.type}: {message.text}") if message.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    for path in paths:
        page.goto(server.url(path), wait_until="load")
        problems.extend(f"{path}: {violation}" for violation in page.evaluate("window.__violations"))
    page.close()
    assert len(paths) >= 10
    csp = [p for p in problems if "Content Security Policy" in p or "blocked" in p or "page error" in p]
    assert not csp, "\n".join(csp)


SEARCH = """async (query) => {
  const shards = (await (await fetch("/pagefind/shards.json")).json()).shards;
  const pagefind = await import(`/pagefind/${shards[0].name}/pagefind.js`);
  const search = await pagefind.search(query);
  const results = await Promise.all(search.results.slice(0, 3).map((result) => result.data()));
  return results.map((result) => result.url);
}"""


@pytest.mark.browser
def test_pagefind_search_runs_its_webassembly_under_the_content_security_policy(server, browser):
    assert (server.root / "pagefind" / "shards.json").is_file(), "the build has a search index"
    page = browser.new_page()
    page.add_init_script(RECORD_VIOLATIONS)
    page.goto(server.url("/"), wait_until="load")
    urls = page.evaluate(SEARCH, "招商引资")
    violations = page.evaluate("window.__violations")
    page.close()
    assert not violations
    assert urls and all(url.startswith("/") for url in urls)


def test_the_builds_bookkeeping_files_are_not_published_nor_served(server):
    """A release held the build's bookkeeping (.build-digests.json: every file's digest), which nginx
    refused to serve; it is not published now, and a name starting with a dot is refused still."""
    assert not (server.root / ".build-digests.json").exists(), "not published"
    (server.root / ".build-digests.json").write_text("{}", encoding="utf-8")  # as an older publish left it
    response = server.get("/.build-digests.json")
    assert response.status == 404
    assert "页面不存在" in response.body.decode("utf-8")


def test_search_index_chunks_and_metadata_are_cached_for_a_year_and_pages_for_minutes(server):
    chunk = next((server.root / "pagefind").glob("*/fragment/*"))
    response = server.get("/" + chunk.relative_to(server.root).as_posix())
    assert "immutable" in response.headers["cache-control"]
    meta = next((server.root / "pagefind").glob("*/pagefind.*.pf_meta"))
    assert "immutable" in server.get("/" + meta.relative_to(server.root).as_posix()).headers["cache-control"]
    entry = next((server.root / "pagefind").glob("*/pagefind-entry.json"))  # names the metadata: it changes
    assert server.get("/" + entry.relative_to(server.root).as_posix()).headers["cache-control"] == "public, max-age=300"
    assert server.get("/").headers["cache-control"] == "public, max-age=300"
