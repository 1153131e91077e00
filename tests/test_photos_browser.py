"""Photos in the system Chromium at a phone's width (375 px, screens of 1 and 2 device pixels per CSS
pixel) and a desktop's (1280 px), as issue 19 asks when it is done: the browser picks an AVIF as wide
as the screen needs, nothing moves as photos load (CLS 0), every list shows a loaded thumbnail for
each item with a photo, a phone reader who scrolls gets a report or the front page within its
weight, and a report printed before its lazy photos were reached prints them all.

The edition is built once for the module from photos made here: 3000×2000 JPEGs at quality 90 of
noise at two scales over colour gradients, as hard to compress as a detailed news photo (2.4 MB
each; about 11 KB as a 400 px AVIF, 130 KB as an 800 px JPEG).
"""

import re

import pytest
from PIL import Image
from test_browser import new_page  # noqa: F401 (the fixture: a fresh context, failing on script errors and CSP breaches)

from browser_support import require_tools, serve
from conftest import build, write_item
from page_pdf import lorem

pytestmark = pytest.mark.browser

DATE = "2020-12-30"
SETTINGS = "SECTIONS = ['要闻', '湛河区']\nSEARCH_INDEX = False\n"
# Page A01: eight items with a lead photo (Image:), the first the edition's lead, the last two photo news
TAGGED = ["湛河新区核心区开工", "滨河公园今日开放", "中骏世界城主体封顶", "白龟湖湿地迎来候鸟"]  # tagged 项目建设, as TEXT_ONLY is
PICTURED = [*TAGGED, "老城区棚户区改造启动", "冬季供暖全面启动", "银装素裹白龟湖", "迎新年长跑比赛"]
TEXT_ONLY = "没有照片的一篇报道"  # A02, by the same reporter, on the same tag's list
IN_TEXT = "正文里有两张照片的报道"  # A02: a photo near its top, another far down the text, no lead photo
LEAD_REPORT = f"/{DATE}/a01/tu-1/"
TEXT_REPORT = f"/{DATE}/a02/zheng-wen-zhao-pian/"
# Each list: its URL, the items it shows with a thumbnail, and an item it shows without one
LISTS = {
    "front page": ("/", PICTURED[1:], TEXT_ONLY),  # its lead is shown above the pages, not listed again
    "版 page": (f"/{DATE}/a01/", PICTURED, None),
    "tag": ("/tags/xiang-mu-jian-she/", TAGGED, TEXT_ONLY),
    "reporter": ("/reporters/zhang-san/", PICTURED, TEXT_ONLY),
    "section": ("/sections/yao-wen/", PICTURED, None),
}
CHOSEN = re.compile(r"-(\d+)\.[0-9a-f]{16}\.(avif|webp|jpg)$")  # images/…/a01-1-400.<key>.avif
PHOTOS = """selector => Array.from(document.querySelectorAll(selector), img => ({
  src: img.currentSrc, shown: img.getBoundingClientRect().width, natural: img.naturalWidth,
  loaded: img.complete && img.naturalWidth > 0, width: img.getAttribute('width'), height: img.getAttribute('height')}))"""
ENTRIES = """() => Array.from(document.querySelectorAll('main .ed-item'), item =>
  [item.querySelector('.ed-decks__title').textContent.trim(), !!item.querySelector('.ed-item__thumb img')])"""  # [title, has a thumbnail]
# Every layout shift from the first paint on, as Chromium reports it for CLS
COLLECT_SHIFTS = """window.shifts = [];
new PerformanceObserver(list => { for (const e of list.getEntries()) if (!e.hadRecentInput)
  window.shifts.push([e.value, e.sources.map(s => s.node ? s.node.outerHTML.slice(0, 80) : '?')]); }).observe({type: 'layout-shift', buffered: true});"""
SCROLL_TO_END = """async () => { for (let y = 0; y < document.documentElement.scrollHeight; y += innerHeight / 2) {
  scrollTo(0, y); await new Promise(done => setTimeout(done, 60)); } scrollTo(0, document.documentElement.scrollHeight); }"""
# Functions, not expressions: Playwright polls an expression with eval(), which the pages' CSP refuses
ALL_LOADED = "selector => Array.from(document.querySelectorAll(selector)).every(img => img.complete && img.naturalWidth > 0)"
TRANSFERRED = """() => [performance.getEntriesByType('navigation')[0], ...performance.getEntriesByType('resource')]
  .map(e => [e.name.replace(location.origin, ''), e.transferSize])"""


