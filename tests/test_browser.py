"""The real edition in the system Chromium, as a reader uses it: search, text size, widths, keyboard, accessibility.

Builds the site once (conftest's real_site), serves it on 127.0.0.1 and drives /usr/bin/chromium with
Playwright. Fails, never skips, when Chromium, java or the npm checkers (`.venv/bin/npm ci --prefix tests --ignore-scripts`) are missing.
"""

import json
import re
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from browser_support import (
    SCREENSHOTS,
    axe_violations,
    heading_levels,
    horizontal_overflow,
    require_tools,
    serve,
    skipped_heading_levels,
    vnu_errors,
)
from conftest import search_page_count

pytestmark = pytest.mark.browser

REPORT = "/2020-12-30/a06/fang-tang-qing-ru-xu-yuan-tou-huo-shui-lai/"
PHOTO_REPORT = "/2020-12-30/a06/tui-jin-xiang-mu-jian-she/"
SEARCH = "/search/?q=" + quote("招商引资")
PAGE_TYPES = {
    "front": "/",
    "edition": "/2020-12-30/",
    "page": "/2020-12-30/a06/",
    "report": REPORT,
    "photo report": PHOTO_REPORT,
    "tag": "/tags/zhao-shang-yin-zi/",
    "tags index": "/tags/",
    "reporter": "/reporters/zhang-ya-dan/",
    "reporters index": "/reporters/",
    "section": "/sections/zhan-he-qu/",
    "sections index": "/sections/",
    "archive": "/editions/",
    "search with results": SEARCH,
    "404": "/404.html",
}
WIDTHS = [320, 375, 768, 1280]


@pytest.fixture(scope="session")
def site(real_site):
    require_tools()
    with serve(real_site.root) as base:
        yield base


@pytest.fixture
def new_page(browser):
    """A page in a fresh context (its own storage); a script error or a breach of the CSP fails the test."""
    contexts, errors = [], []

    def make(width=1280, **options):
        context = browser.new_context(viewport={"width": width, "height": 900}, **options)
        contexts.append(context)
        page = context.new_page()

        def on_console(message):
            if "Content Security Policy" in message.text:
                errors.append(f"{page.url}: {message.text}")

        page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
        page.on("console", on_console)
        return page

    yield make
    for context in contexts:
        context.close()
    assert errors == [], "script errors or Content-Security-Policy breaches"


def visit(page, site, url):
    """Open a page and wait until it shows what a reader came for (search results included)."""
    page.goto(site + url)
    if url.startswith("/search/"):
        expect(page.locator(".ed-results__list > li").first).to_be_visible()


def first_result(page):
    return page.locator(".ed-results__list > li").first.locator(".ed-decks__title a")


def text_size(page, selector=".ed-body p"):
    return page.evaluate("selector => parseFloat(getComputedStyle(document.querySelector(selector)).fontSize)", selector)


