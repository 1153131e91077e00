"""Rendering a report's text: Markdown → HTML, Chinese line breaks joined, sanitised.

markdown-it-py (CommonMark) is about three times faster than Python-Markdown on
news copy, which matters at 50,000 reports. Besides CommonMark it renders what
Pelican's MARKDOWN setting asks for (`features_of`): footnotes, tables,
strikethrough and bare links, all four unless MARKDOWN says otherwise; a MARKDOWN
naming anything else is refused. Raw HTML is limited to what nh3 (Ammonia)
keeps by default, and what those features make; scripts and handlers go.
"""

import functools
import re

import nh3
from linkify_it import LinkifyIt
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin
from pelican.settings import DEFAULT_CONFIG

# A line break inside a paragraph shows as a space in browsers (all but Firefox): beside a Chinese
# character that is a gap the printed page does not have (a paper setting ASCII commas and figures in
# Chinese text has none in "25%,盗抢骗" or "所得415.4万元"), so it is removed; between two words of
# another script it is their space, and kept. Not in preformatted text, where a line is a line.
# Beside one Chinese character only: ideographs, Chinese punctuation and full-width forms, not the
# quotes, dash and ellipsis English shares (“Hello” after a line break keeps its space).
HAN_RANGES = r"\u2e80-\u2fff\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
CJK = rf"[{HAN_RANGES}\u2018-\u201f\u2014\u2026]"  # with the quotes, dash and ellipsis Chinese text shares with English
HAN = f"[{HAN_RANGES}]"
CJK_LINE_BREAK = re.compile(rf"(?<={CJK})[ \t]*\n[ \t]*(?={CJK})|(?<={HAN})[ \t]*\n[ \t]*|[ \t]*\n[ \t]*(?={HAN})")
PREFORMATTED = re.compile(r"(<pre[\s>].*?</pre>)", re.DOTALL | re.IGNORECASE)
ATTRIBUTES = {**nh3.ALLOWED_ATTRIBUTES, "img": {"src", "alt", "title", "width", "height"}, "a": {"href", "title"}}

FEATURES = frozenset({"footnotes", "tables", "strikethrough", "links"})
# Python-Markdown's extensions, as MARKDOWN names them, that this renderer honours: what each turns on.
EXTENSIONS = {
    "extra": {"footnotes", "tables"},  # and fenced code, which CommonMark has
    "footnotes": {"footnotes"},
    "tables": {"tables"},
    "fenced_code": set(),  # CommonMark's own
    "meta": set(),  # the fields above the text are read by the content schema (Pelican adds meta itself)
    "pymdownx.tilde": {"strikethrough"},
    "pymdownx.magiclink": {"links"},
}
OUTPUT_FORMATS = ("html", "html5")
SUPPORTED = "footnotes, tables, strikethrough and bare links without a MARKDOWN setting; MARKDOWN may name only " + ", ".join(EXTENSIONS)


class SettingError(ValueError):
    """A MARKDOWN setting the renderer cannot honour; the message is the line to show."""


def features_of(settings):
    """What the body renderer does besides CommonMark, from the MARKDOWN setting; SettingError if it cannot honour it."""
    markdown = (settings or {}).get("MARKDOWN")
    if markdown is None or _requested(markdown) == _requested(DEFAULT_CONFIG["MARKDOWN"]):
        return FEATURES  # Pelican's own default: the settings do not set it
    wanted = set()
    for key in sorted(markdown.keys() - {"extensions", "extension_configs", "output_format"}):
        _refuse(f"{key} is not supported")
    if markdown.get("output_format", "html5") not in OUTPUT_FORMATS:
        _refuse(f"output_format {markdown['output_format']} is not supported (the text is written as HTML5)")
    for name, options in _requested(markdown):
        if name not in EXTENSIONS:
            _refuse(f"{name} is not supported")
        if options:
            _refuse(f"the options of {name} ({', '.join(options)}) are not supported")
        wanted |= EXTENSIONS[name]
    return frozenset(wanted)


def _requested(markdown):
    """{(short name, (option names…))} of the extensions a MARKDOWN setting names (Pelican adds meta to every one)."""
    configs = markdown.get("extension_configs") or {}
    requested = {("meta", ())}
    for extension in [*configs, *markdown.get("extensions", ())]:
        if not isinstance(extension, str):
            _refuse(f"the extension object {type(extension).__name__} is not supported")
        name = extension.split(":")[0].removeprefix("markdown.extensions.")
        requested.add((name, tuple(sorted(configs.get(extension) or ()))))
    return requested


def _refuse(what):
    raise SettingError(f"MARKDOWN: {what} — reports are rendered by markdown-it-py: {SUPPORTED}")


class NewsroomLinks(LinkifyIt):
    """Bare links as a Chinese report writes them: http(s)://…, www.… or an e-mail address, each
    ending at the first character that is not ASCII, since the text runs on with no space
    (详见http://www.pds.gov.cn。). Other bare names (Mr.Li, pds.gov.cn) stay text."""

    ASCII = re.compile(r"[\x00-\x7f]+")

    def pretest(self, text):
        # Run on every paragraph: linkify-it's own pretest took more time than the rest of the
        # rendering, and a regular expression six times as long as these searches.
        return "://" in text or "@" in text or "ww." in text or "WW." in text

    def test(self, text):
        return bool(self.match(text))

    def match(self, text):
        found = []
        for run in self.ASCII.finditer(text):
            for link in super().match(run.group()) or ():
                if link.schema in ("http:", "https:", "mailto:") or (not link.schema and link.raw[:4].lower() == "www."):
                    link.index += run.start()
                    link.last_index += run.start()
                    found.append(link)
        return found or None

    def match_at_start(self, text):
        run = self.ASCII.match(text)
        return super().match_at_start(run.group()) if run else None


