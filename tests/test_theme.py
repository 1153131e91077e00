"""What the theme gives every page: corrections shown to readers, assets under hashed names,
robots.txt and the favicon, all under THEME_STATIC_DIR wherever it is."""

import re
import shutil
import sys
from io import BytesIO
from pathlib import Path

import pytest
from jinja2 import TemplateRuntimeError
from test_deploy import page_links

from conftest import ROOT, Site, build, main_text, run_pelican, write_item, write_settings
from publishing.build import build_into
from theme_assets import asset, hashed_name, theme_files

sys.path.insert(0, str(ROOT / "theme"))  # draw_icons.py


def test_a_corrected_report_says_when_under_its_dateline_and_an_uncorrected_one_says_nothing(tmp_path):
    content = tmp_path / "content"
    write_item(content, "2020-12-30/a01-1.md", "改过的报道", Modified="2020-12-31 10:30")
    write_item(content, "2020-12-30/a01-2.md", "没改过的报道", position=2)
    site = build(content, tmp_path)
    corrected = site.page("/2020-12-30/a01/item-2020-12-30-a01-1/")
    line = corrected.select_one(".ed-report__header .ed-report__dateline + .ed-report__correction")
    assert " ".join(line.get_text(" ", strip=True).split()) == "更正于 2020年12月31日 10:30"
    assert line.time["datetime"] == "2020-12-31T10:30:00+08:00"
    assert "更正于 2020年12月31日 10:30" in main_text(corrected)
    uncorrected = site.page("/2020-12-30/a01/item-2020-12-30-a01-2/")
    assert "更正" not in main_text(uncorrected)


HASHED_NAME = re.compile(r"\.[0-9a-f]{8}(\.\w+)$")


def theme_links(soup):
    """The theme files a page asks for: stylesheets, scripts and icons."""
    return [tag.get("href") or tag.get("src") for tag in soup.select("link[rel=stylesheet], link[rel~=icon], link[rel=apple-touch-icon], script[src]")]


def source_of(url, static_dir="theme"):
    """/theme/css/edition.3f2a9c1b.css → theme/static/css/edition.css"""
    return ROOT / "theme" / "static" / HASHED_NAME.sub(r"\1", url.removeprefix(f"/{static_dir}/"))


def test_every_page_links_the_theme_files_under_hashed_names_holding_the_themes_bytes(real_site):
    linked = set()
    for url in real_site.html_urls():
        for link in theme_links(real_site.page(url)):
            assert re.fullmatch(r"/theme/(css|js|icons)/[\w-]+\.[0-9a-f]{8}\.(css|js|svg|png)", link), f"{url}: {link}"
            linked.add(link)
    for link in linked:
        assert real_site.file(link).read_bytes() == source_of(link).read_bytes(), link
    plain = {source_of(link).relative_to(ROOT / "theme" / "static").as_posix() for link in linked}
    assert plain == {
        "css/edition.css",
        "css/print.css",
        "js/text-size.js",
        "js/search.js",
        "js/print.js",
        "icons/favicon.svg",
        "icons/favicon.png",
        "icons/apple-touch-icon.png",
    }


def build_in_place(content, folder, overrides):
    result = run_pelican(content, folder / "output", write_settings(folder, overrides))
    assert result.returncode == 0, result.stdout + result.stderr


def build_staged(content, folder, overrides):
    build_into(folder / "output", write_settings(folder, overrides), content=str(content), capture=True)


@pytest.mark.parametrize("build_site", [build_staged, build_in_place], ids=["staged", "in place"])
def test_a_changed_stylesheet_gets_a_new_name_and_its_name_before_goes_after_one_more_build(tmp_path, build_site):
    theme, content, output = tmp_path / "theme", tmp_path / "content", tmp_path / "output"
    shutil.copytree(ROOT / "theme", theme)
    write_item(content, "2020-12-30/a01-1.md", "一篇报道")
    stylesheet = theme / "static" / "css" / "edition.css"
    names = []
    for change in range(3):
        if change:
            stylesheet.write_text(stylesheet.read_text(encoding="utf-8") + f"\n/* change {change} */\n", encoding="utf-8")
        build_site(content, tmp_path, f"SECTIONS = []\nSEARCH_INDEX = False\nTHEME = {str(theme)!r}\n")
        site = Site(output)
        report = site.page("/2020-12-30/a01/item-2020-12-30-a01-1/")
        names.append(report.select_one("link[rel=stylesheet]:not([media])")["href"])
        assert site.page("/").select_one("link[rel=stylesheet]:not([media])")["href"] == names[-1]
        assert site.file(names[-1]).read_bytes() == stylesheet.read_bytes()
    assert len(set(names)) == 3, "each change, a new name"
    assert site.exists(names[1]), "the last build's is kept, for pages fetched before this build"
    assert not site.exists(names[0]), "older ones go"
    assert sorted(path.name for path in (output / "theme" / "css").glob("edition.*.css")) == sorted(Path(name).name for name in names[1:])


