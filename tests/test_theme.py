"""What the theme gives every page: corrections shown to readers, assets under hashed names,
robots.txt and the favicon, all under THEME_STATIC_DIR wherever it is."""

from conftest import build, main_text, write_item


def test_a_corrected_report_says_when_under_its_dateline_and_an_uncorrected_one_says_nothing(tmp_path):
    content = tmp_path / "content"
    write_item(content, "2020-12-30/a01-1.md", "改过的报道", Modified="2020-12-31 10:30")
    write_item(content, "2020-12-30/a01-2.md", "没改过的报道", position=2)
    site = build(content, tmp_path)
    corrected = site.page("/2020-12-30/a01/item-2020-12-30-a01-1/")
    line = corrected.select_one(".ed-report__header .ed-report__dateline + .ed-report__correction")
    assert " ".join(line.get_text(" ", strip=True).split()) == "更正于 2020年12月31日 10:30"
    assert line.time["datetime"] == "2020-12-31T10:30:00+08:00"
    assert "更正于 2020年12月31日 10:30" in main_text(corrected)
    uncorrected = site.page("/2020-12-30/a01/item-2020-12-30-a01-2/")
    assert "更正" not in main_text(uncorrected)
