"""Photos as readers get them: the picture in every size and format, its caption and credit, no
private data in any published file, thumbnails on lists, and each size made once."""

import io
import json
import os

import pytest
from PIL import Image, ImageOps

from conftest import Site, write_item, write_settings
from publishing.build import build_into

GPS = 0x8825
SETTINGS = "SECTIONS = ['要闻']\nSEARCH_INDEX = False\n"


def phone_photo(path, size=(3000, 2000), orientation=1):
    """A photo as a phone saves it: EXIF with the camera, its serial number and a GPS position."""
    image = Image.merge("RGB", [Image.linear_gradient("L").resize(size), Image.effect_noise(size, 30), Image.radial_gradient("L").resize(size)])
    exif = Image.Exif()
    exif[ImageOps.ExifTags.Base.Orientation] = orientation
    exif[0x010F], exif[0x0110], exif[0xA431] = "Phone Maker", "编辑的手机", "SN-998877"
    exif.get_ifd(GPS).update({1: "N", 2: (33.0, 44.0, 55.0), 3: "E", 4: (113.0, 11.0, 22.0)})
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "JPEG", quality=90, exif=exif.tobytes())
    return path


@pytest.fixture(scope="module")
def newsroom(tmp_path_factory):
    folder = tmp_path_factory.mktemp("photos")
    content = folder / "content"
    phone_photo(content / "images/2020-12-30/a01-01.jpg")
    phone_photo(content / "images/2020-12-30/a01-02.jpg", size=(1600, 1200), orientation=6)
    phone_photo(content / "images/2020-12-30/gong-di.jpg", size=(1200, 800))
    phone_photo(content / "images/2020-12-30/ta-diao.jpg", size=(1200, 800))
    write_item(
        content, "2020-12-30/a01-01.md", "湛河区推进项目建设", Slug="tui-jin", Tags="项目建设", Image="images/2020-12-30/a01-01.jpg", Subtitle="重点项目加速推进",
        Caption="工人正在施工。", body="本报讯(记者张三)正文。\n\n![工地全景]({static}/images/2020-12-30/gong-di.jpg)\n\n第二段。",
    )  # fmt: skip
    write_item(
        content, "2020-12-30/a01-02.md", "社区开展志愿服务", position=2, Slug="zhi-yuan", Kind="photo", Tags="项目建设",
        Image="images/2020-12-30/a01-02.jpg", Caption="志愿者为居民修理家电。", Credit="李冠博 摄", people="摄影:李冠博", body="▲志愿者为居民修理家电。",
    )  # fmt: skip
    write_item(
        content, "2020-12-30/a01-03.md", "塔吊林立", position=3, Slug="ta-diao",
        body='本报讯(记者张三)正文。\n\n![塔吊与工地]({static}/images/2020-12-30/ta-diao.jpg "塔吊林立的建设工地。 本报记者 姜涛 摄")\n\n第二段。',
    )  # fmt: skip
    settings = write_settings(folder, SETTINGS)
    log = build_into(folder / "output", settings, content=str(content), capture=True)
    return folder, content, settings, log


def published_images(root):
    return sorted(path for path in (root / "images").rglob("*") if path.is_file() and not path.name.endswith((".gz", ".br")))


def test_a_report_s_photo_is_a_picture_in_every_format_and_width_with_its_size_caption_and_credit(newsroom):
    folder = newsroom[0]
    site = Site(folder / "output")
    figure = site.page("/2020-12-30/a01/tui-jin/").select_one("article .ed-figure")
    sources = figure.select("picture source")
    assert [source["type"] for source in sources] == ["image/avif", "image/webp"]
    img = figure.select_one("picture img")
    # Its caption names it, once: a screen reader would read an alt that repeated it twice
    assert (img["width"], img["height"], img["alt"], img.get("fetchpriority"), img.get("loading")) == ("3000", "2000", "", "high", None)
    assert figure.figcaption.get_text(" ", strip=True) == "工人正在施工。"
    candidates = [entry.split() for entry in img["srcset"].split(", ")] + [entry.split() for source in sources for entry in source["srcset"].split(", ")]
    assert sorted({width for _, width in candidates}) == ["1200w", "1600w", "400w", "800w"]
    for url, width in candidates:
        with Image.open(site.file(url)) as picture:
            assert picture.width == int(width[:-1])
    assert figure.figcaption.get_text(" ", strip=True) == "工人正在施工。"


