"""Reading one item's source file: strict UTF-8, a header of fields, a body.

The header is the block of `Field: value` lines at the top, ended by the
first blank line. Every field keeps the line it was written on, so that a
problem can be reported as `path:line: field: …`.
"""

import hashlib
import re
import sys
from dataclasses import dataclass, field

from .fields import FIELDS, FieldError, parse_field

# A field's name, or a short Chinese one an editor may type for it (标题: …), which is refused with the name
# to write: on a file's first line it was taken for the text, and every field was "missing".
FIELD_LINE = re.compile(r"^(?P<key>[A-Za-z][A-Za-z0-9_-]*|[\u4e00-\u9fff]{2,4})\s*[:：]\s*(?P<value>.*)$")


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    field: str
    what: str
    expected: str

    def __str__(self):
        return f"{self.path}:{self.line}: {self.field}: {self.what} — {self.expected}"


@dataclass
class Source:
    """One item as written: parsed fields, their lines, the body and problems."""

    path: str
    values: dict = field(default_factory=dict)
    lines: dict = field(default_factory=dict)
    body: str | None = ""  # None: left out of the check's cache
    body_line: int = 1
    problems: list = field(default_factory=list)
    digest: str = ""
    file: str = ""  # absolute path, for the build's reader to find this source again
    html: str | None = None  # the rendered body, when the check was asked to render
    body_problems: list = field(default_factory=list)  # found in the body alone (check.scan_body)
    links: list = field(default_factory=list)  # (target, line) of every link in the body

    def problem(self, line, name, what, expected):
        self.problems.append(Problem(self.path, line, name, what, expected))

    @property
    def kind(self):
        return self.values.get("kind", "report")


def decode(raw, path):
    """Return the text of a file, or raise FieldError for a BOM or bad UTF-8."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raise FieldError("starts with a byte-order mark", "UTF-8 without BOM (save as “UTF-8”, not “UTF-8 with BOM”)")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise FieldError(f"is not valid UTF-8 (byte {error.start})", "a file saved as UTF-8") from None


def split_header(text):
    """Split text into [(line number, key, value)], body, first body line."""
    header, lines = [], text.split("\n")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            return header, "\n".join(lines[number:]), number + 1
        match = FIELD_LINE.match(line)
        if not match:
            if not header:
                return header, text, 1
            header.append((number, None, line))
            continue
        header.append((number, match["key"], match["value"]))
    return header, "", len(lines) + 1


def content_digest(raw):
    """What a file's bytes are, in short: the same bytes, the same digest, whatever the file's time."""
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def file_digest(path):
    with open(path, "rb") as handle:
        return content_digest(handle.read())


def parse_source(path, raw, label=None):
    """Parse one file's bytes into a Source, collecting every problem in it."""
    source = Source(label or str(path), digest=content_digest(raw))
    try:
        text = decode(raw, path)
    except FieldError as error:
        source.problem(1, "file", error.problem, error.expected)
        return source
    header, source.body, source.body_line = split_header(text.replace("\r\n", "\n"))
    for number, key, value in header:
        read_field(source, number, key, value)
    for key, spec in FIELDS.items():
        if source.kind in spec.required_for and key not in source.lines and key not in source.values:
            source.problem(1, spec.name, "is missing", spec.help + missing_example(key, source.values))
    if not source.body.strip():
        source.problem(source.body_line, "body", "is empty", "the text as printed, after a blank line below the fields")
    return source


def missing_example(key, values):
    """The value a missing field would have, where it can be worked out: a slug from the title."""
    if key != "slug" or not values.get("title"):
        return ""
    from .slugs import pinyin_slug

    return f", e.g. Slug: {pinyin_slug(values['title'])}"


def read_field(source, number, typed, value):
    if typed is None:
        source.problem(number, "header", f"“{value.strip()[:20]}” is not a field line", "Field: value, then one blank line before the text")
        return
    key = FIELD_NAMES.get(typed.lower())
    if key is None:
        source.problem(number, typed, "unknown field", suggest(typed.lower()))
        return
    spec = FIELDS[key]
    if key in source.lines:
        source.problem(number, spec.name, f"given twice (also line {source.lines[key]})", "each field once")
        return
    source.lines[key] = number
    try:
        parsed = parse_field(key, value)
    except FieldError as error:
        source.problem(number, spec.name, error.problem, error.expected)
        return
    source.values[key] = sys.intern(parsed) if type(parsed) is str and len(parsed) <= SHARED_TEXT else parsed


# A check holds every file's fields at once (a full build: every report's): each field's name is
# the one string FIELDS has, and a short value (a kind, a page, a section) one string for all.
FIELD_NAMES = {key: key for key in FIELDS}
SHARED_TEXT = 8


# The names Chinese newsrooms give the fields, for the suggestion.
CHINESE_NAMES = {
    "标题": "title", "主题": "title", "主标题": "title", "引题": "kicker", "肩题": "kicker", "副题": "subtitle", "副标题": "subtitle",
    "类型": "kind", "日期": "date", "时间": "date", "版次": "page", "版号": "page", "版面": "page", "版名": "section", "栏目": "section",
    "位置": "position", "序号": "position", "顺序": "position", "作者": "people", "署名": "people", "记者": "people", "人员": "people",
    "标签": "tags", "关键词": "tags", "网址": "slug", "摘要": "summary", "导语": "summary", "图片": "image", "照片": "image",
    "图说": "caption", "图片说明": "caption", "说明": "caption", "摄影": "credit", "图片署名": "credit", "状态": "status", "更正": "modified",
}  # fmt: skip


def suggest(key):
    import difflib

    if key in CHINESE_NAMES:
        return f"did you mean {FIELDS[CHINESE_NAMES[key]].name}? (fields are named in English)"
    close = difflib.get_close_matches(key, FIELDS, n=1, cutoff=0.6)
    known = ", ".join(spec.name for spec in FIELDS.values())
    return f"did you mean {FIELDS[close[0]].name}?" if close else f"one of {known}"
