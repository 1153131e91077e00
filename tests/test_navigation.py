"""Navigation across several editions and pages, on a small synthetic archive."""

import json

import pytest
from lxml import etree
from PIL import Image

from conftest import build, main_text, run_pelican, write_item, write_settings

DATES = ["2020-12-28", "2020-12-29", "2020-12-30"]
PAGES = [("A01", "要闻"), ("A02", "评论")]


@pytest.fixture(scope="session")
def archive(tmp_path_factory):
    folder = tmp_path_factory.mktemp("archive")
    content = folder / "content"
    for date in DATES:
        for page, section in PAGES:
            for position in (2, 1, 3):  # written out of order on purpose
                write_item(
                    content,
                    f"{date}/{page}-{position}.md",
                    f"{date} {page} 第{position}篇",
                    date=date,
                    page=page,
                    section=section,
                    position=position,
                    Tags="教育、思政课；民生",
                )
    write_item(
        content,
        "2020-12-30/A03-1.md",
        '“AT&T” "双引号" 测试',
        date="2020-12-30",
        page="A03",
        section="专题",
        position=1,
        people="记者:张伟、通讯员：李四",
        Kicker="引题 “引号”",
        body="第一行中文\n第二行中文。\n\n同比下降25%,\n盗抢骗案件下降,违法所得\n415.4万元。\n\nEnglish words\nstay apart.\n\n```\n代码一行\n代码二行\n```",
    )
    return build(content, folder)


def titles(soup, selector="main .ed-item .ed-decks__title"):
    return [h.get_text(strip=True) for h in soup.select(selector)]


def test_the_front_page_shows_the_newest_edition_page_by_page_in_printed_order(archive):
    soup = archive.page("/")
    assert "2020年12月30日 星期三" in soup.select_one(".ed-masthead").get_text()
    assert soup.select_one(".ed-lead h2").get_text(strip=True) == "2020-12-30 A01 第1篇"
    # the pages after it, the lead not listed again
    assert titles(soup)[:5] == [f"2020-12-30 {p} 第{n}篇" for p in ("A01", "A02") for n in (1, 2, 3)][1:]


def test_each_edition_links_to_the_older_and_newer_one_and_not_past_the_ends(archive):
    def pager(url):
        soup = archive.page(url)
        nav = soup.select_one("nav[aria-label=前后期]")
        links = {a["rel"][0]: a["href"] for a in nav.select("a")} if nav else {}
        return links.get("prev"), links.get("next")

    assert pager("/2020-12-28/") == (None, "/2020-12-29/")
    assert pager("/2020-12-29/") == ("/2020-12-28/", "/2020-12-30/")
    assert pager("/2020-12-30/") == ("/2020-12-29/", None)


def test_each_page_links_to_the_previous_and_next_page_of_its_edition(archive):
    def pager(url):
        nav = archive.page(url).select_one("nav[aria-label=前后版]")
        links = {a["rel"][0]: a["href"] for a in nav.select("a")} if nav else {}
        return links.get("prev"), links.get("next")

    assert pager("/2020-12-29/a01/") == (None, "/2020-12-29/a02/")
    assert pager("/2020-12-29/a02/") == ("/2020-12-29/a01/", None)
    assert pager("/2020-12-30/a02/") == ("/2020-12-30/a01/", "/2020-12-30/a03/")
    assert titles(archive.page("/2020-12-29/a02/")) == [f"2020-12-29 A02 第{n}篇" for n in (1, 2, 3)]


def test_the_last_item_of_a_page_has_no_next_item(archive):
    soup = archive.page("/2020-12-29/a01/item-2020-12-29-a01-3/")
    assert soup.select_one(".ed-pager a[rel=next]") is None
    assert soup.select_one(".ed-pager a[rel=prev]")["href"] == "/2020-12-29/a01/item-2020-12-29-a01-2/"


def test_a_report_at_its_page_s_end_leads_on_to_the_next_or_previous_page(archive):
    """The last item of a page was a dead end (上一篇 alone), and a page's only item had no way on at all."""

    def ends(url):
        return [(a.get_text(" ", strip=True), a["href"]) for a in archive.page(url).select(".ed-pager a")]

    last = ends("/2020-12-29/a01/item-2020-12-29-a01-3/")
    assert last[-1] == ("下一版 第A02版：评论", "/2020-12-29/a02/")
    first = ends("/2020-12-29/a02/item-2020-12-29-a02-1/")
    assert first[0] == ("上一版 第A01版：要闻", "/2020-12-29/a01/")
    assert [text.split()[0] for text, _ in ends("/2020-12-29/a02/item-2020-12-29-a02-3/")] == ["上一篇"], "the day's last report: no page after it"


def test_the_archive_links_every_edition_in_its_month_s_calendar(archive):
    soup = archive.page("/editions/")
    assert [caption.get_text(strip=True) for caption in soup.select("main .ed-archive caption")] == ["2020年12月"]
    links = [a["href"] for a in soup.select("main .ed-archive a")]
    assert links == ["/2020-12-28/", "/2020-12-29/", "/2020-12-30/"]


