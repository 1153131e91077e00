"""Shared test helpers: build a site into a temporary folder and read it as a reader would."""

import subprocess
import sys
import textwrap
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))

from content_schema.source import parse_source  # noqa: E402


class Site:
    """A built edition on disk, read through its URLs."""

    def __init__(self, root):
        self.root = Path(root)

    def file(self, url):
        path = unquote(urlsplit(url).path).lstrip("/")
        target = self.root / path
        return target / "index.html" if target.is_dir() or path.endswith("/") or not path else target

    def exists(self, url):
        return self.file(url).is_file()

    def page(self, url):
        return BeautifulSoup(self.file(url).read_text(encoding="utf-8"), "lxml")

    def html_urls(self):
        for path in sorted(self.root.rglob("*.html")):
            relative = path.relative_to(self.root).as_posix()
            yield "/" + (relative[: -len("index.html")] if relative.endswith("index.html") else relative)


def search_page_count(root):
    """Pages in the search index, over all its weekly shards."""
    import json

    shards = json.loads((Path(root) / "pagefind" / "shards.json").read_text(encoding="utf-8"))["shards"]
    entries = [json.loads((Path(root) / "pagefind" / shard["name"] / "pagefind-entry.json").read_text(encoding="utf-8")) for shard in shards]
    return sum(entry["languages"]["zh-cn"]["page_count"] for entry in entries)


def main_text(soup):
    return " ".join(soup.select_one("main").get_text(" ", strip=True).split())


def write_settings(folder, overrides=""):
    """A settings file that is pelicanconf.py with absolute paths, plus overrides."""
    settings = Path(folder) / "settings.py"
    settings.write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom pelicanconf import *\n"
        f"THEME = {str(ROOT / 'theme')!r}\nPLUGIN_PATHS = [{str(ROOT / 'plugins')!r}]\n" + textwrap.dedent(overrides),
        encoding="utf-8",
    )
    return settings


def run_pelican(content, output, settings):
    """Plain `pelican`, its log plain (one message a line on stderr, not Pelican's rich columns, which wrap)."""
    command = [sys.executable, "-m", "pelican", str(content), "-s", str(settings), "-o", str(output), "--fatal", "warnings", "--log-handler", "plain"]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT)


def build(content, folder, overrides="SECTIONS = []\n"):
    """Build content into folder/output; fail the test with Pelican's output if it fails."""
    folder = Path(folder)
    result = run_pelican(content, folder / "output", write_settings(folder, overrides))
    assert result.returncode == 0, result.stdout + result.stderr
    return Site(folder / "output")


def item_text(title, date="2020-12-30", page="A01", section="要闻", position=1, people="记者:张三", body="本报讯(记者张三)正文。", **fields):
    """The source of one synthetic item; extra fields by keyword (Kicker=…, Tags=…)."""
    header = {"Title": title, "Date": date, "Page": page, "Section": section, "Position": position, "People": people, **fields}
    header.setdefault("Slug", f"item-{date}-{page.lower()}-{position}")
    lines = [f"{key}: {value}" for key, value in header.items() if value is not None]
    return "\n".join(lines) + "\n\n" + body + "\n"


def write_item(content, name, *args, **kwargs):
    path = Path(content) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(item_text(*args, **kwargs), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def real_site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("real")
    return build(ROOT / "content", folder, overrides="")


@pytest.fixture(scope="session")
def real_items():
    """The real content as parsed by the schema, in page order."""
    items = []
    for path in sorted((ROOT / "content").rglob("*.md")):
        source = parse_source(path, path.read_bytes())
        assert not source.problems, source.problems
        items.append(source.values | {"body": source.body})
    return sorted(items, key=lambda v: (v["date"], v["page"], v["position"]))


@pytest.fixture(scope="session")
def browser():
    """One system Chromium for the whole run: Playwright's sync API allows one instance per process."""
    from playwright.sync_api import sync_playwright

    from browser_support import CHROMIUM, CHROMIUM_ARGS, require_tools

    require_tools()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
