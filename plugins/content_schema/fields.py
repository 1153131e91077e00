"""The content schema: every metadata field an item may carry, in one place.

`invoke check`, the build's reader and the page importer all read fields
through `parse_field`, so what the checker accepts is exactly what is built.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

ROLES = ("记者", "通讯员", "摄影")
KINDS = ("report", "photo")
STATUSES = ("published", "draft")

# Separators editors really type between list items: ASCII and Chinese.
LIST_SEPARATORS = re.compile(r"[,;、，；]")
ROLE_SEPARATOR = re.compile(r"\s*[:：]\s*|\s+")
FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
# Metadata is plain text: markup or entities in it are a mistake, never intended.
# ASCII angle brackets are refused outright (Chinese copy uses 《》〈〉＜＞), so no
# consumer that reads a title as HTML (feeds strip tags) can lose part of it.
MARKUP = re.compile(r"[<>]|&[#A-Za-z0-9]+;")
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PAGE = re.compile(r"^(?:[A-Z]\d{2}|\d{2})$")
# 2020-12-30, 2020/12/30, 2020.12.30 and 2020年12月30日 are one date; 12月30日 (no year) is refused.
DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:\s*[ T]\s*(\d{1,2})[:：](\d{2}))?$")


class FieldError(ValueError):
    """A value that cannot be accepted; `expected` tells the editor what would be."""

    def __init__(self, problem, expected):
        super().__init__(problem)
        self.problem = problem
        self.expected = expected


@dataclass(frozen=True)
class Credit:
    """One person of an item with the role they had in it (记者, 通讯员, 摄影)."""

    role: str
    name: str


def clean_text(value):
    """Strip ordinary and full-width spaces; refuse control characters and markup."""
    value = value.strip().strip("\u3000").strip()
    if CONTROL.search(value):
        raise FieldError("contains a control character", "plain text on one line")
    if MARKUP.search(value):
        raise FieldError("contains HTML markup, < or > or an entity", "plain text; write 《》 or ＜＞ for brackets")
    return value


def split_list(value):
    """Split a list on , ; 、 ， ； and drop empty items and repeats, keeping order."""
    items = (clean_text(item) for item in LIST_SEPARATORS.split(value))
    return list(dict.fromkeys(item for item in items if item))


def _ascii_digits(value):
    return clean_text(value).translate(FULL_WIDTH_DIGITS)


def parse_text(value):
    value = clean_text(value)
    if not value:
        raise FieldError("is empty", "the text as printed")
    return value


def parse_kind(value):
    value = clean_text(value).lower()
    if value not in KINDS:
        raise FieldError(f"unknown kind “{value}”", "report or photo")
    return value


def parse_status(value):
    value = clean_text(value).lower()
    if value == "hidden":
        # Pelican's hidden: a page on no list. A report stands on its printed page, and its page
        # would link to tag, reporter and section lists that leave it out.
        raise FieldError("“hidden” is not used: every report stands on its printed page and in its lists", "published, or draft to leave it off the site")
    if value not in STATUSES:
        raise FieldError(f"unknown status “{value}”", "published or draft")
    return value


def parse_date(value):
    text = _ascii_digits(value)
    match = DATE.match(text)
    if not match:
        raise FieldError(f"cannot read date “{text}”", "YYYY-MM-DD or YYYY-MM-DD HH:MM")
    try:
        return datetime.datetime(*(int(part or 0) for part in match.groups()))
    except ValueError:
        raise FieldError(f"no such date “{text}”", "a real calendar date and time") from None


def parse_page(value):
    text = _ascii_digits(value).upper()
    if not PAGE.match(text):
        raise FieldError(f"cannot read page “{text}”", "a page number like A06 or 06")
    return text


def parse_position(value):
    text = _ascii_digits(value)
    if not text.isdigit() or int(text) < 1:
        raise FieldError(f"“{text}” is not a position", "a whole number from 1, the item's order on the page")
    return int(text)


def parse_slug(value):
    text = clean_text(value)
    if not SLUG.match(text):
        raise FieldError(f"“{text}” is not a slug", "lowercase ASCII words joined by hyphens, e.g. zhan-he-qu")
    return text


HAN = "\u3400-\u9fff"
# A space between two Chinese characters of a name is typesetting (张　三, a two-character name spread to
# three), not part of it; between two Latin words it is (John Smith). Spaced parts of two characters or
# more are two people (张三 李四), save a three-character name spaced once (张 亚丹).
NAME_SPACE = re.compile(rf"(?<=[{HAN}])\s+(?=[{HAN}])")
LONGEST_SPACED = 3


def _role_and_name(item):
    parts = ROLE_SEPARATOR.split(item, maxsplit=1)
    if len(parts) != 2:
        return parts[0], ""
    name = re.sub(r"\s+", " ", parts[1].strip())
    joined = NAME_SPACE.sub("", name)
    if joined != name and len(joined) > LONGEST_SPACED and re.fullmatch(rf"[{HAN}]+", joined) and max(map(len, name.split())) > 1:
        return parts[0], None  # 记者:张亚丹 李四: two people, a 、 left out
    return parts[0], joined


def parse_people(value):
    credits, seen = [], set()
    for item in split_list(value):
        role, name = _role_and_name(item)
        if name is None:
            raise FieldError(f"“{item}” is more than one person", "people separated by 、 or ,, e.g. 记者:张亚丹、记者:李四")
        if role not in ROLES:
            what = f"unknown role “{role}” for {name}" if name else f"“{item}” has no role"
            raise FieldError(what, "role:name with a role of " + "、".join(ROLES) + ", e.g. 记者:张亚丹")
        if not name:
            raise FieldError(f"{role} has no name", "role:name, e.g. 记者:张亚丹")
        if ":" in name or "：" in name:
            # 记者:张亚丹 通讯员:胡丽华 would be one person, 张亚丹通讯员:胡丽华, with a page of their own.
            raise FieldError(f"“{item}” is more than one person", "people separated by 、 or ,, e.g. 记者:张亚丹、通讯员:胡丽华")
        if name in seen:
            raise FieldError(f"{name} is listed twice", "each person once, with one role")
        seen.add(name)
        credits.append(Credit(role, name))
    if not credits:
        raise FieldError("names nobody", "role:name, e.g. 记者:张亚丹")
    return credits


TAG_LENGTH = 30  # characters: a subject (湛河新区, 中国共产党第十九届中央委员会第五次全体会议), not a sentence
TAGS = 10
CJK_SPACE = re.compile(rf"[{HAN}]\s+[{HAN}]")


def parse_tags(value):
    tags = split_list(value)
    for tag in tags:
        if CJK_SPACE.search(tag):
            raise FieldError(f"“{tag}” is several tags in one", "tags separated by 、 or ,, e.g. 招商引资、项目建设")
        if len(tag) > TAG_LENGTH:
            raise FieldError(f"“{tag}” is {len(tag)} characters long", f"a subject of up to {TAG_LENGTH} characters, as other reports' tags")
    if len(tags) > TAGS:
        raise FieldError(f"{len(tags)} tags", f"up to {TAGS} subjects the report is about")
    return tags


def parse_path(value):
    text = clean_text(value)
    if not text or text.startswith(("/", "http:", "https:", "javascript:")) or ".." in text:
        raise FieldError(f"“{text}” is not a file in content/", "a path inside content/, e.g. images/2020-12-30/a06-04.jpg")
    return text


@dataclass(frozen=True)
class Field:
    name: str
    parse: Callable
    required_for: tuple = ()
    help: str = ""


FIELDS = {
    field.name.lower(): field
    for field in (
        Field("Title", parse_text, KINDS, "主题, the main headline as printed"),
        Field("Kicker", parse_text, (), "引题, the line printed above the headline"),
        Field("Subtitle", parse_text, (), "副题, the line printed below the headline"),
        Field("Kind", parse_kind, (), "report (default) or photo"),
        Field("Date", parse_date, KINDS, "edition date, YYYY-MM-DD [HH:MM], Beijing time"),
        Field("Page", parse_page, KINDS, "page (版) number, e.g. A06"),
        Field("Section", parse_text, KINDS, "page name (版名), e.g. 湛河区"),
        Field("Position", parse_position, KINDS, "order on the page, 1 for the lead"),
        Field("People", parse_people, KINDS, "role:name list, roles 记者/通讯员/摄影"),
        Field("Tags", parse_tags, (), "subjects, separated by 、 or ,"),
        Field("Slug", parse_slug, KINDS, "ASCII pinyin for the URL"),
        Field("Summary", parse_text, (), "one sentence for lists, feeds and search engines"),
        Field("Image", parse_path, (), "photo file inside content/"),
        Field("Caption", parse_text, (), "the image's caption, for a report with an image"),
        Field("Credit", parse_text, ("photo",), "photo credit as printed, e.g. 李冠博 摄"),
        Field("Status", parse_status, (), "published (default) or draft"),
        Field("Modified", parse_date, (), "time of the last correction, YYYY-MM-DD HH:MM"),
    )
}


def parse_field(key, value):
    """Parse one header value by its (lower-case) field name."""
    return FIELDS[key].parse(value)
