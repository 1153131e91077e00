"""The synthetic archive's photos and printed pages, written once by the benchmark (not timed).

Photos: one 3000×2000 JPEG encoded once with Pillow, written for each photo with a comment
segment of its own, so that every file has its own bytes (the build knows a photo by its digest
and derives each one) while writing 12,500 of them takes seconds. Pages: one PDF per 版, its
reports laid out in six columns by reportlab, so the PDF has a real text layer that the build's
zone finder reads, and is made in some 30 ms, where printing with Chromium (tests/page_pdf.py)
takes a second. The font is embedded, as a typesetter's PDF embeds its fonts: Noto Sans CJK SC
(fonts-noto-cjk) cut by fontTools to the characters the synthetic archive uses, with TrueType
outlines, which reportlab embeds (a PDF naming a Chinese font it does not embed makes PDFium look
for one on the system and load it, some 0.3 s a page, which a real page never costs).
"""

import functools
import io
from collections import defaultdict

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable
from PIL import Image, ImageFilter
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont as EmbeddedFont
from reportlab.pdfgen import canvas

from . import synthetic

PHOTO_SIZE = (3000, 2000)
FONT = "NotoSansCJKsc-Benchmark"
NOTO = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2)  # the collection's Simplified Chinese face
# Characters the synthetic archive prints besides its pools of words and sentences (synthetic.py)
FIXED_TEXT = "本报讯记者通讯员摄:工作人员正在现场忙碌。▲0123456789.,:;()“”、\u3000"
PAGE = (1134, 1531)  # 400×540 mm, a broadsheet page, in points
MARGIN = 34
COLUMNS = 6
GUTTER = 14
LEADING = 1.3
TITLE_SCALE = 2.0


