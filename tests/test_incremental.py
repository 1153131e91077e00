"""An incremental build gives exactly the files a clean build of the same content gives."""

import contextlib
import os
import shutil
import sqlite3

import pytest
from benchmark.synthetic import SECTIONS, write_corpus

from conftest import run_pelican, search_page_count, write_item, write_settings
from publishing.build import build_into
from staging.trees import Trees


def files(folder):
    """Every file but Pagefind's: its index numbers pages in the order the file system lists them."""
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file() and "pagefind" not in path.parts}


def search_pages(folder):
    return search_page_count(folder)


def write_day(content, date, pages=2, items=3):
    for page in range(1, pages + 1):
        for position in range(1, items + 1):
            write_item(
                content,
                f"{date}/a{page:02d}-{position}.md",
                f"{date} 第{page}版 第{position}篇",
                date=date,
                page=f"A{page:02d}",
                section=f"版{page}",
                position=position,
                Tags=f"标签{position}、共同",
                people=f"记者:张{'一二三'[position - 1]}",
            )


def assert_same_as_clean_build(tmp_path, settings, content):
    build_into(tmp_path / "output", settings, content=str(content), capture=True)
    # A clean site each time: not the last call's, which its build would take as the last build.
    clean = Trees(tmp_path / "clean")
    for folder in (clean.output, clean.previous):
        shutil.rmtree(folder, ignore_errors=True)
    for record in (clean.differs, clean.inputs):
        record.unlink(missing_ok=True)
    build_into(tmp_path / "clean", settings, content=str(content), capture=True)
    incremental, clean = files(tmp_path / "output"), files(tmp_path / "clean")
    assert incremental.keys() == clean.keys()
    assert [name for name in clean if incremental[name] != clean[name]] == []
    assert (
        search_pages(tmp_path / "output")
        == search_pages(tmp_path / "clean")
        == sum(name.count("/") == 3 and name.endswith("index.html") and name[:4].isdigit() for name in clean)
    )
    return incremental


def test_an_incremental_build_equals_a_clean_one_after_adding_editing_and_deleting(tmp_path):
    content = tmp_path / "content"
    settings = write_settings(tmp_path, "SECTIONS = []\nDEFAULT_PAGINATION = 4\n")
    for date in ("2020-12-28", "2020-12-29"):
        write_day(content, date)
    build_into(tmp_path / "output", settings, content=str(content), capture=True)
    before = files(tmp_path / "output")

    write_day(content, "2020-12-30")
    after_a_day = assert_same_as_clean_build(tmp_path, settings, content)
    assert before["tags/gong-tong/page/1/index.html"] == after_a_day["tags/gong-tong/page/1/index.html"], "older list pages stay as they were"
    assert before["tags/gong-tong/index.html"] != after_a_day["tags/gong-tong/index.html"]

    edited = content / "2020-12-28/a01-2.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("正文。", "改过的正文。"), encoding="utf-8")
    (content / "2020-12-29/a02-3.md").unlink()
    final = assert_same_as_clean_build(tmp_path, settings, content)
    assert "2020-12-29/a02/item-2020-12-29-a02-3/index.html" not in final, "a deleted report's page goes"
    assert "改过的正文" in final["2020-12-28/a01/item-2020-12-28-a01-2/index.html"].decode()


def report_page(date, page, position):
    return f"{date}/a{page:02d}/item-{date}-a{page:02d}-{position}/index.html"


def test_report_pages_are_rendered_again_only_where_their_edition_changed_them(tmp_path):
    """An edition whose items did not change keeps its report pages without digesting them one by one
    (incremental.writer.carry_editions); in one that changed, the pages whose report or neighbour changed
    are rendered again, and the others kept."""
    content = tmp_path / "content"
    settings = write_settings(tmp_path, "SECTIONS = []\nDEFAULT_PAGINATION = 4\n")
    for date in ("2020-12-27", "2020-12-28", "2020-12-29"):
        write_day(content, date)
    build_into(tmp_path / "output", settings, content=str(content), capture=True)
    reports = [report_page(date, page, position) for date in ("2020-12-27", "2020-12-28", "2020-12-29") for page in (1, 2) for position in (1, 2, 3)]
    before = {name: (tmp_path / "output" / name).stat().st_ino for name in reports}

    edited = content / "2020-12-28/a01-2.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("第1版 第2篇", "改过的标题"), encoding="utf-8")
    (content / "2020-12-29/a02-3.md").unlink()
    write_day(content, "2020-12-30")
    built = assert_same_as_clean_build(tmp_path, settings, content)

    rendered = {name for name in reports if name in built and (tmp_path / "output" / name).stat().st_ino != before[name]}
    changed = {report_page("2020-12-28", 1, position) for position in (1, 2, 3)} | {report_page("2020-12-29", 2, 2)}
    assert rendered == changed, "the edited report, its neighbours and the one whose next report went; nothing else"
    assert "改过的标题" in built[report_page("2020-12-28", 1, 1)].decode(), "the next report's new title"
    assert "改过的标题" in built[report_page("2020-12-28", 1, 3)].decode(), "the previous report's new title"
    assert "第2版 第3篇" not in built[report_page("2020-12-29", 2, 2)].decode(), "no link to a deleted report"
    assert report_page("2020-12-29", 2, 3) not in built


def test_a_page_added_to_a_day_is_the_next_of_the_report_that_ended_the_day(tmp_path):
    """A report at its page's end links to the next 版 (article.html): a 版 added to its day changes it."""
    content = tmp_path / "content"
    settings = write_settings(tmp_path, "SECTIONS = []\n")
    write_day(content, "2020-12-29")
    build_into(tmp_path / "output", settings, content=str(content), capture=True)
    last = report_page("2020-12-29", 2, 3)
    assert "下一版" not in (tmp_path / "output" / last).read_text(encoding="utf-8")
    write_item(content, "2020-12-29/a03-1.md", "第三版的稿件", date="2020-12-29", page="A03", section="版3", position=1)
    built = assert_same_as_clean_build(tmp_path, settings, content)
    assert "下一版</span> 第A03版：版3" in built[last].decode()


def test_report_pages_of_an_unchanged_edition_are_rendered_again_when_a_report_they_link_to_moves(tmp_path):
    """An edition's key covers where its reports' {filename} links lead, in other editions."""
    content = tmp_path / "content"
    settings = write_settings(tmp_path, "SECTIONS = []\n")
    target = write_item(content, "2020-12-28/a01-1.md", "目标", date="2020-12-28", Slug="target-old")
    write_item(content, "2020-12-29/a01-1.md", "链接", date="2020-12-29", body="正文见[前文]({filename}/2020-12-28/a01-1.md)。")
    write_item(content, "2020-12-29/a01-2.md", "邻篇", date="2020-12-29", position=2)
    build_into(tmp_path / "output", settings, content=str(content), capture=True)
    neighbour = tmp_path / "output" / "2020-12-29/a01/item-2020-12-29-a01-2/index.html"
    written = neighbour.stat().st_ino
    target.write_text(target.read_text(encoding="utf-8").replace("target-old", "target-new"), encoding="utf-8")
    built = assert_same_as_clean_build(tmp_path, settings, content)
    assert 'href="/2020-12-28/a01/target-new/"' in built["2020-12-29/a01/item-2020-12-29-a01-1/index.html"].decode()
    assert neighbour.stat().st_ino == written, "the linking report's neighbour is kept"


def test_a_commit_cut_short_leaves_what_the_next_build_puts_right(tmp_path, monkeypatch):
    """The commit prepares the site beside output/ and exchanges the two last: cut short, output/ is the old site."""
    content = tmp_path / "content"
    settings = write_settings(tmp_path, "SECTIONS = []\nDEFAULT_PAGINATION = 4\n")
    write_day(content, "2020-12-29")
    build_into(tmp_path / "output", settings, content=str(content), capture=True)
    before = files(tmp_path / "output")
    edited = content / "2020-12-29/a01-2.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("正文。", "改过的正文。"), encoding="utf-8")
    write_day(content, "2020-12-30")

    moves = []

    def sixth(target):
        if len(moves) == 5:
            return True
        moves.append(target)
        return False

    build_cut_short(monkeypatch, sixth, tmp_path / "output", settings, content)
    assert len(moves) == 5
    assert files(tmp_path / "output") == before
    assert_same_as_clean_build(tmp_path, settings, content)


