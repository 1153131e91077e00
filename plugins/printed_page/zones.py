"""Where each report stands on its printed page, found from the page PDF's text layer (标引).

A report's characters are found on the page by runs of text that occur once on the page and in
one report only (a shared phrase such as 本报讯 places nobody); its title by its whole text.
Its zone is the blocks those characters cover: each line's run of them, stacked into columns.
"""

import unicodedata
from collections import Counter
from dataclasses import dataclass

RUN = 6  # characters in a run: six Chinese characters rarely repeat on one page by chance
PLACED_SHARE = 0.3  # a report is placed when its title and this share of its text are found
GAP = 3 * RUN  # the longest stretch of a report's own words between two of its runs that is taken as its own


@dataclass(frozen=True)
class Zone:
    """A report's place on the page: polygons of (x, y) points, in points from the top-left."""

    report: str
    shapes: tuple
    title: tuple  # the title's own box (left, top, right, bottom)

    @property
    def rects(self):
        return tuple(bounding([(x, y, x, y) for x, y in shape]) for shape in self.shapes)

    @property
    def box(self):
        return bounding(self.rects)

    def contains(self, box):
        """Whether a box (left, top, right, bottom) lies inside one of the zone's shapes."""
        left, top, right, bottom = box
        inset = 0.5  # boxes share edges with the shape they were measured from
        corners = [(left + inset, top + inset), (right - inset, top + inset), (right - inset, bottom - inset), (left + inset, bottom - inset)]
        return any(all(inside(point, shape) for point in corners) for shape in self.shapes)


def rect_shape(rect):
    left, top, right, bottom = rect
    return ((left, top), (right, top), (right, bottom), (left, bottom))


def inside(point, shape):
    """Ray casting: whether a point is inside a polygon (on an edge counts as inside for rectangles)."""
    x, y = point
    result = False
    for (x1, y1), (x2, y2) in zip(shape, shape[1:] + shape[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            result = not result
    return result


def normal(text):
    """Text as compared: compatibility forms folded (全角 letters, ligatures), no white space."""
    return "".join(char for char in unicodedata.normalize("NFKC", text) if not char.isspace())


def page_text(layer):
    """The page's text normalised as reports are, with each character's box."""
    chars, boxes = [], []
    for char, box in zip(layer.text, layer.boxes, strict=True):
        for folded in normal(char):
            chars.append(folded)
            boxes.append(box)
    return "".join(chars), boxes


def find_zones(layer, reports):
    """({report: Zone}, [reports not placed]) for reports given as {key: (title, text)}."""
    text, boxes = page_text(layer)
    on_page = Counter(text[index : index + RUN] for index in range(len(text) - RUN + 1))
    first = {}
    for index in range(len(text) - RUN + 1):
        first.setdefault(text[index : index + RUN], index)
    wanted = {key: (normal(title), normal(title) + normal(body)) for key, (title, body) in reports.items()}
    in_reports = Counter(run for _, whole in wanted.values() for run in {whole[index : index + RUN] for index in range(len(whole) - RUN + 1)})
    founds = {}
    for key, (_, whole) in wanted.items():
        found = founds[key] = set()
        for index in range(len(whole) - RUN + 1):
            run = whole[index : index + RUN]
            if on_page[run] == 1 and in_reports[run] == 1:
                found.update(range(first[run], first[run] + RUN))
    claimed = Counter(index for found in founds.values() for index in found)
    zones, unplaced = {}, []
    for key, (title, whole) in wanted.items():
        found = filled(founds[key], text, whole, claimed)
        title_at = locate_title(text, title, found)
        share = len(founds[key]) / max(1, len(whole))  # by its runs alone: a stretch filled in places nobody
        if title_at is None or share < PLACED_SHARE:
            unplaced.append(key)
            continue
        title_chars = range(title_at, title_at + len(title))
        found.update(title_chars)
        title_box = bounding([boxes[index] for index in title_chars])
        zones[key] = Zone(key, tuple(rect_shape(rect) for rect in blocks([boxes[index] for index in sorted(found)])), title_box)
    return zones, unplaced


def filled(found, text, whole, claimed):
    """A report's characters found on the page, with the short stretches between two of them that the
    report has between those two characters (a phrase its title repeats, a word it uses twice) and
    no other report claims: found by no run, they would leave holes that break its lines, and a short
    caption in pieces. Page furniture between two runs (a running head, a date) is not its text there."""
    order = sorted(found)
    filled = set(found)
    for start, end in zip(order, order[1:], strict=False):
        gap = range(start + 1, end)
        if 0 < len(gap) <= GAP and text[start : end + 1] in whole and not any(claimed[index] for index in gap):
            filled.update(gap)
    return filled


def locate_title(text, title, found):
    """Where the title stands: of its occurrences, the one nearest the report's own text."""
    if not title:
        return None
    places = []
    start = text.find(title)
    while start != -1:
        places.append(start)
        start = text.find(title, start + 1)
    if not places:
        return None
    if len(places) == 1 or not found:
        return places[0]
    near = min(found)
    return min(places, key=lambda place: abs(place - near))


def bounding(boxes):
    return (min(box[0] for box in boxes), min(box[1] for box in boxes), max(box[2] for box in boxes), max(box[3] for box in boxes))


def blocks(boxes):
    """Rectangles covering character boxes: runs along each line, then stacked into columns."""
    lines = []  # runs of characters on one line, in the order the text gives them
    for box in boxes:
        if lines:
            last = lines[-1]
            height = last[3] - last[1]
            same_line = abs(box[1] - last[1]) < height * 0.5 and -height * 0.5 <= box[0] - last[2] < height * 1.5
            if same_line:
                lines[-1] = (last[0], min(last[1], box[1]), max(last[2], box[2]), max(last[3], box[3]))
                continue
        lines.append(box)
    # Stacked until no two stack: each pass adds every run to the first block it stacks with (a pass
    # is runs × blocks; restarting from the top after each merge made a long report's page take 0.4 s).
    merged = True
    while merged:
        merged, stacked = False, []
        for line in lines:
            for index, block in enumerate(stacked):
                if stackable(block, line):
                    stacked[index] = bounding([block, line])
                    merged = True
                    break
            else:
                stacked.append(line)
        lines = stacked
    return sorted(lines, key=lambda rect: (rect[1], rect[0]))


def stackable(one, other):
    """Two runs of one column: their widths overlap mostly, with at most two lines' gap between."""
    overlap = min(one[2], other[2]) - max(one[0], other[0])
    narrower = min(one[2] - one[0], other[2] - other[0])
    line = min(one[3] - one[1], other[3] - other[1])
    gap = max(one[1], other[1]) - min(one[3], other[3])
    return narrower > 0 and overlap >= 0.6 * narrower and gap <= 2 * line
