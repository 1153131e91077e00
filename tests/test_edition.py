"""The real first edition (2020-12-30, A06 湛河区) as a reader sees it."""

import re
from collections import Counter

from conftest import main_text
from content_schema.check import name_slug

REPORT = "/2020-12-30/a06/{}/"
FEED_DOMAIN = "http://127.0.0.1:8000"  # pelicanconf's: feeds need absolute links


def report(site, item):
    return site.page(REPORT.format(item["slug"]))


def test_every_item_has_a_page_with_its_decks_as_printed(real_site, real_items):
    assert len(real_items) == 10
    for item in real_items:
        soup = report(real_site, item)
        decks = soup.select_one("main hgroup.ed-decks")
        assert [h.get_text(strip=True) for h in soup.select("h1")] == [item["title"]]
        kicker = decks.select_one(".ed-decks__kicker")
        subtitle = decks.select_one(".ed-decks__subtitle")
        assert (kicker.get_text(strip=True) if kicker else None) == item.get("kicker")
        assert (subtitle.get_text(strip=True) if subtitle else None) == item.get("subtitle")
        children = [child for child in decks.children if getattr(child, "name", None)]
        if kicker:
            assert children.index(kicker) < children.index(decks.h1), "the kicker stands above the headline"
        if subtitle:
            assert children.index(subtitle) > children.index(decks.h1), "the subtitle stands below it"


def test_every_item_shows_its_people_with_roles_linking_to_their_pages(real_site, real_items):
    for item in real_items:
        byline = report(real_site, item).select_one(".ed-byline")
        shown = [(c.select_one(".ed-byline__role").get_text(strip=True), c.a.get_text(strip=True), c.a["href"]) for c in byline.select(".ed-byline__credit")]
        expected = [(c.role, c.name, f"/reporters/{name_slug(c.name)}/") for c in item["people"]]
        assert shown == expected


def test_the_body_is_the_text_as_printed_in_whole_paragraphs(real_site, real_items):
    for item in real_items:
        paragraphs = [p.get_text() for p in report(real_site, item).select(".ed-body > p:not(.ed-credit)")]
        assert paragraphs == [p for p in item["body"].split("\n") if p.strip()]
        if item.get("kind", "report") == "report":
            assert paragraphs[0].startswith("本报讯("), "the dateline stays at the start as printed"


def test_photo_news_shows_caption_and_credit_and_reads_well_without_an_image(real_site, real_items):
    photos = [item for item in real_items if item.get("kind") == "photo"]
    assert [p["title"] for p in photos] == ["推进项目建设", "宣传“两委”换届政策", "社区开展创文志愿服务日活动"]
    for item in photos:
        soup = report(real_site, item)
        assert soup.select_one(".ed-report__kind").get_text(strip=True) == "图片新闻"
        assert soup.select_one(".ed-body .ed-credit").get_text(strip=True) == item["credit"]
        assert soup.select("main img") == [], "no photo file is available, so none is shown"


def test_the_front_page_is_the_latest_edition_with_masthead_lead_and_page_order(real_site, real_items):
    soup = real_site.page("/")
    assert soup.html["lang"] == "zh-CN"
    masthead = soup.select_one(".ed-masthead")
    assert "平顶山日报" in masthead.get_text()
    assert "2020年12月30日 星期三" in masthead.get_text()
    assert soup.select_one(".ed-lead h2").get_text(strip=True) == "湛河区全面推动经济社会发展"
    titles = [h.get_text(strip=True) for h in soup.select(".ed-front__page .ed-decks__title")]
    assert titles == [item["title"] for item in real_items[1:]], "the lead, shown above, is not listed again"
    assert soup.select_one(".ed-front__page-title").get_text(strip=True) == "第A06版：湛河区"


def test_edition_and_page_list_items_in_page_order(real_site, real_items):
    expected = [item["title"] for item in real_items]
    for url in ("/2020-12-30/", "/2020-12-30/a06/"):
        titles = [h.get_text(strip=True) for h in real_site.page(url).select("main .ed-item .ed-decks__title")]
        assert titles == expected, url