@functools.cache
def base_photo():
    """The JPEG every photo is a copy of: a scene-like picture with grain, as a camera's (about 1 MB)."""
    width, height = PHOTO_SIZE
    small = Image.linear_gradient("L").resize((width // 4, height // 4))
    sky = Image.merge("RGB", (small, small.rotate(90).resize(small.size), Image.effect_noise(small.size, 60)))
    picture = sky.filter(ImageFilter.GaussianBlur(3)).resize(PHOTO_SIZE, Image.BICUBIC)
    grain = Image.effect_noise(PHOTO_SIZE, 18).convert("RGB")
    picture = Image.blend(picture, grain, 0.15)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=88)
    return out.getvalue()


def photo_bytes(name, salt=""):
    """The base JPEG with a comment segment naming this photo: bytes no other photo has, the same picture."""
    data = base_photo()
    comment = f"benchmark photo {salt}{name}".encode()
    return data[:2] + b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + data[2:]


def write_photos(content, items, salt=""):
    """Write the photo of every item that shows one; return how many. Another salt, other bytes."""
    count = 0
    for item in items:
        if item.photo:
            path = content / item.photo
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(photo_bytes(item.photo, salt))
            count += 1
    return count


def write_pages(content, date, items, salt=""):
    """Write content/<date>/<page>.pdf for every page of the day's items; return how many. Another salt,
    other bytes (the same page)."""
    pages = defaultdict(list)
    for item in items:
        pages[item.page].append(item)
    for page, on_page in pages.items():
        (content / date.isoformat() / f"{page.lower()}.pdf").write_bytes(page_pdf([(item.title, printed(item.body)) for item in on_page], salt))
    return len(pages)


def printed(body):
    """The paragraphs of a text as the page prints them (a photo in the text is no paragraph)."""
    return [paragraph for paragraph in body.split("\n\n") if paragraph and not paragraph.startswith("![")]


@functools.cache
def font():
    """The page's font, registered with reportlab once per process."""
    pdfmetrics.registerFont(EmbeddedFont(FONT, io.BytesIO(font_file())))
    return FONT


def font_file():
    """Noto Sans CJK SC cut to the archive's characters, its outlines made TrueType (reportlab embeds no CFF)."""
    pools = (synthetic.SENTENCES, synthetic.CAPTIONS, synthetic.TITLES, synthetic.KICKERS, synthetic.SUBTITLES, synthetic.PLACES)
    words = (synthetic.TOPICS, synthetic.ACTIONS, synthetic.WORDS, synthetic.OPENINGS)
    chars = set("".join(text for pool in pools + words for text in pool) + synthetic.SURNAMES + synthetic.GIVEN + FIXED_TEXT) - set("{}")
    path, number = NOTO
    face = TTFont(path, fontNumber=number, lazy=True)
    options = subset.Options()
    options.layout_features, options.hinting, options.name_IDs = [], False, ["*"]
    cutter = subset.Subsetter(options)
    cutter.populate(unicodes=[ord(char) for char in chars])
    cutter.subset(face)
    with_truetype_outlines(face)
    out = io.BytesIO()
    face.save(out)
    return out.getvalue()


def with_truetype_outlines(face):
    """Replace a font's CFF outlines by TrueType (quadratic) ones, in place."""
    order, glyphs = face.getGlyphOrder(), face.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    face["glyf"], face["loca"], face["maxp"] = glyf, newTable("loca"), newTable("maxp")
    limits = face["maxp"]
    limits.tableVersion, limits.numGlyphs, limits.maxZones = 0x00010000, len(order), 1
    for field in ("TwilightPoints", "Storage", "FunctionDefs", "InstructionDefs", "StackElements", "SizeOfInstructions", "ComponentElements"):
        setattr(limits, "max" + field, 0)
    for field in ("Points", "Contours", "CompositePoints", "CompositeContours", "ComponentDepth"):
        setattr(limits, "max" + field, 0)
    for table in ("CFF ", "VORG"):
        if table in face:
            del face[table]
    face["head"].glyphDataFormat = 0
    face["post"].formatType = 3.0
    face.sfntVersion = "\x00\x01\x00\x00"


@functools.cache
def em(char):
    """A character's advance in em: 1 for Chinese, about half for digits."""
    return pdfmetrics.stringWidth(char, font(), 1000) / 1000


def wrap(text, width_em):
    """Lines of text, each at most width_em wide."""
    lines, line, used = [], [], 0.0
    for char in text:
        advance = em(char)
        if used + advance > width_em and line:
            lines.append("".join(line))
            line, used = [], 0.0
        line.append(char)
        used += advance
    if line:
        lines.append("".join(line))
    return lines


def page_pdf(reports, salt=""):
    """A one-page PDF of reports [(title, paragraphs)] in reading order, flowing down six columns.

    The type size is chosen so that every report fits the page, as a typesetter fits them. A salt
    is written as the document's subject: other bytes, the same page."""
    column = (PAGE[0] - 2 * MARGIN - (COLUMNS - 1) * GUTTER) / COLUMNS
    height = PAGE[1] - 2 * MARGIN
    ems = sum(TITLE_SCALE**2 * len(title) + sum(map(len, paragraphs)) + 2 * len(paragraphs) for title, paragraphs in reports)
    size = min(10.0, (0.85 * COLUMNS * height * column / (LEADING * ems)) ** 0.5)
    while True:
        blocks = layout(reports, size, column)
        if blocks is not None:
            break
        size *= 0.95
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=PAGE, pageCompression=1, invariant=1)
    if salt:
        page.setSubject(f"benchmark page {salt}")
    for index, lines in blocks:
        x = MARGIN + index * (column + GUTTER)
        text = page.beginText()
        for y, point, line in lines:
            text.setFont(font(), point)
            text.setTextOrigin(x, PAGE[1] - y)
            text.textOut(line)
        page.drawText(text)
    page.showPage()
    page.save()
    return out.getvalue()


def layout(reports, size, column):
    """[(column index, [(y from the top, type size, line)])], or None if the reports do not fit."""
    columns = defaultdict(list)
    index, y = 0, MARGIN
    bottom = PAGE[1] - MARGIN
    for title, paragraphs in reports:
        title_size = size * TITLE_SCALE
        runs = [(title_size, line) for line in wrap(title, column / title_size)]
        runs += [(size, line) for paragraph in paragraphs for line in wrap("\u3000\u3000" + paragraph, column / size)]
        y += size  # space above each report
        for point, line in runs:
            if y + point * LEADING > bottom:
                index, y = index + 1, MARGIN
                if index == COLUMNS:
                    return None
            y += point * LEADING
            columns[index].append((y - point * (LEADING - 1), point, line))
    return sorted(columns.items())
