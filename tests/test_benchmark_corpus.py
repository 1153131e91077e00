"""The benchmark's synthetic archive is content the edition accepts and builds, like a real daily's."""

import datetime
import hashlib
from collections import Counter, defaultdict

from benchmark.media import printed, write_pages, write_photos
from benchmark.synthetic import SECTIONS, day_items, vocabulary, write_corpus, write_day
from PIL import Image

from conftest import build
from content_schema.check import check_tree, name_slug
from printed_page.layer import read_layer
from printed_page.zones import find_zones

END = datetime.date(2024, 6, 30)


def checked(content):
    sources, problems = check_tree(content, {"SECTIONS": SECTIONS})
    assert problems == [], "\n".join(map(str, problems[:10]))
    return [source.values | {"body": source.body} for source in sources]


def test_a_synthetic_archive_passes_the_content_schema_with_no_problem(tmp_path):
    dates = write_corpus(tmp_path, 400)
    items = checked(tmp_path)
    assert len(items) == 400
    assert len({item["slug"] for item in items}) == 400
    assert [later - earlier for earlier, later in zip(dates, dates[1:], strict=False)] == [datetime.timedelta(days=1)] * (len(dates) - 1)
    per_day = Counter(item["date"].date() for item in items)
    assert all(135 <= per_day[date] <= 165 for date in dates[1:]), "about 150 a day; only the oldest day is partial"


def test_every_edition_has_8_to_16_pages_with_positions_in_order_and_one_name_each(tmp_path):
    write_corpus(tmp_path, 600)
    pages, names = defaultdict(list), defaultdict(set)
    for item in checked(tmp_path):
        pages[item["date"].date(), item["page"]].append(item["position"])
        names[item["date"].date(), item["page"]].add(item["section"])
    for (date, page), positions in pages.items():
        assert sorted(positions) == list(range(1, len(positions) + 1)), (date, page)
    per_day = Counter(date for date, _ in pages)
    assert all(8 <= count <= 16 for count in per_day.values())
    assert all(len(name) == 1 for name in names.values())


def test_reports_carry_a_dateline_bylines_tags_and_about_1200_characters_and_some_are_photos(tmp_path):
    write_corpus(tmp_path, 1000)
    items = checked(tmp_path)
    reports = [item for item in items if item.get("kind", "report") == "report"]
    photos = [item for item in items if item.get("kind") == "photo"]
    assert 0.03 < len(photos) / len(items) < 0.08
    assert all(p["credit"] and [c.role for c in p["people"]] == ["摄影"] for p in photos)
    assert all(report["body"].startswith("本报讯(记者") for report in reports)
    assert 1000 < sum(len(report["body"]) for report in reports) / len(reports) < 1400
    assert all(4 <= len(report["body"].split("\n\n")) <= 8 for report in reports)
    assert {credit.role for item in items for credit in item["people"]} == {"记者", "通讯员", "摄影"}
    assert any(item.get("kicker") for item in reports) and any(item.get("subtitle") for item in reports)
    assert len({tag for item in items for tag in item["tags"]}) > 250


def test_no_two_tags_and_no_two_people_share_a_url():
    words = vocabulary()
    people = [name for names in words.people.values() for name in names]
    assert len(words.tags) == 300 and len({name_slug(tag) for tag in words.tags}) == 300
    assert len(people) == 80 and len({name_slug(name) for name in people}) == 80
    assert all(2 <= len(tag) <= 4 for tag in words.tags)


def test_the_same_seed_writes_the_same_archive_and_another_seed_another(tmp_path):
    def files(folder):
        return {path.relative_to(folder): path.read_text(encoding="utf-8") for path in folder.rglob("*.md")}

    for name, seed in (("a", 1), ("b", 1), ("c", 2)):
        write_corpus(tmp_path / name, 200, seed=seed, end=END)
    assert files(tmp_path / "a") == files(tmp_path / "b")
    assert files(tmp_path / "a") != files(tmp_path / "c")


def test_one_more_day_joins_the_archive_with_no_problem(tmp_path):
    dates = write_corpus(tmp_path, 300)
    next_day = dates[-1] + datetime.timedelta(days=1)
    written = write_day(tmp_path, next_day)
    items = checked(tmp_path)
    assert len(written) == 150 and len(items) == 450
    assert sum(item["date"].date() == next_day for item in items) == 150


