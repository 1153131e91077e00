"""The page importer: a typesetter's page export becomes one draft item per report or photo."""

import shutil
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
sys.path.insert(0, str(ROOT / "plugins"))

from content_schema.check import check_tree  # noqa: E402
from content_schema.slugs import pinyin_slug  # noqa: E402
from content_schema.source import parse_source  # noqa: E402
from page_import import ImportRefused, import_export, parse_export, render_item  # noqa: E402

EXPORTS = TESTS / "fixtures" / "exports"
SEED_EXPORT = EXPORTS / "a06-2020-12-30.txt"
SEED_ORIGINAL = ROOT.parent / "shared" / "seed" / "000_12d0c62c2d5cacf0.txt"
EVERY_RULE = EXPORTS / "every-rule.txt"
EDITION = ROOT / "content" / "2020-12-30"
PAGE = {"date": "2020-12-30", "page": "A06", "section": "湛河区"}
PRINTED_FIELDS = ("title", "kicker", "subtitle", "kind", "people", "credit")


def export(*blocks):
    """A page export as the typesetter writes it: blocks separated by blank lines."""
    return "\n\n".join(blocks) + "\n"


def only_item(text):
    result = parse_export(text)
    assert len(result.items) == 1, [item.title for item in result.items]
    return result.items[0]


def rendered(item):
    return parse_source("imported.md", render_item(item, **PAGE).encode("utf-8"), "imported.md")


def paragraphs(body):
    return [paragraph.strip() for paragraph in body.split("\n\n") if paragraph.strip()]


def squeezed(text):
    return "".join(text.split())


@pytest.fixture(scope="module")
def seed():
    return parse_export(SEED_EXPORT.read_text(encoding="utf-8"))


# The first edition's page A06


@pytest.mark.skipif(not SEED_ORIGINAL.exists(), reason="the shared seed folder is not beside the repository")
def test_the_fixture_is_the_seed_export_unchanged():
    assert SEED_EXPORT.read_bytes() == SEED_ORIGINAL.read_bytes()


def test_the_seed_page_gives_its_ten_items_in_export_order_with_pinyin_slugs(seed):
    assert [item.title for item in seed.items][:5] == [
        "湛河区全面推动经济社会发展",
        "湛河区加强思政课建设",
        "湛河区深入开展平安建设",
        "手机一点 认证完成 群众乐了",
        "推进项目建设",
    ]
    assert [item.position for item in seed.items] == list(range(1, 11))
    assert [item.slug for item in seed.items] == [pinyin_slug(item.title) for item in seed.items]


def test_the_seed_page_imports_with_nothing_unsure(seed):
    assert seed.warnings == []


@pytest.mark.parametrize("path", sorted(EDITION.glob("*.md")), ids=lambda path: path.name[:6])
def test_each_seed_item_is_imported_as_the_editor_made_it_by_hand(seed, path):
    by_hand = parse_source(path, path.read_bytes())
    item = {item.title: item for item in seed.items}[by_hand.values["title"]]
    imported = rendered(item)
    assert imported.problems == []
    assert {key: imported.values.get(key) for key in PRINTED_FIELDS} == {key: by_hand.values.get(key) for key in PRINTED_FIELDS}
    assert paragraphs(imported.body) == paragraphs(by_hand.body)


def test_every_character_of_the_seed_export_ends_up_in_one_item_in_order(seed):
    printed = SEED_EXPORT.read_text(encoding="utf-8").replace("## ", "")
    parts = [part for item in seed.items for part in (item.kicker, item.title, item.subtitle, *item.paragraphs, item.credit) if part]
    assert squeezed("".join(parts)) == squeezed(printed)


# Decks: kicker above the headline, subtitle below


def test_a_short_line_above_the_headline_is_its_kicker_and_one_below_is_its_subtitle():
    item = only_item(export("砥砺奋进 改革创新", "## 湛河区加强思政课建设", "为学生成长擦亮精神底色", "本报讯(记者张亚丹)正文。"))
    assert (item.kicker, item.title, item.subtitle) == ("砥砺奋进 改革创新", "湛河区加强思政课建设", "为学生成长擦亮精神底色")
    assert item.paragraphs == ["本报讯(记者张亚丹)正文。"]


def test_two_short_lines_above_a_headline_are_joined_into_one_kicker_with_a_warning():
    result = parse_export(export("岁末年初", "项目建设不停歇", "## 某区推进项目建设", "本报讯(记者张三)正文。"))
    assert result.items[0].kicker == "岁末年初 项目建设不停歇"
    assert result.warnings == [
        "export:1: Kicker: 2 short lines above “某区推进项目建设” joined into one: “岁末年初 项目建设不停歇” — one kicker; move a line to the body if it is not a deck"
    ]


