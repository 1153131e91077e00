"""A typesetter's page PDF as the build reads it: checked, its text layer with each character's
box, and its picture. pypdfium2 (PDFium, the PDF engine Chromium uses) does the reading;
nothing here parses PDF by hand.

Boxes are in PDF points from the page's top-left corner, the unit and origin of zone sidecars.
"""

from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

# A page can be printed in A2; beyond that a file is not a newspaper page
MAX_SIDE_POINTS = 1700


class PageError(Exception):
    """A page PDF that cannot be used: what is wrong, and what is expected."""

    def __init__(self, what, expected):
        super().__init__(f"{what} — {expected}")
        self.what = what
        self.expected = expected

    def __reduce__(self):  # it crosses from the process that reads the pages (printed_page.store.prepare)
        return type(self), (self.what, self.expected)


@dataclass(frozen=True)
class TextLayer:
    """What the page says and where: one box (left, top, right, bottom) per character of text."""

    width: float
    height: float
    text: str
    boxes: tuple


def open_document(data):
    if not data.startswith(b"%PDF-"):
        raise PageError("is not a PDF", "the typesetter's PDF of one printed page")
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        if "password" in str(error).lower() or "security" in str(error).lower():
            raise PageError("is encrypted", "the PDF as the typesetter exported it, without a password") from None
        raise PageError(f"cannot be read ({error})", "the typesetter's PDF of one printed page") from None
    if len(document) != 1:
        pages = len(document)
        document.close()
        raise PageError(f"has {pages} pages", "one printed page per PDF (split it: one file per 版)")
    return document


def page_size(document):
    """(width, height) in points of a document's one page; PageError if it is no newspaper page."""
    width, height = document[0].get_size()
    if not (0 < width <= MAX_SIDE_POINTS and 0 < height <= MAX_SIDE_POINTS):
        raise PageError(f"is {width:.0f}×{height:.0f} points", "a newspaper page, at most A2")
    return width, height


def read_layer(data):
    """The page's text layer; raises PageError for a file that is not a one-page PDF."""
    document = open_document(data)
    try:
        page = document[0]
        width, height = page_size(document)
        textpage = page.get_textpage()
        text, boxes = [], []
        for index in range(textpage.count_chars()):
            # The character's code point, as PDFium's C API gives it: get_text_range(index, 1) made a
            # buffer and a string for each, a third of the reading of a page of 20,000 characters.
            code = pdfium_c.FPDFText_GetUnicode(textpage, index)
            char = chr(code) if code else ""
            if not char or char.isspace():
                continue
            left, bottom, right, top = textpage.get_charbox(index)
            text.append(char)
            boxes.append((left, height - top, right, height - bottom))
        return TextLayer(width, height, "".join(text), tuple(boxes))
    finally:
        document.close()


def render(data, width_px):
    """The page as a picture (a PIL image, RGB) width_px wide."""
    document = open_document(data)
    try:
        page = document[0]
        # In RGB from pdfium (rev_byteorder), not BGR turned by Pillow and then copied again by a
        # convert: the same pixels, 0.01–0.03 s sooner, one copy of the picture less (some 20 MB at
        # 2,000 px; a picture process's high-water mark for four pages went from 136 to 127–131 MB).
        return page.render(scale=width_px / page.get_width(), may_draw_forms=False, rev_byteorder=True).to_pil()
    finally:
        document.close()