def test_a_report_names_its_day_and_page_once_in_its_crumbs_and_once_in_its_dateline(real_site, real_items):
    """The masthead, the crumbs and the dateline each said 2020年12月30日 … 第A06版 in a phone's first screen."""
    for item in real_items:
        soup = report(real_site, item)
        assert soup.select_one(".ed-masthead").get_text(" ", strip=True).count("第A06版") == 0
        assert "2020年12月30日 星期三" in soup.select_one(".ed-masthead").get_text()
        assert soup.select_one(".ed-crumbs").get_text(" ", strip=True) == "2020年12月30日 星期三 第A06版：湛河区"
        assert soup.select_one(".ed-report__dateline").get_text(" ", strip=True) == "2020年12月30日 星期三 第A06版 湛河区"


def test_previous_and_next_item_follow_the_page_order_and_are_absent_at_the_ends(real_site, real_items):
    for index, item in enumerate(real_items):
        soup = report(real_site, item)
        prev, nxt = soup.select_one(".ed-pager a[rel=prev]"), soup.select_one(".ed-pager a[rel=next]")
        assert (prev["href"] if prev else None) == (REPORT.format(real_items[index - 1]["slug"]) if index else None)
        assert (nxt["href"] if nxt else None) == (REPORT.format(real_items[index + 1]["slug"]) if index + 1 < len(real_items) else None)


def test_every_person_has_a_page_listing_exactly_their_items_with_their_role(real_site, real_items):
    people, credits = {}, {}
    for item in real_items:
        credits[item["title"]] = item["people"]
        for credit in item["people"]:
            people.setdefault(credit.name, []).append((item["title"], credit.role))
    assert any(len(people_of) > 1 for people_of in credits.values())
    index = real_site.page("/reporters/")
    assert sorted(a.get_text(strip=True) for a in index.select("main .ed-index a")) == sorted(people)
    for name, items in people.items():
        soup = real_site.page(f"/reporters/{name_slug(name)}/")
        assert soup.h1.get_text(strip=True) == name
        listed = [
            (e.select_one(".ed-decks__title").get_text(strip=True), e.select_one(".ed-item__role").get_text(strip=True)) for e in soup.select("main .ed-item")
        ]
        assert listed == items
        # The person is named once, by their role; the others of each item, each with theirs.
        others = [sorted(person.get_text(" ", strip=True) for person in e.select(".ed-item__person")) for e in soup.select("main .ed-item")]
        assert others == [sorted(f"{c.role} {c.name}" for c in credits[title] if c.name != name) for title, _ in items]
    assert "记者 7篇" in main_text(index)
    # Each person's roles on the index, counted: {name: ["记者 7篇", …]} in the roles' order.
    shown = {li.a.get_text(strip=True): [role.get_text(strip=True) for role in li.select(".ed-index__role")] for li in index.select("main .ed-index li")}
    assert shown == {name: [f"{role} {count}篇" for role, count in sorted(Counter(role for _, role in items).items())] for name, items in people.items()}
    # 共N篇 sums the roles of a person with two or more (not "通讯员 1篇 共1篇")
    totals = {li.a.get_text(strip=True): li.select_one(".ed-index__count") for li in index.select("main .ed-index li")}
    for name, items in people.items():
        total = totals[name].get_text(strip=True) if totals[name] else None
        assert total == (f"共{len(items)}篇" if len({role for _, role in items}) > 1 else None), name


def test_every_tag_has_a_page_listing_exactly_its_items_and_the_index_counts_them(real_site, real_items):
    tags = {}
    for item in real_items:
        assert 3 <= len(item["tags"]) <= 6
        for tag in item["tags"]:
            tags.setdefault(tag, []).append(item["title"])
    index = real_site.page("/tags/")
    for tag, titles in tags.items():
        soup = real_site.page(f"/tags/{name_slug(tag)}/")
        assert soup.h1.get_text(strip=True) == f"标签：{tag}"
        assert [h.get_text(strip=True) for h in soup.select("main .ed-decks__title")] == titles
        entry = index.find("a", string=tag)
        assert entry.find_next_sibling(class_="ed-index__count").get_text(strip=True) == f"{len(titles)}篇"
    assert any(len(titles) > 1 for titles in tags.values()), "related reports share tags"


