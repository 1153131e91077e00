"""A page export → its items (reports and photos) in export order, and what was unsure.

A report is titled by its `## ` headline: the short lines just above are its kicker, those
just below its subtitle. A photo is titled by a short line of its own, followed by caption
paragraphs that end with the photographer's credit. Nothing is invented: what cannot be
placed is left out of the items and named in a warning, with its line in the export.
"""

from dataclasses import dataclass, field

from content_schema.slugs import pinyin_slug

from .blocks import Block, read_blocks, split_credit
from .people import byline_people, credit_people


@dataclass
class Item:
    """One drafted item as printed; people and credit stay empty when none was found."""

    kind: str
    title: str
    kickers: list[str]
    subtitles: list[str]
    paragraphs: list[str]
    position: int
    line: int
    people: list[tuple[str, str]] = field(default_factory=list)
    credit: str | None = None

    @property
    def kicker(self):
        return " ".join(self.kickers) or None

    @property
    def subtitle(self):
        return " ".join(self.subtitles) or None

    @property
    def slug(self):
        return pinyin_slug(self.title)

    @property
    def body(self):
        return "\n\n".join(self.paragraphs)


@dataclass
class ImportResult:
    items: list[Item]
    warnings: list[str]


@dataclass
class Draft:
    """An item while the export is being read: its blocks, not yet interpreted."""

    title: Block
    kickers: list[Block]
    photo: bool = False
    subtitles: list[Block] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    closed: bool = False


def parse_export(text, label="export"):
    """Draft every item of a page export; warnings read `label:line: field: what — expected`."""
    found = []

    def warn(line, name, what, expected):
        found.append((line, f"{label}:{line}: {name}: {what} — {expected}"))

    drafts = split_items(read_blocks(text.removeprefix("\ufeff"), warn), warn)
    items = [finish(draft, position, warn) for position, draft in enumerate(drafts, start=1)]
    if not items:
        warn(1, "export", "no items found", "a `## ` headline for each report, a short title line for each photo")
    return ImportResult(items, [message for _, message in sorted(found, key=lambda pair: pair[0])])


def split_items(blocks, warn):
    drafts, decks = [], []
    for block in blocks:
        current = drafts[-1] if drafts else None
        if block.role == "headline":
            drafts.append(Draft(block, decks))
            decks = []
        elif block.role == "deck" and current and not current.photo and not current.blocks:
            current.subtitles.append(block)
        elif block.role == "deck":
            decks.append(block)
        else:
            if decks:  # short lines followed by copy: a photo's title (and kickers)
                current = Draft(decks[-1], decks[:-1], photo=True)
                drafts.append(current)
                decks = []
            if current is None or current.closed:
                warn(block.line, "body", f"“{block.text[:20]}…” belongs to no item", "add it to the right item by hand")
                continue
            current.blocks.append(block)
            current.closed = current.photo and split_credit(block.text)[1] is not None
    for deck in decks:
        warn(deck.line, "body", f"short line “{deck.text}” after the last item belongs to no item", "add it to the right item by hand")
    return drafts


def finish(draft, position, warn):
    item = Item(
        kind="photo" if draft.photo else "report",
        title=draft.title.text,
        kickers=[deck.text for deck in draft.kickers],
        subtitles=[deck.text for deck in draft.subtitles],
        paragraphs=[block.text for block in draft.blocks],
        position=position,
        line=draft.title.line,
    )
    caption, credit = split_credit(item.paragraphs[-1]) if item.paragraphs else ("", None)
    people, unread = byline_people(item.paragraphs[0]) if item.paragraphs else ([], [])
    if item.kind == "report" and credit and not people:
        item.kind = "photo"  # a photo whose title was set as a `## ` headline
    if item.kind == "photo":
        finish_photo(item, caption, credit, warn)
    else:
        finish_report(item, draft, people, unread, warn)
    warn_joined(draft.kickers, "Kicker", "above", item, warn)
    warn_joined(draft.subtitles, "Subtitle", "below", item, warn)
    if not item.paragraphs:
        warn(item.line, "body", f"“{item.title}” has no text", "the text as printed, below the title")
    return item


def finish_photo(item, caption, credit, warn):
    if not credit:
        warn(item.line, "Credit", f"photo “{item.title}” has no credit", "a caption ending with the credit, e.g. 李冠博 摄; add Credit and People: 摄影:姓名")
        return
    item.credit, item.people = credit, credit_people(credit)
    item.paragraphs[-1:] = [caption] if caption else []


def finish_report(item, draft, people, unread, warn):
    item.people = people
    if not people:
        warn(item.line, "People", f"no byline in “{item.title}”", "本报讯(记者… 通讯员…) at the start of the text; add People: 记者:姓名 by hand")
    for name in unread:
        warn(
            item.line,
            "People",
            f"could not read “{name}” in the byline of “{item.title}”",
            "记者 or 通讯员 followed by names of 2 to 4 characters, separated by spaces",
        )
    for block in draft.blocks:
        if split_credit(block.text)[1]:
            warn(block.line, "Credit", f"photo credit in “{block.text[-16:]}” kept in the text of report “{item.title}”", "move it to the photo it belongs to")


def warn_joined(decks, name, where, item, warn):
    if len(decks) > 1:
        joined = " ".join(deck.text for deck in decks)
        warn(
            decks[0].line,
            name,
            f"{len(decks)} short lines {where} “{item.title}” joined into one: “{joined}”",
            f"one {name.lower()}; move a line to the body if it is not a deck",
        )
