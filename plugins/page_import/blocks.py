"""The lines of a page export: what each one is, with paragraphs mended across column breaks.

The export gives one paragraph per line, but where a column ended mid-paragraph it broke
the paragraph with a blank line, often mid-sentence. A paragraph is whole only when it
ends a sentence; otherwise the next line is its continuation and is joined with no space.
"""

import re
from dataclasses import dataclass

DECK_MAX = 30  # a deck (kicker, subtitle, photo title) is short; a longer line is copy
SENTENCE_END = "。！？!?…"
# Closing quotes and brackets end a paragraph only after a sentence end: `……。”` is whole,
# `“四张图谱”` or `(清垃圾)` at the end of a block is a column break mid-sentence.
CLOSERS = "”’」』)）》〉】"
CLAUSE_MARKS = ",，、;；:：“‘「"  # a short line with these is part of a sentence, not a heading
NAME = r"[\u4e00-\u9fff]{2,4}(?:·[\u4e00-\u9fff]{2,6})?"
CREDIT = rf"(?:本报)?(?:摄影记者|记者|通讯员)?\s*{NAME}(?:[\s、]+{NAME})*\s*摄"
CREDIT_LINE = re.compile(rf"^{CREDIT}$")
# `本报讯(记者张亚丹 通讯员胡丽华)`, `本报郑州12月28日讯（记者 张三 李四）`: dateline and byline in one.
DATELINE = re.compile(r"^(?:本报[^(（\s]{0,16}?讯|[^(（\s]{2,20}?日[讯电])\s*[(（](?P<byline>[^()（）]*)[)）]")
# A credit at the end of a caption follows its last sentence after a space: `…力度。 李冠博 摄`.
CAPTION_CREDIT = re.compile(rf"^(?P<caption>.*[{SENTENCE_END}{CLOSERS}])\s+(?P<credit>{CREDIT})$")


@dataclass
class Block:
    """One paragraph-like unit of the export: headline, deck, paragraph or credit."""

    role: str
    text: str
    line: int


def ends_sentence(text):
    core = text.rstrip(CLOSERS)
    return bool(core) and core[-1] in SENTENCE_END


def split_credit(text):
    """(caption, credit) for a caption ending with a photo credit, else (text, None)."""
    if CREDIT_LINE.match(text):
        return "", text
    match = CAPTION_CREDIT.match(text)
    return (match["caption"], match["credit"]) if match else (text, None)


def is_deck(text):
    """A short line that is not a sentence: a kicker, subtitle or photo title."""
    return (
        len(text) <= DECK_MAX
        and "。" not in text
        and not ends_sentence(text)
        and not text.endswith((",", "，", "、", ";", "；", ":", "：", "——"))
        and not text.startswith(("本报讯", "▲"))
    )


def role_of(text):
    """What a line looks like on its own; `role_in_place` decides what it is."""
    if text.startswith("## "):
        return "headline"
    if CREDIT_LINE.match(text):
        return "credit"
    return "deck" if is_deck(text) else "paragraph"


def is_open(block):
    """A paragraph cut off by a column break: it ends neither a sentence nor with a credit."""
    return block.role == "paragraph" and not ends_sentence(block.text) and split_credit(block.text)[1] is None


def starts_paragraph(text):
    """A dateline or a caption's ▲ always opens a paragraph, whatever came before."""
    return text.startswith("▲") or DATELINE.match(text) is not None


def read_blocks(text, warn):
    """The export's non-blank lines as blocks, continuations joined to their paragraph."""
    lines = [(number, line.strip()) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
    blocks = []
    for index, (number, line) in enumerate(lines):
        previous = blocks[-1] if blocks else None
        role = role_in_place(lines, index, previous)
        if previous and is_open(previous):
            if role == "paragraph" and not starts_paragraph(line):
                join(previous, line, warn)
                continue
            warn_open(previous, f"a {role}", warn)
        blocks.append(Block(role, line.removeprefix("## ").strip() if role == "headline" else line, number))
    if blocks and is_open(blocks[-1]):
        warn_open(blocks[-1], "the end of the export", warn)
    return blocks


def role_in_place(lines, index, previous):
    """A short line is a deck only where decks are printed: above or below a headline, or
    as the title of a photo whose caption follows; elsewhere it is copy."""
    role = role_of(lines[index][1])
    if role != "deck" or leads_to_headline(lines, index):
        return role
    if previous and is_open(previous):
        return "paragraph"
    if previous is None or previous.role in ("headline", "deck", "credit") or split_credit(previous.text)[1]:
        return "deck"
    return "deck" if credit_ahead(lines, index + 1) else "paragraph"


def leads_to_headline(lines, index):
    """True when the short lines from index on are followed by a `## ` headline: kickers."""
    while index < len(lines) and role_of(lines[index][1]) == "deck":
        index += 1
    return index < len(lines) and lines[index][1].startswith("## ")


def credit_ahead(lines, index):
    """True when a caption ending with a photo credit follows, before any other title."""
    while index < len(lines) and role_of(lines[index][1]) == "deck":
        index += 1
    after_sentence = True
    for _, text in lines[index:]:
        if split_credit(text)[1]:
            return True
        if text.startswith("## ") or (after_sentence and is_deck(text)):
            return False
        after_sentence = ends_sentence(text)
    return False


def join(paragraph, line, warn):
    if is_deck(paragraph.text) and not any(mark in paragraph.text for mark in CLAUSE_MARKS):
        warn(paragraph.line, "body", f"short line “{paragraph.text}” joined to the copy after it", "if it is a crosshead, put it on a line of its own again")
    paragraph.text += line


def warn_open(paragraph, what_follows, warn):
    warn(
        paragraph.line, "body", f"paragraph “…{paragraph.text[-12:]}” ends mid-sentence, but {what_follows} follows", "check that nothing is missing at its end"
    )
