"""Feeds, canonical URLs, Open Graph, JSON-LD and sitemaps: what machines read."""

import datetime
import json
from types import SimpleNamespace
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from lxml import etree

from conftest import ROOT, build, write_item
from content_schema.check import name_slug
from news_meta.sitemaps import NEWS_LIMIT, NEWS_WINDOW, SITEMAP_LIMIT, news_sitemap, part_files, part_names

ATOM = "{http://www.w3.org/2005/Atom}"
FEED_DOMAIN = "http://127.0.0.1:8000"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


SITEURL = "https://news.example.org"


# Pelican's RSS settings, set beside the Atom ones.
RSS_SETTINGS = """
TAG_FEED_RSS = "feeds/tags/{slug}.rss.xml"
AUTHOR_FEED_RSS = "feeds/reporters/{slug}.rss.xml"
CATEGORY_FEED_RSS = "feeds/sections/{slug}.rss.xml"
FEED_ALL_RSS = "feeds/all.rss.xml"
"""


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """The real edition built as production builds it (absolute SITEURL, feeds on it), with RSS feeds too."""
    return build(ROOT / "content", tmp_path_factory.mktemp("published"), f"SITEURL = {SITEURL!r}\nFEED_DOMAIN = SITEURL\n" + RSS_SETTINGS)


def feed(site, path):
    return etree.parse(str(site.root / path)).getroot()


def test_the_site_feed_is_valid_atom_with_every_report_in_full(published, real_items):
    root = feed(published, "feeds/all.atom.xml")
    entries = root.findall(f"{ATOM}entry")
    assert sorted(e.findtext(f"{ATOM}title") for e in entries) == sorted(i["title"] for i in real_items)
    lead = next(e for e in entries if e.findtext(f"{ATOM}title") == "湛河区全面推动经济社会发展")
    assert "农村面貌大为改观" in lead.findtext(f"{ATOM}content"), "the feed carries the full text"
    assert lead.find(f"{ATOM}link").get("href") == f"{SITEURL}/2020-12-30/a06/zhan-he-qu-quan-mian-tui-dong-jing-ji-she-hui-fa-zhan/"


def test_a_feed_entry_opens_with_the_kicker_and_subtitle_its_title_leaves_out(published, real_items):
    """A feed reader shows the entry's title, 主题 alone: 方塘清如许 源头活水来 said nothing of what it is
    about. Its text opens with the other decks, 引题 above and ——副题, as the report's page has them."""
    from bs4 import BeautifulSoup

    entries = {e.findtext(f"{ATOM}title"): e for e in feed(published, "feeds/all.atom.xml").findall(f"{ATOM}entry")}
    for item in real_items:
        text = BeautifulSoup(entries[item["title"]].findtext(f"{ATOM}content"), "lxml")
        decks = [p.get_text() for p in text.select("header > p")]
        expected = [deck for deck in (item.get("kicker"), item.get("subtitle") and f"——{item['subtitle']}") if deck]
        assert decks == expected, item["title"]
    text = entries["方塘清如许 源头活水来"].findtext(f"{ATOM}content")
    assert text.startswith("<header><p>——湛河区扎实开展全员招商加快项目建设</p></header><p>本报讯"), text[:120]


def test_each_tag_and_person_has_a_feed_of_exactly_their_items(real_site, real_items):
    for item in real_items:
        for tag in item["tags"]:
            titles = [e.findtext(f"{ATOM}title") for e in feed(real_site, f"feeds/tags/{name_slug(tag)}.atom.xml").iter(f"{ATOM}entry")]
            assert item["title"] in titles
            assert len(titles) == sum(tag in other["tags"] for other in real_items)
        for credit in item["people"]:
            titles = [e.findtext(f"{ATOM}title") for e in feed(real_site, f"feeds/reporters/{name_slug(credit.name)}.atom.xml").iter(f"{ATOM}entry")]
            assert item["title"] in titles