def test_the_front_page_and_a_report_are_photographed_at_phone_and_desktop_widths(site, new_page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, url in (("front", "/"), ("report", REPORT)):
        for width in (375, 1280):
            page = new_page(width)
            visit(page, site, url)
            path = SCREENSHOTS / f"{name}-{width}.png"
            page.screenshot(path=path, full_page=True)
            assert path.stat().st_size > 10_000, path
            assert horizontal_overflow(page) == 0, f"{url} at {width}px"


def test_no_page_type_scrolls_sideways_from_320px_phones_to_wide_screens(site, new_page):
    overflowing = []
    for width in WIDTHS:
        page = new_page(width)
        for name, url in PAGE_TYPES.items():
            visit(page, site, url)
            if horizontal_overflow(page):
                overflowing.append(f"{name} at {width}px: {horizontal_overflow(page)}px too wide")
    assert overflowing == []


def test_every_link_of_a_list_entry_is_at_least_24px_each_way_on_a_phone(site, new_page):
    """WCAG 2.2's target size (AA): a tap on a phone finds the link it aims at."""
    small = []
    page = new_page(375)
    for name in ("tag", "reporter", "section", "front", "page"):
        visit(page, site, PAGE_TYPES[name])
        for link in page.locator("main .ed-item a").all():
            box = link.bounding_box()
            if box and (box["width"] < 24 or box["height"] < 24):
                small.append(f"{name}: {link.inner_text()!r} {box['width']:.1f}×{box['height']:.1f}")
    assert small == []
    visit(page, site, PAGE_TYPES["tag"])
    assert page.locator("main .ed-item__meta a").first.inner_text() == "2020年12月30日 星期三 第A06版", "its words as they were, the space kept"


@pytest.mark.parametrize("size", ["medium", "large"])
def test_no_deck_leaves_one_character_alone_on_its_last_line_on_a_phone(site, new_page, real_items, size):
    """At 大 on a phone a 副题 ended with one character on a line of its own (湛河区便捷办理社会保险待遇资格认 / 证)."""
    page = new_page(390)
    page.context.add_init_script(f"localStorage.setItem('ed-text-size', '{size}')")
    alone = []
    for url in {PAGE_TYPES["front"], PAGE_TYPES["page"], *(f"/2020-12-30/a06/{item['slug']}/" for item in real_items)}:
        visit(page, site, url)
        last_lines = page.eval_on_selector_all(
            "main .ed-decks > *",
            """decks => decks.map(deck => {
                const walker = document.createTreeWalker(deck, NodeFilter.SHOW_TEXT), tops = [];
                for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                    for (let at = 0; at < node.data.length; at++) {
                        const range = document.createRange();
                        range.setStart(node, at);
                        range.setEnd(node, at + 1);
                        const rect = range.getBoundingClientRect();
                        if (rect.width) tops.push([Math.round(rect.top), node.data[at]]);
                    }
                }
                const last = Math.max(...tops.map(([top]) => top));
                return [deck.textContent.trim(), new Set(tops.map(([top]) => top)).size, tops.filter(([top]) => top === last).map(([, c]) => c).join("")];
            })""",
        )
        alone += [(url, text, end) for text, lines, end in last_lines if lines > 1 and len(end.strip()) < 2]
    assert alone == []


def test_the_largest_text_size_still_fits_a_320px_phone(site, new_page):
    page = new_page(320)
    page.context.add_init_script("localStorage.setItem('ed-text-size', 'large')")
    overflowing = []
    for name, url in PAGE_TYPES.items():
        visit(page, site, url)
        assert page.evaluate("document.documentElement.dataset.textSize") == "large"
        if horizontal_overflow(page):
            overflowing.append(name)
    assert overflowing == []


def test_the_front_page_sets_its_items_in_three_columns_on_wide_screens_and_one_on_phones(site, new_page):
    def item_lefts(width):
        page = new_page(width)
        visit(page, site, "/")
        return page.evaluate("Array.from(document.querySelectorAll('.ed-front .ed-list--columns > li'), li => Math.round(li.getBoundingClientRect().left))")

    assert len(set(item_lefts(1280))) == 3
    assert len(set(item_lefts(768))) == 2
    assert len(set(item_lefts(375))) == 1


@pytest.mark.parametrize(
    ("query", "title"),
    [("社保认证", "手机一点 认证完成 群众乐了"), ("扫黑除恶", "湛河区深入开展平安建设"), ("招商引资", "方塘清如许 源头活水来")],
)
def test_search_finds_the_right_report_first_for_a_chinese_query(site, new_page, query, title):
    page = new_page()
    page.goto(f"{site}/search/?q={quote(query)}")
    expect(first_result(page)).to_have_text(title)
    expect(page.get_by_role("status")).to_contain_text(f"与“{query}”相关的稿件")
    expect(page.locator(".ed-results__list mark").first).to_be_visible()
    first_result(page).click()
    expect(page.locator("h1")).to_have_text(title)


@pytest.mark.parametrize("query", ["湛河区", "本报", "记者", "经济", "项目"])
def test_a_search_finds_every_report_whose_text_has_the_word(site, new_page, real_items, query):
    """Each report with the word in its text or headline, and no other (Pagefind 1.5's index of Chinese
    left most of a report's words out: 湛河区 found 2 of the 10 reports that have it)."""
    shown = ("title", "kicker", "subtitle", "body", "caption", "credit")  # what a report's page shows of it, searched
    having = sorted(item["title"] for item in real_items if any(query in (item.get(field) or "") for field in shown))
    page = new_page()
    page.goto(f"{site}/search/?q={quote(query)}")
    expect(page.get_by_role("status")).to_contain_text(f"找到{len(having)}篇与“{query}”相关的稿件")
    assert sorted(page.locator(".ed-results__list .ed-decks__title a").all_inner_texts()) == having


@pytest.mark.parametrize(
    ("query", "words"),
    [("志愿服务", ("志愿", "服务")), ("推进项目建设", ("推进", "项目", "建设")), ("湛河区政务", ("湛河区", "政务")), ("中骏世界城", ("中骏", "世界", "城"))],
)
def test_a_search_for_words_written_together_finds_the_reports_with_every_one_of_them(site, new_page, real_items, query, words):
    """A reader types no spaces. Pagefind took 志愿服务 as one word, which its index does not have, and
    answered with the reports of 志愿 alone (老牌志愿者): 4 where 2 have 志愿服务. The search page
    splits the query into its words (search.js searchTerms), and keeps 湛河区 whole, which the
    browser's dictionary splits into three characters, none a word of the index."""
    shown = ("title", "kicker", "subtitle", "body", "caption", "credit")
    having = sorted(item["title"] for item in real_items if all(any(word in (item.get(field) or "") for field in shown) for word in words))
    assert having and any(query in (item.get("body") or "") for item in real_items)
    page = new_page()
    page.goto(f"{site}/search/?q={quote(query)}")
    expect(page.get_by_role("status")).to_contain_text(f"找到{len(having)}篇与“{query}”相关的稿件")
    assert sorted(page.locator(".ed-results__list .ed-decks__title a").all_inner_texts()) == having


def test_a_query_in_quotes_finds_the_words_as_typed(site, new_page, real_items):
    """Pagefind's exact phrase ("志愿服务" in quotes) is not split into its words: the quotes were dropped."""
    shown = ("title", "kicker", "subtitle", "body", "caption", "credit")
    having = sorted(item["title"] for item in real_items if any("志愿服务" in (item.get(field) or "") for field in shown))
    page = new_page()
    phrase = quote('"志愿服务"')
    page.goto(f"{site}/search/?q={phrase}")
    expect(page.get_by_role("status")).to_contain_text(f"找到{len(having)}篇")
    assert sorted(page.locator(".ed-results__list .ed-decks__title a").all_inner_texts()) == having


def test_a_search_result_shows_the_decks_dateline_and_an_excerpt_of_the_report(site, new_page):
    page = new_page()
    page.goto(site + SEARCH)
    entry = page.locator(".ed-results__list > li").first
    expect(entry.locator(".ed-decks__title a")).to_have_attribute("href", REPORT)
    expect(entry.locator(".ed-decks__subtitle")).to_have_text("湛河区扎实开展全员招商加快项目建设")
    expect(entry.locator(".ed-item__meta")).to_have_text("2020年12月30日 星期三 第A06版 湛河区")
    expect(entry.locator(".ed-item__summary")).to_contain_text("招商")
    expect(page).to_have_title("搜索：招商引资 - 平顶山日报")


def test_a_search_result_excerpt_is_the_reports_text_not_its_headline_again(site, new_page, real_items):
    """Pagefind's excerpt opened with the decks the entry shows above it, joined with ". " ("居民说了算.
    湛河区首批特邀行政执法监督员上岗. 本报讯…"): it starts with the report's own text now. Cut from the
    middle of the text, it starts and ends with …… as Chinese writes an omission."""

    def squeezed(text):
        return re.sub(r"\s+", "", text)

    by_title = {item["title"]: item for item in real_items}
    page = new_page(375)
    page.goto(f"{site}/search/?q={quote('湛河区')}")
    expect(page.get_by_role("status")).to_contain_text("找到10篇")
    entries = page.locator(".ed-results__list > li").all()
    assert len(entries) == 10
    for entry in entries:
        item = by_title[entry.locator(".ed-decks__title a").inner_text()]
        excerpt = squeezed(entry.locator(".ed-item__summary").inner_text())
        decks = [squeezed(item[field]) for field in ("kicker", "title", "subtitle") if item.get(field)]
        assert len(excerpt) >= 30, (item["title"], excerpt)
        text = squeezed(f"{item.get('caption') or ''}{item['body']}")
        assert excerpt.lstrip("…")[:12] in text, (item["title"], excerpt)
        assert not any(deck in excerpt and deck not in text for deck in decks), (item["title"], excerpt)
        # …… where the text goes on before or after what the excerpt shows, and only there
        core = excerpt.removeprefix("……").removesuffix("……")
        assert (excerpt.startswith("……"), excerpt.endswith("……")) == (not text.startswith(core), not text.endswith(core)), (item["title"], excerpt)
        # no space where Pagefind joined two paragraphs after a sentence's end (氛围。 疫情…)
        assert not re.search(r"[。！？”]\s+\S", entry.locator(".ed-item__summary").inner_text()), (item["title"], excerpt)


def test_the_masthead_search_box_takes_the_reader_to_the_results(site, new_page):
    page = new_page(375)
    page.goto(site + REPORT)
    box = page.get_by_role("search", name="站内搜索").get_by_label("搜索稿件")
    box.fill("社保认证")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q="))
    expect(first_result(page)).to_have_text("手机一点 认证完成 群众乐了")
    expect(page.get_by_role("search", name="搜索稿件").get_by_label("搜索稿件")).to_have_value("社保认证")


def test_only_reports_are_indexed_for_search_not_the_lists_that_show_them(real_site, real_items):
    assert search_page_count(real_site.root) == len(real_items)


def test_without_javascript_search_is_a_plain_form_and_its_page_points_to_the_archive_and_tags(site, new_page):
    page = new_page(java_script_enabled=False)
    page.goto(site + REPORT)
    expect(page.locator(".ed-text-size")).to_be_hidden()
    box = page.get_by_role("search", name="站内搜索").get_by_label("搜索稿件")
    box.fill("扫黑除恶")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=" + re.escape(quote("扫黑除恶"))))
    fallback = page.locator(".ed-results__fallback")
    expect(fallback).to_contain_text("搜索需要浏览器启用 JavaScript")
    expect(fallback.locator("a[href='/editions/']")).to_be_visible()
    expect(fallback.locator("a[href='/tags/']")).to_be_visible()


def test_the_text_size_control_changes_the_report_text_and_is_remembered_on_the_next_page(site, new_page):
    page = new_page(375)
    page.context.add_init_script(
        "new MutationObserver((_, observer) => { if (document.body) { window.sizeBeforeBody = document.documentElement.dataset.textSize || 'medium'; observer.disconnect(); } })"
        ".observe(document, {childList: true, subtree: true});"
    )
    page.goto(site + REPORT)
    control = page.get_by_role("group", name="字号")
    larger, default, smaller = (control.get_by_role("button", name=name) for name in ("大号字", "中号字", "小号字"))
    expect(default).to_have_attribute("aria-pressed", "true")
    body, title = text_size(page), text_size(page, "h1")

    larger.click()
    expect(larger).to_have_attribute("aria-pressed", "true")
    expect(default).to_have_attribute("aria-pressed", "false")
    assert text_size(page) > body and text_size(page, "h1") > title

    page.locator(".ed-pager a[rel=next]").click()
    expect(page.locator("h1")).to_have_text("社区开展创文志愿服务日活动")
    assert page.evaluate("window.sizeBeforeBody") == "large", "the stored size is on <html> before the body is parsed"
    expect(larger).to_have_attribute("aria-pressed", "true")
    assert text_size(page) > body

    smaller.click()
    assert text_size(page) < body
    default.click()
    assert text_size(page) == body
    assert page.evaluate("localStorage.getItem('ed-text-size')") == "medium"


def test_the_colours_follow_the_system_dark_setting(site, new_page):
    def paper(scheme):
        page = new_page(color_scheme=scheme)
        visit(page, site, REPORT)
        return page.evaluate("getComputedStyle(document.body).backgroundColor")

    def lightness(rgb):
        return sum(int(part) for part in re.findall(r"\d+", rgb)[:3]) / 3

    assert lightness(paper("light")) > 200
    assert lightness(paper("dark")) < 40


def test_a_printed_report_is_a_clipping_without_search_text_size_or_navigation(site, new_page):
    page = new_page()
    visit(page, site, REPORT)
    page.emulate_media(media="print")
    for selector in (".ed-search", ".ed-text-size", ".ed-masthead__tools", ".ed-nav", ".ed-crumbs", ".ed-pager", ".ed-tags", ".ed-skip"):
        expect(page.locator(selector).first).to_be_hidden()
    for selector in (".ed-masthead__title", ".ed-decks", ".ed-byline", ".ed-body"):
        expect(page.locator(selector).first).to_be_visible()


def test_the_keyboard_reaches_a_visible_skip_link_first_and_it_leads_into_the_main_content(site, new_page):
    page = new_page(375)
    visit(page, site, REPORT)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到正文")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


@pytest.mark.parametrize("url", ["/", REPORT, SEARCH])
def test_every_control_shows_a_visible_focus_ring_when_tabbed_to(site, new_page, url):
    page = new_page(375)
    visit(page, site, url)
    unmarked, seen = [], set()
    for _ in range(200):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => { const e = document.activeElement, s = getComputedStyle(e), r = e.getBoundingClientRect();
            return {key: e.outerHTML.slice(0, 80), ring: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
                    shown: r.width > 0 && r.bottom > 0 && r.top < innerHeight, body: e === document.body}; }"""
        )
        if focused["body"] or focused["key"] in seen:
            break
        seen.add(focused["key"])
        if not (focused["ring"] and focused["shown"]):
            unmarked.append(focused["key"])
    assert len(seen) > 10
    assert unmarked == []


@pytest.mark.parametrize("name", PAGE_TYPES)
def test_every_page_type_has_one_h1_and_headings_in_order(site, new_page, name):
    page = new_page()
    visit(page, site, PAGE_TYPES[name])
    levels = heading_levels(page)
    assert levels.count(1) == 1 and levels[0] == 1, levels
    assert skipped_heading_levels(levels) == [], levels


@pytest.mark.parametrize("name", PAGE_TYPES)
def test_axe_finds_no_accessibility_violations_on_any_page_type_in_either_colour_scheme(site, new_page, name):
    page = new_page(color_scheme="light")
    visit(page, site, PAGE_TYPES[name])
    found = {"light": axe_violations(page)}
    page.emulate_media(color_scheme="dark")
    found["dark"] = axe_violations(page)
    assert found == {"light": [], "dark": []}


def test_the_nu_html_checker_finds_no_errors_in_any_built_page(real_site):
    require_tools()
    assert vnu_errors(real_site.root) == []


def test_search_finds_reports_in_every_shard_of_the_archive_the_newest_first(tmp_path, new_page):
    from conftest import build, write_item

    content = tmp_path / "content"
    write_item(content, "old.md", "老城区改造启动", date="2020-11-02", Slug="old-week", body="本报讯(记者张三)老城区棚户区改造工程正式启动，城市更新提速。")
    write_item(content, "new.md", "新区公园开放", date="2020-12-30", Slug="new-week", body="本报讯(记者张三)湛河新区滨河公园今日开放，城市更新又添新景。")
    site = build(content, tmp_path)
    assert search_page_count(site.root) == 2
    shards = json.loads((site.root / "pagefind" / "shards.json").read_text())["shards"]
    assert [(shard["name"], shard["wave"]) for shard in shards] == [("2020-12-30", 0), ("2020-W45", 2)], "searched in two waves"
    with serve(site.root) as base:
        page = new_page()
        for query, title in (("棚户区", "老城区改造启动"), ("滨河公园", "新区公园开放")):
            page.goto(f"{base}/search/?q={quote(query)}")
            expect(first_result(page)).to_have_text(title)
        page.goto(f"{base}/search/?q={quote('城市更新')}")
        expect(page.locator(".ed-results__status")).to_have_text(re.compile("^找到2篇"))
        expect(page.locator(".ed-results__list .ed-decks__title a")).to_have_text(["新区公园开放", "老城区改造启动"])

        # The older wave held back: the newest wave's result is shown meanwhile, and the older one follows it.
        held = []
        older = re.compile(r"/pagefind/2020-W45/")

        def hold(route):
            held.append(route)

        page.route(older, hold)
        page.goto(f"{base}/search/?q={quote('城市更新')}")
        expect(first_result(page)).to_have_text("新区公园开放")
        expect(page.locator(".ed-results__status")).to_have_text(re.compile("^已找到1篇.*正在查找更早的稿件"))
        assert held, "the older wave was asked for"
        page.unroute(older, hold)  # lets the requests held go on
        expect(page.locator(".ed-results__status")).to_have_text(re.compile("^找到2篇"))
        expect(page.locator(".ed-results__list .ed-decks__title a")).to_have_text(["新区公园开放", "老城区改造启动"])


def test_every_shard_of_a_wave_gives_excerpts_of_the_same_length(tmp_path, new_page):
    """A merged index takes its own options: the day merged into the newest week's wave gave Pagefind's
    30-word excerpt, the first day's the 40 words search.js asks for."""
    from conftest import build, write_item

    content = tmp_path / "content"
    body = "本报讯(记者张三)" + "湛河新区持续推进城市更新，道路改造、管网铺设与绿化提升同步实施，居民出行更加便利。" * 6
    write_item(content, "2020-12-29/a01-01.md", "滨河公园开放", date="2020-12-29", Slug="bin-he", body=body)
    write_item(content, "2020-12-30/a01-01.md", "北湖公园开放", date="2020-12-30", Slug="bei-hu", body=body)
    site = build(content, tmp_path)
    shards = json.loads((site.root / "pagefind" / "shards.json").read_text())["shards"]
    assert [(shard["name"], shard["wave"]) for shard in shards] == [("2020-12-30", 0), ("2020-12-29", 0)], "one wave, two shards merged"
    with serve(site.root) as base:
        page = new_page()
        page.goto(f"{base}/search/?q={quote('公园')}")
        expect(page.locator(".ed-results__status")).to_have_text(re.compile("^找到2篇"))
        excerpts = page.locator(".ed-results__list .ed-item__summary").all_inner_texts()
    assert len(excerpts) == 2 and all(text.startswith("本报讯") for text in excerpts), excerpts
    assert len(excerpts[0]) == len(excerpts[1]), excerpts


def test_a_photo_item_found_by_search_shows_its_photo_its_kind_and_its_text(tmp_path, new_page):
    """A 图片新闻 result showed no photo and no 图片新闻, and its excerpt ran its caption, credit and title
    together ("…施工。 郭杰 摄 卫东区…. ▲…"): its page's caption is its text too."""
    from PIL import Image

    from conftest import build, write_item

    content = tmp_path / "content"
    (content / "images" / "2020-12-30").mkdir(parents=True)
    Image.radial_gradient("L").resize((1200, 800)).convert("RGB").save(content / "images" / "2020-12-30" / "a01-01.jpg", quality=90)
    caption = "▲日前,湛河区荆山街道的工作人员在任庄村向村民宣传换届相关政策,引领群众积极参与换届工作。"
    write_item(
        content, "2020-12-30/a01-01.md", "宣传换届政策", Slug="xuan-chuan", Kind="photo", people="摄影:郭杰", Credit="郭杰 摄",
        Image="images/2020-12-30/a01-01.jpg", Caption=caption[1:], body=caption,
    )  # fmt: skip
    write_item(content, "2020-12-30/a01-02.md", "换届工作有序推进", position=2, Slug="you-xu", body="本报讯(记者张三)全区换届工作有序推进。")
    site = build(content, tmp_path)
    with serve(site.root) as base:
        page = new_page(375)
        page.goto(f"{base}/search/?q={quote('换届')}")
        expect(page.locator(".ed-results__status")).to_have_text(re.compile("^找到2篇"))
        pictured = page.locator(".ed-results__list > li", has_text="宣传换届政策")
        thumb = pictured.locator(".ed-item__thumb img")
        expect(thumb).to_be_visible()
        assert thumb.evaluate("img => img.decode().then(() => img.naturalWidth, () => 0)") > 0, "it loads (waited for: shown is not yet loaded)"
        assert re.search(r"^/images/2020-12-30/a01-01-\d+\.[0-9a-f]+\.jpg$", thumb.get_attribute("src"))
        expect(pictured.locator(".ed-item__kind")).to_have_text("图片新闻")
        expect(pictured.locator(".ed-item__summary")).to_have_text(re.compile("^▲日前"))
        assert "郭杰 摄" not in pictured.locator(".ed-item__summary").inner_text()
        other = page.locator(".ed-results__list > li", has_text="换届工作有序推进")
        expect(other.locator(".ed-item__thumb")).to_have_count(0)
        expect(other.locator(".ed-item__kind")).to_have_count(0)