def test_a_synthetic_archive_builds_with_the_project_settings(tmp_path):
    write_corpus(tmp_path / "content", 300)
    site = build(tmp_path / "content", tmp_path, overrides=f"SECTIONS = {SECTIONS!r}\n")
    items = checked(tmp_path / "content")
    for item in items:
        assert site.exists(f"/{item['date']:%Y-%m-%d}/{item['page'].lower()}/{item['slug']}/")
    latest = max(item["date"] for item in items)
    assert site.exists(f"/{latest:%Y-%m-%d}/") and site.exists("/")
    assert all(site.exists(f"/reporters/{name_slug(c.name)}/") for item in items for c in item["people"])


def test_with_photos_every_photo_item_has_its_lead_photo_and_one_report_in_five_a_photo_each_file_its_own(tmp_path):
    day = datetime.date(2024, 6, 29)
    items = write_day(tmp_path, day, photos=True)
    write_photos(tmp_path, items)
    checked_items = {item["slug"]: item for item in checked(tmp_path)}
    photo_items = [item for item in checked_items.values() if item.get("kind") == "photo"]
    reports = [item for item in checked_items.values() if item.get("kind", "report") == "report"]
    assert photo_items and all(item["image"] == f"images/{day}/{item['page'].lower()}-{item['position']:02d}.jpg" for item in photo_items)
    assert all(item.get("caption") and item.get("credit") for item in photo_items)
    leads = [item for item in reports if item.get("image")]
    in_text = [item for item in reports if "![" in item["body"] and "{static}/images/" in item["body"]]
    assert leads and in_text and all(item.get("caption") and item.get("credit") for item in leads)
    assert 0.1 < (len(leads) + len(in_text)) / len(reports) < 0.3
    files = sorted((tmp_path / "images" / day.isoformat()).iterdir())
    assert len(files) == len(photo_items) + len(leads) + len(in_text) == sum(1 for item in items if item.photo)
    assert len({hashlib.sha256(path.read_bytes()).digest() for path in files}) == len(files), "each photo its own bytes"
    with Image.open(files[0]) as photo:
        assert (photo.format, photo.size) == ("JPEG", (3000, 2000))


def test_photos_change_no_text_of_the_archive():
    day = datetime.date(2024, 6, 29)
    plain = {item.name: item for item in day_items(day, 150)}
    with_photos = {item.name: item for item in day_items(day, 150, photos=True)}
    assert plain.keys() == with_photos.keys()
    assert all(plain[name].body == with_photos[name].body and plain[name].title == with_photos[name].title for name in plain)
    assert not any(item.photo for item in plain.values())


def test_each_page_gets_a_one_page_pdf_whose_text_layer_places_nearly_every_report_of_the_page(tmp_path):
    day = datetime.date(2024, 6, 29)
    items = list(day_items(day, 150, photos=True))
    (tmp_path / day.isoformat()).mkdir()
    pages = write_pages(tmp_path, day, items)
    assert sorted(path.stem.upper() for path in (tmp_path / day.isoformat()).glob("*.pdf")) == sorted({item.page for item in items})
    assert pages == len({item.page for item in items})
    placed = 0
    for page in {item.page for item in items}:
        layer = read_layer((tmp_path / day.isoformat() / f"{page.lower()}.pdf").read_bytes())
        on_page = [item for item in items if item.page == page]
        zones, _ = find_zones(layer, {item.name: (item.title, "".join(printed(item.body))) for item in on_page})
        placed += len(zones)
    assert placed >= 0.9 * len(items), f"{placed} of {len(items)} reports placed"


def test_a_page_pdf_of_another_salt_has_other_bytes_and_the_same_page(tmp_path):
    """`unchanged DIR redo` writes the day's page PDFs again with a new salt, so that their pictures are made again."""
    day = datetime.date(2024, 6, 29)
    items = [item for item in day_items(day, 150) if item.page == "A01"]
    written = []
    for number, salt in enumerate(("", "1:", "2:")):
        (tmp_path / str(number) / day.isoformat()).mkdir(parents=True)
        write_pages(tmp_path / str(number), day, items, salt)
        written.append((tmp_path / str(number) / day.isoformat() / "a01.pdf").read_bytes())
    assert len(set(written)) == 3
    assert read_layer(written[0]) == read_layer(written[1]) == read_layer(written[2])