def write_photo(path):
    """A 3000×2000 JPEG at quality 90 with detail at every scale a browser is sent (see the docstring)."""
    size = (3000, 2000)
    ramp = Image.linear_gradient("L")
    image = Image.merge("RGB", (ramp.resize(size), Image.radial_gradient("L").resize(size), ramp.rotate(90).resize(size)))
    for scale in (6, 3):
        noise = Image.effect_noise((size[0] // scale, size[1] // scale), 50).resize(size, Image.Resampling.BICUBIC)
        image = Image.blend(image, Image.merge("RGB", (noise, noise.rotate(180), noise.transpose(Image.Transpose.FLIP_LEFT_RIGHT))), 2 / 3)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "JPEG", quality=90)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    require_tools()
    folder = tmp_path_factory.mktemp("photos-browser")
    content = folder / "content"
    for n, title in enumerate(PICTURED, 1):
        write_photo(content / "images" / DATE / f"a01-{n}.jpg")
        fields = {"Kind": "photo", "people": "摄影:张三", "Credit": "张三 摄"} if n > 6 else {"Credit": "李冠博 摄", "Caption": f"{title}现场。"}
        fields |= {"Tags": "项目建设" if title in TAGGED else None, "Image": f"images/{DATE}/a01-{n}.jpg", "body": f"本报讯(记者张三){lorem(n, 300)}"}
        write_item(content, f"{DATE}/a01-{n:02d}-tu-{n}.md", title, page="A01", section="要闻", position=n, Slug=f"tu-{n}", **fields)
    paragraphs = [lorem(100 + n, 200) for n in range(50)]  # far longer than Chromium's lazy-loading distance
    for name, where in (("near", 1), ("far", len(paragraphs))):
        write_photo(content / "images" / DATE / f"a02-{name}.jpg")
        paragraphs.insert(where, f"![{name}]({{static}}/images/{DATE}/a02-{name}.jpg)")
    a02 = {"page": "A02", "section": "湛河区"}
    write_item(content, f"{DATE}/a02-01.md", IN_TEXT, position=1, people="记者:李四", Slug="zheng-wen-zhao-pian", body="\n\n".join(paragraphs), **a02)
    write_item(content, f"{DATE}/a02-02.md", TEXT_ONLY, position=2, Tags="项目建设", Slug="mei-you-zhao-pian", body=lorem(200, 300), **a02)
    built = build(content, folder, SETTINGS)
    with serve(built.root) as base:
        yield base


def chosen_file(photo):
    """(width in pixels, format) of the file the browser chose, read from its name."""
    found = CHOSEN.search(photo["src"])
    assert found, f"not a photo derivative: {photo['src']!r}"
    return int(found.group(1)), found.group(2)


def read_to_the_end(page, url):
    """Open url and scroll to its end as a reader does; return once every image on it has loaded."""
    assert page.goto(url).ok, url
    page.evaluate(SCROLL_TO_END)
    page.wait_for_function(ALL_LOADED, arg="img")


def transferred(page):
    """Bytes sent for the page: the HTML and every resource it fetched, with their headers."""
    entries = page.evaluate(TRANSFERRED)
    return sum(size for _, size in entries), entries


@pytest.mark.parametrize(("scale", "expected"), [(1, 400), (2, 800)])
@pytest.mark.parametrize(("url", "selector"), [(LEAD_REPORT, ".ed-figure img"), ("/", ".ed-lead__photo img")], ids=["report", "front-page"])
def test_on_a_phone_the_lead_photo_is_the_avif_as_wide_as_the_screen_needs(site, new_page, url, selector, scale, expected):  # noqa: F811
    page = new_page(375, device_scale_factor=scale)
    page.goto(site + url)
    page.wait_for_function(ALL_LOADED, arg=selector)
    [photo] = page.evaluate(PHOTOS, selector)
    assert photo["loaded"] and chosen_file(photo) == (expected, "avif"), photo


@pytest.mark.parametrize(
    ("url", "selector"),
    [(LEAD_REPORT, ".ed-figure img"), ("/", ".ed-lead__photo img"), (TEXT_REPORT, ".ed-body img")],
    ids=["report-lead", "front-page-lead", "photos-in-text"],
)
def test_on_a_desktop_each_photo_is_an_avif_at_most_twice_as_wide_as_it_is_shown(site, new_page, url, selector):  # noqa: F811
    page = new_page(1280)
    read_to_the_end(page, site + url)
    photos = page.evaluate(PHOTOS, selector)
    assert photos
    for photo in photos:
        width, suffix = chosen_file(photo)
        assert suffix == "avif" and photo["loaded"], photo
        # naturalWidth is in CSS pixels, divided by the candidate's density (it comes out as the `sizes` slot):
        # the file's own width, in its name, is what says how much more than the screen was sent
        assert width <= 2 * photo["shown"] and photo["natural"] <= 2 * photo["shown"], photo


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("url", ["/", LEAD_REPORT, TEXT_REPORT, LISTS["tag"][0]], ids=["front-page", "report", "photos-in-text", "tag"])
def test_nothing_moves_as_the_photos_load_each_has_its_size_and_the_layout_shift_is_zero(site, new_page, url, width):  # noqa: F811
    page = new_page(width)  # a context of its own: nothing cached, every photo arrives after the text
    page.add_init_script(COLLECT_SHIFTS)
    read_to_the_end(page, site + url)
    photos = page.evaluate(PHOTOS, "picture img")
    assert photos
    for photo in photos:
        assert photo["width"] and photo["height"] and int(photo["width"]) * 2 == int(photo["height"]) * 3, photo
    page.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    shifts = page.evaluate("window.shifts")
    assert sum(value for value, _ in shifts) == 0, shifts


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("name", LISTS)
def test_every_list_shows_a_loaded_small_thumbnail_for_each_item_with_a_photo(site, new_page, name, width):  # noqa: F811
    url, pictured, unpictured = LISTS[name]
    page = new_page(width)
    assert page.goto(site + url).ok, url
    entries = dict(page.evaluate(ENTRIES))
    assert sorted(title for title, thumb in entries.items() if thumb) == sorted(pictured), name
    if unpictured:
        assert entries.get(unpictured) is False, f"{unpictured} is listed, without a thumbnail"
    thumbs = page.locator(".ed-item__thumb img")
    for index in range(thumbs.count()):
        thumbs.nth(index).scroll_into_view_if_needed()
        thumbs.nth(index).evaluate("img => img.decode().catch(() => null)")  # settles once it has loaded or failed
    for photo in page.evaluate(PHOTOS, ".ed-item__thumb img"):
        width_chosen, suffix = chosen_file(photo)
        assert photo["loaded"] and suffix == "avif" and width_chosen <= 400, photo


@pytest.mark.parametrize("scale", [1, 2])
@pytest.mark.parametrize(("url", "photos", "limit"), [(LEAD_REPORT, 1, 200_000), ("/", 8, 500_000)], ids=["report-with-lead-photo", "front-page-eight-photos"])
def test_on_a_phone_a_reader_who_scrolls_to_the_end_is_sent_no_more_than_the_pages_weight(site, new_page, url, photos, limit, scale):  # noqa: F811
    # A context of its own (an empty cache); 375 px phones have 2 or 3 device pixels per CSS pixel, 1 is the floor
    page = new_page(375, device_scale_factor=scale)
    read_to_the_end(page, site + url)
    total, entries = transferred(page)
    assert len({CHOSEN.sub("", name) for name, _ in entries if CHOSEN.search(name)}) == photos, f"each of its photos was fetched: {entries}"
    assert total <= limit, f"{total} bytes sent, over {limit}: {entries}"


@pytest.mark.parametrize("width", [375, 1280])
def test_printing_a_report_loads_every_photo_in_its_text_even_those_not_yet_scrolled_to(site, new_page, width):  # noqa: F811
    page = new_page(width)
    assert page.goto(site + TEXT_REPORT).ok
    page.locator("main picture img").first.evaluate("img => img.decode().catch(() => null)")
    before = page.evaluate(PHOTOS, "main picture img")
    assert len(before) == 2 and before[0]["loaded"] and not before[1]["loaded"], f"before printing, the far photo is not loaded yet: {before}"
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    page.wait_for_function(ALL_LOADED, arg="main picture img", timeout=10_000)
    assert all(photo["loaded"] for photo in page.evaluate(PHOTOS, "main picture img"))
