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


@pytest.mark.parametrize(("typed", "expected"), [("2020-12-30", (2020, 12, 30)), ("２０２０年１２月３０日", (2020, 12, 30)), ("2020/12/30 08:05", (2020, 12, 30, 8, 5))])
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
