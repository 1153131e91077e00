"""The printed page in the edition: a 版 with its PDF shows the page's picture with a link over each
report, offers the PDF and a full-size view, is a thumbnail in 版面导航; a report shows where it ran;
往期 is a calendar. Bad page PDFs and sidecars stop the build with the usual one-line problems."""

import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pypdfium2 as pdfium
import pytest
from PIL import Image
from test_bad_input import snapshot

from conftest import ROOT, Site, write_item, write_settings
from printed_page.layer import read_layer, render
from printed_page.page import file_size, placed, zones_from_json, zones_to_json
from printed_page.zones import Zone, find_zones
from printed_site import DATE, DRAWN, DRAWN_RECT, ELSEWHERE, ON_PAGE, build_printed_site, rebuild, report_url, write_page, write_reports
from publishing.build import BuildFailed, build_into

PAGE = f"/{DATE}/a06/"
BAD = Path(__file__).parent / "bad_reports"


@pytest.fixture(scope="module")
def printed(tmp_path_factory, browser):
    folder = tmp_path_factory.mktemp("printed")
    site, log = build_printed_site(folder, browser)
    return folder, site, log


@pytest.fixture(scope="module")
def site(printed):
    return printed[1]


def test_a_pdf_s_size_reads_as_a_download_link_gives_it():
    assert [file_size(size) for size in (1_234_567, 860_400, 300)] == ["1.2 MB", "860 KB", "1 KB"]


def test_zones_are_kept_as_json_and_shown_as_svg_points_in_the_reports_order():
    zones = {
        "b": Zone("b", (((10.04, 20.0), (30.5, 20.0), (30.5, 40.25)),), (10, 20, 30, 25)),
        "a": Zone("a", (((1, 2), (3, 2), (3, 4), (1, 4)),), (1, 2, 3, 3)),
    }
    width, height, again, unplaced = zones_from_json(json.loads(json.dumps(zones_to_json(595, 842, zones, ["c"]))))
    assert (width, height, again, unplaced) == (595, 842, zones, ["c"])
    items = [SimpleNamespace(slug=slug) for slug in ("a", "c", "b")]
    shown = placed(items, again)
    assert [zone.item.slug for zone in shown] == ["a", "b"], "in the items' order; c has no zone"
    assert shown[1].polygons == ("10,20 30.5,20 30.5,40.2",) and shown[1].id == "zone-b"


def test_a_page_s_picture_keeps_its_colours_red_is_not_blue():
    """A page's red masthead is red in its picture, not blue: pdfium draws in BGR unless asked for RGB,
    and Pillow must read the bitmap in the order it was drawn in (it does in either way today)."""
    drawn = Image.new("RGB", (600, 800), (200, 20, 20))
    drawn.paste((20, 20, 200), (300, 0, 600, 800))
    pdf = io.BytesIO()
    drawn.save(pdf, "PDF", resolution=72)
    picture = render(pdf.getvalue(), 300)
    assert picture.mode == "RGB" and picture.size == (300, 400)
    (red, green, blue), (red2, green2, blue2) = picture.getpixel((60, 200)), picture.getpixel((240, 200))
    assert red > 150 > blue and green < 60, "the left half is red"
    assert blue2 > 150 > red2 and green2 < 60, "the right half is blue"


def zones_on(soup):
    return soup.select("main .ed-facsimile svg a.ed-zone")


def shapes_of(zone):
    """A zone link's polygons, back in points: [(x, y), …] each."""
    return tuple(tuple(tuple(float(number) for number in pair.split(",")) for pair in polygon["points"].split()) for polygon in zone.select("polygon"))