def build_cut_short(monkeypatch, stop, output, settings, content, call="replace"):
    """A staged build whose commit stops, as a machine going down, at the first move stop(target) is true of.
    Moves are renames (os.replace) of the staged files into the site being prepared beside output/."""
    import staging.commit

    rename = getattr(os, call)

    def moved(source, target):
        if stop(str(target)):
            raise OSError("the machine went down")
        rename(source, target)

    with monkeypatch.context() as patch:
        patch.setattr(staging.commit.os, call, moved)
        with pytest.raises(OSError):
            build_into(output, settings, content=str(content), capture=True)


def prepared(output):
    """The site a commit prepares beside output/ (and output's previous site once it has exchanged them)."""
    return output.parent / f".{output.name}.previous"


def test_pages_a_commit_cut_short_moved_in_are_rendered_again_when_their_report_goes_back(tmp_path, monkeypatch):
    """The edited page is in the site being prepared, its digest is not: the report put back as it was must not leave it."""
    content = tmp_path / "content"
    settings = write_settings(tmp_path, "SECTIONS = []\nDEFAULT_PAGINATION = 4\n")
    write_day(content, "2020-12-29")
    build_into(tmp_path / "output", settings, content=str(content), capture=True)
    edited = content / "2020-12-29/a01-2.md"
    original = edited.read_text(encoding="utf-8")
    edited.write_text(original.replace("正文。", "错误的正文。"), encoding="utf-8")
    build_cut_short(monkeypatch, lambda target: target.endswith(".build-digests.json"), tmp_path / "output", settings, content)
    page = "2020-12-29/a01/item-2020-12-29-a01-2/index.html"
    assert "错误的正文" in (prepared(tmp_path / "output") / page).read_text(encoding="utf-8")
    assert "错误的正文" not in (tmp_path / "output" / page).read_text(encoding="utf-8"), "output/ is the old site"
    edited.write_text(original, encoding="utf-8")
    final = assert_same_as_clean_build(tmp_path, settings, content)
    assert not any("错误的正文".encode() in page for page in final.values())


def test_a_week_closed_after_a_commit_cut_short_is_indexed_from_its_pages_as_built(tmp_path, monkeypatch):
    """The week a new day closes is indexed from its pages as this build has them, not as a commit cut short left them."""
    content, output = tmp_path / "content", tmp_path / "output"
    settings = write_settings(tmp_path, "SECTIONS = []\n")
    for date in ("2020-12-26", "2020-12-27"):
        write_day(content, date)
    build_into(output, settings, content=str(content), capture=True)
    edited = content / "2020-12-27/a01-2.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("正文。", "改过的正文。"), encoding="utf-8")
    # Down after the search shards and their list moved in, before the edited page did.
    build_cut_short(monkeypatch, lambda target: target.endswith("item-2020-12-27-a01-2/index.html"), output, settings, content)
    write_day(content, "2020-12-28")
    build_into(output, settings, content=str(content), capture=True)
    assert "改过的正文" in shard_texts(output, "2020-W52")["/2020-12-27/a01/item-2020-12-27-a01-2/"]
    assert_same_as_clean_build(tmp_path, settings, content)


def test_a_page_a_commit_cut_short_added_goes_when_its_report_does(tmp_path, monkeypatch):
    content = tmp_path / "content"
    settings = write_settings(tmp_path, "SECTIONS = []\n")
    write_day(content, "2020-12-29")
    build_into(tmp_path / "output", settings, content=str(content), capture=True)
    added = write_item(content, "2020-12-29/a09-1.md", "新增的稿件", date="2020-12-29", page="A09", section="版9", people="记者:赵六")
    build_cut_short(monkeypatch, lambda target: target.endswith(".build-digests.json"), tmp_path / "output", settings, content)
    assert (prepared(tmp_path / "output") / "2020-12-29/a09/item-2020-12-29-a09-1/index.html").exists()
    assert not (tmp_path / "output/2020-12-29/a09").exists(), "output/ is the old site"
    added.unlink()
    final = assert_same_as_clean_build(tmp_path, settings, content)
    assert not [name for name in final if "a09" in name or "zhao-liu" in name]


def test_a_build_in_place_after_a_commit_cut_short_renders_the_page_once_and_indexes_it(tmp_path, monkeypatch):
    from conftest import run_pelican

    content, output = tmp_path / "content", tmp_path / "output"
    settings = write_settings(tmp_path, f"SECTIONS = []\nCACHE_PATH = {str(tmp_path / 'cache')!r}\n")
    write_day(content, "2020-12-29")
    build_into(output, settings, content=str(content), capture=True)
    edited = content / "2020-12-29/a01-2.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("正文。", "改过的正文。"), encoding="utf-8")
    build_cut_short(monkeypatch, lambda target: target.endswith(".build-digests.json"), output, settings, content)
    page = output / "2020-12-29/a01/item-2020-12-29-a01-2/index.html"
    assert "改过的正文" not in page.read_text(encoding="utf-8"), "output/ is the old site"
    written = []
    for _ in range(2):
        result = run_pelican(content, output, settings)
        assert result.returncode == 0, result.stderr
        written.append(page.stat().st_mtime_ns)
    assert written[0] == written[1], "the second build in place renders the page no more"
    assert "改过的正文" in page.read_text(encoding="utf-8")
    assert "改过的正文" in shard_texts(output, "2020-12-29")["/2020-12-29/a01/item-2020-12-29-a01-2/"]


def test_a_search_shard_a_commit_cut_short_moved_in_is_indexed_again_when_its_report_goes_back(tmp_path, monkeypatch):
    content, output = tmp_path / "content", tmp_path / "output"
    settings = write_settings(tmp_path, "SECTIONS = []\n")
    write_day(content, "2020-12-27")
    build_into(output, settings, content=str(content), capture=True)
    edited = content / "2020-12-27/a01-2.md"
    original = edited.read_text(encoding="utf-8")
    edited.write_text(original.replace("正文。", "错误的正文。"), encoding="utf-8")
    # Down after the day's shard moved into the site being prepared, before the list of shards (with its digest) did.
    build_cut_short(monkeypatch, lambda target: target.endswith("pagefind/shards.json"), output, settings, content)
    assert "错误的正文" in shard_texts(prepared(output), "2020-12-27")["/2020-12-27/a01/item-2020-12-27-a01-2/"]
    assert "错误的正文" not in shard_texts(output, "2020-12-27")["/2020-12-27/a01/item-2020-12-27-a01-2/"], "output/ is the old site"
    edited.write_text(original, encoding="utf-8")
    build_into(output, settings, content=str(content), capture=True)
    assert "错误的正文" not in shard_texts(output, "2020-12-27")["/2020-12-27/a01/item-2020-12-27-a01-2/"]