def test_each_feed_is_known_by_its_own_id_and_an_entry_names_every_person_of_its_report(real_site):
    ids = {}
    for path in sorted(real_site.root.joinpath("feeds").rglob("*.atom.xml")):
        url = f"{FEED_DOMAIN}/{path.relative_to(real_site.root).as_posix()}"
        ids[url] = feed(real_site, path.relative_to(real_site.root)).findtext(f"{ATOM}id")
    assert len(ids) > 40 and all(feed_id == url for url, feed_id in ids.items()), "a feed's id is its own URL, which no other feed has"
    for path, page in [
        ("feeds/all.atom.xml", "/"),
        ("feeds/tags/zhao-shang-yin-zi.atom.xml", "/tags/zhao-shang-yin-zi/"),
        ("feeds/reporters/hu-li-hua.atom.xml", "/reporters/hu-li-hua/"),
        ("feeds/sections/zhan-he-qu.atom.xml", "/sections/zhan-he-qu/"),
    ]:
        link = next(link for link in feed(real_site, path).findall(f"{ATOM}link") if link.get("rel") == "alternate")
        assert link.get("href") == FEED_DOMAIN + page and real_site.exists(page), path
    root = feed(real_site, "feeds/reporters/hu-li-hua.atom.xml")  # 胡丽华, 通讯员 beside 记者 张亚丹
    entry = next(e for e in root.iter(f"{ATOM}entry") if e.findtext(f"{ATOM}title") == "方塘清如许 源头活水来")
    authors = [(a.findtext(f"{ATOM}name"), a.findtext(f"{ATOM}uri")) for a in entry.findall(f"{ATOM}author")]
    assert authors == [("张亚丹", f"{FEED_DOMAIN}/reporters/zhang-ya-dan/"), ("胡丽华", f"{FEED_DOMAIN}/reporters/hu-li-hua/")]


def test_a_local_build_s_feeds_link_absolutely_on_feed_domain(real_site):
    root = feed(real_site, "feeds/all.atom.xml")
    for entry in root.iter(f"{ATOM}entry"):
        link = entry.find(f"{ATOM}link").get("href")
        assert link.startswith(f"{FEED_DOMAIN}/2020-12-30/a06/") and real_site.exists(link), link
        assert entry.findtext(f"{ATOM}id").startswith("tag:127.0.0.1,2020-12-30:")


def test_a_photo_news_item_without_its_photo_keeps_its_credit_in_the_feed(real_site):
    root = feed(real_site, "feeds/all.atom.xml")
    entry = next(e for e in root.iter(f"{ATOM}entry") if e.findtext(f"{ATOM}title") == "推进项目建设")
    assert entry.findtext(f"{ATOM}content").endswith("<p>李冠博 摄</p>")


def test_pages_announce_the_feeds_that_concern_them(real_site):
    def feeds(url):
        return [link["href"] for link in real_site.page(url).select("link[rel=alternate][type='application/atom+xml']")]

    assert feeds("/") == [f"{FEED_DOMAIN}/feeds/all.atom.xml"]
    assert f"{FEED_DOMAIN}/feeds/tags/zhao-shang-yin-zi.atom.xml" in feeds("/tags/zhao-shang-yin-zi/")
    assert f"{FEED_DOMAIN}/feeds/reporters/zhang-ya-dan.atom.xml" in feeds("/reporters/zhang-ya-dan/")
    assert f"{FEED_DOMAIN}/feeds/sections/zhan-he-qu.atom.xml" in feeds("/sections/zhan-he-qu/")
    for href in feeds("/tags/zhao-shang-yin-zi/") + feeds("/reporters/zhang-ya-dan/"):
        assert (real_site.root / href.removeprefix(FEED_DOMAIN + "/")).is_file()


def test_every_page_has_one_canonical_url_and_open_graph_and_the_404_page_asks_not_to_be_indexed(real_site):
    for url in real_site.html_urls():
        soup = real_site.page(url)
        canonical = soup.select("link[rel=canonical]")
        robots = soup.select_one("meta[name=robots]")
        if url == "/404.html":  # served at every missing address: not a page to keep, nor one address of its own
            assert not canonical and robots["content"] == "noindex"
            assert not soup.select("meta[property='og:url']")
        else:
            assert len(canonical) == 1 and canonical[0]["href"] == url, url
            assert soup.select_one("meta[property='og:url']")["content"] == url
        assert soup.select_one("meta[property='og:title']")["content"]
        # every page says what it is in a sentence, for search engines and link cards; not the search and 404 pages
        description = soup.select_one("meta[name=description]")
        if url in ("/404.html", "/search/"):
            assert description is None, url
        else:
            assert soup.select_one("meta[property='og:description']")["content"] == description["content"], url
            is_report = soup.select_one("meta[property='og:type']")["content"] == "article"
            assert is_report or description["content"].startswith("平顶山日报"), url  # a report's is its summary
    front = real_site.page("/").select_one("meta[name=description]")["content"]
    assert front == "平顶山日报 2020年12月30日 星期三：共1个版、10篇稿件。头条：湛河区全面推动经济社会发展"


