"""Synthetic printed pages for tests: reports laid out in newspaper columns in HTML and printed
to a one-page PDF by the system Chromium, so that the PDF has a real text layer."""

import html
import random

from browser_support import CHROMIUM, CHROMIUM_ARGS

# Common characters of news copy, for text that reads as Chinese and rarely repeats by chance
POOL = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理府研质"


def lorem(seed, length):
    """Chinese-looking text of `length` characters, the same for the same seed, with full stops."""
    chance = random.Random(seed)
    chars = [chance.choice(POOL) for _ in range(length)]
    for index in range(17, length, 23):
        chars[index] = "。"
    return "".join(chars)


PAGE_CSS = """
@page { size: 400mm 540mm; margin: 12mm; }
body { margin: 0; font-family: 'Noto Serif CJK SC', 'Noto Sans CJK SC', serif; font-size: 10pt; line-height: 1.45; }
.page { display: grid; grid-template-columns: repeat(6, 1fr); gap: 6mm; }
.report { border-top: 1px solid #000; padding-top: 2mm; }
.report h2 { margin: 0 0 2mm; font-size: 20pt; line-height: 1.2; text-align: center; }
.report .text { column-gap: 5mm; }
.report p { margin: 0; text-indent: 2em; text-align: justify; }
"""


def page_html(reports):
    """reports: [(title, paragraphs, columns, grid_area_css)] in reading order."""
    blocks = []
    for title, paragraphs, columns, area in reports:
        text = "".join(f"<p>{html.escape(paragraph)}</p>" for paragraph in paragraphs)
        blocks.append(
            f'<section class="report" style="grid-column: {area}"><h2>{html.escape(title)}</h2><div class="text" style="column-count: {columns}">{text}</div></section>'
        )
    return f'<!doctype html><html lang="zh-CN"><meta charset="utf-8"><style>{PAGE_CSS}</style><body><div class="page">{"".join(blocks)}</div></body></html>'


def print_pdf(markup, path, browser=None):
    """Print HTML to a PDF with the system Chromium (Playwright drives it), or with a browser
    already running: Playwright's sync API drives one per process, so tests pass conftest's `browser`."""
    if browser is not None:
        page = browser.new_page()
        try:
            page.set_content(markup, wait_until="load")
            page.pdf(path=str(path), prefer_css_page_size=True, print_background=True)
        finally:
            page.close()
        return path
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            return print_pdf(markup, path, browser)
        finally:
            browser.close()