def test_a_tag_page_lists_items_newest_first_in_page_order_and_paginates(archive):
    soup = archive.page("/tags/jiao-yu/")
    assert titles(soup)[:3] == [f"2020-12-30 A01 第{n}篇" for n in (1, 2, 3)]
    assert len(soup.select("main .ed-item")) == 18


def test_chinese_list_separators_split_tags_and_people(archive):
    soup = archive.page("/2020-12-30/a03/item-2020-12-30-a03-1/")
    assert [a.get_text() for a in soup.select(".ed-byline__person")] == ["张伟", "李四"]
    tags = archive.page("/2020-12-28/a01/item-2020-12-28-a01-1/").select(".ed-tags a")
    assert [a.get_text() for a in tags] == ["教育", "思政课", "民生"]


def test_a_line_break_inside_a_paragraph_is_no_space_beside_a_chinese_character(archive):
    body = archive.page("/2020-12-30/a03/item-2020-12-30-a03-1/").select_one(".ed-body")
    paragraphs = body.select("p")
    assert paragraphs[0].get_text() == "第一行中文第二行中文。"
    # ASCII commas and figures in Chinese text, as this paper sets them: no gap after the comma or before the figure
    assert paragraphs[1].get_text() == "同比下降25%,盗抢骗案件下降,违法所得415.4万元。"
    assert " ".join(paragraphs[2].get_text().split()) == "English words stay apart."
    assert body.select_one("pre").get_text() == "代码一行\n代码二行\n", "a preformatted block keeps its lines"


def test_metadata_is_escaped_wherever_it_is_shown(archive):
    title = '“AT&T” "双引号" 测试'
    url = "/2020-12-30/a03/item-2020-12-30-a03-1/"
    raw = archive.file(url).read_text(encoding="utf-8")
    assert '<h1 class="ed-decks__title">“AT&amp;T” &#34;双引号&#34; 测试</h1>' in raw
    assert 'content="“AT&amp;T” &#34;双引号&#34; 测试"' in raw, "attributes are escaped too"
    soup = archive.page(url)
    assert soup.h1.get_text() == title
    assert json.loads(soup.select_one("script[type='application/ld+json']").string)["headline"] == title
    assert "\\u0026" in soup.select_one("script[type='application/ld+json']").string
    entries = etree.parse(str(archive.root / "feeds/all.atom.xml")).getroot().iter("{http://www.w3.org/2005/Atom}entry")
    assert title in [entry.findtext("{http://www.w3.org/2005/Atom}title") for entry in entries]


def test_a_section_page_lists_the_items_of_that_page_name(archive):
    assert "共9篇" in main_text(archive.page("/sections/yao-wen/"))


def test_two_names_with_one_pinyin_are_a_build_error_naming_both(tmp_path):
    content = tmp_path / "content"
    write_item(content, "a.md", "甲", people="记者:张伟", position=1)
    write_item(content, "b.md", "乙", people="记者:章玮", position=2)
    result = run_pelican(content, tmp_path / "output", write_settings(tmp_path, "SECTIONS = []\n"))
    assert result.returncode != 0
    assert "b.md:6: People: 章玮 and 张伟 would share /reporters/zhang-wei/" in result.stderr
    assert not (tmp_path / "output" / "reporters").exists()


def test_an_explicit_person_slug_tells_two_such_names_apart(tmp_path):
    content = tmp_path / "content"
    write_item(content, "a.md", "甲", people="记者:张伟", position=1)
    write_item(content, "b.md", "乙", people="记者:章玮", position=2)
    site = build(content, tmp_path, "SECTIONS = []\nPERSON_SLUGS = {'章玮': 'zhang-wei-2'}\n")
    assert site.page("/reporters/zhang-wei/").h1.get_text() == "张伟"
    assert site.page("/reporters/zhang-wei-2/").h1.get_text() == "章玮"


def test_a_named_image_is_shown_with_its_caption_and_credit_and_the_footer_shows_the_icp_number(tmp_path):
    content = tmp_path / "content"
    (content / "images").mkdir(parents=True)
    # A synthetic stand-in made with Pillow: the real photos are not available.
    Image.effect_noise((800, 600), 40).convert("RGB").save(content / "images" / "dot.png")
    write_item(
        content,
        "photo.md",
        "图片新闻标题",
        Kind="photo",
        people="摄影:王五",
        Credit="王五 摄",
        Image="images/dot.png",
        Slug="with-image",
        body="▲图片说明文字。",
    )
    site = build(content, tmp_path, "SECTIONS = []\nICP_FILING = '豫ICP备00000000号'\n")
    soup = site.page("/2020-12-30/a01/with-image/")
    figure = soup.select_one("main figure")
    assert figure.img["src"].startswith("/images/dot-800.") and site.exists(figure.img["src"])
    assert not site.exists("/images/dot.png"), "the original is not published"
    assert figure.img["alt"]
    assert "王五 摄" in figure.figcaption.get_text()
    assert soup.get_text().count("王五 摄") == 1, "the credit is shown once, with the photo"
    icp = soup.select_one("footer a[href='https://beian.miit.gov.cn/']")
    assert icp.get_text(strip=True) == "豫ICP备00000000号"
