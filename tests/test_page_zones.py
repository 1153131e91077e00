"""A printed page's PDF: refused when it is not one readable page, and each report found on it."""

import io
from types import SimpleNamespace

import pypdfium2 as pdfium
import pytest
from PIL import Image

from page_pdf import lorem, page_html, print_pdf
from printed_page.layer import PageError, read_layer, render
from printed_page.sidecar import SidecarError, read_sidecar
from printed_page.zones import find_zones, normal

REPORTS = {
    "lead": ("湛河区全面推动经济社会发展", [lorem(1, 420), lorem(2, 380), lorem(3, 300)], 4, "1 / span 4"),
    "side": ("湛河区加强思政课建设", [lorem(4, 260), lorem(5, 200)], 2, "5 / span 2"),
    "left": ("退选不褪色扮好新角色", [lorem(6, 300), lorem(7, 240)], 2, "1 / span 2"),
    "middle": ("推进项目建设", [lorem(8, 150)], 1, "3 / span 1"),
    "right": ("方塘清如许源头活水来", [lorem(9, 400), lorem(10, 380)], 3, "4 / span 3"),
}


@pytest.fixture(scope="module")
def page(tmp_path_factory, browser):
    path = tmp_path_factory.mktemp("page") / "a06.pdf"
    print_pdf(page_html(list(REPORTS.values())), path, browser)
    return path.read_bytes()


def wanted():
    return {key: (title, "\n".join(paragraphs)) for key, (title, paragraphs, _, _) in REPORTS.items()}


def test_the_text_layer_holds_every_report_s_title_and_text(page):
    layer = read_layer(page)
    text = normal(layer.text)
    for title, paragraphs, _, _ in REPORTS.values():
        assert normal(title) in text
        assert normal(paragraphs[0][:40]) in text


def test_each_report_s_zone_contains_its_title_and_no_other_report_s_title(page):
    zones, unplaced = find_zones(read_layer(page), wanted())
    assert unplaced == []
    assert set(zones) == set(REPORTS)
    for key, zone in zones.items():
        assert zone.contains(zone.title), key
        for other in zones.values():
            if other is not zone:
                assert not zone.contains(other.title), (key, other.report)


def test_a_zone_covers_the_report_s_columns_not_the_page(page):
    layer = read_layer(page)
    zones, _ = find_zones(layer, wanted())
    area = layer.width * layer.height
    for key, zone in zones.items():
        covered = sum((right - left) * (bottom - top) for left, top, right, bottom in zone.rects)
        assert covered < area * 0.5, key
    lead, right = zones["lead"], zones["right"]
    assert max(rect[2] for rect in lead.rects) < min(rect[0] for rect in zones["side"].rects) + 1
    assert min(rect[1] for rect in right.rects) > max(rect[3] for rect in lead.rects) - 1  # below the lead


def test_a_caption_whose_words_its_title_repeats_has_every_character_in_its_zone():
    """A photo news item: its caption repeats its title, so runs inside those words are on the page
    twice and place nobody; the line that begins with them is in the zone all the same."""
    title = "社区开展创文志愿服务日活动"
    caption = "近日,湛河区姚孟街道阳光苑社区开展创文志愿服务日活动,组织青年志愿者在社区"
    chars, boxes = list(title), [(400 + x * 20, 0, 420 + x * 20, 20) for x in range(len(title))]
    for index, char in enumerate(caption):  # indented two characters, 20 a line: the second line begins 文志愿
        place = index + 2
        x, y = place % 20 * 10, 40 + place // 20 * 12
        chars.append(char)
        boxes.append((x, y, x + 10, y + 10))
    zones, unplaced = find_zones(SimpleNamespace(text="".join(chars), boxes=boxes), {"photo": (title, caption)})
    zone = zones["photo"]
    assert [char for char, box in zip(caption, boxes[len(title) :], strict=True) if not zone.contains(box)] == []
    assert len(zone.shapes) == 2, "its title, and its caption in one block"


