"""A printed page's picture: made from its PDF by the photo pipeline's recipe, in the widths a
page is looked at, and one large JPEG to read it closely. Pure functions, no Pelican.

A page is known, as a photo is, by a key: the digest of its PDF's bytes and of this recipe.
"""

import hashlib
from dataclasses import dataclass

import pypdfium2 as pdfium

from news_photos.pipeline import RECIPE, Photo, derive_image, encode
from news_photos.store import read_with

from .layer import PageError, open_document, page_size, read_layer, render

# Widths a browser chooses from: 320 for the thumbnails of 版面导航 and a report's locator, 640
# and 960 for the 版 page on a desktop and on a phone (a 375 px phone at 3× wants 1029). The page
# is read in its reports or in the full-size view: 1280 would cost a new day 0.16 s of CPU a page.
WIDTHS = (320, 640, 960)
# The full-size view, a JPEG to zoom into: 9 pt type some 16 px high on a broadsheet page.
FULL_WIDTH = 2000
FULL_JPEG = {"quality": 75}  # baseline: as small as progressive at 80, in a sixth of the time (0.02 s, not 0.12)
PAGE_RECIPE = repr((RECIPE, WIDTHS, FULL_WIDTH, pdfium.PDFIUM_INFO.build, 1))


@dataclass(frozen=True)
class PagePhoto(Photo):
    """A page's picture: its key and its size in pixels at the full width."""

    @property
    def widths(self):
        return WIDTHS

    @property
    def files(self):
        return (*super().files, (FULL_WIDTH, "jpg"))


def page_key(data):
    return hashlib.sha256(PAGE_RECIPE.encode() + data).hexdigest()[:16]


def inspect_page(data):
    """(PagePhoto, TextLayer) of a page PDF's bytes; PageError for a file that is not one readable page."""
    layer = read_layer(data)
    return page_photo(data, layer.width, layer.height), layer


def page_photo(data, width, height):
    return PagePhoto(page_key(data), FULL_WIDTH, max(1, round(FULL_WIDTH * height / width)))


def read_page(path, keep):
    """The catalogue's reading of a page PDF: its PagePhoto (its text layer given to keep(key, layer)), or PageError."""

    def inspected(data):
        photo, layer = inspect_page(data)
        keep(photo.key, layer)
        return photo

    return read_with(path, inspected, PageError, "a readable PDF file")


def read_size(path):
    """A page PDF's PagePhoto from its size alone, without its text layer: what its picture needs."""

    def sized(data):
        document = open_document(data)
        try:
            width, height = page_size(document)
        finally:
            document.close()
        return page_photo(data, width, height)

    return read_with(path, sized, PageError, "a readable PDF file")


def derive_page(data, photo):
    """Every derivative of a page: rendered once at the full width, then made as photos are."""
    image = render(data, FULL_WIDTH)
    files = derive_image(image, photo)
    files[FULL_WIDTH, "jpg"] = encode(image, "JPEG", FULL_JPEG)
    return files