def test_list_and_feed_entries_of_items_shown_again_are_kept_and_used_by_the_next_build(tmp_path):
    """Kept only for items on the newest page of a list or in a feed; taken by the next build, not made again."""
    import re
    import sqlite3

    content = tmp_path / "content"
    settings = write_settings(tmp_path, "SECTIONS = []\nDEFAULT_PAGINATION = 4\nFEED_MAX_ITEMS = 4\n")
    for date in ("2020-12-27", "2020-12-28", "2020-12-29"):
        write_day(content, date)
    build_into(tmp_path / "output", settings, content=str(content), capture=True)
    (table,) = (tmp_path / "cache").glob("articles-*/fragments.sqlite")
    output = tmp_path / "output"

    def kept_and_shown():
        newest = [path for path in output.glob("*/*/index.html") if path.parts[-3] in ("tags", "reporters", "sections")]
        shown = set()
        for path in [*newest, *output.glob("feeds/**/*.xml")]:
            shown.update(re.findall(r"(\d{4}-\d{2}-\d{2})/a\d\d/item-\1-(a\d\d-\d)/", path.read_text(encoding="utf-8")))
        with sqlite3.connect(table) as db:
            rows = db.execute("SELECT path, kind FROM fragments").fetchall()
        assert {kind[:4] for _, kind in rows} == {"list", "feed"}
        return {(path.rsplit("/", 2)[-2], path.rsplit("/", 1)[-1].removesuffix(".md")) for path, _ in rows}, shown

    kept, shown = kept_and_shown()
    assert kept <= shown, "only items shown again are kept"
    assert ("2020-12-27", "a01-1") not in kept, "an item on no newest page and in no feed is not kept"
    assert ("2020-12-28", "a01-1") in kept

    with sqlite3.connect(table) as db:
        db.execute("UPDATE fragments SET text = text || '<!-- kept -->' WHERE kind LIKE 'list entry%'")
    write_day(content, "2020-12-30")
    build_into(tmp_path / "output", settings, content=str(content), capture=True)
    newest_of_a_tag = (output / "tags/biao-qian-1/index.html").read_text(encoding="utf-8")
    assert newest_of_a_tag.count("<!-- kept -->") == 2, "the two older items on the page come from the table, the two new ones are made"
    kept, shown = kept_and_shown()
    assert kept <= shown and ("2020-12-28", "a01-1") not in kept, "the pieces of items no longer shown again go"


@pytest.mark.parametrize("damage", ["lost", "not a database"])
def test_reports_whose_stored_bodies_are_lost_are_rendered_from_their_files(tmp_path, damage):
    """Bodies are kept in a table beside Pelican's cache; without it, a cached report's body is read again."""
    content = tmp_path / "content"
    settings = write_settings(tmp_path, "SECTIONS = []\nDEFAULT_PAGINATION = 4\n")
    write_day(content, "2020-12-29")
    build_into(tmp_path / "output", settings, content=str(content), capture=True)
    (table,) = (tmp_path / "cache").glob("articles-*/bodies.sqlite")
    table.unlink()
    if damage == "not a database":
        table.write_bytes(b"not a database " * 1000)
    # The new day puts the cached reports' full text into feeds written again.
    write_day(content, "2020-12-30")
    pages = assert_same_as_clean_build(tmp_path, settings, content)
    assert pages["feeds/all.atom.xml"].decode().count("本报讯(记者张三)正文。") == 12  # the text, not its summary (正文。)


def test_a_feed_made_of_reused_entries_is_the_feed_feedgenerator_writes():
    import datetime
    import io

    from feedgenerator import Atom1Feed

    from site_build.pelican_internals import ReusedEntriesFeed

    def write(cls, first):
        feed = Atom1Feed(title="平顶山日报", link="https://example.org/", feed_url="https://example.org/feeds/all.atom.xml", description="")
        for number in (first, first + 1):
            date = datetime.datetime(2020, 12, 30, 8, number, tzinfo=datetime.UTC)
            content = f"<p>第{number}篇 & <b>正文</b></p>"
            feed.add_item(
                title=f"报道{number}",
                link=f"https://example.org/{number}/",
                description="",
                content=content,
                pubdate=date,
                author_name="张亚丹",
                categories=["湛河区", "换届"],
            )
        feed.__class__ = cls
        buffer = io.StringIO()
        feed.write(buffer, "utf-8")
        return buffer.getvalue(), feed.items

    plain, _ = write(Atom1Feed, 1)
    reused, items = write(ReusedEntriesFeed, 1)
    assert reused == plain
    again = ReusedEntriesFeed(title="平顶山日报", link="https://example.org/", feed_url="https://example.org/feeds/all.atom.xml", description="")
    again.items = items  # the same entries in a second feed: their XML is written as it was made
    buffer = io.StringIO()
    again.write(buffer, "utf-8")
    assert buffer.getvalue() == plain
    assert all(item.get("_entry_xml", "").startswith("<entry>") for item in items)


def test_a_staged_build_is_committed_page_by_page(tmp_path):
    import json

    from staging.commit import commit

    def tree(root, files):
        for name, text in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text, encoding="utf-8")

    output, fresh = tmp_path / "output", tmp_path / "fresh"
    tree(output, {
        "index.html": "old front", "index.html.gz": "old front, compressed",
        "2020-12-29/a01/gone/index.html": "deleted report", "2020-12-29/a01/gone/index.html.br": "its copy",
        "2020-12-29/a01/kept/index.html": "unchanged report", "2020-12-29/a01/kept/index.html.gz": "its copy, still good",
        "theme/css/old.css": "old theme",
        "pagefind/2020-W52/pagefind.js": "old week", "pagefind/2020-W53/pagefind.js": "unchanged week", "pagefind/2019-W01/pagefind.js": "week gone",
    })  # fmt: skip
    tree(fresh, {
        "index.html": "new front", "2020-12-30/a01/new/index.html": "new report", "theme/css/edition.css": "new theme",
        "pagefind/2020-W52/pagefind.js": "new week", ".build-removed.json": json.dumps(["2020-12-29/a01/gone/index.html", "theme/css/old.css"]),
        "pagefind/shards.json": json.dumps({"shards": [{"name": "2020-W53"}, {"name": "2020-W52"}]}),
    })  # fmt: skip
    (fresh / "2020-12-29/a01/kept").mkdir(parents=True)
    os.link(output / "2020-12-29/a01/kept/index.html", fresh / "2020-12-29/a01/kept/index.html")  # as the search indexer links it
    old = {path.relative_to(output).as_posix(): path.read_text(encoding="utf-8") for path in output.rglob("*") if path.is_file()}
    commit(fresh, output)
    assert {path.relative_to(output).as_posix(): path.read_text(encoding="utf-8") for path in output.rglob("*") if path.is_file()} == {
        "index.html": "new front", "2020-12-30/a01/new/index.html": "new report",
        "2020-12-29/a01/kept/index.html": "unchanged report", "2020-12-29/a01/kept/index.html.gz": "its copy, still good",
        "theme/css/edition.css": "new theme", "pagefind/2020-W52/pagefind.js": "new week", "pagefind/2020-W53/pagefind.js": "unchanged week",
        "pagefind/shards.json": json.dumps({"shards": [{"name": "2020-W53"}, {"name": "2020-W52"}]}),
    }, "a page written again loses its old compressed copy; a deleted one goes with its copies; gone weeks go"  # fmt: skip
    assert not (output / "2020-12-29/a01/gone").exists(), "an emptied folder goes too"
    previous = prepared(output)
    assert {path.relative_to(previous).as_posix(): path.read_text(encoding="utf-8") for path in previous.rglob("*") if path.is_file()} == old, (
        "the site before stays beside it"
    )
    assert (previous / "2020-12-29/a01/kept/index.html").stat().st_ino == (output / "2020-12-29/a01/kept/index.html").stat().st_ino, (
        "sharing its unchanged files"
    )


def test_a_page_written_again_keeps_its_new_compressed_copies(tmp_path):
    """Whatever order the file system lists a page and its copies in."""
    from staging.commit import commit

    output, fresh = tmp_path / "output", tmp_path / "fresh"
    folders = [f"tags/t{number}" for number in range(30)]
    for root, text in ((output, "old"), (fresh, "new")):
        for folder in folders:
            (root / folder).mkdir(parents=True)
            for name in ("index.html", "index.html.gz", "index.html.br"):
                (root / folder / name).write_text(f"{text} {name}", encoding="utf-8")
    commit(fresh, output)
    for folder in folders:
        assert sorted(path.read_text(encoding="utf-8") for path in (output / folder).iterdir()) == ["new index.html", "new index.html.br", "new index.html.gz"]