@functools.cache
def markdown(features, scanning=False):
    """The one Markdown renderer of the check and the build for these features; `scanning`
    also records the references a text leaves unresolved (`references`)."""
    md = MarkdownIt("commonmark", {"linkify": "links" in features})
    md.enable([rule for feature, rule in (("tables", "table"), ("strikethrough", "strikethrough"), ("links", "linkify")) if feature in features])
    if "footnotes" in features:
        md.use(footnote_plugin, inline=False)  # [^1] as Python-Markdown has it, not pandoc's ^[inline notes]
    if "links" in features:
        md.linkify = NewsroomLinks()
    if scanning:
        md.core.ruler.after("inline", "unresolved_references", functools.partial(_unresolved_references, footnotes="footnotes" in features))
    # Keep Pelican's {filename}/{static} link markers as written: CommonMark would percent-encode the braces.
    md.normalizeLink = lambda url: url
    return md


FOOTNOTE_ID = re.compile(r"fn(?:ref)?\d+(?::\d+)?")
FOOTNOTE_CLASSES = {
    "sup": "footnote-ref",
    "a": "footnote-backref",
    "hr": "footnotes-sep",
    "section": "footnotes",
    "ol": "footnotes-list",
    "li": "footnote-item",
}


def _footnote_attributes(tag, attribute, value):
    """Only the ids and classes footnotes make (fn1, fnref1:2; footnote-item…): raw HTML must not
    take an id of the page around it."""
    if attribute == "id":
        return value if FOOTNOTE_ID.fullmatch(value) else None
    if attribute == "class":
        return value if FOOTNOTE_CLASSES.get(tag) == value else None
    return value


@functools.cache
def cleaner(features):
    """The sanitiser: nh3's defaults, and what these features make (footnotes: their ids, classes and section)."""
    options = {"attributes": ATTRIBUTES, "link_rel": None, "url_schemes": {"http", "https", "mailto"}}
    if "footnotes" in features:
        attributes = {tag: {"class"} | ATTRIBUTES.get(tag, set()) for tag in FOOTNOTE_CLASSES}
        attributes["a"] |= {"id"}
        attributes["li"] |= {"id"}
        options.update(tags=nh3.ALLOWED_TAGS | {"section"}, attributes={**ATTRIBUTES, **attributes}, attribute_filter=_footnote_attributes)
    return nh3.Cleaner(**options)


def join_cjk_lines(html):
    parts = PREFORMATTED.split(html)  # preformatted blocks at odd places
    return "".join(part if index % 2 else CJK_LINE_BREAK.sub("", part) for index, part in enumerate(parts))


def render_body(text, features=FEATURES):
    return cleaner(features).clean(join_cjk_lines(markdown(features).render(text)))


FOOTNOTE_REFERENCE = re.compile(r"\[\^([^\]\s]+)\]")
REFERENCE_LINK = re.compile(r"(?:\[([^\[\]]*))?\]\[([^\[\]]*)\]")


def references(text, features=FEATURES):
    """What a text's references leave unresolved, and where its link definitions point:
    ([(line, what is wrong, what is expected)], [(target, line)]), lines counted from the text's first (0)."""
    env = {}
    markdown(features, scanning=True).parse(text, env)
    definitions = [(reference["href"], reference["map"][0]) for reference in env.get("references", {}).values()]
    return env.get("unresolved", []), definitions


def _unresolved_references(state, footnotes):
    """A core rule run after the inline pass (before footnotes are moved to the end, and before
    adjacent text is joined, so that an escaped \\[ is not read as a bracket)."""
    unresolved = state.env.setdefault("unresolved", [])
    refs = state.env.get("footnotes", {}).get("refs", {})
    for token in state.tokens:
        if token.type == "footnote_reference_open" and refs.get(":" + token.meta["label"], -1) < 0:
            label = token.meta["label"]
            unresolved.append((token.map[0], f"footnote [^{label}] is never referenced", f"[^{label}] in the text where the note belongs, or delete the note"))
        elif token.type == "inline" and token.map and "[" in token.content:
            unresolved.extend(_unresolved_in(token, footnotes))


def _unresolved_in(inline, footnotes):
    """(line, what, expected) of each reference left as text in an inline token (one that resolved is a link or footnote)."""
    found, cursor = [], 0
    for child in inline.children or ():
        if child.type != "text" or "]" not in child.content:
            continue
        unresolved = []
        for match in REFERENCE_LINK.finditer(child.content):
            label = match.group(2) or match.group(1) or ""
            written = match.group(0) if match.group(1) is not None else "…" + match.group(0)
            expected = f"a line “[{label}]: https://…” below the text, or [text](https://…); write \\[ for a bracket that is not a link"
            unresolved.append((match.start(), match.group(0), f"link {written} has no definition of [{label}]", expected))
        if footnotes:
            for match in FOOTNOTE_REFERENCE.finditer(child.content):
                label = match.group(1)
                unresolved.append((match.start(), match.group(0), f"footnote [^{label}] has no definition", f"a line “[^{label}]: the note” below the text"))
        start = inline.content.find(child.content, cursor)
        base = start if start >= 0 else cursor
        for offset, _, what, expected in sorted(unresolved):
            found.append((inline.map[0] + inline.content.count("\n", 0, base + offset), what, expected))
        cursor = base + len(child.content) if start >= 0 else cursor
    return found
