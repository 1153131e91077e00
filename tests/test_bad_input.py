"""Bad input never publishes: every problem is named, and the last good edition stays."""

import io
import shutil
from pathlib import Path

import pytest
from PIL import Image

from conftest import ROOT, write_item, write_settings
from publishing.build import BuildFailed, build_into

BAD = Path(__file__).parent / "bad_reports"
SETTINGS = "SECTIONS = ['要闻']\n"

# One bad report per rule: the line the editor must read (file:line: field: what is wrong).
CASES = {
    "missing-title": ":1: Title: is missing — 主题",
    "missing-date": ":1: Date: is missing",
    "missing-page": ":1: Page: is missing",
    "missing-position": ":1: Position: is missing",
    "missing-people": ":1: People: is missing",
    "unknown-field": ":7: Tgas: unknown field — did you mean Tags?",
    "unparseable-date": ":2: Date: cannot read date “12月30日” — YYYY-MM-DD",
    "impossible-date": ":2: Date: no such date “2020-02-30”",
    "future-date": ":2: Date: 2099-01-01 is in the future",
    "unknown-role": ":6: People: unknown role “编辑” for 李四 — role:name with a role of 记者、通讯员、摄影",
    "person-twice": ":6: People: 张三 is listed twice",
    "duplicate-slug": ":7: Slug: is also the slug of",
    "same-position": ":5: Position: is the same page position as",
    "empty-body": ":9: body: is empty",
    "missing-image": ":8: Image: images/nope.jpg does not exist",
    "broken-link": ":11: body: link {filename}/2020-12-29/nope.md points at nothing",
    "html-in-metadata": ":1: Title: contains HTML markup, < or > or an entity",
    "control-character": ":6: People: contains a control character",
    "byte-order-mark": ":1: file: starts with a byte-order mark",
    "not-utf8": ":1: file: is not valid UTF-8",
    "unsafe-html": ":11: body: unsafe HTML “<script”",
    "footnote-without-definition": ":11: body: footnote [^2] has no definition — a line “[^2]: the note” below the text",
    "footnote-never-referenced": ":13: body: footnote [^2] is never referenced — [^2] in the text where the note belongs",
    "undefined-link-reference": ":12: body: link [前文][qianwen] has no definition of [qianwen] — a line “[qianwen]: https://…” below the text",
    "unknown-section": ":4: Section: unknown page name “体育”",
    "unreadable-page": ":3: Page: cannot read page “第六版”",
    "photo-not-an-image": ":8: Image: images/bad/not-an-image.jpg is not an image — a JPEG, PNG or WebP photo",
    "photo-truncated": ":8: Image: images/bad/truncated.jpg is cut short: the file ends before its picture does — the complete file",
    "photo-too-small": ":8: Image: images/bad/too-small.jpg is 399 px wide, too small for a news photo — a photo at least 400 px wide",
    "photo-too-large": ":8: Image: images/bad/too-large.png is too large to open safely — a photo under 89 megapixels",
    "photo-in-text-not-an-image": ":11: body: images/bad/not-an-image.jpg is not an image — a JPEG, PNG or WebP photo",
    "date-not-its-folder": ":2: Date: 2020-12-31 is not the date of its folder 2020-12-30/ — 2020-12-30, or the file moved to content/2020-12-31/",
    # Saved as this name: its Page and Position are not those its name says (a01, 03).
    "a01-03-place-not-its-fields": ":3: Page: A02 is not the page of its file name a01-03-place-not-its-fields.md — A01, or the file renamed to a02-…",
    "two-people-in-one": ":6: People: “记者:张三 通讯员:李四” is more than one person — people separated by 、 or ,",
    "tags-run-together": ":7: Tags: “思政教育 立德树人” is several tags in one — tags separated by 、 or ,",
    "tag-too-long": ":7: Tags: “湛河区全面贯彻执行中央省委市委关于平安建设的决策部署在全力做好疫情防控的同时保持社会稳定” is 44 characters long — a subject of up to 30 characters",
    "two-people-without-a-separator": ":6: People: “记者:张亚丹 李四” is more than one person",
    "modified-before-its-date": ":7: Modified: 2020-12-29 10:00 is before the report's Date — the time of the correction, after the edition's date",
    "photo-from-another-site": ":11: body: photo https://example.com/gongdi.jpg is on another site — a photo file under content/images/",
    "photo-from-the-root": ":11: body: photo /images/nope.jpg is named from the site's root — {static}/images/nope.jpg, a file inside content/",
    "chinese-field-name": ":1: 标题: unknown field — did you mean Title? (fields are named in English)",
    "missing-slug": ":1: Slug: is missing — ASCII pinyin for the URL, e.g. Slug: biao-ti",
    "html-formatting-dropped": ':11: body: HTML formatting the site drops “<p style="” — plain Markdown',
    "hidden-status": ":8: Status: “hidden” is not used: every report stands on its printed page and in its lists — published, or draft to leave it off the site",
}