def test_a_page_with_its_pdf_shows_its_picture_in_every_size_beside_the_list_of_its_titles(site):
    soup = site.page(PAGE)
    spread = soup.select_one("main .ed-spread")
    picture = spread.select_one(".ed-facsimile picture")
    assert [source["type"] for source in picture.select("source")] == ["image/avif", "image/webp"]
    image = picture.img
    assert image["alt"] == "第A06版 湛河区 版面图"
    assert image["fetchpriority"] == "high"
    width, height = int(image["width"]), int(image["height"])
    assert width == 2000 and abs(height / width - 540 / 400) < 0.01  # the page is 400 × 540 mm
    for source in [*picture.select("source"), image]:
        for candidate in source["srcset"].split(", "):
            url, size = candidate.split()
            assert site.exists(url), url
            assert size in ("320w", "640w", "960w")
    with Image.open(site.file(image["src"])) as jpeg:
        assert jpeg.size == (640, round(640 * height / width))
    titles = [h.get_text(strip=True) for h in spread.select(".ed-spread__titles .ed-decks__title")]
    assert titles == [report[1] for report in ON_PAGE] + [DRAWN[1], ELSEWHERE[1]]


def test_a_page_with_its_pdf_is_shared_with_its_picture_and_described_by_its_titles(site):
    soup = site.page(PAGE)
    meta = {tag.get("property") or tag.get("name"): tag["content"] for tag in soup.select("meta[property], meta[name]")}
    with Image.open(site.file(meta["og:image"])) as card:
        assert card.size == (int(meta["og:image:width"]), int(meta["og:image:height"])) and card.width == 960
    assert meta["twitter:card"] == "summary_large_image"
    titles = [report[1] for report in ON_PAGE] + [DRAWN[1], ELSEWHERE[1]]
    assert meta["description"].endswith("篇稿件：" + "；".join(titles)) and "第A06版：湛河区" in meta["description"]


def test_each_report_on_the_page_is_a_link_over_the_picture_named_by_its_title_in_reading_order(site):
    soup = site.page(PAGE)
    svg = soup.select_one("main .ed-facsimile svg")
    assert svg["preserveaspectratio"] == "none"
    assert svg["viewbox"] == "0 0 1134 1530.96"  # the PDF's size in points: 400 × 540 mm
    zones = zones_on(soup)
    expected = [*ON_PAGE, DRAWN]  # by position; the report on no page and in no sidecar has no zone
    assert [zone["aria-label"] for zone in zones] == [report[1] for report in expected]
    assert [zone["href"] for zone in zones] == [report_url(report[0]) for report in expected]
    assert [zone["id"] for zone in zones] == [f"zone-{report[0]}" for report in expected]
    assert all(zone.select("polygon") for zone in zones)
    assert not soup.select("[style]"), "no inline styles: the Content-Security-Policy forbids them"
    listed = soup.select(".ed-spread__titles li")
    assert [li.get("data-zone") for li in listed] == [report[0] for report in expected] + [None]


def test_each_zone_holds_its_report_s_title_and_no_other_title_and_lies_on_the_page(printed, site):
    folder, _, _ = printed
    layer = read_layer((folder / "content" / DATE / "a06.pdf").read_bytes())
    found, _ = find_zones(layer, {slug: (title, "\n".join(paragraphs)) for slug, title, paragraphs, _, _ in ON_PAGE})
    titles = {zone.report: zone.title for zone in found.values()}
    shown = {zone["data-zone"]: Zone(zone["data-zone"], shapes_of(zone), None) for zone in zones_on(site.page(PAGE))}
    for slug, title_box in titles.items():
        assert shown[slug].contains(title_box), slug
        for other, other_box in titles.items():
            if other != slug:
                assert not shown[slug].contains(other_box), (slug, other)
    for zone in shown.values():
        left, top, right, bottom = zone.box
        assert 0 <= left < right <= layer.width and 0 <= top < bottom <= layer.height
    left, top, width, height = DRAWN_RECT
    assert shown[DRAWN[0]].box == (left, top, left + width, top + height), "the zone a person drew, as drawn"


def test_a_report_the_build_cannot_place_is_a_warning_naming_it_and_how_to_give_its_zone(printed):
    folder, site, log = printed
    warning = next(line for line in log.splitlines() if ELSEWHERE[0] in line)
    assert f"{DATE}/a06-07-{ELSEWHERE[0]}.md:1: warning: not found on its printed page" in warning
    assert f"draw its zone in {folder / 'content' / DATE / 'a06.yml'}" in warning
    assert f"zones: [{{report: {ELSEWHERE[0]}, rect: [left, top, width, height]}}]" in warning
    assert site.exists(report_url(ELSEWHERE[0])), "the build went on: the report is published"
    assert not [line for line in log.splitlines() if DRAWN[0] in line], "a report with a drawn zone is placed"
    stray = folder / "content" / DATE / "a09.pdf"
    assert f"{stray}:1: warning: no report is on this page, so it is not shown — reports with Date: {DATE} and Page: A09" in log
    assert not site.exists(f"/{DATE}/a09/") and not list(site.root.rglob("a09*"))