def test_page_furniture_between_two_runs_of_a_report_is_not_taken_into_its_zone():
    """A running head between a report's runs in the text layer's order, far away on the page, is not
    its text there, although the report names it elsewhere."""
    title, body = "湛河区加强思政课建设", "思想政治理论课是落实立德树人根本任务的关键课程,湛河区第3版刊登了全区思政课的做法。"
    first, second = body[:24], body[24:]
    chars, boxes = list(title), [(x * 20, 0, x * 20 + 20, 20) for x in range(len(title))]
    for index, char in enumerate(first):
        chars.append(char)
        boxes.append((index % 10 * 10, 40 + index // 10 * 12, index % 10 * 10 + 10, 50 + index // 10 * 12))
    for index, char in enumerate("第3版"):  # the page's running head, at its foot
        chars.append(char)
        boxes.append((500 + index * 10, 900, 510 + index * 10, 910))
    for index, char in enumerate(second, start=len(first)):
        chars.append(char)
        boxes.append((index % 10 * 10, 40 + index // 10 * 12, index % 10 * 10 + 10, 50 + index // 10 * 12))
    zones, _ = find_zones(SimpleNamespace(text="".join(chars), boxes=boxes), {"report": (title, body)})
    assert all(bottom < 900 for _, _, _, bottom in zones["report"].rects), zones["report"].rects


def test_a_report_whose_text_is_not_on_the_page_is_not_placed(page):
    reports = wanted() | {"elsewhere": ("不在本版的稿件", lorem(99, 300))}
    zones, unplaced = find_zones(read_layer(page), reports)
    assert unplaced == ["elsewhere"]
    assert "elsewhere" not in zones


def test_the_page_renders_to_a_picture_of_the_width_asked(page):
    picture = render(page, 800)
    assert picture.width == 800
    layer = read_layer(page)
    assert abs(picture.height - round(800 * layer.height / layer.width)) <= 1
    assert picture.convert("L").getextrema()[0] < 80  # there is ink on it


def two_page_pdf():
    document = pdfium.PdfDocument.new()
    document.new_page(595, 842)
    document.new_page(595, 842)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: b"<html>not a pdf</html>", "is not a PDF"),
        (lambda: b"%PDF-1.7\n garbage with no objects", "cannot be read"),
        (two_page_pdf, "has 2 pages — one printed page per PDF"),
        (lambda: Image.new("RGB", (10, 10)).tobytes(), "is not a PDF"),
    ],
    ids=["html", "damaged", "two-pages", "raw-bytes"],
)
def test_a_file_that_is_not_one_readable_page_is_refused(make, message):
    with pytest.raises(PageError) as refused:
        read_layer(make())
    assert message in str(refused.value)


SLUGS = {"tui-jin-xiang-mu-jian-she", "fang-tang-qing-ru-xu"}


def test_a_sidecar_gives_rectangles_and_polygons_in_points_from_the_top_left():
    text = """# drawn by the night editor
zones:
  - report: tui-jin-xiang-mu-jian-she
    rect: [36, 420, 250, 180]
  - report: fang-tang-qing-ru-xu
    polygon: [[300, 400], [560, 400], [560, 800], [300, 800], [300, 600]]
"""
    zones = read_sidecar(text, 595, 842, SLUGS)
    rect = zones["tui-jin-xiang-mu-jian-she"]
    assert rect.rects == ((36, 420, 286, 600),)
    assert rect.contains((40, 430, 280, 590)) and not rect.contains((300, 430, 320, 450))
    assert zones["fang-tang-qing-ru-xu"].box == (300, 400, 560, 800)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("zones:\n  - report: [unclosed\n", "zones: cannot be read"),
        ("zones: 3\n", "1: zones: is not a list of zones"),
        (
            "zones:\n  - report: tui-jin-xiang-mu-jian-she\n    rect: [36, 420, 250, 180]\n  - report: no-such-report\n    rect: [1, 1, 2, 2]\n",
            "4: report: “no-such-report” is no report on this page",
        ),
        ("zones:\n  - report: fang-tang-qing-ru-xu\n    rect: [500, 700, 200, 200]\n", "3: rect: lies outside the page (595×842 points)"),
        ("zones:\n  - report: fang-tang-qing-ru-xu\n    rect: [1, 2, 3]\n", "3: rect: is not a list of 4 numbers"),
        ("zones:\n  - report: fang-tang-qing-ru-xu\n    polygon: [[1, 2], [3, 4]]\n", "3: polygon: needs at least three points"),
    ],
    ids=["unparseable", "not-a-list", "names-no-report", "outside-the-page", "short-rect", "two-point-polygon"],
)
def test_a_bad_sidecar_is_refused_with_the_line_and_field(text, problem):
    with pytest.raises(SidecarError) as refused:
        read_sidecar(text, 595, 842, SLUGS)
    assert problem in str(refused.value)
