"""Zones drawn by a person: the sidecar beside a page PDF (content/2020-12-30/a06.yml).

    # zones in PDF points, from the page's top-left corner
    zones:
      - report: tui-jin-xiang-mu-jian-she      # the report's Slug
        rect: [36, 420, 250, 180]              # left, top, width, height
      - report: fang-tang-qing-ru-xu-yuan-tou-huo-shui-lai
        polygon: [[300, 400], [560, 400], [560, 800], [300, 800]]

Problems are given with the line they are on, as the content check gives them.
"""

import difflib
from dataclasses import dataclass

import yaml

from .zones import Zone, bounding


@dataclass(frozen=True)
class SidecarProblem:
    line: int
    field: str
    what: str
    expected: str


class SidecarError(Exception):
    def __init__(self, problems):
        super().__init__("; ".join(f"{problem.line}: {problem.field}: {problem.what} — {problem.expected}" for problem in problems))
        self.problems = problems


def without_pdf(stem):
    """(what, expected) of a sidecar content/<stem>.yml with no page PDF beside it."""
    return "has no page PDF beside it", f"the page's PDF as {stem}.pdf, whose zones it gives"


def no_report_on(stem):
    """(what, expected) of a page PDF content/<stem>.pdf no report is on (a warning: the page is not shown)."""
    return "no report is on this page, so it is not shown", f"reports with Date: {stem[:10]} and Page: {stem[11:].upper()}"


def sidecar_text(path):
    """A sidecar's text; SidecarError (on its line 1) if it is not UTF-8."""
    with open(path, "rb") as handle:
        data = handle.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SidecarError([SidecarProblem(1, "file", f"is not valid UTF-8 (byte {error.start})", "a file saved as UTF-8")]) from None


FORM = "zones: a list of {report: <slug>, rect: [left, top, width, height]} or {report: <slug>, polygon: [[x, y], …]}"


ZONE_KEYS = ("report", "rect", "polygon")


def read_sidecar(text, width, height, slugs):
    """{slug: Zone} from a sidecar's text, for a page width×height points whose reports have these slugs
    (None: any slug is taken, when the check cannot tell the page's reports)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise SidecarError([SidecarProblem(mark.line + 1 if mark else 1, "zones", f"cannot be read ({getattr(error, 'problem', error)})", FORM)]) from None
    zones_node = mapping_value(root, "zones")
    if not isinstance(zones_node, yaml.SequenceNode):
        line = (zones_node or root).start_mark.line + 1 if (zones_node or root) is not None else 1
        raise SidecarError([SidecarProblem(line, "zones", "is not a list of zones", FORM)])
    zones, problems = {}, []
    for node in zones_node.value:
        line = node.start_mark.line + 1
        unknown = [name for name, _ in (node.value if isinstance(node, yaml.MappingNode) else ()) if getattr(name, "value", None) not in ZONE_KEYS]
        for name in unknown:
            close = difflib.get_close_matches(str(name.value), ZONE_KEYS, n=1, cutoff=0.5)
            expected = f"did you mean {close[0]}?" if close else "report, and rect or polygon"
            problems.append(SidecarProblem(name.start_mark.line + 1, str(name.value), "is no key of a zone", expected))
        report, shape = mapping_value(node, "report"), [mapping_value(node, key) for key in ("rect", "polygon")]
        if not isinstance(report, yaml.ScalarNode) or not report.value:
            if not unknown:  # a misspelt report: key is named as such above
                problems.append(SidecarProblem(line, "report", "is missing", "the Slug of a report on this page"))
            continue
        if shape == [None, None]:
            if not unknown:
                problems.append(SidecarProblem(line, "rect", "is missing", "rect: [left, top, width, height], or polygon: [[x, y], …]"))
            continue
        line = key_line(node, "rect" if shape[0] is not None else "polygon")  # a shape's problem is on its own line
        if None not in shape:
            problems.append(
                SidecarProblem(
                    shape[1].start_mark.line + 1, "polygon", "is given beside rect", "one shape a zone: rect or polygon (a report in two places: two zones)"
                )
            )
            continue
        if slugs is not None and report.value not in slugs:
            known = "、".join(sorted(slugs)) or "none"
            problems.append(
                SidecarProblem(report.start_mark.line + 1, "report", f"“{report.value}” is no report on this page", f"the Slug of one of its reports: {known}")
            )
            continue
        try:
            points = rect_points(shape[0]) if shape[0] is not None else polygon_points(shape[1])
        except ValueError as error:
            problems.append(SidecarProblem(line, "rect" if shape[0] is not None else "polygon", str(error), FORM))
            continue
        if any(not (-0.5 <= x <= width + 0.5 and -0.5 <= y <= height + 0.5) for x, y in points):
            field = "rect" if shape[0] is not None else "polygon"
            problems.append(
                SidecarProblem(line, field, f"lies outside the page ({width:.0f}×{height:.0f} points)", "points inside the page, from its top-left corner")
            )
            continue
        if shape[0] is not None:
            (left, top), (right, bottom) = points
            points = [(left, top), (right, top), (right, bottom), (left, bottom)]
        previous = zones.get(report.value)
        shapes = (*previous.shapes, tuple(points)) if previous else (tuple(points),)
        zones[report.value] = Zone(report.value, shapes, previous.title if previous else bounding([(x, y, x, y) for x, y in points]))
    if problems:
        raise SidecarError(problems)
    return zones


def key_line(node, key):
    """The line of a key of a mapping node (its value's first may be below it: a list in block style)."""
    return next(name.start_mark.line + 1 for name, _ in node.value if isinstance(name, yaml.ScalarNode) and name.value == key)


def mapping_value(node, key):
    if not isinstance(node, yaml.MappingNode):
        return None
    for name, value in node.value:
        if isinstance(name, yaml.ScalarNode) and name.value == key:
            return value
    return None


def numbers(node, count=None):
    if not isinstance(node, yaml.SequenceNode) or (count is not None and len(node.value) != count):
        raise ValueError("is not " + (f"a list of {count} numbers" if count else "a list"))
    try:
        return [float(item.value) for item in node.value]
    except (AttributeError, ValueError):
        raise ValueError("holds something that is not a number") from None


def rect_points(node):
    left, top, width, height = numbers(node, 4)
    if width <= 0 or height <= 0:
        raise ValueError("has no area (width and height must be positive)")
    return [(left, top), (left + width, top + height)]


def polygon_points(node):
    if not isinstance(node, yaml.SequenceNode) or len(node.value) < 3:
        raise ValueError("needs at least three points")
    return [tuple(numbers(point, 2)) for point in node.value]