def test_the_pdf_is_published_as_committed_and_offered_with_its_size(printed, site):
    folder, _, _ = printed
    link = next(a for a in site.page(PAGE).select("main a") if a.get_text(strip=True).startswith("PDF下载"))
    committed = (folder / "content" / DATE / "a06.pdf").read_bytes()
    assert link["href"] == f"{PAGE}a06.pdf"
    assert site.file(link["href"]).read_bytes() == committed
    size = len(committed)
    assert link.get_text(strip=True) == (f"PDF下载（{size / 1e6:.1f} MB）" if size >= 1e6 else f"PDF下载（{round(size / 1000)} KB）")


def test_a_full_size_view_of_the_page_opens_without_javascript(site):
    link = next(a for a in site.page(PAGE).select("main a") if a.get_text(strip=True) == "查看大图")
    with Image.open(site.file(link["href"])) as full:
        assert full.format == "JPEG" and full.width == 2000
    viewport = site.page(PAGE).select_one("meta[name=viewport]")["content"]
    assert "user-scalable" not in viewport and "maximum-scale" not in viewport, "pinch zoom stays on"


def test_a_report_page_shows_where_it_ran_linking_to_its_zone(site):
    for slug, *_ in [*ON_PAGE, DRAWN]:
        locator = site.page(report_url(slug)).select_one("main .ed-locator")
        link = locator.select_one("a")
        assert link["href"] == f"{PAGE}#zone-{slug}"
        assert link.get_text(" ", strip=True) == "第A06版：湛河区"
        assert site.exists(locator.select_one("picture img")["src"])
        assert locator.select_one("picture img")["alt"] == ""
        assert locator.select("svg[aria-hidden=true] polygon")
    unplaced = site.page(report_url(ELSEWHERE[0])).select_one("main .ed-locator a")
    assert unplaced["href"] == PAGE and not unplaced.select("svg"), "on the page, but its place unknown"
    assert site.page(report_url("di-qi-ban", "a07")).select_one(".ed-locator") is None, "A07 has no PDF"


def test_the_report_s_json_ld_names_its_printed_page_and_section(site):
    data = json.loads(site.page(report_url("fang-tang")).select_one("script[type='application/ld+json']").string)
    assert (data["printPage"], data["printSection"], data["printEdition"]) == ("A6", "湛河区", DATE)


@pytest.mark.parametrize("url", ["/", PAGE, f"/{DATE}/a07/"])
def test_page_navigation_shows_the_thumbnail_of_each_page_with_a_pdf(site, url):
    nav = site.page(url).select_one("nav.ed-pages")
    links = nav.select("a")
    assert [a.get_text(strip=True) for a in links] == ["第A06版：湛河区", "第A07版：湛河区"]
    thumb = links[0].select_one(".ed-pages__thumb picture img")
    assert thumb["alt"] == "" and thumb["loading"] == "lazy" and site.exists(thumb["src"])
    assert links[1].select_one("picture") is None


def test_a_page_without_a_pdf_looks_as_it_did(site):
    soup = site.page(f"/{DATE}/a07/")
    assert soup.select_one(".ed-spread, .ed-facsimile, svg") is None
    assert not [script for script in soup.select("script[src]") if "page." in script["src"]]
    assert [h.get_text(strip=True) for h in soup.select("main .ed-list .ed-decks__title")] == ["第七版的稿件"]
    assert soup.select_one("main h2.ed-visually-hidden").get_text() == "标题导航"
    assert [a.get_text(" ", strip=True) for a in soup.select("main .ed-pager a")] == ["上一版 第A06版：湛河区", "上一期 2020年11月30日 星期一"]
    assert [script["src"] for script in site.page(PAGE).select("script[src]") if "/page." in script["src"]], "the 版 with a PDF loads page.js"


