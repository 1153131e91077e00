"""Feeds, canonical URLs, Open Graph, JSON-LD and sitemaps: what machines read."""

import datetime
import json
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from lxml import etree

from conftest import ROOT, build, write_item
from content_schema.check import name_slug
from news_meta.sitemaps import NEWS_LIMIT, news_sitemap

ATOM = "{http://www.w3.org/2005/Atom}"
FEED_DOMAIN = "http://127.0.0.1:8000"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


SITEURL = "https://news.example.org"


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """The real edition built as production builds it: absolute SITEURL, feeds on it."""
    return build(ROOT / "content", tmp_path_factory.mktemp("published"), f"SITEURL = {SITEURL!r}\nFEED_DOMAIN = SITEURL\n")


def feed(site, path):
    return etree.parse(str(site.root / path)).getroot()


def test_the_site_feed_is_valid_atom_with_every_report_in_full(published, real_items):
    root = feed(published, "feeds/all.atom.xml")
    entries = root.findall(f"{ATOM}entry")
    assert sorted(e.findtext(f"{ATOM}title") for e in entries) == sorted(i["title"] for i in real_items)
    lead = next(e for e in entries if e.findtext(f"{ATOM}title") == "湛河区全面推动经济社会发展")
    assert "农村面貌大为改观" in lead.findtext(f"{ATOM}content"), "the feed carries the full text"
    assert lead.find(f"{ATOM}link").get("href") == f"{SITEURL}/2020-12-30/a06/zhan-he-qu-quan-mian-tui-dong-jing-ji-she-hui-fa-zhan/"


def test_each_tag_and_person_has_a_feed_of_exactly_their_items(real_site, real_items):
    for item in real_items:
        for tag in item["tags"]:
            titles = [e.findtext(f"{ATOM}title") for e in feed(real_site, f"feeds/tags/{name_slug(tag)}.atom.xml").iter(f"{ATOM}entry")]
            assert item["title"] in titles
            assert len(titles) == sum(tag in other["tags"] for other in real_items)
        for credit in item["people"]:
            titles = [e.findtext(f"{ATOM}title") for e in feed(real_site, f"feeds/reporters/{name_slug(credit.name)}.atom.xml").iter(f"{ATOM}entry")]
            assert item["title"] in titles


def test_pages_announce_the_feeds_that_concern_them(real_site):
    def feeds(url):
        return [link["href"] for link in real_site.page(url).select("link[rel=alternate][type='application/atom+xml']")]

    assert feeds("/") == [f"{FEED_DOMAIN}/feeds/all.atom.xml"]
    assert f"{FEED_DOMAIN}/feeds/tags/zhao-shang-yin-zi.atom.xml" in feeds("/tags/zhao-shang-yin-zi/")
    assert f"{FEED_DOMAIN}/feeds/reporters/zhang-ya-dan.atom.xml" in feeds("/reporters/zhang-ya-dan/")
    assert f"{FEED_DOMAIN}/feeds/sections/zhan-he-qu.atom.xml" in feeds("/sections/zhan-he-qu/")
    for href in feeds("/tags/zhao-shang-yin-zi/") + feeds("/reporters/zhang-ya-dan/"):
        assert (real_site.root / href.removeprefix(FEED_DOMAIN + "/")).is_file()


def test_every_page_has_one_canonical_url_and_open_graph(real_site):
    for url in real_site.html_urls():
        soup = real_site.page(url)
        canonical = soup.select("link[rel=canonical]")
        assert len(canonical) == 1 and canonical[0]["href"] == url, url
        assert soup.select_one("meta[property='og:url']")["content"] == url
        assert soup.select_one("meta[property='og:title']")["content"]


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


def test_the_sitemap_lists_every_page_of_the_site(real_site):
    root = etree.parse(str(real_site.root / "sitemap.xml")).getroot()
    locs = {loc.text for loc in root.iter(f"{SITEMAP}loc")}
    assert locs == set(real_site.html_urls()) - {"/404.html", "/search/"}, "every page but the 404 and search pages"


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