def test_a_report_carries_news_article_json_ld_from_its_metadata(real_site):
    soup = real_site.page("/2020-12-30/a06/fang-tang-qing-ru-xu-yuan-tou-huo-shui-lai/")
    data = json.loads(soup.select_one("script[type='application/ld+json']").string)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "方塘清如许 源头活水来"
    assert data["alternativeHeadline"] == "湛河区扎实开展全员招商加快项目建设"
    assert data["datePublished"] == "2020-12-30T00:00:00+08:00"
    assert data["author"] == [
        {"@type": "Person", "name": "张亚丹", "url": "/reporters/zhang-ya-dan/", "jobTitle": "记者"},
        {"@type": "Person", "name": "胡丽华", "url": "/reporters/hu-li-hua/", "jobTitle": "通讯员"},
    ]
    assert data["publisher"]["name"] == "平顶山日报"
    assert data["articleSection"] == "湛河区" and data["printPage"] == "A6"
    assert data["isPartOf"]["url"] == "/2020-12-30/"
    assert "image" not in data, "no image is claimed where there is none"


def test_published_pages_use_absolute_canonical_and_structured_urls(published):
    soup = published.page("/2020-12-30/a06/fang-tang-qing-ru-xu-yuan-tou-huo-shui-lai/")
    url = f"{SITEURL}/2020-12-30/a06/fang-tang-qing-ru-xu-yuan-tou-huo-shui-lai/"
    assert soup.select_one("link[rel=canonical]")["href"] == url
    assert soup.select_one("meta[property='og:url']")["content"] == url
    data = json.loads(soup.select_one("script[type='application/ld+json']").string)
    assert data["mainEntityOfPage"] == url and data["author"][0]["url"] == f"{SITEURL}/reporters/zhang-ya-dan/"
    assert soup.select_one("meta[property='og:type']")["content"] == "article"
    assert soup.select_one("meta[property='article:section']")["content"] == "湛河区"
    assert soup.select_one("meta[name='twitter:card']")["content"] == "summary"


def sitemap_urls(root):
    """Every URL the sitemaps name, read as a crawler reads them: the index, then each part it names."""
    index = etree.parse(str(root / "sitemap.xml")).getroot()
    assert index.tag == f"{SITEMAP}sitemapindex"
    urls = []
    for loc in index.iter(f"{SITEMAP}loc"):
        part = etree.parse(str(root / urlsplit(loc.text).path.lstrip("/"))).getroot()
        assert part.tag == f"{SITEMAP}urlset"
        urls += [url.text for url in part.iter(f"{SITEMAP}loc")]
    return urls


def test_the_sitemap_lists_every_page_of_the_site_once_in_a_part_per_month(real_site):
    urls = sitemap_urls(real_site.root)
    assert len(urls) == len(set(urls))
    assert set(urls) == set(real_site.html_urls()) - {"/404.html", "/search/"}, "every page but the 404 and search pages"
    parts = sorted(path.name for path in (real_site.root / "sitemaps").iterdir() if path.suffix == ".xml")
    months = sorted({f"{path.name[:7]}.xml" for path in real_site.root.iterdir() if path.name[:2] == "20" and path.is_dir()})
    assert parts == sorted([*months, "lists.xml"])
    december = (real_site.root / "sitemaps/2020-12.xml").read_text(encoding="utf-8")
    assert "<loc>/2020-12-30/a06/</loc>" in december and "<loc>/tags/</loc>" not in december


def test_a_month_past_fifty_thousand_urls_takes_more_than_one_sitemap():
    entries = [(f"https://example.org/{n}/", None) for n in range(SITEMAP_LIMIT + 1)]
    files = part_files("2020-12", entries)
    assert list(files) == part_names("2020-12", len(entries)) == ["sitemaps/2020-12.xml", "sitemaps/2020-12-2.xml"]
    counts = [len(etree.fromstring(xml.encode()).findall(f"{SITEMAP}url")) for xml in files.values()]
    assert counts == [SITEMAP_LIMIT, 1]
    assert part_names("lists", 0) == ["sitemaps/lists.xml"], "an empty part is one file, as a site without lists has"


@pytest.fixture(scope="module")
def fresh_news(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fresh")
    today = datetime.datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)
    for days, title in ((0, "今天的报道"), (1, "昨天的报道"), (4, "四天前的报道")):
        date = (today - datetime.timedelta(days=days)).strftime("%Y-%m-%d")
        write_item(folder / "content", f"{days}.md", title, date=date, Slug=f"news-{days}")
    return build(folder / "content", folder)


