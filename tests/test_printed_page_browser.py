"""The printed page in the system Chromium, at a phone's and a desktop's width: every zone opens its
report, the keyboard meets the zones in the page's reading order, the zones stand over their
reports on screen, axe finds nothing, and the calendar is used by keyboard."""

import re

import pytest
from playwright.sync_api import expect
from test_browser import new_page  # noqa: F401 (the fixture: a fresh page that fails on script errors and CSP breaches)

from browser_support import axe_violations, horizontal_overflow, require_tools, serve, vnu_errors
from printed_page.layer import read_layer
from printed_page.zones import find_zones
from printed_site import DATE, DRAWN, ON_PAGE, build_printed_site, report_url

pytestmark = pytest.mark.browser

PAGE = f"/{DATE}/a06/"
ZONED = [report[0] for report in [*ON_PAGE, DRAWN]]  # in reading order
WIDTHS = [375, 1280]


@pytest.fixture(scope="module")
def printed(tmp_path_factory, browser):
    require_tools()
    folder = tmp_path_factory.mktemp("printed-browser")
    site, _ = build_printed_site(folder, browser)
    with serve(site.root) as base:
        yield folder, site, base


@pytest.fixture(scope="module")
def titles_in_points(printed):
    """Where each report's title stands on the PDF, in points (the build's own finding)."""
    folder = printed[0]
    layer = read_layer((folder / "content" / DATE / "a06.pdf").read_bytes())
    zones, _ = find_zones(layer, {slug: (title, "\n".join(paragraphs)) for slug, title, paragraphs, _, _ in ON_PAGE})
    return {slug: zone.title for slug, zone in zones.items()}


def box(page, selector):
    return page.eval_on_selector(selector, "el => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }")


@pytest.mark.parametrize("width", WIDTHS)
def test_every_zone_on_the_page_opens_its_report(printed, new_page, width):  # noqa: F811
    _, _, base = printed
    page = new_page(width)
    for slug in ZONED:
        page.goto(base + PAGE)
        page.locator(f"#zone-{slug} polygon").first.click()
        expect(page).to_have_url(base + report_url(slug))


@pytest.mark.parametrize("width", WIDTHS)
def test_the_keyboard_meets_the_zones_in_reading_order_with_a_visible_focus_and_the_title_lit(printed, new_page, width):  # noqa: F811
    _, _, base = printed
    page = new_page(width)
    page.goto(base + PAGE)
    page.locator(".ed-crumbs a").focus()  # the link just before the page
    met = []
    for _ in ZONED:
        page.keyboard.press("Tab")
        met.append(page.evaluate("document.activeElement.id"))
        slug = met[-1].removeprefix("zone-")
        stroke = page.eval_on_selector(f"#zone-{slug} polygon", "el => getComputedStyle(el).stroke")
        assert stroke not in ("none", "rgba(0, 0, 0, 0)"), f"{slug}: no visible focus"
        expect(page.locator(f'.ed-spread__titles li[data-zone="{slug}"]')).to_have_class("is-lit")
    assert met == [f"zone-{slug}" for slug in ZONED]
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "查看大图", "after the zones, the page's tools"
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(page).to_have_url(base + report_url(ZONED[-1]))


@pytest.mark.parametrize("width", WIDTHS)
def test_the_zones_stand_over_their_reports_on_the_picture_and_none_coincide(printed, titles_in_points, new_page, width):  # noqa: F811
    _, _, base = printed
    page = new_page(width)
    page.goto(base + PAGE)
    picture = box(page, ".ed-facsimile img")
    points_wide = float(page.get_attribute(".ed-facsimile svg", "viewBox").split()[2])
    scale = (picture[2] - picture[0]) / points_wide
    seen = []
    for slug in ZONED:
        zone = box(page, f"#zone-{slug}")
        assert picture[0] - 1 <= zone[0] < zone[2] <= picture[2] + 1 and picture[1] - 1 <= zone[1] < zone[3] <= picture[3] + 1, slug
        assert all(max(abs(a - b) for a, b in zip(zone, other, strict=True)) > 1 for other in seen), f"{slug} coincides with another zone"
        seen.append(zone)
        if slug in titles_in_points:
            left, top, right, bottom = (
                picture[0] + titles_in_points[slug][0] * scale,
                picture[1] + titles_in_points[slug][1] * scale,
                picture[0] + titles_in_points[slug][2] * scale,
                picture[1] + titles_in_points[slug][3] * scale,
            )
            assert zone[0] - 1 <= left and right <= zone[2] + 1 and zone[1] - 1 <= top and bottom <= zone[3] + 1, f"{slug}: its title is outside its zone"
            middle = ((left + right) / 2, (top + bottom) / 2)
            under = page.evaluate("([x, y]) => document.elementFromPoint(x, y).closest('a')?.id", list(middle))
            assert under == f"zone-{slug}", f"the middle of {slug}'s title is in {under}"
    assert horizontal_overflow(page) == 0