def test_two_short_lines_below_a_headline_are_joined_into_one_subtitle_with_a_warning():
    result = parse_export(export("## 某区推进项目建设", "全年完成投资64亿元", "签约项目总投资275亿元", "本报讯(记者张三)正文。"))
    assert result.items[0].subtitle == "全年完成投资64亿元 签约项目总投资275亿元"
    assert len(result.warnings) == 1 and "Subtitle: 2 short lines below" in result.warnings[0]


def test_a_kicker_right_after_the_previous_items_last_paragraph_belongs_to_the_next_item():
    result = parse_export(export("## 甲", "本报讯(记者张三)第一条。", "执法好不好 居民说了算", "## 乙", "本报讯(记者李四)第二条。"))
    assert [(item.title, item.kicker, item.paragraphs) for item in result.items] == [
        ("甲", None, ["本报讯(记者张三)第一条。"]),
        ("乙", "执法好不好 居民说了算", ["本报讯(记者李四)第二条。"]),
    ]
    assert result.warnings == []


def test_a_kicker_after_an_unfinished_last_paragraph_still_belongs_to_the_next_item_with_a_warning():
    result = parse_export(export("## 甲", "本报讯(记者张三)第一条没有写完,", "执法好不好 居民说了算", "## 乙", "本报讯(记者李四)第二条。"))
    assert result.items[1].kicker == "执法好不好 居民说了算"
    assert result.items[0].paragraphs == ["本报讯(记者张三)第一条没有写完,"]
    assert len(result.warnings) == 1 and result.warnings[0].startswith("export:3: body: paragraph “…") and "ends mid-sentence" in result.warnings[0]


@pytest.mark.parametrize(
    "line",
    ["社会治安持续好转。", "湛河区政务服务和大数据管理局在政务大厅设立老年人志愿服务专员对没有智能手机的老年人辅助完成认证"],
    ids=["ends-with-full-stop", "longer-than-a-deck"],
)
def test_a_line_below_a_headline_that_is_a_sentence_or_long_is_text_not_a_subtitle(line):
    item = only_item(export("## 甲", line, "本报讯(记者张三)正文。"))
    assert item.subtitle is None
    assert item.paragraphs == [line, "本报讯(记者张三)正文。"]


# Byline: the dateline names the report's people


@pytest.mark.parametrize(
    "dateline, people",
    [
        ("本报讯(记者张亚丹 通讯员胡丽华)", [("记者", "张亚丹"), ("通讯员", "胡丽华")]),
        ("本报讯（记者 张三 李四 通讯员 王五 赵六）", [("记者", "张三"), ("记者", "李四"), ("通讯员", "王五"), ("通讯员", "赵六")]),
        ("本报讯(记者张三、李四 通讯员王五)", [("记者", "张三"), ("记者", "李四"), ("通讯员", "王五")]),
        ("本报讯（本报记者 欧阳娜娜）", [("记者", "欧阳娜娜")]),
        ("本报郑州12月28日讯(记者 张三)", [("记者", "张三")]),
    ],
    ids=["ascii-brackets", "full-width-several-each", "enumeration-comma", "staff-reporter", "dateline-with-place"],
)
def test_the_byline_names_every_reporter_and_correspondent_with_their_role(dateline, people):
    result = parse_export(export("## 甲", dateline + "12月28日,正文。"))
    assert result.items[0].people == people
    assert result.warnings == []
    assert rendered(result.items[0]).problems == []


def test_the_dateline_stays_at_the_start_of_the_text_as_printed():
    item = only_item(export("## 甲", "本报讯（记者 张三 通讯员 王五）12月28日,正文。", "第二段。"))
    assert item.paragraphs == ["本报讯（记者 张三 通讯员 王五）12月28日,正文。", "第二段。"]


def test_a_name_in_the_byline_it_cannot_read_is_warned_about_not_guessed():
    result = parse_export(export("## 甲", "本报讯(记者张三 实习生李四)正文。"))
    assert result.items[0].people == [("记者", "张三")]
    assert result.warnings == [
        "export:1: People: could not read “实习生李四” in the byline of “甲” — 记者 or 通讯员 followed by names of 2 to 4 characters, separated by spaces"
    ]


def test_a_report_without_a_byline_is_drafted_without_people_so_the_checker_asks_for_them():
    result = parse_export(export("## 甲", "近日,某区开展活动。"))
    assert result.items[0].people == []
    assert result.warnings[0].startswith("export:1: People: no byline in “甲”")
    assert [(problem.field, problem.what) for problem in rendered(result.items[0]).problems] == [("People", "is missing")]


