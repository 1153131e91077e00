"""Rendering a report's text: Markdown → HTML, Chinese line breaks joined, sanitised.

markdown-it-py (CommonMark, tables) is about three times faster than
Python-Markdown on news copy, which matters at 50,000 reports. Raw HTML is
limited to what nh3 (Ammonia) keeps by default; scripts and handlers go.
"""

import re

import nh3
from markdown_it import MarkdownIt

CJK = r"[\u2e80-\u2fff\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\u2018-\u201f\u2014\u2026]"
# A line break inside a paragraph shows as a space in browsers (all but Firefox):
# between two Chinese characters that is a visible gap, so it is removed.
CJK_LINE_BREAK = re.compile(rf"(?<={CJK})[ \t]*\n[ \t]*(?={CJK})")
ATTRIBUTES = {**nh3.ALLOWED_ATTRIBUTES, "img": {"src", "alt", "title", "width", "height"}, "a": {"href", "title"}}


def _markdown():
    md = MarkdownIt("commonmark").enable("table")
    # Keep Pelican's {filename}/{static} link markers as written: CommonMark would percent-encode the braces.
    md.normalizeLink = lambda url: url
    return md


MARKDOWN = _markdown()


def join_cjk_lines(html):
    return CJK_LINE_BREAK.sub("", html)


def render_body(text):
    html = join_cjk_lines(MARKDOWN.render(text))
    return nh3.clean(html, attributes=ATTRIBUTES, link_rel=None, url_schemes={"http", "https", "mailto"})
