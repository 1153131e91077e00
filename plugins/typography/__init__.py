"""Chinese typography at build time.

A line break inside a Markdown paragraph is kept in HTML as a newline, which
browsers (all but Firefox) show as a space: between two Chinese characters
that is a visible gap. Remove such breaks when both sides are CJK.
"""

import re

from markdown import Extension
from markdown.postprocessors import Postprocessor
from pelican import signals

CJK = r"[\u2e80-\u2fff\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\u2018-\u201f\u2014\u2026]"
CJK_LINE_BREAK = re.compile(rf"(?<={CJK})[ \t]*\n[ \t]*(?={CJK})")


def join_cjk_lines(html):
    return CJK_LINE_BREAK.sub("", html)


class CjkLineJoin(Postprocessor):
    def run(self, text):
        return join_cjk_lines(text)


class CjkLineJoinExtension(Extension):
    def extendMarkdown(self, md):
        md.postprocessors.register(CjkLineJoin(md), "cjk_line_join", 5)


def add_extension(pelican):
    markdown = pelican.settings.setdefault("MARKDOWN", {})
    extensions = markdown.setdefault("extensions", [])
    if not any(isinstance(ext, CjkLineJoinExtension) for ext in extensions):
        extensions.append(CjkLineJoinExtension())


def register():
    signals.initialized.connect(add_extension)