def test_urls_are_ascii_and_readable(real_site):
    urls = list(real_site.html_urls())
    assert "/reporters/zhang-ya-dan/" in urls
    assert "/sections/zhan-he-qu/" in urls and "/editions/" in urls and "/404.html" in urls
    assert all(re.fullmatch(r"[a-z0-9/.\-]+", url) for url in urls), [u for u in urls if not re.fullmatch(r"[a-z0-9/.\-]+", u)]


def test_every_internal_link_and_asset_in_every_page_resolves(real_site):
    checked = 0
    for url in real_site.html_urls():
        soup = real_site.page(url)
        for element in soup.select("[href], [src]"):
            target = (element.get("href") or element.get("src")).removeprefix(FEED_DOMAIN)
            if target.startswith("/"):
                assert real_site.exists(target), f"{url} links to missing {target}"
                checked += 1
            elif not target.startswith(("#", "https://", "http://", "mailto:")):
                raise AssertionError(f"{url} has a relative link {target}")
    assert checked > 300


def test_pages_carry_no_inline_scripts_styles_or_handlers(real_site):
    for url in real_site.html_urls():
        soup = real_site.page(url)
        assert not soup.select("style, [style]"), url
        assert all(script.get("src") or script.get("type") == "application/ld+json" for script in soup.select("script")), url
        assert not [tag for tag in soup.find_all(True) if any(attr.startswith("on") for attr in tag.attrs)], url


def test_a_report_s_dateline_links_its_page_of_that_day_and_its_section(real_site):
    line = real_site.page("/2020-12-30/a06/fang-tang-qing-ru-xu-yuan-tou-huo-shui-lai/").select_one(".ed-report__dateline")
    assert " ".join(line.get_text().split()) == "2020年12月30日 星期三 第A06版 湛河区"
    assert [(a.get_text(), a["href"]) for a in line.select("a")] == [("第A06版", "/2020-12-30/a06/"), ("湛河区", "/sections/zhan-he-qu/")]


def test_the_archive_and_section_and_404_pages_exist(real_site):
    archive = real_site.page("/editions/")
    assert archive.select_one("main a[href='/2020-12-30/']").get_text(strip=True) == "2020年12月30日 星期三"
    section = real_site.page("/sections/zhan-he-qu/")
    assert len(section.select("main .ed-item")) == 10
    assert real_site.page("/404.html").h1.get_text(strip=True) == "页面不存在"


def test_pelicans_lists_are_put_in_page_order_at_once_as_a_sort_by_page_order_puts_them():
    """edition.model.in_page_order (page_order.ordered), which the build uses for the whole archive."""
    import datetime
    import random
    from types import SimpleNamespace

    from edition.model import in_page_order, page_order

    shanghai = datetime.timezone(datetime.timedelta(hours=8))
    rng = random.Random(22)
    items = [
        SimpleNamespace(
            date=datetime.datetime(2020, 12, rng.randint(1, 9), rng.randint(0, 23), tzinfo=shanghai),
            page=f"A{rng.randint(1, 8):02d}",
            position=rng.randint(1, 9),
            n=n,
        )
        for n in range(600)
    ]
    assert [item.n for item in in_page_order(items)] == [item.n for item in sorted(items, key=page_order)]
    assert page_order.ordered is in_page_order


def test_the_people_index_counts_each_persons_roles_over_the_reports_of_their_lists():
    """edition.model.people_index counts roles in one pass over the reports: each person's own, in role order."""
    from types import SimpleNamespace

    from edition.model import people_index

    def person(slug):
        return SimpleNamespace(slug=slug)

    wang, li, zhao = person("wang"), person("li"), person("zhao")
    reports = [
        SimpleNamespace(roles={"wang": "通讯员", "li": "记者"}),
        SimpleNamespace(roles={"wang": "记者"}),
        SimpleNamespace(roles={"wang": "记者", "li": "摄影"}),
        SimpleNamespace(roles={"zhao": "记者"}),
    ]
    authors = [(li, [reports[0], reports[2]]), (wang, reports[:3]), (zhao, [reports[3]])]
    assert people_index(authors, reports) == [
        {"person": li, "count": 2, "roles": [("摄影", 1), ("记者", 1)]},
        {"person": wang, "count": 3, "roles": [("记者", 2), ("通讯员", 1)]},
        {"person": zhao, "count": 1, "roles": [("记者", 1)]},
    ]