def test_pointing_at_a_zone_lights_its_title_and_the_reverse_and_a_linked_zone_is_lit(printed, new_page):  # noqa: F811
    _, _, base = printed
    page = new_page(1280)
    page.goto(base + PAGE)
    slug = ZONED[1]
    page.locator(f"#zone-{slug} polygon").first.hover()
    expect(page.locator(f'.ed-spread__titles li[data-zone="{slug}"]')).to_have_class("is-lit")
    page.locator(f'.ed-spread__titles li[data-zone="{ZONED[2]}"] h3').hover()
    expect(page.locator(f"#zone-{ZONED[2]}")).to_have_class("ed-zone is-lit")
    expect(page.locator(f'.ed-spread__titles li[data-zone="{slug}"]')).not_to_have_class("is-lit")
    page.goto(base + PAGE + f"#zone-{ZONED[4]}")
    # its fill fades in (a transition of 0.15 s): read once it has ended
    page.eval_on_selector(f"#zone-{ZONED[4]} polygon", "el => Promise.all(el.getAnimations().map(animation => animation.finished))")
    fill = page.eval_on_selector(f"#zone-{ZONED[4]} polygon", "el => getComputedStyle(el).fill")
    assert fill not in ("transparent", "rgba(0, 0, 0, 0)", "none"), "the zone a link points at (:target) is lit"


@pytest.mark.parametrize("size", [(1280, 800), (1440, 900), (1024, 700)])
def test_a_title_lit_anywhere_down_the_list_lights_a_zone_in_view(printed, new_page, size):  # noqa: F811
    """On a laptop the page's picture was taller than the screen and scrolled away with the titles:
    pointing at the seventh title lit a zone 558 px above the screen. The picture fits the screen now,
    and stays beside the titles as they scroll."""
    _, _, base = printed
    width, height = size
    page = new_page(width)
    page.set_viewport_size({"width": width, "height": height})
    page.goto(base + PAGE)
    picture = box(page, ".ed-facsimile__page")
    assert picture[3] - picture[1] <= height, "the whole page fits the screen"
    for slug in ZONED:
        title = page.locator(f'.ed-spread__titles li[data-zone="{slug}"] h3')
        title.evaluate("element => element.scrollIntoView({block: 'center'})")
        title.hover()
        expect(page.locator(f"#zone-{slug}")).to_have_class("ed-zone is-lit")
        left, top, right, bottom = box(page, f"#zone-{slug}")
        assert top >= 0 and bottom <= height, (slug, top, bottom)
        assert box(page, ".ed-facsimile__zones") == pytest.approx(box(page, ".ed-facsimile__page img"), abs=0.5), "the zones lie over the picture"


def test_without_javascript_the_zones_still_open_their_reports(printed, new_page):  # noqa: F811
    _, _, base = printed
    page = new_page(375, java_script_enabled=False)
    page.goto(base + PAGE)
    page.locator(f"#zone-{ZONED[3]} polygon").first.click()
    expect(page).to_have_url(base + report_url(ZONED[3]))


def test_the_full_size_view_is_a_large_picture_and_the_pdf_downloads(printed, new_page):  # noqa: F811
    _, _, base = printed
    page = new_page(375)
    page.goto(base + PAGE)
    full = page.get_by_role("link", name="查看大图").get_attribute("href")
    response = page.request.get(base + full)
    assert response.headers["content-type"] == "image/jpeg"
    pdf = page.get_by_role("link", name="PDF下载").get_attribute("href")
    assert page.request.get(base + pdf).body()[:5] == b"%PDF-"


