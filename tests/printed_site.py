"""A small edition with a printed page: reports laid out on a page PDF (page_pdf), built in place.

Page A06 of 2020-12-30 has its PDF: five reports are on it, one is not on it but has a zone
drawn in the page's sidecar, one is on neither (the build warns of it). Page A07 has no PDF, and
a PDF of page A09 has no report. An edition of November makes a second month in the calendar.
"""

import os
from pathlib import Path

from conftest import Site, run_pelican, write_item, write_settings
from page_pdf import lorem, page_html, print_pdf

DATE = "2020-12-30"
# (slug, title, paragraphs, columns, grid columns) in the page's reading order (Position 1–5)
ON_PAGE = [
    ("quan-mian-tui-dong", "湛河区全面推动经济社会发展", [lorem(1, 420), lorem(2, 380), lorem(3, 300)], 4, "1 / span 4"),
    ("si-zheng-ke", "湛河区加强思政课建设", [lorem(4, 260), lorem(5, 200)], 2, "5 / span 2"),
    ("xin-jue-se", "退选不褪色扮好新角色", [lorem(6, 300), lorem(7, 240)], 2, "1 / span 2"),
    ("xiang-mu-jian-she", "推进项目建设", [lorem(8, 150)], 1, "3 / span 1"),
    ("fang-tang", "方塘清如许源头活水来", [lorem(9, 400), lorem(10, 380)], 3, "4 / span 3"),
]
DRAWN = ("hua-chu-lai-de", "编辑画出版区的稿件", [lorem(50, 200)])  # Position 6: its zone is in the sidecar
ELSEWHERE = ("bu-zai-ban-mian", "不在版面上的稿件", [lorem(51, 200)])  # Position 7: no zone, a warning
DRAWN_RECT = [40, 1200, 300, 200]  # left, top, width, height in points: below the reports on the page
SETTINGS = "SECTIONS = ['湛河区', '要闻']\nSEARCH_INDEX = False\n"


def write_reports(content):
    reports = [*ON_PAGE, (*DRAWN, 1, ""), (*ELSEWHERE, 1, "")]
    for position, (slug, title, paragraphs, _, _) in enumerate(reports, 1):
        write_item(
            content,
            f"{DATE}/a06-{position:02d}-{slug}.md",
            title,
            date=DATE,
            page="A06",
            section="湛河区",
            position=position,
            Slug=slug,
            body="\n\n".join(paragraphs),
        )
    write_item(
        content, f"{DATE}/a07-01-di-qi-ban.md", "第七版的稿件", date=DATE, page="A07", section="湛河区", position=1, Slug="di-qi-ban", body=lorem(60, 120)
    )
    write_item(
        content,
        "2020-11-30/a01-01-shang-ge-yue.md",
        "上个月的稿件",
        date="2020-11-30",
        page="A01",
        section="要闻",
        position=1,
        Slug="shang-ge-yue",
        body=lorem(61, 120),
    )


def write_page(content, browser=None):
    """The page PDF of A06 and its sidecar; both dated an hour ago, as a checkout leaves them."""
    pdf = Path(content) / DATE / "a06.pdf"
    print_pdf(page_html([report[1:] for report in ON_PAGE]), pdf, browser)
    sidecar = Path(content) / DATE / "a06.yml"
    sidecar.write_text(f"# drawn by the night editor\nzones:\n  - report: {DRAWN[0]}\n    rect: {DRAWN_RECT}\n", encoding="utf-8")
    stray = Path(content) / DATE / "a09.pdf"  # a page no report is on: a warning, not published
    stray.write_bytes(pdf.read_bytes())
    for path in (pdf, sidecar, stray):
        earlier = path.stat().st_mtime - 3600
        os.utime(path, (earlier, earlier))
    return pdf


def build_printed_site(folder, browser=None):
    """Build the edition into folder/output with plain Pelican (as conftest.build); (Site, its log).

    browser: the Chromium that prints the page PDF, if one is running already."""
    folder = Path(folder)
    content = folder / "content"
    write_reports(content)
    write_page(content, browser)
    log = rebuild(folder)
    return Site(folder / "output"), log


def rebuild(folder):
    folder = Path(folder)
    result = run_pelican(folder / "content", folder / "output", write_settings(folder, SETTINGS))
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def report_url(slug, page="a06"):
    return f"/{DATE}/{page}/{slug}/"
