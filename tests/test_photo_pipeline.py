"""Photos as the pipeline makes them: upright, sRGB, no metadata, in the widths readers need, made once."""

import io
import os
import threading
import time
from pathlib import Path

import pytest
from PIL import Image, ImageCms, ImageOps

from news_photos import store
from news_photos.pipeline import ENCODINGS, MIN_WIDTH, PhotoError, derive, inspect
from news_photos.store import Catalog, Turns, make_all, published_names

GPS = 0x8825  # the EXIF GPS block
BODY_SERIAL = 0xA431  # the camera's serial number
MAKE, MODEL = 0x010F, 0x0110


def photo_bytes(size=(1600, 1000), mode="RGB", color=(200, 30, 30), fmt="JPEG", exif=None, **options):
    """A synthetic photo: left half `color`, right half blue, so orientation can be seen."""
    image = Image.new(mode, size, color)
    if mode in ("RGB", "RGBA"):
        image.paste((20, 40, 220) + ((255,) if mode == "RGBA" else ()), (size[0] // 2, 0, size[0], size[1]))
    out = io.BytesIO()
    if exif is not None:
        options["exif"] = exif
    image.save(out, fmt, **options)
    return out.getvalue()


def gps_exif(orientation=1):
    exif = Image.Exif()
    exif[ImageOps.ExifTags.Base.Orientation] = orientation
    exif[MAKE], exif[MODEL], exif[BODY_SERIAL] = "Phone Maker", "Editor's phone", "SN-123456"
    exif.get_ifd(GPS).update({1: "N", 2: (33.0, 44.0, 55.0), 3: "E", 4: (113.0, 11.0, 22.0)})
    return exif.tobytes()


def decoded(data):
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_a_published_photo_carries_no_exif_xmp_or_colour_profile_even_from_a_gps_tagged_phone_jpeg():
    data = photo_bytes(exif=gps_exif(), icc_profile=ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    assert decoded(data).getexif().get_ifd(GPS)  # the input does carry a position
    files = derive(data, inspect(data))
    for (width, suffix), encoded in files.items():
        image = decoded(encoded)
        assert not image.getexif(), (width, suffix)
        assert "icc_profile" not in image.info and "xmp" not in image.info and "exif" not in image.info, (width, suffix)
        assert b"SN-123456" not in encoded and b"Editor's phone" not in encoded


def test_a_photo_taken_sideways_is_turned_upright_in_its_pixels():
    data = photo_bytes(size=(1600, 1000), exif=gps_exif(orientation=6))  # camera held on its side: rotate 90° clockwise
    photo = inspect(data)
    assert (photo.width, photo.height) == (1000, 1600)
    image = decoded(derive(data, photo)[(800, "jpg")]).convert("RGB")
    assert image.size == (800, 1280)
    top, bottom = image.getpixel((400, 100)), image.getpixel((400, 1180))
    assert top[0] > 150 and top[2] < 100  # the red half is on top now
    assert bottom[2] > 150 and bottom[0] < 100


def test_widths_never_exceed_the_original_and_every_format_is_made():
    data = photo_bytes(size=(1000, 700))
    photo = inspect(data)
    assert photo.widths == (400, 800, 1000)
    files = derive(data, photo)
    assert set(files) == {(width, suffix) for width in (400, 800, 1000) for suffix, _, _ in ENCODINGS}
    for (width, suffix), encoded in files.items():
        image = decoded(encoded)
        assert image.format == {"avif": "AVIF", "webp": "WEBP", "jpg": "JPEG"}[suffix]
        assert image.size == (width, photo.height_at(width))


def test_a_cmyk_jpeg_comes_out_rgb_with_its_colours():
    image = Image.new("CMYK", (800, 600), (0, 255, 255, 0))  # pure red in print
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    data = out.getvalue()
    jpeg = decoded(derive(data, inspect(data))[(800, "jpg")])
    assert jpeg.mode == "RGB"
    red, green, blue = jpeg.getpixel((400, 300))
    assert red > 200 and green < 60 and blue < 60


def test_a_16_bit_png_is_scaled_to_8_bits_not_clipped():
    image = Image.new("I;16", (800, 600), 32768)  # half grey in 16 bits
    out = io.BytesIO()
    image.save(out, "PNG")
    data = out.getvalue()
    jpeg = decoded(derive(data, inspect(data))[(800, "jpg")]).convert("L")
    assert 120 <= jpeg.getpixel((400, 300)) <= 136


def test_a_transparent_png_keeps_its_alpha_in_webp_and_avif_and_sits_on_white_in_jpeg():
    image = Image.new("RGBA", (800, 600), (255, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, "PNG")
    data = out.getvalue()
    files = derive(data, inspect(data))
    assert decoded(files[(800, "webp")]).mode == "RGBA"
    assert decoded(files[(800, "avif")]).mode == "RGBA"
    assert decoded(files[(800, "jpg")]).convert("RGB").getpixel((10, 10)) == (255, 255, 255)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"GIF89a not really", "is not an image"),
        ("本报讯 这是一篇稿件".encode() * 50, "is not an image"),
        (photo_bytes(size=(399, 300)), "is 399 px wide, too small for a news photo — a photo at least 400 px wide"),
        (photo_bytes(size=(1600, 1000), quality=95)[:-3000], "is cut short: the file ends before its picture does"),
        (
            bytes.fromhex(
                "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4f40000000049454e44ae426082"
            ),
            "cannot be read whole",
        ),
    ],
    ids=["gif-header", "text", "too-small", "truncated", "broken-png"],
)
def test_a_bad_photo_file_is_refused_with_what_is_wrong(data, message):
    with pytest.raises(PhotoError) as refused:
        inspect(data)
    assert message in str(refused.value)


def test_a_decompression_bomb_is_refused_before_it_is_decoded(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000 * 1000)
    with pytest.raises(PhotoError, match="too large to open safely"):
        inspect(photo_bytes(size=(1600, 1000)))


def test_the_narrowest_photo_is_min_width():
    assert MIN_WIDTH == 400
    assert inspect(photo_bytes(size=(400, 300))).widths == (400,)


def old_photo(path):
    """A photo saved a minute ago: not so new that the catalogue must read it again (racy)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(photo_bytes())
    old = os.stat(path).st_mtime - 60
    os.utime(path, (old, old))


def test_each_photo_is_made_once_and_a_catalogued_file_is_not_read_again(tmp_path, monkeypatch):
    content, cache = tmp_path / "content", tmp_path / "cache"
    old_photo(content / "images" / "a.jpg")
    catalog = Catalog(cache)
    photo = catalog.look_up(content, ["images/a.jpg"])["images/a.jpg"]
    assert len(make_all([(content / "images" / "a.jpg", photo)], cache, processes=2)) == 1
    assert len(make_all([(content / "images" / "a.jpg", photo)], cache, processes=2)) == 0
    with monkeypatch.context() as patched:  # a second look-up must not read the file
        patched.setattr("news_photos.store.read", lambda path: pytest.fail(f"{path} was read again"))
        assert catalog.look_up(content, ["images/a.jpg"])["images/a.jpg"] == photo
    missing = catalog.look_up(content, ["images/nope.jpg"])["images/nope.jpg"]
    assert isinstance(missing, PhotoError) and "does not exist" in str(missing)
    names = published_names("images/a.jpg", photo)
    assert f"images/a-800.{photo.key}.webp" in names and len(names) == len(photo.widths) * len(ENCODINGS)


def test_a_catalogue_made_before_git_s_ids_keeps_its_rows(tmp_path, monkeypatch):
    """The catalogue gained a column (git's id of a file): one made before keeps its rows, not read again."""
    import sqlite3

    content, cache = tmp_path / "content", tmp_path / "cache"
    old_photo(content / "images" / "a.jpg")
    photo = Catalog(cache).look_up(content, ["images/a.jpg"])["images/a.jpg"]
    db = sqlite3.connect(cache / "catalog.sqlite")
    db.execute("ALTER TABLE photos DROP COLUMN blob")  # as an older build left it
    db.commit()
    db.close()
    first = Catalog(cache)
    second = Catalog(cache)  # the column is there now: nothing to add
    monkeypatch.setattr("news_photos.store.read", lambda path: pytest.fail(f"{path} was read again"))
    assert first.look_up(content, ["images/a.jpg"]) == second.look_up(content, ["images/a.jpg"]) == {"images/a.jpg": photo}


def test_a_fresh_checkout_s_photos_are_not_read_again_unless_their_bytes_changed(tmp_path, monkeypatch):
    """A fresh checkout (CI restores the last build's cache onto one) gives every file a new time: every
    photo and page PDF of the archive was read again, on every content commit. Git's id of a file as
    committed tells the same bytes, without reading them."""
    import subprocess

    content = tmp_path / "content"
    (content / "images").mkdir(parents=True)
    for number in range(3):
        (content / "images" / f"{number}.jpg").write_bytes(photo_bytes(color=(number * 80, 30, 30)))

    def git(*arguments):
        subprocess.run(["git", "-c", "user.email=e@example.invalid", "-c", "user.name=E", *arguments], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", "photos")
    names = [f"images/{number}.jpg" for number in range(3)]
    first = Catalog(tmp_path / "cache").look_up(content, names)
    (content / "images" / "2.jpg").write_bytes(photo_bytes(color=(10, 200, 10)))  # changed since the commit
    later = time.time() - 60  # as a checkout leaves them: every file of another time (not a moment ago: racy)
    for name in names:
        os.utime(content / name, (later, later))
    read = []
    monkeypatch.setattr("news_photos.store.read", lambda path: read.append(os.path.basename(path)) or inspect(Path(path).read_bytes()))
    again = Catalog(tmp_path / "cache").look_up(content, names)
    assert read == ["2.jpg"], "only the photo whose bytes are not the committed ones is read"
    assert [again[name] for name in names[:2]] == [first[name] for name in names[:2]] and again["images/2.jpg"] != first["images/2.jpg"]
    read.clear()
    assert Catalog(tmp_path / "cache").look_up(content, names) == again and read == [], "the new times are kept"


@pytest.mark.parametrize("processes", [1, 2])
def test_pictures_made_beside_the_build_wait_for_a_core_while_the_build_holds_them_all(tmp_path, processes):
    """The build holds one core's turn until it waits for its pictures: with every core held, none is made."""
    content, cache = tmp_path / "content", tmp_path / "cache"
    (content / "images").mkdir(parents=True)
    jobs = []
    for name in ("a.jpg", "b.jpg"):
        (content / "images" / name).write_bytes(photo_bytes(color=(len(jobs) * 90, 30, 30)))
        jobs.append((content / "images" / name, inspect((content / "images" / name).read_bytes())))
    turns = Turns(processes)
    held = [turns.cores.acquire(block=False) for _ in range(processes - 1)]  # the other cores busy as well
    making = threading.Thread(target=make_all, args=(jobs, cache, processes), kwargs={"turns": turns})
    making.start()
    making.join(timeout=2)
    assert making.is_alive() and not list(cache.glob("*/*/*.avif")), "a picture was made while the build held every core"
    for _ in held:
        turns.cores.release()
    turns.give_back()
    making.join(timeout=60)
    assert not making.is_alive()
    assert len(list(cache.glob("*/*/400.avif"))) == 2


def test_pictures_stopped_by_ctrl_c_are_not_all_made_before_it_is_given_back(tmp_path, monkeypatch):
    """Ctrl-C stopped the build, but its picture processes went on with every picture queued, on every core."""
    content, cache = tmp_path / "content", tmp_path / "cache"
    (content / "images").mkdir(parents=True)
    jobs = []
    for number in range(16):
        path = content / "images" / f"{number}.jpg"
        path.write_bytes(photo_bytes(size=(1600, 1200), color=(number * 15, 30, 30)))
        jobs.append((path, inspect(path.read_bytes())))
    real = store.as_completed

    def interrupted(futures):
        for future in real(futures):
            yield future
            raise KeyboardInterrupt  # after the first picture

    monkeypatch.setattr(store, "as_completed", interrupted)
    with pytest.raises(KeyboardInterrupt):
        make_all(jobs, cache, processes=2)  # back once the pictures begun when it came are finished
    made = len(list(cache.glob("*/*/400.avif")))
    assert 1 <= made <= 8, made  # those begun: a core each, and the pool's queue of three


def test_a_picture_offers_avif_then_webp_in_every_width_with_a_jpeg_img_and_a_1200_px_card():
    from news_photos.picture import Picture

    photo = inspect(photo_bytes(size=(3000, 2000)))
    picture = Picture("images/2020-12-30/a06-04.jpg", photo, "https://example.org")
    assert [media for media, _ in picture.sources] == ["image/avif", "image/webp"]
    avif = picture.sources[0][1].split(", ")
    assert avif[0] == f"https://example.org/images/2020-12-30/a06-04-400.{photo.key}.avif 400w"
    assert [entry.rsplit(" ", 1)[1] for entry in avif] == ["400w", "800w", "1200w", "1600w"]
    assert picture.src == f"https://example.org/images/2020-12-30/a06-04-800.{photo.key}.jpg"
    assert (picture.width, picture.height) == (3000, 2000)
    assert picture.social == (f"images/2020-12-30/a06-04-1200.{photo.key}.jpg", 1200, 800)
    assert picture.thumbnail == f"https://example.org/images/2020-12-30/a06-04-400.{photo.key}.jpg"
    narrow = Picture("images/x.png", inspect(photo_bytes(size=(600, 400), fmt="PNG")))
    assert narrow.social[1:] == (600, 400) and narrow.src.endswith("-600." + narrow.photo.key + ".jpg")