def calendar_days(table):
    return [[cell.get_text(strip=True) for cell in row.select("td")] for row in table.select("tbody tr")]


def test_the_archive_is_a_calendar_of_months_newest_first_with_each_edition_linked(site):
    soup = site.page("/editions/")
    tables = soup.select("main .ed-archive table.ed-calendar")
    assert [table.caption.get_text(strip=True) for table in tables] == ["2020年12月", "2020年11月"]
    december = tables[0]
    headers = december.select("thead th")
    assert [th["scope"] for th in headers] == ["col"] * 7
    assert [th.get_text(strip=True) for th in headers] == [f"{day}星期{day}" for day in "一二三四五六日"]
    weeks = calendar_days(december)
    assert weeks[0] == ["", "1", "2", "3", "4", "5", "6"]  # 1 December 2020 was a Tuesday
    links = december.select("a")
    assert [(a["href"], a.get_text(strip=True)) for a in links] == [(f"/{DATE}/", "2020年12月30日 星期三")]
    plain = [cell for cell in december.select("td") if cell.get_text(strip=True) and not cell.a]
    assert len(plain) == 30, "a day without an edition is not a link"
    assert [a["href"] for a in tables[1].select("a")] == ["/2020-11-30/"]


def test_an_edition_shows_its_month_with_its_own_day_marked(site):
    month = site.page(f"/{DATE}/").select_one("main .ed-month")
    table = month.select_one("table.ed-calendar")
    assert table.caption.get_text(strip=True) == "2020年12月"
    current = table.select_one("a[aria-current=date]")
    assert current["href"] == f"/{DATE}/" and current.get_text(strip=True) == "2020年12月30日 星期三"
    assert month.select_one(".ed-month__more a")["href"] == "/editions/#m2020-12"


