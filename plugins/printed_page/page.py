"""What a template shows of a printed page: its picture, its PDF, and each report's zone on it."""

import html
import re
from dataclasses import dataclass

from .picture import FULL_WIDTH
from .zones import Zone


@dataclass(frozen=True)
class PlacedZone:
    """One report's zone on its page: the report, and its polygons as SVG points, in PDF points."""

    item: object
    polygons: tuple

    @property
    def id(self):
        """The zone's fragment on the 版 page: /2020-12-30/a06/#zone-<slug>."""
        return f"zone-{self.item.slug}"


@dataclass(frozen=True, eq=False)
class PrintedPage:
    """A 版 as printed: its picture (photos.picture.Picture), its PDF, its size in points, its zones."""

    picture: object
    pdf_url: str  # in the site, without SITEURL: 2020-12-30/a06/a06.pdf
    pdf_size: int  # bytes
    width: float
    height: float
    zones: tuple  # PlacedZone, in the page's reading order (positions)

    @property
    def viewbox(self):
        return f"0 0 {self.width:g} {self.height:g}"

    @property
    def pdf_size_text(self):
        return file_size(self.pdf_size)

    @property
    def full_url(self):
        """The largest picture, a JPEG to zoom into (no JavaScript needed)."""
        return self.picture.url(FULL_WIDTH, "jpg")

    def zone_of(self, item):
        return next((zone for zone in self.zones if zone.item is item), None)


def file_size(size):
    """A file's size as a download link gives it: 1.2 MB, 860 KB."""
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    return f"{max(1, round(size / 1000))} KB"


def svg_points(shape):
    """[(x, y)] → "x,y x,y …" to a tenth of a point."""
    return " ".join(f"{round(x, 1):g},{round(y, 1):g}" for x, y in shape)


def placed(items, zones):
    """PlacedZone of each item that has a zone ({slug: Zone}), in the items' order."""
    return tuple(PlacedZone(item, tuple(svg_points(shape) for shape in zones[item.slug].shapes)) for item in items if item.slug in zones)


TAG = re.compile(r"<[^>]+>")


def plain_text(body):
    """A rendered body as the page prints it: its text without markup."""
    return html.unescape(TAG.sub("", body or ""))


def zones_to_json(width, height, zones, unplaced):
    return {"size": [width, height], "zones": {slug: [zone.shapes, zone.title] for slug, zone in zones.items()}, "unplaced": sorted(unplaced)}


def zones_from_json(value):
    """(width, height, {slug: Zone}, [unplaced slugs]) from zones_to_json's value."""
    zones = {
        slug: Zone(slug, tuple(tuple(tuple(point) for point in shape) for shape in shapes), tuple(title)) for slug, (shapes, title) in value["zones"].items()
    }
    width, height = value["size"]
    return width, height, zones, value["unplaced"]
