"""An incremental build gives exactly the files a clean build of the same content gives."""


from conftest import search_page_count, write_item, write_settings
from publishing.build import build_into


def files(folder):
    """Every file but Pagefind's: its index numbers pages in the order the file system lists them."""
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file() and "pagefind" not in path.parts}


def search_pages(folder):
    return search_page_count(folder)


def write_day(content, date, pages=2, items=3):
    for page in range(1, pages + 1):
        for position in range(1, items + 1):
            write_item(content, f"{date}/a{page:02d}-{position}.md", f"{date} 第{page}版 第{position}篇", date=date, page=f"A{page:02d}", section=f"版{page}", position=position, Tags=f"标签{position}、共同", people=f"记者:张{'一二三'[position - 1]}")


def assert_same_as_clean_build(tmp_path, settings, content):
    build_into(tmp_path / "output", settings, content=str(content), capture=True)
    build_into(tmp_path / "clean", settings, content=str(content), capture=True)
    incremental, clean = files(tmp_path / "output"), files(tmp_path / "clean")
    assert incremental.keys() == clean.keys()
    assert [name for name in clean if incremental[name] != clean[name]] == []
    assert search_pages(tmp_path / "output") == search_pages(tmp_path / "clean") == sum(name.count("/") == 3 and name.endswith("index.html") and name[:4].isdigit() for name in clean)
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