def test_a_template_asking_for_a_file_the_theme_does_not_have_is_told_which_it_has():
    with pytest.raises(TemplateRuntimeError, match=r"'css/nope.css' is not a file of the theme's static paths — one of css/edition.css"):
        asset({"css/edition.css": "theme/css/edition.3f2a9c1b.css"}, "css/nope.css")


def test_a_hashed_name_keeps_the_folder_and_suffix_and_changes_with_the_bytes():
    assert re.fullmatch(r"css/edition\.[0-9a-f]{8}\.css", hashed_name("css/edition.css", b"a"))
    assert hashed_name("css/edition.css", b"a") != hashed_name("css/edition.css", b"b")


def test_theme_files_are_found_as_pelican_copies_them(tmp_path):
    (tmp_path / "static" / "css").mkdir(parents=True)
    (tmp_path / "static" / "css" / "a.css").write_text("a")
    (tmp_path / "static" / "css" / ".a.css.swp").write_text("editor's")
    (tmp_path / "extra.js").write_text("b")
    assert sorted(theme_files(tmp_path, ["static", "extra.js"], [".*"])) == ["css/a.css", "extra.js"]


def test_robots_txt_names_both_sitemaps_by_absolute_url_on_the_published_site(tmp_path):
    content = tmp_path / "content"
    write_item(content, "2020-12-30/a01-1.md", "一篇报道")
    site = build(content, tmp_path, "SECTIONS = []\nSITEURL = 'https://news.example.org'\nFEED_DOMAIN = SITEURL\n")
    robots = site.file("/robots.txt").read_text(encoding="utf-8").splitlines()
    assert robots[:2] == ["User-agent: *", "Disallow:"], "every page may be crawled"
    sitemaps = [line.removeprefix("Sitemap: ") for line in robots if line.startswith("Sitemap: ")]
    assert sitemaps == ["https://news.example.org/sitemap.xml", "https://news.example.org/news-sitemap.xml"]
    for url in sitemaps:
        assert site.exists(url.removeprefix("https://news.example.org")), url


def test_the_icons_are_the_drawing_in_theme_draw_icons_py():
    """The committed SVG and PNGs are what the script draws: the PNGs cannot drift from the SVG."""
    import draw_icons
    from PIL import Image

    icons = ROOT / "theme" / "static" / "icons"
    assert (icons / "favicon.svg").read_text(encoding="utf-8") == draw_icons.svg()
    assert "<text" not in draw_icons.svg() and "font" not in draw_icons.svg(), "strokes of our own, no font"
    for name, (pixels, corner) in draw_icons.PNGS.items():
        committed = Image.open(icons / name)
        assert committed.size == (pixels, pixels)
        assert committed.tobytes() == Image.open(BytesIO(draw_icons.png(pixels, corner))).tobytes(), name


def test_with_another_theme_static_dir_no_page_links_theme_and_every_theme_file_it_links_exists(tmp_path):
    """Plain Pelican: the templates are what is tested here (publishing.build's commit names theme/ for now)."""
    content = tmp_path / "content"
    write_item(content, "2020-12-30/a01-1.md", "一篇报道", Tags="标签")
    site = build(content, tmp_path, "SECTIONS = []\nTHEME_STATIC_DIR = 'assets'\n")
    pages = list(site.html_urls())
    assert len(pages) > 8
    for url in pages:
        soup = site.page(url)
        assert not [link for link in page_links(soup) if "/theme/" in link], url
        links = theme_links(soup)
        assert len(links) >= 6 and all(link.startswith("/assets/") and site.exists(link) for link in links), url
    assert not (site.root / "theme").exists()