def test_reports_kept_by_pelicans_cache_follow_a_change_of_settings(tmp_path):
    """Pelican's cache keeps each report between builds; settings that shape a report start a new cache."""
    content = tmp_path / "content"
    write_day(content, "2020-12-30", pages=1, items=1)
    build_into(tmp_path / "output", write_settings(tmp_path, "SECTIONS = []\n"), content=str(content), capture=True)
    assert len(list((tmp_path / "cache").glob("articles-*/articles.sqlite"))) == 1, "the reports were cached"
    build_into(tmp_path / "output", write_settings(tmp_path, "SECTIONS = []\nTAG_SLUGS = {'共同': 'shared'}\n"), content=str(content), capture=True)
    page = (tmp_path / "output/2020-12-30/a01/item-2020-12-30-a01-1/index.html").read_text(encoding="utf-8")
    assert 'href="/tags/shared/"' in page and "gong-tong" not in page, "the report was read again with the new slug"
    # The check's cache keeps no bodies: the body was read from the file again.
    assert "正文。" in page
    assert len(list((tmp_path / "cache").glob("articles-*"))) == 1, "the old cache is gone"


def test_templates_compiled_by_an_earlier_build_are_not_used_once_jinjas_options_change(tmp_path):
    """Builds keep the templates they compiled (Jinja's bytecode cache, in cache/templates-<digest of
    the options>): options that change what a template compiles to compile it again."""
    content = tmp_path / "content"
    write_day(content, "2020-12-30", pages=1, items=2)
    page = "2020-12-30/a01/item-2020-12-30-a01-1/index.html"
    build_into(tmp_path / "output", write_settings(tmp_path, "SECTIONS = []\n"), content=str(content), capture=True)
    assert list((tmp_path / "cache").glob("templates-*/*")), "the templates compiled were kept"
    before = (tmp_path / "output" / page).read_bytes()
    options = "SECTIONS = []\nJINJA_ENVIRONMENT = JINJA_ENVIRONMENT | {'trim_blocks': False}\n"
    build_into(tmp_path / "output", write_settings(tmp_path, options), content=str(content), capture=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    build_into(elsewhere / "output", write_settings(elsewhere, options + f"CACHE_PATH = {str(elsewhere / 'cache')!r}\n"), content=str(content), capture=True)
    after = (tmp_path / "output" / page).read_bytes()
    assert after != before and after == (elsewhere / "output" / page).read_bytes(), "the page as a build that never compiled it before makes it"


def test_pages_rendered_by_forked_workers_equal_pages_rendered_in_one_process(tmp_path):
    """Workers render chunks of pages in date order, and feed entries are shared and dropped: none of it shows."""
    write_corpus(tmp_path / "content", 300)
    outputs = {}
    for processes in (1, 2):
        folder = tmp_path / f"processes-{processes}"
        folder.mkdir()
        settings = write_settings(folder, f"SECTIONS = {SECTIONS!r}\nBUILD_PROCESSES = {processes}\nRENDER_WORKERS_FROM = 200\n")
        build_into(folder / "output", settings, content=str(tmp_path / "content"), capture=True)
        outputs[processes] = files(folder / "output")
    assert len(outputs[1]) > 600, "enough pages for workers to be used"
    assert outputs[1].keys() == outputs[2].keys()
    assert [name for name in outputs[1] if outputs[1][name] != outputs[2][name]] == []


def test_a_page_is_unchanged_only_with_the_same_digest_and_its_file_still_there(tmp_path):
    from incremental.writer import judge

    class Writer:
        def job_digest(self, base, job):
            number = int(job[1].split("-")[1].split("/")[0])
            return None if number % 7 == 0 else f"{base}-{number % 5}"  # None: always rendered

    jobs = [("file", f"page-{number}/index.html", (), {}) for number in range(60)]
    last, previous = tmp_path / "last", {}
    for number in range(0, 60, 2):  # the last build had every other page, some of them with other digests
        (last / f"page-{number}").mkdir(parents=True)
        (last / f"page-{number}/index.html").write_text("old", encoding="utf-8")
        previous[f"page-{number}/index.html"] = f"base-{number % 5}" if number % 3 else "other"
    (last / "page-10/index.html").unlink()  # listed, but gone from the folder (by hand)
    judged = judge(Writer(), "base", previous, str(last), jobs)
    assert [value for value, _ in judged] == [Writer().job_digest("base", job) for job in jobs]
    unchanged = {job[1] for job, (_, same) in zip(jobs, judged, strict=True) if same}
    assert unchanged == {f"page-{n}/index.html" for n in range(0, 60, 2) if n % 7 and n % 3 and n != 10}


def test_a_report_page_gone_by_hand_from_the_last_build_is_written_again_and_the_others_carried(tmp_path):
    """A new day carries the archive's report pages from the last build (incremental.writer's carry),
    unless a page's file is no longer there: that one is written again, as a clean build writes it."""
    content = tmp_path / "content"
    settings = write_settings(tmp_path, "SECTIONS = []\n")
    for date in ("2020-12-28", "2020-12-29"):
        write_day(content, date)
    build_into(tmp_path / "output", settings, content=str(content), capture=True)
    gone, other = sorted((tmp_path / "output/2020-12-28").glob("*/*/index.html"))[:2]
    written = other.stat().st_ino
    name = gone.relative_to(tmp_path / "output")
    for site in ("output", ".output.previous"):  # the site, and the twin its next commit is made in (staging.trees)
        (tmp_path / site / name).unlink()
    write_day(content, "2020-12-30")
    assert_same_as_clean_build(tmp_path, settings, content)
    assert gone.is_file()
    assert other.stat().st_ino == written, "the edition's other report pages were carried, not written"


def test_a_month_sitemap_is_carried_until_one_of_its_editions_changes(tmp_path):
    """A month's sitemap (news_meta) is the last build's while its editions' keys are: a new day in
    December leaves November's as it was; a report gone from November makes it again, as a clean build does."""
    content = tmp_path / "content"
    settings = write_settings(tmp_path, "SECTIONS = []\n")
    for date in ("2020-11-29", "2020-11-30", "2020-12-01"):
        write_day(content, date)
    build_into(tmp_path / "output", settings, content=str(content), capture=True)
    november = tmp_path / "output/sitemaps/2020-11.xml"
    written = november.stat().st_ino
    write_day(content, "2020-12-02")
    built = assert_same_as_clean_build(tmp_path, settings, content)
    assert november.stat().st_ino == written, "November's sitemap carried"
    assert "<loc>/2020-12-02/</loc>" in built["sitemaps/2020-12.xml"].decode()
    (content / "2020-11-29/a02-3.md").unlink()
    built = assert_same_as_clean_build(tmp_path, settings, content)
    assert november.stat().st_ino != written
    assert built["sitemaps/2020-11.xml"].decode().count("<loc>/2020-11-29/a02/") == 3, "the page and its two reports left"


def test_the_sitemap_parts_an_older_build_made_of_50000_urls_go_with_the_next_build(tmp_path):
    """Before the sitemaps were made per month, an archive past 50,000 URLs had sitemap-1.xml, … beside
    sitemap.xml, which no manifest names: the next build removes them, as a clean build has none."""
    content = tmp_path / "content"
    settings = write_settings(tmp_path, "SECTIONS = []\n")
    write_day(content, "2020-12-28")
    build_into(tmp_path / "output", settings, content=str(content), capture=True)
    for site in ("output", ".output.previous"):  # as the last build left them: the site and its twin (staging.trees)
        for name in ("sitemap-1.xml", "sitemap-2.xml"):
            (tmp_path / site / name).write_text('<?xml version="1.0" encoding="UTF-8"?>\n<urlset/>\n', encoding="utf-8")
    write_day(content, "2020-12-29")
    assert_same_as_clean_build(tmp_path, settings, content)
    assert not (tmp_path / "output/sitemap-1.xml").exists() and not (tmp_path / "output/sitemap-2.xml").exists()


def test_a_build_in_place_removes_the_files_gone_with_their_compressed_copies(tmp_path):
    from incremental.writer import remove_stale

    for name in ("sitemaps/2020-11-2.xml", "sitemaps/2020-11-2.xml.gz", "sitemaps/2020-11-2.xml.br", "sitemaps/2020-12.xml", "sitemaps/2020-12.xml.gz"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    remove_stale(str(tmp_path), {"sitemaps/2020-11-2.xml", "sitemap-1.xml"})
    assert sorted(path.name for path in (tmp_path / "sitemaps").iterdir()) == ["2020-12.xml", "2020-12.xml.gz"]


def test_numbered_list_pages_are_carried_only_when_they_and_the_page_after_them_are_older_than_every_change(tmp_path):
    import datetime
    from types import SimpleNamespace

    from incremental.writer import carry_old_list_pages
    from listings.pages import paginate

    day = datetime.date(2020, 12, 1)
    # 11 items, newest first, one a day: pages of 2 numbered from the oldest (1: days 1-2, …, 5: days 9-10), and the first.
    items = [SimpleNamespace(date=datetime.datetime.combine(day + datetime.timedelta(days=n), datetime.time(8))) for n in range(10, -1, -1)]
    pages = paginate(items, 2, "tags/t/", "tags/t/index.html", "tags/t/page/{number}/", "tags/t/page/{number}/index.html")
    jobs = [("file", page.save_as, (), {"listing": page}) for page in pages] + [("feed", "feeds/t.atom.xml", (), {})]
    last, previous = tmp_path / "last", {}
    for page in pages:
        (last / page.save_as).parent.mkdir(parents=True, exist_ok=True)
        (last / page.save_as).write_text("old", encoding="utf-8")
        previous[page.save_as] = f"value of {page.save_as}"
    (last / "tags/t/page/2/index.html").unlink()  # listed, but gone from the folder (by hand)

    carried, left = carry_old_list_pages(jobs, day + datetime.timedelta(days=8), previous, str(last))
    # Page 4 holds days 7-8, page 5 days 9-10: 5 is newer than the oldest change (day 9), so 4 is not carried.
    assert carried == {f"tags/t/page/{n}/index.html": f"value of tags/t/page/{n}/index.html" for n in (1, 3)}
    assert [job[1] for job in left] == [
        "tags/t/index.html",
        "tags/t/page/5/index.html",
        "tags/t/page/4/index.html",
        "tags/t/page/2/index.html",
        "feeds/t.atom.xml",
    ]
    assert carry_old_list_pages(jobs, day, previous, str(last)) == ({}, jobs), "a change on the first day: nothing carried"


@pytest.mark.parametrize(
    "change",
    [
        "a day added",
        "a new page of the list",
        "a tag taken off an old report",
        "a tag taken off the newest report",
        "an old day deleted",
        "an old report moved to a new day",
    ],
)
def test_list_pages_carried_from_the_last_build_are_those_a_clean_build_makes(tmp_path, change):
    """Numbered list pages older than every change are carried without being digested
    (incremental.writer.carry_old_list_pages); every kind of change to the archive before them
    must leave none carried wrongly."""
    content = tmp_path / "content"
    settings = write_settings(tmp_path, "SECTIONS = []\nDEFAULT_PAGINATION = 2\n")
    dates = [f"2020-12-{day:02d}" for day in range(21, 27)]
    for date in dates:
        write_day(content, date, pages=1, items=3)  # three items a day, all tagged 共同: 18 items, 9 numbered pages
    build_into(tmp_path / "output", settings, content=str(content), capture=True)
    numbered = tmp_path / "output/tags/gong-tong/page/1/index.html"
    written = numbered.stat().st_ino
    if change == "a day added":
        write_day(content, "2020-12-27", pages=1, items=2)
    elif change == "a new page of the list":
        write_day(content, "2020-12-27", pages=1, items=1)
    elif change == "a tag taken off an old report":
        old = content / "2020-12-22/a01-2.md"
        old.write_text(old.read_text(encoding="utf-8").replace("、共同", ""), encoding="utf-8")
    elif change == "a tag taken off the newest report":
        # 标签1 is on one report a day: 6 items, numbered pages 1-3. With 5, page 2 is the newest: its link to page 3 goes.
        newest = content / "2020-12-26/a01-1.md"
        newest.write_text(newest.read_text(encoding="utf-8").replace("标签1、", ""), encoding="utf-8")
    elif change == "an old day deleted":
        for path in (content / "2020-12-22").iterdir():
            path.unlink()
    else:
        (content / "2020-12-27").mkdir()
        old = content / "2020-12-22/a01-3.md"
        old.rename(content / "2020-12-27/a01-3.md")
        moved = content / "2020-12-27/a01-3.md"
        moved.write_text(moved.read_text(encoding="utf-8").replace("2020-12-22", "2020-12-27"), encoding="utf-8")
    built = assert_same_as_clean_build(tmp_path, settings, content)
    assert "tags/gong-tong/page/1/index.html" in built
    if change in ("a day added", "a new page of the list"):
        assert numbered.stat().st_ino == written, "the oldest page of the list is the last build's"


def test_a_fresh_checkout_reads_and_writes_only_what_changed_given_the_last_build(tmp_path):
    """A checkout gives every file a new time: reports are known by their bytes, so CI, given
    the last build's cache/ and output/, reads and renders only what a commit changed."""
    import time

    content = tmp_path / "content"
    settings = write_settings(tmp_path, "SECTIONS = []\nDEFAULT_PAGINATION = 4\n")
    for date in ("2020-12-28", "2020-12-29"):
        write_day(content, date)
    assert "12 item(s) read, 0 kept from the last build" in build_into(tmp_path / "output", settings, content=str(content), capture=True)
    report = tmp_path / "output/2020-12-28/a01/item-2020-12-28-a01-1/index.html"
    written = report.stat().st_ino

    later = time.time() + 3600
    for path in content.rglob("*.md"):
        os.utime(path, (later, later))
    assert "0 item(s) read, 12 kept from the last build" in build_into(tmp_path / "output", settings, content=str(content), capture=True)
    assert report.stat().st_ino == written, "an unchanged report's page is not written again"

    edited = content / "2020-12-29/a01-2.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("正文。", "改过的正文。"), encoding="utf-8")
    assert "1 item(s) read, 11 kept from the last build" in build_into(tmp_path / "output", settings, content=str(content), capture=True)
    assert "改过的正文" in (tmp_path / "output/2020-12-29/a01/item-2020-12-29-a01-2/index.html").read_text(encoding="utf-8")
    assert report.stat().st_ino == written


def folder_rows(table):
    """{folder: (rowid, the keys of its files)} of a cache table (build_cache.rows)."""
    import sqlite3

    from build_cache.rows import keys_of

    with sqlite3.connect(table) as db:
        return {
            folder: (rowid, sorted(key.rsplit("/", 1)[-1] for key in keys_of(value)))
            for rowid, folder, value in db.execute("SELECT rowid, folder, value FROM rows")
        }


@pytest.mark.parametrize("damage", [None, "not a database"])
def test_the_check_parses_only_files_that_changed_and_a_damaged_cache_is_made_anew(tmp_path, damage):
    """A source taken from the check's cache comes without its text (body None); one parsed now has it."""
    from build_cache.checked_codec import CheckedSources
    from content_schema.check import check_tree

    content, cache = tmp_path / "content", CheckedSources(str(tmp_path / "cache" / "checked.sqlite"))
    write_day(content, "2020-12-29", pages=1, items=2)
    write_day(content, "2020-12-30", pages=1, items=3)
    for path in content.rglob("*.md"):  # saved a while before the check (one saved just now is read again once)
        os.utime(path, (path.stat().st_atime - 60, path.stat().st_mtime - 60))
    edited = content / "2020-12-30/a01-2.md"

    def parsed_now():
        sources, problems = check_tree(content, {"SECTIONS": []}, cache=cache)
        assert problems == []
        return sorted(source.path.rsplit("/", 1)[-1] for source in sources if source.body is not None)

    assert parsed_now() == ["a01-1.md", "a01-1.md", "a01-2.md", "a01-2.md", "a01-3.md"]
    before = folder_rows(cache.path)
    edited.write_text(edited.read_text(encoding="utf-8").replace("正文。", "改过的正文。"), encoding="utf-8")
    if damage:
        (tmp_path / "cache" / "checked.sqlite").write_bytes(b"not a database " * 1000)
    assert parsed_now() == (["a01-1.md", "a01-1.md", "a01-2.md", "a01-2.md", "a01-3.md"] if damage else ["a01-2.md"])
    assert parsed_now() == []
    rows = folder_rows(cache.path)
    assert {folder.rsplit("/", 1)[-1]: names for folder, (_, names) in rows.items()} == {
        "2020-12-29": ["a01-1.md", "a01-2.md"],
        "2020-12-30": ["a01-1.md", "a01-2.md", "a01-3.md"],
    }, "one row per folder"
    if not damage:
        (day_before,) = [folder for folder in rows if folder.endswith("2020-12-29")]
        assert rows[day_before] == before[day_before], "the row of a folder with nothing changed is not written again"
    (content / "2020-12-30/a01-3.md").unlink()
    assert parsed_now() == []
    assert [names for folder, (_, names) in folder_rows(cache.path).items() if folder.endswith("2020-12-30")] == [["a01-1.md", "a01-2.md"]], (
        "a deleted file goes from its folder's row"
    )
    for name in ("a01-1.md", "a01-2.md"):
        (content / "2020-12-29" / name).unlink()
    assert parsed_now() == []
    assert [folder.rsplit("/", 1)[-1] for folder in folder_rows(cache.path)] == ["2020-12-30"], "an emptied folder's row goes"


def test_a_file_saved_again_at_the_same_size_and_time_as_the_check_read_it_is_read_again(tmp_path):
    """The file system's clock moves in steps: a file saved twice within one keeps its time."""
    from build_cache.checked_codec import CheckedSources
    from content_schema.check import check_tree

    content, cache = tmp_path / "content", CheckedSources(str(tmp_path / "cache" / "checked.sqlite"))
    write_day(content, "2020-12-30", pages=1, items=1)
    (path,) = content.rglob("*.md")
    assert [source.values["title"] for source in check_tree(content, {"SECTIONS": []}, cache=cache)[0]] == ["2020-12-30 第1版 第1篇"]
    saved = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace("第1篇", "第2篇"), encoding="utf-8")
    os.utime(path, ns=(saved.st_atime_ns, saved.st_mtime_ns))
    assert path.stat().st_size == saved.st_size
    assert [source.values["title"] for source in check_tree(content, {"SECTIONS": []}, cache=cache)[0]] == ["2020-12-30 第1版 第2篇"]


def test_a_file_dated_ahead_of_the_clock_is_read_once_not_at_every_check(tmp_path, monkeypatch):
    from build_cache.checked_codec import CheckedSources
    from content_schema import check

    content, cache = tmp_path / "content", CheckedSources(str(tmp_path / "cache" / "checked.sqlite"))
    write_day(content, "2020-12-30", pages=1, items=1)
    (path,) = content.rglob("*.md")
    ahead = path.stat().st_mtime + 3600  # copied from a machine whose clock is an hour ahead
    os.utime(path, (ahead, ahead))
    check.check_tree(content, {"SECTIONS": []}, cache=cache)
    digested = []
    monkeypatch.setattr(check, "file_digest", lambda name: digested.append(name) or "")
    for _ in range(2):
        check.check_tree(content, {"SECTIONS": []}, cache=cache)
    assert digested == [], "its stamp is kept"


def test_pelicans_cache_keeps_a_row_per_folder_drops_deleted_reports_and_survives_damage(tmp_path):
    content = tmp_path / "content"
    settings = write_settings(tmp_path, "SECTIONS = []\nDEFAULT_PAGINATION = 4\n")
    write_day(content, "2020-12-29")
    write_day(content, "2020-12-30", pages=1, items=2)
    build_into(tmp_path / "output", settings, content=str(content), capture=True)
    (table,) = (tmp_path / "cache").glob("articles-*/articles.sqlite")

    def rows():
        return {folder.rsplit("/", 1)[-1]: row for folder, row in folder_rows(table).items()}

    first = rows()
    assert {day: names for day, (_, names) in first.items()} == {
        "2020-12-29": ["a01-1.md", "a01-2.md", "a01-3.md", "a02-1.md", "a02-2.md", "a02-3.md"],
        "2020-12-30": ["a01-1.md", "a01-2.md"],
    }
    (content / "2020-12-29/a02-3.md").unlink()
    assert "0 item(s) read, 7 kept from the last build" in build_into(tmp_path / "output", settings, content=str(content), capture=True)
    assert rows()["2020-12-29"][1] == ["a01-1.md", "a01-2.md", "a01-3.md", "a02-1.md", "a02-2.md"], "a deleted report goes from its day's row"
    with contextlib.closing(sqlite3.connect(table.with_name("bodies.sqlite"))) as db:
        bodies = sorted(path.rsplit("/", 2)[-2] + "/" + path.rsplit("/", 1)[-1] for (path,) in db.execute("SELECT path FROM bodies"))
    assert bodies == [f"2020-12-29/a0{page}-{n}.md" for page, n in ((1, 1), (1, 2), (1, 3), (2, 1), (2, 2))] + ["2020-12-30/a01-1.md", "2020-12-30/a01-2.md"], (
        "and its body from the table of bodies"
    )
    assert rows()["2020-12-30"] == first["2020-12-30"], "the other day's row is not written again"
    table.write_bytes(b"not a database " * 1000)
    # Forced: with no input changed, a build would otherwise do nothing (publishing.inputs).
    assert "7 item(s) read, 0 kept from the last build" in build_into(tmp_path / "output", settings, content=str(content), capture=True, force=True)
    assert sum(len(names) for _, names in rows().values()) == 7, "a damaged table is made anew"
    assert "0 item(s) read, 7 kept from the last build" in build_into(tmp_path / "output", settings, content=str(content), capture=True, force=True)
    table.write_bytes(b"not a database " * 1000)
    (content / "2020-12-30/a01-2.md").unlink()
    assert "6 item(s) read, 0 kept from the last build" in build_into(tmp_path / "output", settings, content=str(content), capture=True, force=True)
    with contextlib.closing(sqlite3.connect(table.with_name("bodies.sqlite"))) as db:
        assert not [path for (path,) in db.execute("SELECT path FROM bodies") if path.endswith("2020-12-30/a01-2.md")], (
            "without the last build's rows, the bodies of files gone are found by reading the table"
        )


def shard_texts(output, shard):
    """{url: indexed text} of one search shard (Pagefind's fragments: gzip of pagefind_dcd + JSON)."""
    import gzip
    import json

    texts = {}
    for path in (output / "pagefind" / shard / "fragment").iterdir():
        fragment = json.loads(gzip.decompress(path.read_bytes()).removeprefix(b"pagefind_dcd"))
        texts[fragment["url"]] = fragment["content"].replace("\u200b", "")  # Pagefind marks its word breaks
    return texts


def shard_names(output):
    import json

    return [shard["name"] for shard in json.loads((output / "pagefind/shards.json").read_text(encoding="utf-8"))["shards"]]


def test_a_new_day_is_indexed_alone_and_the_week_it_closes_is_indexed_from_the_last_build(tmp_path):
    """The day before gains a link to the new edition, outside its reports: that changes no index."""
    content, output = tmp_path / "content", tmp_path / "output"
    settings = write_settings(tmp_path, "SECTIONS = []\n")
    for date in ("2020-12-20", "2020-12-26", "2020-12-27"):  # Sunday of 2020-W51; Saturday and Sunday of 2020-W52
        write_day(content, date)
    build_into(output, settings, content=str(content), capture=True)
    assert shard_names(output) == ["2020-12-27", "2020-12-26", "2020-W51"], "a shard a day in the newest week"

    def entry(shard):
        return (output / "pagefind" / shard / "pagefind-entry.json").stat().st_ino

    week_before = entry("2020-W51")
    write_day(content, "2020-12-28")  # Monday: 2020-W53, and 2020-W52 is closed
    build_into(output, settings, content=str(content), capture=True)
    assert 'href="/2020-12-28/"' in (output / "2020-12-27/index.html").read_text(encoding="utf-8"), "the edition before links to the new one"
    assert shard_names(output) == ["2020-12-28", "2020-W52", "2020-W51"]
    assert not (output / "pagefind/2020-12-27").exists(), "the days of a closed week are one shard"
    assert len(shard_texts(output, "2020-W52")) == 12 and entry("2020-W51") == week_before
    new_day, closed = entry("2020-12-28"), entry("2020-W52")
    write_day(content, "2020-12-29")
    build_into(output, settings, content=str(content), capture=True)
    assert shard_names(output) == ["2020-12-29", "2020-12-28", "2020-W52", "2020-W51"]
    assert (entry("2020-12-28"), entry("2020-W52")) == (new_day, closed), "a new day indexes its own day only"
    assert search_pages(output) == 5 * 6


def search_index(output):
    """The search index as readers get it: each shard (name and wave, newest first) with {url: indexed text}."""
    import json

    listing = json.loads((output / "pagefind/shards.json").read_text(encoding="utf-8"))["shards"]
    return [(shard["name"], shard["wave"], shard_texts(output, shard["name"])) for shard in listing]


def test_the_search_page_searches_the_newest_shards_first_in_waves_that_widen_with_age():
    from edition_search import shards_of, waves_of

    pages = [f"{date}/a01/x/index.html" for date in ("2020-12-30", "2020-12-28", "2020-12-27", "2020-12-20", "2020-11-29", "2020-06-01", "2018-01-01")]
    shards = shards_of(pages)
    assert waves_of(shards) == {"2020-12-30": 0, "2020-12-28": 0, "2020-W52": 0, "2020-W51": 1, "2020-W48": 1, "2020-W23": 3, "2018-W01": 4}
    assert waves_of(shards, (1,)) == {"2020-12-30": 0, "2020-12-28": 1, "2020-W52": 1, "2020-W51": 1, "2020-W48": 1, "2020-W23": 1, "2018-W01": 1}
    assert waves_of({}) == {}


@pytest.mark.parametrize("waves", ["(35, 7)", "(0, 7)", "7", "(7, 7)", "(7.5, 35)", "('7', '35')"])
def test_search_waves_the_search_page_cannot_go_by_stop_the_build_before_it_writes_anything(tmp_path, waves):
    content, output = tmp_path / "content", tmp_path / "output"
    write_day(content, "2020-12-28")
    settings = write_settings(tmp_path, f"SECTIONS = []\nSEARCH_WAVES = {waves}\n")
    result = run_pelican(content, output, settings)
    assert result.returncode != 0
    assert f"SEARCH_WAVES: {waves} is not a list of days — whole numbers above 0, each more than the one before" in result.stderr
    assert "Traceback" not in result.stderr
    assert not output.exists()


def test_a_day_added_to_an_archive_whose_days_were_merged_into_a_week_indexes_as_a_clean_build_does(tmp_path):
    """The newest week is a shard a day; a new week's first day merges the last one into one shard."""
    content, output = tmp_path / "content", tmp_path / "output"
    settings = write_settings(tmp_path, "SECTIONS = []\nSEARCH_WAVES = (2, 8)\n")  # waves a few days wide
    for date in ("2020-12-19", "2020-12-26", "2020-12-27"):  # 2020-W51's Saturday, 2020-W52's weekend
        write_day(content, date)
    build_into(output, settings, content=str(content), capture=True)
    for date in ("2020-12-28", "2020-12-29"):  # Monday closes 2020-W52 (its days merged), Tuesday comes after
        write_day(content, date)
        assert_same_as_clean_build(tmp_path, settings, content)
        assert search_index(output) == search_index(tmp_path / "clean")
    waves = [(name, wave, len(texts)) for name, wave, texts in search_index(output)]
    assert waves == [("2020-12-29", 0, 6), ("2020-12-28", 0, 6), ("2020-W52", 1, 12), ("2020-W51", 2, 6)]


def test_a_week_changed_by_the_build_that_closes_it_is_indexed_from_its_new_pages(tmp_path):
    content, output = tmp_path / "content", tmp_path / "output"
    settings = write_settings(tmp_path, "SECTIONS = []\n")
    for date in ("2020-12-26", "2020-12-27"):
        write_day(content, date)
    build_into(output, settings, content=str(content), capture=True)
    edited = content / "2020-12-27/a01-2.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("正文。", "改过的正文。"), encoding="utf-8")
    (content / "2020-12-26/a02-3.md").unlink()
    write_day(content, "2020-12-28")
    build_into(output, settings, content=str(content), capture=True)
    texts = shard_texts(output, "2020-W52")
    assert len(texts) == 11, "the deleted report is not searchable"
    assert "改过的正文" in texts["/2020-12-27/a01/item-2020-12-27-a01-2/"]


def test_a_theme_change_outside_the_reports_indexes_no_shard_again_and_one_inside_them_indexes_all(tmp_path):
    """Pagefind reads only the report element of a page: a new footer re-renders every page, not the index."""
    import shutil

    from conftest import ROOT

    content, output, theme = tmp_path / "content", tmp_path / "output", tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    settings = write_settings(tmp_path, f"SECTIONS = []\nTHEME = {str(theme)!r}\n")
    for date in ("2020-12-20", "2020-12-26", "2020-12-27"):
        write_day(content, date)
    build_into(output, settings, content=str(content), capture=True)
    report = "2020-12-20/a01/item-2020-12-20-a01-2/index.html"

    def entries():
        return {shard: (output / "pagefind" / shard / "pagefind-entry.json").stat().st_ino for shard in shard_names(output)}

    def edit(template, old, new):
        path = theme / "templates" / template
        assert old in path.read_text(encoding="utf-8")
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")

    indexed = entries()
    edit("_footer.html", "未经许可不得转载。", "未经许可不得转载、摘编。")
    build_into(output, settings, content=str(content), capture=True)
    assert "未经许可不得转载、摘编。" in (output / report).read_text(encoding="utf-8"), "every page has the new footer"
    assert entries() == indexed, "no shard is indexed again"

    edit("article.html", '<div class="ed-body">', '<div class="ed-body"><p>数字报说明</p>')
    build_into(output, settings, content=str(content), capture=True)
    after = entries()
    assert [shard for shard in indexed if after[shard] == indexed[shard]] == [], "every shard is indexed again"
    assert "数字报说明" in shard_texts(output, "2020-W51")["/2020-12-20/a01/item-2020-12-20-a01-2/"]
    assert_same_as_clean_build(tmp_path, settings, content)


@pytest.mark.parametrize("field", ["Title", "Kicker"])
def test_a_report_whose_words_name_the_indexed_attribute_is_indexed_again_when_its_body_changes(tmp_path, field):
    """The title is printed in <title> and the kicker in JSON-LD, before the report element: neither is taken for it."""
    content, output = tmp_path / "content", tmp_path / "output"
    settings = write_settings(tmp_path, "SECTIONS = []\n")
    words = {field: "网页标记 data-pagefind-body 是什么"}
    report = write_item(content, "2020-12-30/a01-1.md", words.get("Title", "一篇报道"), Kicker=words.get("Kicker"), date="2020-12-30", body="本报讯 旧的正文。")
    build_into(output, settings, content=str(content), capture=True)
    report.write_text(report.read_text(encoding="utf-8").replace("旧的正文", "新的正文"), encoding="utf-8")
    build_into(output, settings, content=str(content), capture=True)
    assert "新的正文" in (output / "2020-12-30/a01/item-2020-12-30-a01-1/index.html").read_text(encoding="utf-8")
    assert "新的正文" in shard_texts(output, "2020-12-30")["/2020-12-30/a01/item-2020-12-30-a01-1/"]


def test_shards_indexed_by_another_pagefind_or_with_other_options_are_indexed_again(tmp_path, monkeypatch):
    """A new Pagefind changes no page: the index's own list says how each shard was indexed."""
    import edition_search as search

    content, output = tmp_path / "content", tmp_path / "output"
    settings = write_settings(tmp_path, "SECTIONS = []\n")
    for date in ("2020-12-20", "2020-12-27"):
        write_day(content, date)
    build_into(output, settings, content=str(content), capture=True)

    def mark():
        """A file in each shard's folder: a shard indexed again is a new folder, without it (in place, a
        new file may take the inode number of the old one it replaces)."""
        for shard in shard_names(output):
            (output / "pagefind" / shard / "mark").touch()
        return lambda: [shard for shard in shard_names(output) if (output / "pagefind" / shard / "mark").exists()]

    kept = mark()
    monkeypatch.setattr(search, "recipe", lambda: "pagefind_bin_extended 9.9.9 --force-language zh-cn --root-selector [data-pagefind-body]")
    reports = [page for page in search.read_manifest(output) if page.count("/") == 3 and page[:4].isdigit()]
    search.index_output(output, output, 1, reports)  # the next build's indexer, nothing else changed
    assert len(shard_names(output)) == 2 and kept() == [], "every shard is indexed again"
    kept = mark()
    search.index_output(output, output, 1, reports)
    assert kept() == shard_names(output), "and then kept"


def test_a_reports_page_digest_changes_with_everything_its_page_is_given():
    from types import SimpleNamespace

    from build_cache.cache import StoredArticle
    from incremental.fingerprints import page_digest

    def report(**changes):
        item = StoredArticle.__new__(StoredArticle)
        values = {"source_digest": "d1", "override_url": "2020-12-30/a01/x/", "title": "标题", "prev": None, "next": None}
        page = changes.pop("page", SimpleNamespace(number="A01", name="要闻", url="2020-12-30/a01/", prev=None, next=None))
        item.__dict__.update(values | changes, edition_page=page)
        return item

    def kwargs(**changes):
        given = {
            "article": report(),
            "category": SimpleNamespace(slug="yao-wen"),
            "override_output": True,
            "url": "2020-12-30/a01/x/",
            "blog": True,
            "relative_urls": False,
        }
        return given | changes

    first = page_digest("base", "2020-12-30/a01/x/index.html", "article.html", kwargs())
    assert first == page_digest("base", "2020-12-30/a01/x/index.html", "article.html", kwargs())
    variants = [
        ("other base", "2020-12-30/a01/x/index.html", "article.html", kwargs()),
        ("base", "other/index.html", "article.html", kwargs()),
        ("base", "2020-12-30/a01/x/index.html", "other.html", kwargs()),
        ("base", "2020-12-30/a01/x/index.html", "article.html", kwargs(article=report(source_digest="d2"))),
        ("base", "2020-12-30/a01/x/index.html", "article.html", kwargs(article=report(next=report(title="下一篇")))),
        # at its page's end, the next 版 it links to (article.html)
        (
            "base",
            "2020-12-30/a01/x/index.html",
            "article.html",
            kwargs(
                article=report(
                    page=SimpleNamespace(
                        number="A01", name="要闻", url="2020-12-30/a01/", prev=None, next=SimpleNamespace(number="A02", name="评论", url="2020-12-30/a02/")
                    )
                )
            ),
        ),
        ("base", "2020-12-30/a01/x/index.html", "article.html", kwargs(category=SimpleNamespace(slug="other"))),
        ("base", "2020-12-30/a01/x/index.html", "article.html", kwargs(url="other/")),
        ("base", "2020-12-30/a01/x/index.html", "article.html", kwargs(relative_urls=True)),
        ("base", "2020-12-30/a01/x/index.html", "article.html", kwargs(extra="something else")),
    ]
    digests = [page_digest(*variant) for variant in variants]
    assert first not in digests and len(set(digests)) == len(digests)


def test_an_editions_key_changes_with_everything_its_report_pages_are_made_of():
    from types import SimpleNamespace

    from build_cache.cache import StoredArticle
    from incremental.fingerprints import edition_key

    target = SimpleNamespace(url="2020-12-29/a01/target/")
    context = {"generated_content": {"2020-12-29/a01-1.md": target}, "static_content": {}}

    def report(number, **changes):
        item = StoredArticle.__new__(StoredArticle)
        values = {
            "source_path": f"/c/2020-12-30/a01-{number}.md",
            "source_digest": f"d{number}",
            "override_url": f"2020-12-30/a01/x{number}/",
            "override_save_as": f"2020-12-30/a01/x{number}/index.html",
            "template": "article",
            "category": SimpleNamespace(slug="yao-wen"),
            "_context": context,
        }
        item.__dict__.update(values | changes)
        return item

    def key(*changed, base="base"):
        return edition_key(base, [report(1), report(2), *changed])

    first = key(report(3))
    assert first == key(report(3))
    variants = [
        key(report(3), base="other base"),
        key(report(3, source_digest="other")),
        key(report(3, override_url="other/")),
        key(report(3, override_save_as="other/index.html")),
        key(report(3, template="other")),
        key(report(3, category=SimpleNamespace(slug="other"))),
        key(report(3, linked=[("2020-12-29/a01-1.md",)])),
        key(report(3, photo_keys=("k1",))),
        key(report(3, photo_keys=("k2",))),
        key(report(3, source_path="/c/2020-12-30/a01-4.md")),
        edition_key("base", [report(2), report(1), report(3)]),
        key(),
    ]
    assert first not in variants and len(set(variants)) == len(variants)
    linked = key(report(3, linked=[("2020-12-29/a01-1.md",)]))
    target.url = "2020-12-29/a01/moved/"
    assert key(report(3, linked=[("2020-12-29/a01-1.md",)])) != linked, "a link's target moved"


@pytest.mark.parametrize("name", ["a01-1.md", "a&b.md", "o'b.md"])
def test_a_report_that_moves_changes_the_pages_that_link_to_it(tmp_path, name):
    content = tmp_path / "content"
    settings = write_settings(tmp_path, "SECTIONS = []\n")
    target = write_item(content, f"2020-12-29/{name}", "目标", date="2020-12-29", Slug="target-old")
    write_item(content, "2020-12-30/a01-1.md", "链接", date="2020-12-30", body=f"正文见[前文]({{filename}}/2020-12-29/{name})。")
    build_into(tmp_path / "output", settings, content=str(content), capture=True)
    target.write_text(target.read_text(encoding="utf-8").replace("target-old", "target-new"), encoding="utf-8")
    built = assert_same_as_clean_build(tmp_path, settings, content)
    page = built["2020-12-30/a01/item-2020-12-30-a01-1/index.html"].decode("utf-8")
    assert 'href="/2020-12-29/a01/target-new/"' in page and "target-old" not in page


def test_a_folder_named_like_no_real_date_does_not_stop_the_next_build(tmp_path):
    """The item's own date places it; a folder mistyped as 2020-12-32 is only a folder."""
    content = tmp_path / "content"
    settings = write_settings(tmp_path, "SECTIONS = []\n")
    write_day(content, "2020-12-30")
    write_item(content, "2020-12-32/a09-1.md", "误写的目录", date="2020-12-31", page="A09", section="版9")
    build_into(tmp_path / "output", settings, content=str(content), capture=True)
    built = assert_same_as_clean_build(tmp_path, settings, content)
    assert "2020-12-31/a09/item-2020-12-31-a09-1/index.html" in built


def test_a_content_folder_moved_elsewhere_builds_as_a_clean_build_does(tmp_path):
    """Pelican's cached reports know their files by absolute path: another content folder, another cache."""
    settings = write_settings(tmp_path, "SECTIONS = []\n")
    write_item(tmp_path / "a", "2020-12-29/a01-1.md", "目标", date="2020-12-29")
    write_item(tmp_path / "a", "2020-12-30/a01-1.md", "链接", date="2020-12-30", body="正文见[前文]({filename}../2020-12-29/a01-1.md)。")
    build_into(tmp_path / "output", settings, content=str(tmp_path / "a"), capture=True)
    (tmp_path / "a").rename(tmp_path / "b")
    built = assert_same_as_clean_build(tmp_path, settings, tmp_path / "b")
    assert 'href="/2020-12-29/a01/item-2020-12-29-a01-1/"' in built["2020-12-30/a01/item-2020-12-30-a01-1/index.html"].decode("utf-8")
