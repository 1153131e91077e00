"""What a report's Markdown may use, and the MARKDOWN setting that chooses it."""

import os
import subprocess
import sys

import pytest
from bs4 import BeautifulSoup

from build_cache.checked_codec import CheckedSources
from conftest import ROOT, build, run_pelican, write_item, write_settings
from content_schema import body
from content_schema.check import check_tree

NEWSROOM_MARKDOWN = """本报讯 全年完成地区生产总值220.55亿元[^1]，原定目标~~210亿元~~已超额完成。

| 指标 | 完成 |
| --- | ---: |
| 固定资产投资 | 46.65亿元 |

详见区政府网站http://www.example.gov.cn/tongji/2020.html。也可访问 www.example.gov.cn 查询。

[^1]: 统计局初步核算数据。
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("markdown")
    write_item(folder / "content", "2020-12-30/a01-1.md", "湛河区经济", Slug="jing-ji", body=NEWSROOM_MARKDOWN)
    return build(folder / "content", folder)


def report_text(site):
    return site.page("/2020-12-30/a01/jing-ji/").select_one(".ed-body")


def test_a_footnote_is_a_numbered_link_to_its_note_at_the_end_and_back(site):
    text = report_text(site)
    reference = text.select_one("sup a[href='#fn1']")
    assert reference.get_text() == "[1]" and reference["id"] == "fnref1"
    note = text.select_one("section.footnotes li#fn1")
    assert "统计局初步核算数据。" in note.get_text()
    assert note.select_one("a[href='#fnref1']"), "the note links back to where it is referenced"
    assert "[^1]" not in text.get_text()


def test_a_table_is_a_table_with_its_header_row(site):
    table = report_text(site).select_one("table")
    assert [cell.get_text() for cell in table.select("thead th")] == ["指标", "完成"]
    assert [cell.get_text() for cell in table.select("tbody td")] == ["固定资产投资", "46.65亿元"]


def test_struck_through_text_is_shown_struck_through(site):
    struck = report_text(site).select("s, del")
    assert [element.get_text() for element in struck] == ["210亿元"]
    assert "~~" not in report_text(site).get_text()


def test_a_bare_link_is_a_link_that_ends_where_the_chinese_text_resumes(site):
    links = {a["href"]: a.get_text() for a in report_text(site).select("a:not([href^='#'])")}
    assert links == {
        "http://www.example.gov.cn/tongji/2020.html": "http://www.example.gov.cn/tongji/2020.html",
        "http://www.example.gov.cn": "www.example.gov.cn",
    }


@pytest.mark.parametrize(
    ("text", "linked"),
    [
        ("详见http://www.pds.gov.cn/a。下文", ["http://www.pds.gov.cn/a"]),
        ("网址：https://www.pds.gov.cn/a?b=1，电话", ["https://www.pds.gov.cn/a?b=1"]),
        ("详见www.pds.gov.cn。", ["http://www.pds.gov.cn"]),
        ("来信请寄 news@example.cn。", ["mailto:news@example.cn"]),
        ("Mr.Li说，pds.gov.cn和3.5亿元都不是链接", []),
    ],
)
def test_bare_links_are_found_in_chinese_copy_and_nothing_else_is(text, linked):
    html = BeautifulSoup(body.render_body(text), "lxml")
    assert [a["href"] for a in html.select("a")] == linked


def test_raw_html_keeps_no_id_or_class_but_the_footnotes_own():
    html = BeautifulSoup(body.render_body('<a id="main" class="x" href="https://example.org/">x</a> <li id="fn2" class="footnote-item">y</li>'), "lxml")
    assert html.select_one("a").attrs == {"href": "https://example.org/"}
    assert html.select_one("li").attrs == {"id": "fn2", "class": ["footnote-item"]}


def test_bodies_without_these_features_render_as_before():
    text = "本报讯(记者张亚丹)12月24日上午，\n位于市黄河路中段的建昌城市花园项目工地一派热气腾腾。\n\n10~20℃，3.5亿元，No.1。"
    assert (
        body.render_body(text)
        == "<p>本报讯(记者张亚丹)12月24日上午，位于市黄河路中段的建昌城市花园项目工地一派热气腾腾。</p>\n<p>10~20℃，3.5亿元，No.1。</p>\n"
    )


def test_brackets_that_are_not_references_are_not_problems():
    unresolved, _ = body.references("见\\[^1]与`[^2]`和[3]，\n\n    [a][b]\n\n[报道](https://example.org/)[^x]: 不是脚注")
    assert [what for _, what, _ in unresolved] == ["footnote [^x] has no definition"]


def test_each_unresolved_reference_is_found_on_its_own_line():
    unresolved, definitions = body.references("一[^1]。\n\n二\n三[^2]，[甲][乙]。\n\n[^1]: 注。\n[^3]: 多余。\n\n[丙]: https://example.org/\n")
    assert [(line, what) for line, what, _ in unresolved] == [
        (3, "footnote [^2] has no definition"),
        (3, "link [甲][乙] has no definition of [乙]"),
        (6, "footnote [^3] is never referenced"),
    ]
    assert definitions == [("https://example.org/", 8)]


# What Pelican's settings may say in MARKDOWN, and what the renderer then does.
@pytest.mark.parametrize(
    ("markdown", "features"),
    [
        (None, body.FEATURES),
        (
            {
                "extension_configs": {
                    "markdown.extensions.codehilite": {"css_class": "highlight"},
                    "markdown.extensions.extra": {},
                    "markdown.extensions.meta": {},
                },
                "output_format": "html5",
            },
            body.FEATURES,
        ),
        ({"extension_configs": {"markdown.extensions.extra": {}}}, {"footnotes", "tables"}),
        ({"extensions": ["markdown.extensions.tables", "pymdownx.tilde"]}, {"tables", "strikethrough"}),
        ({"extensions": ["markdown.extensions.footnotes:FootnoteExtension", "fenced_code", "pymdownx.magiclink"]}, {"footnotes", "links"}),
        ({"extension_configs": {"markdown.extensions.meta": {}}, "extensions": ["markdown.extensions.meta"]}, set()),
    ],
)
def test_markdown_setting_chooses_footnotes_tables_strikethrough_and_bare_links(markdown, features):
    assert body.features_of({"MARKDOWN": markdown} if markdown is not None else {}) == features


@pytest.mark.parametrize(
    ("markdown", "message"),
    [
        ({"extension_configs": {"markdown.extensions.toc": {}}}, "MARKDOWN: toc is not supported — "),
        ({"extensions": ["markdown.extensions.codehilite"]}, "MARKDOWN: codehilite is not supported — "),
        (
            {"extension_configs": {"markdown.extensions.footnotes": {"BACKLINK_TEXT": "↑"}}},
            "MARKDOWN: the options of footnotes (BACKLINK_TEXT) are not supported — ",
        ),
        ({"extensions": [], "tab_length": 2}, "MARKDOWN: tab_length is not supported — "),
        ({"extensions": [], "output_format": "xhtml"}, "MARKDOWN: output_format xhtml is not supported"),
        ({"extensions": [object()]}, "MARKDOWN: the extension object object is not supported — "),
    ],
)
def test_a_markdown_setting_the_renderer_cannot_honour_is_refused(markdown, message):
    with pytest.raises(body.SettingError) as refused:
        body.features_of({"MARKDOWN": markdown})
    assert str(refused.value).startswith(message)
    assert "MARKDOWN may name only extra, footnotes, tables" in str(refused.value)


def test_the_build_and_the_check_refuse_such_a_markdown_setting_before_anything_is_written(tmp_path):
    content = tmp_path / "content"
    write_item(content, "2020-12-30/a01-1.md", "标题")
    settings = write_settings(tmp_path, "SECTIONS = []\nMARKDOWN = {'extension_configs': {'markdown.extensions.toc': {}}}\n")
    result = run_pelican(content, tmp_path / "output", settings)
    assert result.returncode != 0
    assert "MARKDOWN: toc is not supported — reports are rendered by markdown-it-py" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "output").exists()
    environment = {"PYTHONPATH": str(ROOT / "plugins"), "PATH": os.environ["PATH"]}
    check = subprocess.run(
        [sys.executable, "-m", "content_schema", str(content), "--settings", str(settings)], capture_output=True, text=True, cwd=ROOT, env=environment
    )
    assert check.returncode == 1
    assert check.stderr.startswith("MARKDOWN: toc is not supported")


def test_without_footnotes_a_footnote_line_is_a_link_definition_and_checked_as_one(tmp_path):
    """The check's cache is kept per renderer's features: the same unchanged file is scanned again when they change."""
    content, cache = tmp_path / "content", CheckedSources(str(tmp_path / "cache" / "checked.sqlite"))
    write_item(content, "2020-12-30/a01-1.md", "一", body="正文[^1]。\n\n[^1]: 脚注")

    def problems(markdown):
        settings = {"SECTIONS": [], "MARKDOWN": markdown}
        return [str(problem) for problem in check_tree(content, settings, label_root=tmp_path, cache=cache)[1]]

    assert problems({"extensions": ["footnotes"]}) == []
    assert problems({"extensions": ["tables"]}) == [
        "content/2020-12-30/a01-1.md:11: body: relative link 脚注 will break — {filename}/path/to/report.md or {static}/images/photo.jpg"
    ]
    assert problems({"extensions": ["footnotes"]}) == []


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("同比下降25%,\n盗抢骗", "<p>同比下降25%,盗抢骗</p>\n"),  # beside one Chinese character: no space
        ("他说\n“你好”", "<p>他说“你好”</p>\n"),
        ("He said\n“Hello” to me.", "<p>He said\n“Hello” to me.</p>\n"),  # quotes English shares: its space stays
        ("Wait for it\n… done", "<p>Wait for it\n… done</p>\n"),
        ("<PRE>\n中文\n中文\n</PRE>", "<pre>中文\n中文\n</pre>"),  # raw preformatted text keeps its lines
    ],
)
def test_a_line_break_goes_beside_a_chinese_character_and_stays_between_english_words_and_in_preformatted_text(text, html):
    assert body.render_body(text) == html