def test_a_photo_in_the_text_is_a_lazy_picture_and_a_photo_item_shows_its_photo_first_with_its_credit(newsroom):
    site = Site(newsroom[0] / "output")
    body_img = site.page("/2020-12-30/a01/tui-jin/").select_one(".ed-body picture img")
    assert (body_img["alt"], body_img["loading"], body_img["decoding"], body_img["width"]) == ("工地全景", "lazy", "async", "1200")
    article = site.page("/2020-12-30/a01/zhi-yuan/").select_one("article")
    assert article.find(recursive=False).name == "figure", "a photo item's page is the photo first"
    img = article.select_one("figure img")
    assert (img["width"], img["height"]) == ("1200", "1600"), "a photo taken sideways is shown upright"
    assert article.select_one("figure figcaption .ed-credit").get_text() == "李冠博 摄"


def test_a_photo_in_the_text_with_a_title_stands_as_a_figure_with_its_caption_and_credit(newsroom):
    """The words in brackets are for readers who cannot see it; what a paper prints under a photo (its
    caption, 本报记者 姜涛 摄) was nowhere on the page."""
    figure = Site(newsroom[0] / "output").page("/2020-12-30/a01/ta-diao/").select_one(".ed-body figure")
    assert figure.select_one("picture img")["alt"] == "塔吊与工地"
    assert figure.figcaption.get_text(" ", strip=True) == "塔吊林立的建设工地。 本报记者 姜涛 摄"
    assert figure.select_one("figcaption .ed-credit").get_text() == "本报记者 姜涛 摄"
    assert figure.parent.name != "p", "a figure stands on its own, not in a paragraph"


def test_no_published_image_carries_exif_gps_or_the_camera_and_no_original_is_published(newsroom):
    root = newsroom[0] / "output"
    images = published_images(root)
    assert len(images) == 4 * 3 + 3 * 3 * 3  # 3000 px: four widths; 1200 px wide (upright 1200×1600, two of 1200×800): three
    for path in images:
        data = path.read_bytes()
        with Image.open(io.BytesIO(data)) as image:
            assert not image.getexif() and "exif" not in image.info and "icc_profile" not in image.info, path
        assert b"SN-998877" not in data and "编辑的手机".encode() not in data
    assert not [path for path in images if path.name in ("a01-01.jpg", "a01-02.jpg", "gong-di.jpg", "ta-diao.jpg")]


def test_a_feed_entry_shows_the_photos_as_published_jpegs_with_caption_and_credit_never_the_original(newsroom):
    from bs4 import BeautifulSoup
    from lxml import etree

    site = Site(newsroom[0] / "output")
    atom = "{http://www.w3.org/2005/Atom}"
    entries = {entry.findtext(f"{atom}title"): entry for entry in etree.parse(str(site.file("/feeds/all.atom.xml"))).getroot().iter(f"{atom}entry")}
    report = BeautifulSoup(entries["湛河区推进项目建设"].findtext(f"{atom}content"), "lxml")
    lead, in_text = report.select("img")
    assert lead.find_parent("figure") and report.figure.figcaption.get_text() == "工人正在施工。"
    assert [element.name for element in report.body.children][:3] == ["header", "figure", "p"], "its decks, its photo, its text"
    assert report.header.get_text() == "——重点项目加速推进"
    assert (lead["alt"], lead["width"], lead["height"]) == ("工人正在施工。", "800", "533")
    assert (in_text["alt"], in_text["width"]) == ("工地全景", "800") and "第二段" in report.get_text()
    photo = BeautifulSoup(entries["社区开展志愿服务"].findtext(f"{atom}content"), "lxml")
    assert photo.figure.figcaption.get_text() == "志愿者为居民修理家电。 李冠博 摄"
    for img in (lead, in_text, photo.img):
        assert img["src"].startswith("http") and img["src"].endswith(".jpg") and not report.select("picture, source"), img
        with Image.open(site.file(img["src"])) as picture:  # the published file, at the size the entry gives
            assert picture.size == (int(img["width"]), int(img["height"]))


def test_og_image_and_json_ld_give_the_1200_px_picture_with_its_size(newsroom):
    site = Site(newsroom[0] / "output")
    page = site.page("/2020-12-30/a01/tui-jin/")
    meta = {tag["property"]: tag["content"] for tag in page.select("meta[property^='og:image']")}
    assert (meta["og:image:width"], meta["og:image:height"]) == ("1200", "800")
    with Image.open(site.file(meta["og:image"])) as image:
        assert image.size == (1200, 800)
    data = json.loads(page.select_one("script[type='application/ld+json']").string)
    assert data["image"] == [{"@type": "ImageObject", "url": meta["og:image"], "width": 1200, "height": 800}]


