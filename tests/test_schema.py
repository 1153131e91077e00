"""The content schema normalises what editors really type when it is unambiguous."""

import datetime

import pytest

from content_schema.fields import Credit, FieldError, parse_date, parse_page, parse_people, parse_position, parse_tags, parse_text
from content_schema.slugs import pinyin_slug
from content_schema.source import parse_source


@pytest.mark.parametrize("typed", ["教育、思政课；民生", "教育,思政课;民生", "教育，思政课， 民生", "\u3000教育 、思政课、民生、教育"])
def test_tags_split_on_chinese_and_ascii_separators_and_spaces_are_dropped(typed):
    assert parse_tags(typed) == ["教育", "思政课", "民生"]


@pytest.mark.parametrize("typed", ["记者:张亚丹、通讯员:胡丽华", "记者：张亚丹；通讯员：胡丽华", "记者 张亚丹, 通讯员 胡 丽华"])
def test_people_accept_either_colon_and_any_separator(typed):
    assert parse_people(typed) == [Credit("记者", "张亚丹"), Credit("通讯员", "胡丽华")]


@pytest.mark.parametrize(
    ("typed", "expected"), [("2020-12-30", (2020, 12, 30)), ("２０２０年１２月３０日", (2020, 12, 30)), ("2020/12/30 08:05", (2020, 12, 30, 8, 5))]
)
def test_dates_in_unambiguous_forms_are_read(typed, expected):
    assert parse_date(typed) == datetime.datetime(*expected)


@pytest.mark.parametrize("typed", ["12月30日", "30/12/2020", "2020-13-01", "昨天"])
def test_ambiguous_or_impossible_dates_are_refused(typed):
    with pytest.raises(FieldError):
        parse_date(typed)


def test_page_and_position_take_full_width_digits_and_lower_case():
    assert parse_page("a０６") == "A06"
    assert parse_position(" ３ ") == 3
    with pytest.raises(FieldError):
        parse_position("0")


def test_text_keeps_its_wording_but_not_stray_spaces():
    assert parse_text("\u3000 砥砺奋进 改革创新 ") == "砥砺奋进 改革创新"


def test_a_full_width_colon_after_a_field_name_is_accepted():
    source = parse_source("x.md", "Title：标题\nDate: 2020-12-30\nPage: A01\nSection: 要闻\nPosition: 1\nPeople: 记者:张三\nSlug: x\n\n正文。\n".encode())
    assert source.problems == [] and source.values["title"] == "标题"


def test_pinyin_slugs_read_polyphones_as_words():
    assert pinyin_slug("增长") == "zeng-zhang"
    assert pinyin_slug("「退选」不「褪色」扮好新角色") == "tui-xuan-bu-tui-se-ban-hao-xin-jue-se"
    assert pinyin_slug("张亚丹") == "zhang-ya-dan"


def test_the_check_cache_gives_the_same_problems_until_a_file_changes(tmp_path):
    import os

    from build_cache.checked_codec import CheckedSources
    from conftest import write_item
    from content_schema.check import check_tree

    content, cache = tmp_path / "content", CheckedSources(str(tmp_path / "cache" / "checked.sqlite"))
    write_item(content, "2020-12-30/a01-1.md", "一", body="本报讯 <script>x()</script> 正文。")
    bad_link = write_item(content, "2020-12-30/a01-2.md", "二", position=2, body="见[上篇](../a.md)。")
    write_item(content, "2020-12-30/a01-3.md", "三", position=3)

    def problems():
        return sorted(str(problem) for problem in check_tree(content, {"SECTIONS": []}, label_root=tmp_path, cache=cache)[1])

    first = problems()
    assert len(first) == 2 and "a01-1.md:9: body: unsafe HTML “<script”" in first[0] and "a01-2.md:9: body: relative link ../a.md will break" in first[1]
    assert problems() == first, "the same problems from the cache"
    bad_link.write_text(bad_link.read_text(encoding="utf-8").replace("(../a.md)", "(/tags/)"), encoding="utf-8")
    os.utime(bad_link, ns=(0, 0))  # a new time, whatever the clock's resolution
    assert problems() == first[:1], "a changed file is read again"
