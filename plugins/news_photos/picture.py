"""What a template needs to show a photo: its sources by format and width, its size, its card."""

from dataclasses import dataclass

from .pipeline import ENCODINGS, MEDIA_TYPES, Photo
from .store import published_name

FALLBACK_WIDTH = 800  # the JPEG an old browser (or a feed reader) gets


@dataclass(frozen=True)
class Picture:
    """A published photo: `sources` for <picture>, `src` and its size for <img>, `social` for og:image."""

    source: str  # the editor's file, relative to content/ (images/2020-12-30/a06-04.jpg)
    photo: Photo
    siteurl: str = ""

    def url(self, width, suffix):
        return f"{self.siteurl}/{self.path(width, suffix)}"

    def path(self, width, suffix):
        """The file's path in the site, without SITEURL."""
        return published_name(self.source, self.photo, width, suffix)

    @property
    def sources(self):
        """[(media type, srcset)], best format first; the JPEG is the <img>'s own srcset."""
        return [(MEDIA_TYPES[suffix], self.srcset(suffix)) for suffix, _, _ in ENCODINGS if suffix != "jpg"]

    def srcset(self, suffix):
        return ", ".join(f"{self.url(width, suffix)} {width}w" for width in self.photo.widths)

    @property
    def jpeg_srcset(self):
        return self.srcset("jpg")

    @property
    def src(self):
        return self.url(self.fallback_width, "jpg")

    @property
    def fallback_width(self):
        return max((width for width in self.photo.widths if width <= FALLBACK_WIDTH), default=self.photo.widths[0])

    @property
    def width(self):
        return self.photo.width

    @property
    def height(self):
        return self.photo.height

    @property
    def social(self):
        """(path, width, height) of the social card's picture: a 1200 px JPEG, or narrower if the photo is."""
        width = self.photo.social_width
        return self.path(width, "jpg"), width, self.photo.height_at(width)

    @property
    def thumbnail(self):
        """The narrowest JPEG, for search results."""
        return self.url(self.photo.widths[0], "jpg")