# Photo news: title, caption, credit


def test_a_credit_at_the_end_of_the_caption_is_the_photos_credit_and_its_photographer():
    item = only_item(export("推进项目建设", "▲工人正在施工。", "今年以来,持续加大重大项目推进力度。 李冠博 摄"))
    assert (item.kind, item.title, item.credit, item.people) == ("photo", "推进项目建设", "李冠博 摄", [("摄影", "李冠博")])
    assert item.paragraphs == ["▲工人正在施工。", "今年以来,持续加大重大项目推进力度。"]
    assert rendered(item).problems == []


def test_a_staff_photographers_credit_on_its_own_line_is_the_credit_as_printed_and_not_text():
    item = only_item(export("宣传“两委”换届政策", "▲日前,工作人员向村民宣传政策。", "本报记者 姜涛 摄"))
    assert (item.kind, item.credit, item.people) == ("photo", "本报记者 姜涛 摄", [("摄影", "姜涛")])
    assert item.paragraphs == ["▲日前,工作人员向村民宣传政策。"]


def test_a_caption_broken_by_a_column_is_mended_before_its_credit():
    item = only_item(export("社区开展创文志愿服务日活动", "近日,社区为居民提供修补锅、盆,配钥匙,", "修理家电等免费服务。 王晓燕 摄"))
    assert item.paragraphs == ["近日,社区为居民提供修补锅、盆,配钥匙,修理家电等免费服务。"]
    assert item.credit == "王晓燕 摄"


def test_a_photo_after_a_report_and_a_report_after_a_photo_are_told_apart():
    result = parse_export(
        export("## 甲", "本报讯(记者张三)正文。", "推进项目建设", "▲工人正在施工。 李冠博 摄", "执法好不好 居民说了算", "## 乙", "本报讯(记者李四)正文。")
    )
    assert [(item.kind, item.title) for item in result.items] == [("report", "甲"), ("photo", "推进项目建设"), ("report", "乙")]
    assert result.warnings == []


def test_a_photo_whose_title_was_set_as_a_headline_is_still_a_photo():
    item = only_item(export("## 推进项目建设", "▲工人正在施工。 李冠博 摄"))
    assert (item.kind, item.credit, item.people, item.paragraphs) == ("photo", "李冠博 摄", [("摄影", "李冠博")], ["▲工人正在施工。"])


def test_a_photo_without_a_credit_is_drafted_with_a_warning_and_the_checker_asks_for_it():
    result = parse_export(export("推进项目建设", "▲工人正在施工。"))
    assert result.items[0].kind == "photo" and result.items[0].credit is None
    assert result.warnings[0].startswith("export:1: Credit: photo “推进项目建设” has no credit")
    assert {problem.field for problem in rendered(result.items[0]).problems} == {"People", "Credit"}


# Column breaks: a paragraph cut mid-sentence is whole again


@pytest.mark.parametrize(
    "before, after",
    [
        ("同时,成立工作指挥部,统筹协调新区开发", "建设各项事务。"),
        ("组织青年志愿者为居民提供修补锅、盆,配钥匙,", "修理家电、门窗等免费服务。"),
        ("精心绘制生物医药、金融保险等产业招商“四张", "图谱”,由区主要领导具体负责。"),
        ("“大伙儿那么信任我,我一定监督好身边公职人员的", "行政执法行为。”杜小青说。"),
        ("今年,该区有22个项目达成合作意向,12个签约项目总投资275.", "058亿元。"),
        ("组织开展“村庄三清”(清垃圾、清沟渠、清农业生产废弃物)", "行动,清运垃圾1850余吨。"),
        ("让老年人爱上“智能生活”", ",感受到贴心、便捷、高效的服务。"),
    ],
    ids=["mid-word", "after-comma", "after-opening-quote", "inside-a-quotation", "inside-a-number", "after-closing-bracket", "after-closing-quote"],
)
def test_a_paragraph_broken_by_a_column_is_joined_whole_with_no_space(before, after):
    result = parse_export(export("## 甲", "本报讯(记者张三)第一段。", before, after, "最后一段。"))
    assert result.items[0].paragraphs == ["本报讯(记者张三)第一段。", before + after, "最后一段。"]
    assert result.warnings == []


@pytest.mark.parametrize("ending", ["完成了学业。", "真是越来越方便。”", "为咱村选好、选对人……", "这样行吗？", "他说:“好!”"])
def test_a_paragraph_that_ends_a_sentence_is_not_joined_to_the_next(ending):
    item = only_item(export("## 甲", "本报讯(记者张三)" + ending, "第二段。"))
    assert item.paragraphs == ["本报讯(记者张三)" + ending, "第二段。"]