@pytest.mark.parametrize("width", WIDTHS)
def test_a_report_s_locator_opens_the_page_with_its_zone_lit_below_the_top_of_the_screen(printed, new_page, width):  # noqa: F811
    """The zone was scrolled to the very top of a phone's screen (7 px from it), cut off, with nothing of
    the page above it to say where it stands."""
    _, _, base = printed
    page = new_page(width)
    slug = ZONED[-1]  # the lowest on the page
    page.goto(base + report_url(slug))
    page.locator(".ed-locator__link").click()
    expect(page).to_have_url(re.compile(f"#zone-{slug}$"))
    height = page.evaluate("window.innerHeight")
    top = box(page, f"#zone-{slug}")[1]
    assert 0.2 * height <= top <= 0.5 * height, (top, height)


@pytest.mark.parametrize("url", ["/", f"/{DATE}/", PAGE])
def test_every_page_of_the_day_is_in_its_page_navigation_each_name_on_one_line(printed, new_page, url):  # noqa: F811
    """The day's page had no 版面导航 (an older day's printed pages were reached one 版 at a time), and on a
    phone a thumbnail's label broke inside the page's name (第A06版：湛 / 河区)."""
    _, site, base = printed
    page = new_page(375)
    page.goto(base + url)
    links = page.locator(".ed-pages__list a")
    expect(links.first.locator("img")).to_be_visible()
    names = links.locator(".ed-pages__name").all_inner_texts()
    assert names and all(name.startswith("第") and "版：" in name for name in names), names
    lines_of_each_page_name = page.eval_on_selector_all(
        ".ed-pages__name",
        """names => names.map(name => {
            const text = name.firstChild, at = text.data.indexOf("：") + 1, range = document.createRange();
            range.setStart(text, at);
            range.setEnd(text, text.data.length);
            return new Set(Array.from(range.getClientRects(), rect => Math.round(rect.top))).size;
        })""",
    )
    assert lines_of_each_page_name == [1] * len(names)


def test_a_page_without_its_pdf_is_a_blank_page_in_the_navigation_beside_the_pictures(printed, new_page):  # noqa: F811
    """A07 has no PDF: beside A06's picture its link was its name alone, and the current page's a red
    block as tall as a thumbnail. It shows a blank page of a thumbnail's size now."""
    _, _, base = printed
    page = new_page(1280)
    page.goto(f"{base}/{DATE}/a07/")
    thumbs = page.locator(".ed-pages__list .ed-pages__thumb")
    expect(thumbs).to_have_count(2)
    pictured, blank = (thumbs.nth(index).bounding_box() for index in (0, 1))
    assert blank["width"] == pictured["width"] and abs(blank["height"] - pictured["height"]) <= 2, (pictured, blank)
    assert thumbs.nth(1).locator("img").count() == 0
    background = thumbs.nth(1).evaluate("element => getComputedStyle(element).backgroundColor")
    current = page.locator(".ed-pages__list a[aria-current=page]").evaluate("element => getComputedStyle(element).backgroundColor")
    assert background != current, "a blank page, not the current page's fill"


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("url", [PAGE, report_url(ZONED[0]), f"/{DATE}/", "/editions/"])
def test_axe_finds_no_violations_with_the_page_picture_locator_and_calendars(printed, new_page, url, width):  # noqa: F811
    _, _, base = printed
    for scheme in ("light", "dark"):
        page = new_page(width, color_scheme=scheme)
        page.goto(base + url)
        assert axe_violations(page) == [], f"{url} at {width}px, {scheme}"
        assert horizontal_overflow(page) == 0, f"{url} at {width}px"


def test_the_calendar_is_used_by_keyboard(printed, new_page):  # noqa: F811
    _, _, base = printed
    page = new_page(375)
    page.goto(base + "/editions/")
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('.ed-calendar')"):
            break
    focused = page.evaluate("[document.activeElement.textContent, getComputedStyle(document.activeElement).outlineStyle]")
    assert focused == ["2020年12月30日 星期三", "solid"], "the first day linked, newest month first, with a visible ring"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "2020年11月30日 星期一"
    page.keyboard.press("Enter")
    expect(page).to_have_url(base + "/2020-11-30/")


def test_the_nu_html_checker_finds_no_errors_in_the_printed_pages_html(printed):
    _, site, _ = printed
    assert vnu_errors(site.root) == []