def test_the_news_sitemap_lists_only_the_last_two_days_in_chinese(fresh_news):
    root = etree.parse(str(fresh_news.root / "news-sitemap.xml")).getroot()
    titles = [title.text for title in root.iter(f"{NEWS}title")]
    assert titles == ["今天的报道", "昨天的报道"]
    assert {lang.text for lang in root.iter(f"{NEWS}language")} == {"zh-cn"}
    assert all(date.text.endswith("+08:00") for date in root.iter(f"{NEWS}publication_date"))


def test_the_news_sitemap_holds_at_most_a_thousand_items():
    now = datetime.datetime(2026, 1, 2, 12, tzinfo=ZoneInfo("Asia/Shanghai"))
    items = [SimpleNamespace(url=f"x/{n}/", title=f"第{n}篇", date=now - datetime.timedelta(minutes=n)) for n in range(NEWS_LIMIT + 50)]
    xml = news_sitemap(items, now, lambda url: "https://example.org/" + url, "平顶山日报")
    assert xml.count("<url>") == NEWS_LIMIT
    assert "第0篇" in xml and f"第{NEWS_LIMIT}篇" not in xml


def test_the_news_sitemap_reads_only_the_newest_editions_of_a_list_in_page_order():
    """from_the_newest: of reports in page order (newest edition first, an edition's in page order whatever
    their times), the news sitemap and the moment it changes come out as from the whole list."""
    from edition.model import in_page_order
    from news_meta.sitemaps import from_the_newest, news_sitemap_changes

    zone = ZoneInfo("Asia/Shanghai")
    start = datetime.datetime(2026, 1, 1, tzinfo=zone)
    items = [
        SimpleNamespace(url=f"{day}/{page}/", title=f"{day}日{page}版", page=f"A0{page}", position=1, date=start + datetime.timedelta(days=day, hours=hour))
        for day in range(12)
        for page, hour in ((1, 23), (2, 0), (3, 13))  # an edition's later page may be dated earlier in the day
    ]
    ordered = in_page_order(items)
    for now in (start + datetime.timedelta(days=days, hours=hours) for days in (6, 8, 10, 14) for hours in (0, 6, 23)):
        newest = list(from_the_newest(ordered, now - NEWS_WINDOW))
        assert len(newest) < len(ordered)
        assert news_sitemap(newest, now, str, "报") == news_sitemap(ordered, now, str, "报")
        assert news_sitemap_changes(newest, now) == news_sitemap_changes(ordered, now)


def rss_items(site, path):
    """The items of an RSS 2.0 feed, as (title, link); fails unless the file is one."""
    root = feed(site, path)
    assert root.tag == "rss" and root.get("version") == "2.0"
    (channel,) = root.findall("channel")
    assert channel.findtext("title").startswith("平顶山日报") and channel.find("description") is not None
    # the site's feed links to the front page, a tag's, person's or section's to its page (feeds/tags/x.rss.xml: /tags/x/)
    kind, _, name = path.removeprefix("feeds/").rpartition("/")
    assert channel.findtext("link") == (f"{SITEURL}/" if not kind else f"{SITEURL}/{kind}/{name.removesuffix('.rss.xml')}/")
    items = channel.findall("item")
    for item in items:
        assert item.findtext("guid") and item.findtext("pubDate") and item.findtext("description")
    return [(item.findtext("title"), item.findtext("link")) for item in items]


def test_each_tag_person_and_section_has_an_rss_feed_of_exactly_their_items_when_asked(published, real_items):
    def titles(path):
        return sorted(title for title, _ in rss_items(published, path))

    for tag in {tag for item in real_items for tag in item["tags"]}:
        assert titles(f"feeds/tags/{name_slug(tag)}.rss.xml") == sorted(item["title"] for item in real_items if tag in item["tags"])
    for person in {credit.name for item in real_items for credit in item["people"]}:
        assert titles(f"feeds/reporters/{name_slug(person)}.rss.xml") == sorted(
            item["title"] for item in real_items if person in {c.name for c in item["people"]}
        )
    assert titles("feeds/sections/zhan-he-qu.rss.xml") == titles("feeds/all.rss.xml") == sorted(item["title"] for item in real_items)
    lead = dict(rss_items(published, "feeds/all.rss.xml"))["湛河区全面推动经济社会发展"]
    assert lead == f"{SITEURL}/2020-12-30/a06/zhan-he-qu-quan-mian-tui-dong-jing-ji-she-hui-fa-zhan/"
    assert (published.root / "feeds/tags/zhao-shang-yin-zi.atom.xml").is_file(), "the Atom feeds stay"