def test_every_list_shows_a_thumbnail_beside_an_item_with_a_photo(newsroom):
    site = Site(newsroom[0] / "output")
    for url in ("/", "/2020-12-30/a01/", "/tags/xiang-mu-jian-she/", "/sections/yao-wen/", "/reporters/zhang-san/"):
        thumbs = site.page(url).select(".ed-item__thumb img, .ed-lead__photo img")
        assert thumbs, url
        for img in thumbs:
            assert img["alt"] == "" and img["width"] and site.exists(img["src"]), url


def test_a_build_with_no_photo_changed_publishes_the_same_files_and_a_photo_gone_leaves_the_site(newsroom):
    folder, content, settings, _ = newsroom
    root = folder / "output"
    before = {path: os.stat(path).st_ino for path in published_images(root)}
    log = build_into(root, settings, content=str(content), capture=True)
    assert "pictures published" not in log, "no photo was linked or made again"
    assert {path: os.stat(path).st_ino for path in published_images(root)} == before, "the very same files"

    report = content / "2020-12-30/a01-01.md"
    report.write_text(report.read_text(encoding="utf-8").replace("\n\n![工地全景]({static}/images/2020-12-30/gong-di.jpg)\n", "\n"), encoding="utf-8")
    (content / "images/2020-12-30/gong-di.jpg").unlink()
    build_into(root, settings, content=str(content), capture=True)
    assert not [path for path in published_images(root) if "gong-di" in path.name]
    assert len(published_images(root)) == len(before) - 9


def test_a_picture_the_record_lists_but_the_site_lacks_is_published_again(newsroom):
    """A build cut short after its record was written (in place) must not leave a photo out for good."""
    folder, content, settings, _ = newsroom
    root = folder / "output"
    lost = [path for path in published_images(root) if path.name.startswith("a01-02-")]
    assert lost
    for path in lost:
        path.unlink()
    # Forced, as after a build cut short in place (which forgets what made output/): a file deleted by
    # hand deep inside output/ is not seen by a build with nothing changed (publishing.inputs).
    build_into(root, settings, content=str(content), capture=True, force=True)
    assert all(path.is_file() for path in lost)


def test_a_catalogue_s_switch_to_wal_that_another_process_holds_up_is_tried_again():
    """The check, the picture processes and the build open the photos' catalogue at their start. On a
    new cache, processes switching it to WAL at once fail at once with "database is locked" but one,
    whatever the timeout (1 in 40 rounds of three processes here): the switch is tried again."""
    import sqlite3

    from news_photos.store import write_ahead

    class Busy:
        def __init__(self, failures, error="database is locked"):
            self.failures, self.error, self.calls = failures, error, 0

        def execute(self, statement):
            self.calls += 1
            if self.calls <= self.failures:
                raise sqlite3.OperationalError(self.error)

    held_up = Busy(3)
    write_ahead(held_up)
    assert held_up.calls == 4
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        write_ahead(Busy(10**6), wait=0.1)  # not for ever
    broken = Busy(1, "disk I/O error")
    with pytest.raises(sqlite3.OperationalError, match="disk"):
        write_ahead(broken)
    assert broken.calls == 1, "another error is not tried again"


def test_a_summary_pelican_cut_from_a_text_with_a_photo_shows_the_published_jpeg_in_the_feed():
    """A report without a Summary field: Pelican's summary is the text's beginning, photo and all."""
    from types import SimpleNamespace

    from news_photos import Shelf
    from news_photos.pipeline import Photo

    shelf = Shelf({"PATH": "content", "CACHE_PATH": "cache", "SITEURL": "", "RSS_FEED_SUMMARY_ONLY": True})
    shelf.photos = {"images/2020-12-30/gong-di.jpg": Photo("0123456789abcdef", 1200, 800)}
    original = '<img src="https://news.example.org/images/2020-12-30/gong-di.jpg" alt="工地全景">'
    for atom in (True, False):  # an Atom entry's summary, and an RSS item's when RSS carries summaries only
        fields = {"description": f"<p>正文{original}</p>", "content": None}
        shelf.entry(fields, SimpleNamespace(title="报道"), "https://news.example.org", atom=atom)
        assert fields["description"] == (
            '<p>正文<img src="https://news.example.org/images/2020-12-30/gong-di-800.0123456789abcdef.jpg" width="800" height="533" alt="工地全景"></p>'
        ), atom
