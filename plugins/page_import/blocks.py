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
NAME = r"[\u4e00-\u9fff]{2,4}(?:·[\u4e00-\u9fff]{2,6})?"
CREDIT = rf"(?:本报)?(?:摄影记者|记者|通讯员)?\s*{NAME}(?:[\s、]+{NAME})*\s*摄"
CREDIT_LINE = re.compile(rf"^{CREDIT}$")
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
    if text.startswith("## "):
        return "headline"
    if CREDIT_LINE.match(text):
        return "credit"
    return "deck" if is_deck(text) else "paragraph"


def is_open(block):
    """A paragraph cut off by a column break: it ends neither a sentence nor with a credit."""
    return block.role == "paragraph" and not ends_sentence(block.text) and split_credit(block.text)[1] is None


def read_blocks(text, warn):
    """The export's non-blank lines as blocks, continuations joined to their paragraph."""
    lines = [(number, line.strip()) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
    blocks = []
    for index, (number, line) in enumerate(lines):
        role = role_of(line)
        previous = blocks[-1] if blocks else None
        if previous and is_open(previous):
            if role == "paragraph" or (role == "deck" and not leads_to_headline(lines, index)):
                previous.text += line
                continue
            warn(previous.line, "body", f"paragraph “…{previous.text[-12:]}” ends mid-sentence, but a {role} follows", "check that nothing is missing at its end")
        text_of = line.removeprefix("## ").strip() if role == "headline" else line
        blocks.append(Block(role, text_of, number))
    return blocks


def leads_to_headline(lines, index):
    """True when the deck lines from index on are followed by a `## ` headline: kickers."""
    while index < len(lines) and role_of(lines[index][1]) == "deck":
        index += 1
    return index < len(lines) and lines[index][1].startswith("## ")