def test_pages_announce_an_rss_feed_beside_the_atom_one(published):
    def announced(url):
        links = published.page(url).select("link[rel=alternate]")
        return [(link["type"], link["href"]) for link in links]

    assert announced("/") == [("application/atom+xml", f"{SITEURL}/feeds/all.atom.xml"), ("application/rss+xml", f"{SITEURL}/feeds/all.rss.xml")]
    for url, feed_path in [
        ("/tags/zhao-shang-yin-zi/", "feeds/tags/zhao-shang-yin-zi"),
        ("/reporters/zhang-ya-dan/", "feeds/reporters/zhang-ya-dan"),
        ("/sections/zhan-he-qu/", "feeds/sections/zhan-he-qu"),
    ]:
        assert ("application/atom+xml", f"{SITEURL}/{feed_path}.atom.xml") in announced(url)
        assert ("application/rss+xml", f"{SITEURL}/{feed_path}.rss.xml") in announced(url)
        assert (published.root / f"{feed_path}.rss.xml").is_file()


def test_without_rss_settings_no_rss_feed_is_written_or_announced(real_site):
    assert not list(real_site.root.rglob("*.rss.xml"))
    assert not real_site.page("/tags/zhao-shang-yin-zi/").select("link[type='application/rss+xml']")


def test_an_items_atom_and_rss_entries_are_let_go_after_the_last_feed_of_each_type(tmp_path):
    """Each entry (its full text) is made once and kept only until the last feed of its type that shows it."""
    from incremental.fragments import Fragments
    from incremental.writer import QueueingWriter, render
    from site_build.state import KEY, Build

    date = datetime.datetime(2020, 12, 30, 8, 0)
    items = [
        SimpleNamespace(title=f"稿{n}", url=f"r{n}/", date=date, summary="摘要", source_path=f"{n}.md", get_content=lambda site_url: "<p>全文</p>")
        for n in range(3)
    ]
    settings = {"FEED_MAX_ITEMS": 50, "FEED_APPEND_REF": False, "TIMEZONE": "Asia/Shanghai", "RSS_FEED_SUMMARY_ONLY": False}
    context = {"SITENAME": "平顶山日报", "SITEURL": SITEURL, "FEED_DOMAIN": SITEURL}
    settings[KEY] = Build(settings)
    writer = QueueingWriter(str(tmp_path), settings=settings)
    writer.write_feed(items, context, "a.atom.xml", feed_title="甲")
    writer.write_feed(items[:2], context, "a.rss.xml", feed_title="甲", feed_type="rss")
    writer.write_feed(items[1:], context, "b.atom.xml", feed_title="乙", feed_type="atom")
    writer.fragments = Fragments(None, "base", (), ())
    render(writer, writer.jobs)
    assert writer.feed_items == {} and not +writer.feed_uses
    rss = etree.parse(str(tmp_path / "a.rss.xml")).getroot()
    assert [item.findtext("description") for item in rss.iter("item")] == ["<p>全文</p>", "<p>全文</p>"]
    assert len(feed(SimpleNamespace(root=tmp_path), "b.atom.xml").findall(f"{ATOM}entry")) == 2


def test_a_report_without_a_summary_is_summed_up_by_its_first_sentence_as_plain_text(tmp_path):
    """Pelican's summary of a report without one was its first words as HTML: lists, the description and
    the JSON-LD showed "<p>本报讯(记者张三)…</p>", tags and all."""
    body = "本报讯(记者张三)12月24日上午,位于市黄河路中段的建昌城市花园项目工地一派热气腾腾。工人们正在施工,<strong>塔吊</strong>林立。\n\n第二段。"
    write_item(tmp_path / "content", "2020-12-30/a01-01.md", "工地热气腾腾", Slug="gong-di", body=body, Tags="项目建设")
    site = build(tmp_path / "content", tmp_path)
    lede = "12月24日上午,位于市黄河路中段的建昌城市花园项目工地一派热气腾腾。"
    report = site.page("/2020-12-30/a01/gong-di/")
    assert report.select_one("meta[name=description]")["content"] == lede
    assert json.loads(report.select_one("script[type='application/ld+json']").string)["description"] == lede
    for url in ("/", "/tags/xiang-mu-jian-she/", "/2020-12-30/a01/"):
        summaries = [p.get_text() for p in site.page(url).select(".ed-item__summary, .ed-lead__summary")]
        assert summaries and set(summaries) == {lede}, (url, summaries)