def test_an_unchanged_page_pdf_is_not_opened_again_and_a_changed_one_is_shown_anew(printed):
    folder, site, _ = printed
    pdf = folder / "content" / DATE / "a06.pdf"
    committed, stat = pdf.read_bytes(), pdf.stat()
    key = re.search(r"a06-640\.([0-9a-f]+)\.jpg", site.page(PAGE).select_one(".ed-facsimile img")["src"]).group(1)
    try:
        # Same size and time, other bytes: only a build that opened the file would see it is no PDF.
        garbage = folder / "garbage.pdf"
        garbage.write_bytes(b"x" * stat.st_size)
        os.replace(garbage, pdf)
        os.utime(pdf, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        rebuild(folder)
        assert key in site.page(PAGE).select_one(".ed-facsimile img")["src"]
    finally:
        pdf.write_bytes(committed)
        os.utime(pdf, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    changed = io.BytesIO()
    document = pdfium.PdfDocument(committed)
    document.save(changed, version=17)  # the same page, saved again: other bytes
    try:
        pdf.write_bytes(changed.getvalue())
        rebuild(folder)
        image = site.page(PAGE).select_one(".ed-facsimile img")["src"]
        assert key not in image and site.exists(image), "the 版 page is rendered again with the new picture"
        assert site.file(f"{PAGE}a06.pdf").read_bytes() == changed.getvalue()
    finally:
        pdf.write_bytes(committed)
        os.utime(pdf, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        rebuild(folder)


def test_a_pdf_committed_after_its_reports_gives_their_pages_the_locator(tmp_path, browser):
    write_reports(tmp_path / "content")
    rebuild(tmp_path)
    write_page(tmp_path / "content", browser)
    rebuild(tmp_path)
    site = Site(tmp_path / "output")
    assert site.page(PAGE).select_one(".ed-facsimile"), "the 版 page is rendered again"
    assert site.page(report_url(ON_PAGE[0][0])).select_one(".ed-locator"), "and so is each report's page"


# Bad page PDFs and sidecars: (file in bad_reports, saved as, the line the editor reads)
BAD_PAGES = {
    "page-not-a-pdf.pdf": ("a01.pdf", ":1: file: is not a PDF — the typesetter's PDF of one printed page"),
    "page-encrypted.pdf": ("a01.pdf", ":1: file: is encrypted — the PDF as the typesetter exported it, without a password"),
    "page-two-pages.pdf": ("a01.pdf", ":1: file: has 2 pages — one printed page per PDF (split it: one file per 版)"),
    "page-zone-names-no-report.yml": ("a01.yml", ":5: report: “no-such-report” is no report on this page — the Slug of one of its reports: good-one、good-two"),
    "page-zone-outside-the-page.yml": ("a01.yml", ":5: polygon: lies outside the page (595×842 points) — points inside the page, from its top-left corner"),
    "page-zone-key-misspelt.yml": ("a01.yml", ":3: rectangle: is no key of a zone — did you mean rect?"),
    "page-zone-two-shapes.yml": ("a01.yml", ":4: polygon: is given beside rect — one shape a zone"),
    "page-sidecar-unreadable.yml": ("a01.yml", ":4: zones: cannot be read"),
}


def blank_page_pdf():
    document = pdfium.PdfDocument.new()
    document.new_page(595, 842)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def newsroom(tmp_path_factory):
    """A good edition already built as the live site is (staged), its page A01 with a PDF."""
    folder = tmp_path_factory.mktemp("newsroom")
    content = folder / "content"
    write_item(content, f"{DATE}/a01-1.md", "好的报道", page="A01", section="要闻", position=1, Slug="good-one")
    write_item(content, f"{DATE}/a01-2.md", "另一篇", page="A01", section="要闻", position=2, Slug="good-two")
    settings = write_settings(folder, "SECTIONS = ['要闻']\nSEARCH_INDEX = False\n")
    (content / DATE / "a01.pdf").write_bytes(blank_page_pdf())
    build_into(folder / "output", settings, content=str(content), capture=True)
    return folder, content, settings


def test_a_staged_build_with_nothing_changed_keeps_the_page_s_picture_and_pdf(newsroom):
    folder, content, settings = newsroom
    build_into(folder / "output", settings, content=str(content), capture=True)
    output = folder / "output"
    assert (output / DATE / "a01" / "a01.pdf").read_bytes() == (content / DATE / "a01.pdf").read_bytes()
    pictures = sorted(path.name for path in (output / "images" / "pages" / DATE).iterdir())
    assert len(pictures) == 10 and all(name.startswith("a01-") for name in pictures)
    page = Site(output).page(f"/{DATE}/a01/")
    assert Site(output).exists(page.select_one(".ed-facsimile img")["src"])


@pytest.mark.parametrize("case", sorted(BAD_PAGES))
def test_a_bad_page_pdf_or_sidecar_stops_the_build_names_file_line_and_keeps_the_last_edition(newsroom, case):
    folder, content, settings = newsroom
    name, message = BAD_PAGES[case]
    before = snapshot(folder / "output")
    target = content / DATE / name
    kept = target.read_bytes() if target.exists() else None
    shutil.copy(BAD / case, target)
    try:
        with pytest.raises(BuildFailed) as failure:
            build_into(folder / "output", settings, content=str(content), capture=True)
    finally:
        if kept is None:
            target.unlink()
        else:
            target.write_bytes(kept)
    assert f"{DATE}/{name}{message}" in failure.value.output
    assert snapshot(folder / "output") == before
    assert not [path for path in folder.iterdir() if path.name.startswith(".output.new-")], "no half-written build is left behind"


def test_a_sidecar_without_its_page_pdf_is_refused(tmp_path):
    content = tmp_path / "content"
    write_item(content, f"{DATE}/a01-1.md", "好的报道", page="A01", section="要闻", position=1, Slug="good-one")
    shutil.copy(BAD / "page-zone-names-no-report.yml", content / DATE / "a01.yml")
    with pytest.raises(BuildFailed) as failure:
        build_into(tmp_path / "output", write_settings(tmp_path, "SECTIONS = ['要闻']\nSEARCH_INDEX = False\n"), content=str(content), capture=True)
    assert f"{DATE}/a01.yml:1: file: has no page PDF beside it — the page's PDF as {DATE}/a01.pdf" in failure.value.output
    assert not (tmp_path / "output").exists()


@pytest.mark.parametrize("case", sorted(BAD_PAGES))
def test_the_check_without_a_build_names_a_bad_page_pdf_or_sidecar_as_the_build_does(tmp_path, case):
    content = tmp_path / "content"
    write_item(content, f"{DATE}/a01-1.md", "好的报道", page="A01", section="要闻", position=1, Slug="good-one")
    write_item(content, f"{DATE}/a01-2.md", "另一篇", page="A01", section="要闻", position=2, Slug="good-two")
    (content / DATE / "a01.pdf").write_bytes(blank_page_pdf())
    settings = write_settings(tmp_path, "SECTIONS = ['要闻']\n")
    assert run_check(content, settings).returncode == 0
    name, message = BAD_PAGES[case]
    shutil.copy(BAD / case, content / DATE / name)
    result = run_check(content, settings)
    assert result.returncode == 1
    assert f"{DATE}/{name}{message}" in result.stderr
    assert "1 problem(s) in 2 item(s)." in result.stderr


def test_the_check_refuses_a_sidecar_without_its_pdf_and_warns_of_a_pdf_without_reports(tmp_path):
    content = tmp_path / "content"
    write_item(content, f"{DATE}/a01-1.md", "好的报道", page="A01", section="要闻", position=1, Slug="good-one")
    shutil.copy(BAD / "page-zone-names-no-report.yml", content / DATE / "a01.yml")
    (content / DATE / "a02.pdf").write_bytes(blank_page_pdf())
    result = run_check(content, write_settings(tmp_path, "SECTIONS = ['要闻']\n"))
    assert result.returncode == 1
    assert f"{DATE}/a01.yml:1: file: has no page PDF beside it — the page's PDF as {DATE}/a01.pdf" in result.stderr
    assert f"{DATE}/a02.pdf:1: warning: no report is on this page, so it is not shown — reports with Date: {DATE} and Page: A02" in result.stderr


@pytest.mark.parametrize(
    ("date", "problem"),
    [("12月30日", "Date: cannot read date “12月30日”"), ("2020-12-29", f"Date: 2020-12-29 is not the date of its folder {DATE}/")],
    ids=["unreadable", "moved to another day"],
)
def test_a_report_without_its_place_is_named_once_not_again_by_the_zone_that_names_it(tmp_path, date, problem):
    """A Date the check cannot read, or not its folder's, also made the zone file's every zone naming the
    report "no report on this page", each listing the page's slugs: the editor read one mistake twice."""
    content = tmp_path / "content"
    write_item(content, f"{DATE}/a01-1.md", "好的报道", page="A01", section="要闻", position=1, Slug="good-one")
    write_item(content, f"{DATE}/a01-2.md", "另一篇", page="A01", section="要闻", position=2, Slug="good-two", date=date)
    (content / DATE / "a01.pdf").write_bytes(blank_page_pdf())
    (content / DATE / "a01.yml").write_text("zones:\n  - report: good-two\n    rect: [36, 60, 250, 180]\n", encoding="utf-8")
    result = run_check(content, write_settings(tmp_path, "SECTIONS = ['要闻']\n"))
    assert result.returncode == 1
    assert f"{DATE}/a01-2.md:2: {problem}" in result.stderr
    assert "is no report on this page" not in result.stderr
    assert "1 problem(s) in 2 item(s)." in result.stderr


def test_a_misspelt_report_key_of_a_zone_is_one_problem(tmp_path):
    from printed_page.sidecar import SidecarError, read_sidecar

    with pytest.raises(SidecarError) as refused:
        read_sidecar("zones:\n  - reprot: good-one\n    rect: [36, 60, 250, 180]\n", 595, 842, {"good-one"})
    assert [(each.line, each.field, each.what, each.expected) for each in refused.value.problems] == [
        (2, "reprot", "is no key of a zone", "did you mean report?")
    ]


def run_check(content, settings):
    """`invoke check`'s command: the content check, without a build."""
    environment = {"PYTHONPATH": str(ROOT / "plugins"), "PATH": os.environ["PATH"]}
    command = [sys.executable, "-m", "content_schema", str(content), "--settings", str(settings)]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=environment)