def test_a_short_line_inside_a_report_is_joined_to_the_copy_after_it_with_a_warning():
    result = parse_export(export("## 甲", "本报讯(记者张三)正文。", "社会治安持续好转", "该区持续开展专项斗争。"))
    assert result.items[0].paragraphs[1] == "社会治安持续好转该区持续开展专项斗争。"
    assert result.warnings == [
        "export:5: body: short line “社会治安持续好转” joined to the copy after it — if it is a crosshead, put it on a line of its own again"
    ]


def test_text_before_the_first_item_is_named_in_a_warning_and_not_put_into_any_item():
    result = parse_export(export("这一段在所有标题之前,不属于任何稿件。", "## 甲", "本报讯(记者张三)正文。"))
    assert [item.paragraphs for item in result.items] == [["本报讯(记者张三)正文。"]]
    assert result.warnings == ["export:1: body: “这一段在所有标题之前,不属于任何稿件。…” belongs to no item — add it to the right item by hand"]


def test_an_export_saved_with_a_byte_order_mark_and_windows_line_ends_reads_the_same(seed):
    text = SEED_EXPORT.read_text(encoding="utf-8")
    assert parse_export("\ufeff" + text.replace("\n", "\r\n")) == seed


# Rendering and writing files


def test_a_rendered_item_has_its_fields_in_the_project_order_and_leaves_tags_and_summary_to_the_editor(seed):
    def fields(item):
        return [line.split(":")[0] for line in render_item(item, **PAGE).split("\n\n")[0].splitlines()]

    assert fields(seed.items[0]) == ["Title", "Kicker", "Kind", "Date", "Page", "Section", "Position", "People", "Slug"]
    assert fields(seed.items[4]) == ["Title", "Kind", "Date", "Page", "Section", "Position", "People", "Credit", "Slug"]


def test_import_writes_one_file_per_item_named_by_page_position_and_slug_that_pass_the_check(tmp_path, seed):
    written, warnings = import_export(SEED_EXPORT, tmp_path, **PAGE)
    assert [path.relative_to(tmp_path).as_posix() for path in written] == [f"2020-12-30/a06-{item.position:02d}-{item.slug}.md" for item in seed.items]
    sources, problems = check_tree(tmp_path, label_root=tmp_path)
    assert (len(sources), problems, warnings) == (10, [], [])


def test_a_page_using_every_rule_is_written_and_passes_the_check(tmp_path):
    written, warnings = import_export(EVERY_RULE, tmp_path, **PAGE)
    kinds = [parse_source(path, path.read_bytes()).values["kind"] for path in written]
    assert kinds == ["report", "photo", "photo", "report"]
    assert [warning.split(": ")[1] for warning in warnings] == ["Kicker", "Subtitle"]
    assert check_tree(tmp_path, label_root=tmp_path)[1] == []


def test_import_refuses_to_overwrite_an_existing_file_and_writes_nothing(tmp_path):
    edition = tmp_path / "2020-12-30"
    edition.mkdir()
    existing = edition / "a06-03-zhan-he-qu-shen-ru-kai-zhan-ping-an-jian-she.md"
    existing.write_text("the editor's work", encoding="utf-8")
    with pytest.raises(ImportRefused, match=existing.name):
        import_export(SEED_EXPORT, tmp_path, **PAGE)
    assert list(edition.iterdir()) == [existing]
    assert existing.read_text(encoding="utf-8") == "the editor's work"


def test_import_refuses_an_item_already_in_the_edition_at_another_position(tmp_path):
    edition = tmp_path / "2020-12-30"
    edition.mkdir()
    shutil.copy(EDITION / "a06-04-tui-jin-xiang-mu-jian-she.md", edition)
    with pytest.raises(ImportRefused, match="already has the slug tui-jin-xiang-mu-jian-she"):
        import_export(SEED_EXPORT, tmp_path, **PAGE)
    assert len(list(edition.iterdir())) == 1


def test_import_tells_what_it_was_unsure_of_and_what_the_checker_will_ask(tmp_path):
    page = tmp_path / "page.txt"
    page.write_text(export("## 甲", "近日,某区开展活动。"), encoding="utf-8")
    written, warnings = import_export(page, tmp_path / "content", **PAGE)
    assert [path.name for path in written] == ["a06-01-jia.md"]
    assert warnings[0].startswith(f"{page}:1: People: no byline in “甲”")
    assert warnings[1] == f"{written[0]}:1: People: is missing — role:name list, roles 记者/通讯员/摄影"
