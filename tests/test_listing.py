"""One walk of content/ a build (site_build.listing): what each reader of content/ finds in the listing a staged
build's fingerprint made is what it finds by walking content/ itself (the check's stamps and Pelican's listing:
tests/test_settled_check.py and tests/test_caches.py)."""

import os

import pytest

from conftest import write_item, write_settings
from content_schema.check import check_tree
from news_photos.store import photo_files
from printed_page.store import page_files
from publishing.build import build_environment
from publishing.inputs import Inputs
from site_build import listing

NAMES = (
    "2020-12-30/a01-01.md",
    "2020-12-30/a01.pdf",
    "2020-12-30/A02.PDF",
    "2020-12-30/a02.yml",
    "2020-12-30/photo.JPG",
    "2020-12-30/deep/inner.png",
    "2020-12-30/deep/inner.pdf",
    "2020-12-31/b.webp",
    "2020-12-31/notes.txt",
    "2020-12-31/b01.yaml",
    "images/logo.png",
    ".hidden/secret.jpg",
    "2020-1-1/not-a-date.pdf",
    "top.jpeg",
    "__pycache__/cached.jpg",  # a folder the fingerprint does not enter: walked
)


@pytest.fixture
def content(tmp_path):
    folder = tmp_path / "content"
    for name in NAMES:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(b"x")
    (folder / "2021-01-01").symlink_to(folder / "2020-12-31", target_is_directory=True)  # entered by the page finder, not by the photo finder
    (folder / "linked").symlink_to(folder / "images", target_is_directory=True)
    (folder / "2020-12-30" / "gone.jpg").symlink_to(folder / "nothing.jpg")  # links to nothing: named, as a walk names them
    (folder / "2020-12-30" / "gone.pdf").symlink_to(folder / "nothing.pdf")
    return folder


def listed_by_the_fingerprint(tmp_path, content, monkeypatch):
    Inputs.of(write_settings(tmp_path, "SECTIONS = []\n"), content, build_environment()).listing.write(tmp_path / "listing")
    monkeypatch.setenv(listing.VARIABLE, str(tmp_path / "listing"))


def test_the_photos_and_page_pdfs_found_in_the_listing_are_those_found_by_walking(tmp_path, content, monkeypatch):
    walked = photo_files(str(content)), page_files(str(content))
    assert walked[0] == [
        "2020-12-30/deep/inner.png",
        "2020-12-30/gone.jpg",
        "2020-12-30/photo.JPG",
        "2020-12-31/b.webp",
        "__pycache__/cached.jpg",
        "images/logo.png",
        "top.jpeg",
    ]
    pages = ["2020-12-30/A02.PDF", "2020-12-30/a01.pdf", "2020-12-30/a02.yml", "2020-12-30/gone.pdf", "2020-12-31/b01.yaml", "2021-01-01/b01.yaml"]
    assert sorted(walked[1].values()) == pages
    listed_by_the_fingerprint(tmp_path, content, monkeypatch)
    assert (photo_files(str(content)), page_files(str(content))) == walked
    (content / "2020-12-31" / "late.jpg").write_bytes(b"x")
    (content / "2020-12-31" / "late.pdf").write_bytes(b"x")
    assert (photo_files(str(content)), page_files(str(content))) == walked, "the listing is taken as the fingerprint found it"
    monkeypatch.delenv(listing.VARIABLE)
    assert "2020-12-31/late.jpg" in photo_files(str(content)) and "2020-12-31/late.pdf" in page_files(str(content))


def test_a_listing_is_only_of_the_content_it_was_made_for_and_a_broken_one_is_walked_past(tmp_path, content, monkeypatch):
    listed_by_the_fingerprint(tmp_path, content, monkeypatch)
    assert listing.of(content) is not None and 0 < listing.of(content).listed_from <= listing.of(content).listed_until
    assert listing.of(tmp_path) is None, "another folder is walked"
    (tmp_path / "listing").write_bytes(b"not marshal")
    assert listing.of(content) is None
    assert photo_files(str(content))[-1] == "top.jpeg"


def test_a_staged_build_gives_pelican_the_listing_and_leaves_none_behind(tmp_path, monkeypatch):
    """build_into writes the fingerprint's listing beside the output, names it in the Pelican process's
    environment, and removes it when the build is over, failed or not."""
    from publishing import build

    content = tmp_path / "content"
    (content / "2020-12-30").mkdir(parents=True)
    (content / "2020-12-30" / "a.jpg").write_bytes(b"x")
    settings = write_settings(tmp_path, "SECTIONS = []\n")
    seen = []

    class Pelican:
        """Started while the fingerprint is taken; told to run once the listing is written."""

        def __init__(self, env):
            self.env = env

        def go(self, output):
            path = self.env[listing.VARIABLE]
            monkeypatch.setenv(listing.VARIABLE, path)
            seen.append((path, photo_files(str(content))))
            raise build.BuildFailed("stopped here")

        def cancel(self):
            pass

    monkeypatch.setattr(build.Waiting, "start", lambda command, env, capture: Pelican(env))
    with pytest.raises(build.BuildFailed):
        build.build_into(tmp_path / "output", settings, content=content)
    [(path, photos)] = seen
    assert photos == ["2020-12-30/a.jpg"] and path.endswith(".output.listing")
    assert not any(name.name.endswith(".listing") for name in tmp_path.iterdir()), "the listing goes with the build"


def test_the_check_reads_the_reports_the_listing_names(tmp_path, monkeypatch):
    """check_tree takes content/ from the build's listing: a report saved after the fingerprint is not
    checked by this build (the next build's fingerprint differs, and its check reads it)."""
    content = tmp_path / "content"
    write_item(content, "2020-12-30/a01-1.md", "好的报道", page="A01", section="要闻", position=1, Slug="good-one")
    listed_by_the_fingerprint(tmp_path, content, monkeypatch)
    write_item(content, "2020-12-30/a01-2.md", "后来的报道", page="A01", section="要闻", position=2, Slug="later-one")
    listed = check_tree(content, {"SECTIONS": ["要闻"]})[0]
    assert [os.path.basename(source.file) for source in listed] == ["a01-1.md"]
    monkeypatch.delenv(listing.VARIABLE)
    assert [os.path.basename(source.file) for source in check_tree(content, {"SECTIONS": ["要闻"]})[0]] == ["a01-1.md", "a01-2.md"]