def write_bad_photos(folder):
    """The photo files the photo-* bad reports show, each wrong in its own way (made with Pillow)."""
    folder.mkdir(parents=True)
    (folder / "not-an-image.jpg").write_text("本报讯 这不是照片", encoding="utf-8")
    whole = io.BytesIO()
    Image.effect_noise((1600, 1000), 40).convert("RGB").save(whole, "JPEG", quality=90)
    (folder / "truncated.jpg").write_bytes(whole.getvalue()[: len(whole.getvalue()) // 2])
    Image.new("RGB", (399, 300), "gray").save(folder / "too-small.jpg")
    Image.new("L", (10000, 9000)).save(folder / "too-large.png")  # 90 megapixels, a few kilobytes


def snapshot(folder):
    return {path.relative_to(folder): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.fixture(scope="module")
def newsroom(tmp_path_factory):
    """A good two-item edition already built, as the live site would be."""
    folder = tmp_path_factory.mktemp("newsroom")
    content = folder / "content"
    write_item(content, "2020-12-30/a01-1.md", "好的报道", page="A01", section="要闻", position=1, Slug="good-one")
    write_item(content, "2020-12-30/a01-2.md", "另一篇", page="A01", section="要闻", position=2, Slug="good-two")
    write_bad_photos(content / "images" / "bad")
    settings = write_settings(folder, SETTINGS)
    build_into(folder / "output", settings, content=str(content), capture=True)
    return folder, content, settings


def test_every_rule_has_a_bad_report_in_the_corpus():
    assert sorted(path.stem for path in BAD.glob("*.md")) == sorted(CASES)


def assert_refused(newsroom, case, name):
    """The bad report `case`, saved as `name` in the newsroom's edition, stops the build, which names it."""
    folder, content, settings = newsroom
    before, beside = snapshot(folder / "output"), snapshot(folder / ".output.previous")
    bad = content / "2020-12-30" / name
    shutil.copy(BAD / f"{case}.md", bad)
    try:
        with pytest.raises(BuildFailed) as failure:
            build_into(folder / "output", settings, content=str(content), capture=True)
    finally:
        bad.unlink()
    assert f"{name}{CASES[case]}" in failure.value.output
    assert snapshot(folder / "output") == before
    assert snapshot(folder / ".output.previous") == beside, "nor the site before it, kept beside it"
    assert not [p for p in folder.iterdir() if p.name.startswith(".output.new-")], "no half-written build is left behind"


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_bad_report_stops_the_build_names_file_line_field_and_keeps_the_last_edition(newsroom, case):
    assert_refused(newsroom, case, f"{case}.md")


@pytest.mark.parametrize("extension", ["markdown", "mkd", "mdown"])
@pytest.mark.parametrize("case", ["same-position", "unknown-role"])
def test_a_report_under_any_name_pelican_reads_as_markdown_is_checked(newsroom, case, extension):
    assert_refused(newsroom, case, f"{case}.{extension}")


def test_every_problem_of_a_run_is_reported_together(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    for case in ("unknown-role", "future-date", "missing-title"):
        shutil.copy(BAD / f"{case}.md", content / f"{case}.md")
    with pytest.raises(BuildFailed) as failure:
        build_into(tmp_path / "output", write_settings(tmp_path, SETTINGS), content=str(content), capture=True)
    lines = [line for line in failure.value.output.splitlines() if ".md:" in line]
    assert len(lines) >= 4, lines
    assert not (tmp_path / "output").exists()


def run_check(content, settings):
    """`python -m content_schema`, as `invoke check` runs it, without the venv on the PATH."""
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "content_schema", str(content), "--settings", str(settings)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT / "plugins"), "PATH": "/usr/bin:/bin"},
    )


def test_invoke_check_reports_problems_without_building(tmp_path):

    content = tmp_path / "content"
    content.mkdir()
    shutil.copy(BAD / "unknown-role.md", content / "x.md")
    settings = write_settings(tmp_path, SETTINGS)
    result = run_check(content, settings)
    assert result.returncode == 1
    assert "x.md:6: People: unknown role “编辑” for 李四" in result.stderr
    assert not (tmp_path / "output").exists()


def test_a_build_stopped_by_a_report_names_the_problems_of_its_printed_page_too(tmp_path):
    """The build reads a page's PDF after its reports: a report's problem stopped it first, and the bad PDF
    of the same page came out only in the next round."""
    content = tmp_path / "content"
    write_item(content, "2020-12-30/a01-01.md", "好的报道", page="A01", section="要闻", position=1, Slug="good-one")
    shutil.copy(BAD / "unknown-role.md", content / "2020-12-30" / "a01-03.md")
    (content / "2020-12-30" / "a01.pdf").write_text("不是 PDF", encoding="utf-8")
    with pytest.raises(BuildFailed) as failure:
        build_into(tmp_path / "output", write_settings(tmp_path, SETTINGS), content=str(content), capture=True)
    assert "a01-03.md:6: People: unknown role “编辑” for 李四" in failure.value.output
    assert "2020-12-30/a01.pdf:1: file: is not a PDF" in failure.value.output
    assert "2 problem(s) in content" in failure.value.output
    assert not (tmp_path / "output").exists()


def test_hidden_files_are_no_reports_and_a_link_to_nothing_is_named(tmp_path):
    """An editor's lock file (Emacs: .#name, a link to nothing) and a Mac's ._name copy were read as reports:
    a traceback, or the real report blamed for a duplicate slug. A report that is a link to nothing is a problem."""
    content = tmp_path / "content"
    good = write_item(content, "2020-12-30/a01-01.md", "好的报道", page="A01", section="要闻", position=1, Slug="good-one")
    (good.parent / ".#a01-01.md").symlink_to("root@host.1234:1700000000")
    shutil.copy(good, good.parent / "._a01-01.md")
    settings = write_settings(tmp_path, SETTINGS)
    build_into(tmp_path / "output", settings, content=str(content), capture=True)
    # One report: the Mac's copy, read, would have been a second with the same slug (a refused build).
    assert [path.parent.name for path in (tmp_path / "output" / "2020-12-30" / "a01").glob("*/index.html")] == ["good-one"]

    (good.parent / "a01-02.md").symlink_to(good.parent / "moved-away.md")
    with pytest.raises(BuildFailed) as failure:
        build_into(tmp_path / "output", settings, content=str(content), capture=True)
    assert "2020-12-30/a01-02.md:1: file: is a link to nothing" in failure.value.output
    assert "Traceback" not in failure.value.output


def test_a_file_of_a_day_nothing_reads_is_named_by_the_check_and_the_build(tmp_path):
    """A report saved as .txt or .MD was left out of its edition: the check said 'no problems' and the
    build published the day without it. Other files of a day's folder are not judged."""

    content = tmp_path / "content"
    good = write_item(content, "2020-12-30/a01-01.md", "好的报道", page="A01", section="要闻", position=1, Slug="good-one")
    day = good.parent
    shutil.copy(good, day / "a01-02-ling-yi-pian.txt")
    shutil.copy(good, day / "a01-03-di-san-pian.MD")
    (day / ".DS_Store").write_bytes(b"\0")
    (day / "Thumbs.db").write_bytes(b"\0")  # nobody's, as a picture a report's text may link to is someone's: not judged
    (day / "map.svg").write_text("<svg/>", encoding="utf-8")
    (content / "images" / "2020-12-30").mkdir(parents=True)
    (content / "images" / "2020-12-30" / "notes.txt").write_text("不在某一天的文件夹里", encoding="utf-8")  # not a day's folder
    settings = write_settings(tmp_path, SETTINGS)
    expected = [
        "2020-12-30/a01-02-ling-yi-pian.txt:1: file: is not read as a report, and is left out of the edition",
        "2020-12-30/a01-03-di-san-pian.MD:1: file: is not read as a report: a report's name ends in .md, in lower case — a01-03-di-san-pian.md",
    ]
    with pytest.raises(BuildFailed) as failure:
        build_into(tmp_path / "output", settings, content=str(content), capture=True)
    assert all(line in failure.value.output for line in expected), failure.value.output
    assert "2 problem(s) in content" in failure.value.output and not (tmp_path / "output").exists()
    check = run_check(content, settings)
    assert check.returncode == 1 and all(line in check.stderr for line in expected), check.stderr


def test_a_slug_two_reports_share_is_named_on_both(tmp_path):
    """Only the second in the files' order was named: a new report's duplicate slug blamed the untouched report."""
    content = tmp_path / "content"
    write_item(content, "2020-12-30/a01-01.md", "旧的报道", page="A01", section="要闻", position=1, Slug="same-slug")
    write_item(content, "2020-12-30/a01-02.md", "新的报道", page="A01", section="要闻", position=2, Slug="same-slug")
    with pytest.raises(BuildFailed) as failure:
        build_into(tmp_path / "output", write_settings(tmp_path, SETTINGS), content=str(content), capture=True)
    lines = [line for line in failure.value.output.splitlines() if "Slug: is also the slug of" in line]
    assert len(lines) == 2, lines
    assert lines[0].split(":")[0].endswith("a01-01.md") and lines[0].rstrip().split(" — ")[0].endswith("a01-02.md")
    assert lines[1].split(":")[0].endswith("a01-02.md") and lines[1].rstrip().split(" — ")[0].endswith("a01-01.md")


def test_a_javascript_link_is_one_problem_not_two(tmp_path):
    """It was refused as unsafe, and named again as a relative link that will break ("javascript:alert(1")."""
    from content_schema.check import check_tree

    content = tmp_path / "content"
    write_item(content, "2020-12-30/a01-01.md", "好的报道", page="A01", section="要闻", position=1, body="正文。\n\n[点我](javascript:alert(1))")
    _, problems = check_tree(content, {"SECTIONS": ["要闻"]})
    assert [(problem.field, problem.what) for problem in problems] == [("body", "unsafe HTML “javascript:”")]


@pytest.mark.parametrize("name", ["a06-01-hao.md", "a6-1.md", "A06-1.md", "hao-de-bao-dao.md"])
def test_a_file_named_for_its_page_and_position_in_any_form_or_not_at_all_is_taken(tmp_path, name):
    from content_schema.check import check_tree

    write_item(tmp_path / "content", f"2020-12-30/{name}", "好的报道", page="A06", section="要闻", position=1)
    assert check_tree(tmp_path / "content", {"SECTIONS": ["要闻"]})[1] == []


def test_formatting_html_shown_as_code_is_taken(tmp_path):
    """HTML in a code span or a fenced block shows as text: nothing of it is dropped."""
    from content_schema.check import check_tree

    body = '正文写作`<span class="x">`示例。\n\n```\n<div id="app"></div>\n```\n\n小于号 a <b 和 class = 3 > 照常。'
    write_item(tmp_path / "content", "2020-12-30/a01-01.md", "好的报道", page="A01", section="要闻", position=1, body=body)
    assert check_tree(tmp_path / "content", {"SECTIONS": ["要闻"]})[1] == []


@pytest.mark.parametrize("name", ["2020-12-30-hao-de-bao-dao.md", "g20-2023-feng-hui.md"])
def test_a_file_name_that_is_no_page_and_position_is_not_compared_with_them(tmp_path, name):
    from content_schema.check import check_tree

    write_item(tmp_path / "content", f"2020-12-30/{name}", "好的报道", page="A06", section="要闻", position=1)
    assert check_tree(tmp_path / "content", {"SECTIONS": ["要闻"]})[1] == []
