"""The build's reader: items are read through the content schema, not loosely.

Pelican's own Markdown reader splits tags only on ASCII commas, parses dates
loosely and slugs names with unidecode; this reader gives Pelican metadata
already parsed by the schema, with pinyin slugs, and a sanitised body.
"""

import datetime
import functools
import os
import re
from functools import cached_property
from html import unescape
from urllib.parse import unquote, urlparse

from pelican import urlwrappers
from pelican.readers import MarkdownReader
from pelican.utils import SafeDatetime

from site_build.pelican_internals import url_from_settings
from site_build.state import build_of

from . import body
from .check import MARKDOWN, body_of, name_slug
from .settled import seal_of
from .source import file_digest, parse_source


class ContentError(Exception):
    """Content that fails the schema; the message lists every problem."""


class HashedOnce:
    """A Tag, Author or Category hashed as Pelican's are, by its slug, but worked out once: Pelican's
    lists of the archive hash each of a report's tags, people and section (a million times a build
    of 200,000 reports), each time through its slug property. A slug or name set anew hashes anew."""

    def _set_name(self, name):
        self.__dict__.pop("_hash", None)
        urlwrappers.URLWrapper.name.fset(self, name)

    def _set_slug(self, slug):
        self.__dict__.pop("_hash", None)
        urlwrappers.URLWrapper.slug.fset(self, slug)

    # Pelican's getters as they are (a slug is read often: sorting, comparing), with setters that forget the hash.
    name = property(urlwrappers.URLWrapper.name.fget, _set_name)
    slug = property(urlwrappers.URLWrapper.slug.fget, _set_slug)

    def __hash__(self):
        found = self.__dict__.get("_hash")
        if found is None:
            found = self.__dict__["_hash"] = hash(self.slug)
        return found


# Pelican recomputes a tag's or person's URL from settings on every access,
# thousands of times per list page; these keep the class names Pelican's
# settings lookup uses (AUTHOR_URL…) but work the URL out once.
class Author(HashedOnce, urlwrappers.Author):
    url = cached_property(lambda self: url_from_settings(self, "URL"))
    save_as = cached_property(lambda self: url_from_settings(self, "SAVE_AS"))


class Tag(HashedOnce, urlwrappers.Tag):
    url = cached_property(lambda self: url_from_settings(self, "URL"))
    save_as = cached_property(lambda self: url_from_settings(self, "SAVE_AS"))


class Category(HashedOnce, urlwrappers.Category):
    url = cached_property(lambda self: url_from_settings(self, "URL"))
    save_as = cached_property(lambda self: url_from_settings(self, "SAVE_AS"))


class EditionDatetime(SafeDatetime):
    """Pelican formats every item's date on reading, with a slow portable strftime;
    Python's own handles Chinese and every year we print."""

    def strftime(self, fmt, safe=True):
        return datetime.datetime.strftime(self, fmt) if "%-" not in fmt else super().strftime(fmt, safe)


def shared_wrapper(build, cls, name, slug):
    """The one Tag, Author or Category object per (class, name) of a build (build.wrappers), shared
    by the reports read now and those loaded from Pelican's cache."""
    wrapper = build.wrappers.get((cls, name))
    if wrapper is None:
        wrapper = build.wrappers[cls, name] = cls(name, build.settings)
        wrapper.slug = slug
    return wrapper


class NewsReader(MarkdownReader):
    file_extensions = [extension[1:] for extension in MARKDOWN]

    def read(self, source_path):
        """The source the check took when the build started (build.checked), else the file, read now."""
        settings = self.settings
        build = build_of(settings)
        build.read += 1
        # Pelican's path is the checked file's own unless the content folder is reached by a symlink.
        source = build.checked.pop(source_path, None) or build.checked.pop(os.path.realpath(source_path), None)
        if source is None:
            with open(source_path, "rb") as handle:
                source = parse_source(source_path, handle.read())
            checked = build.digests.get(source_path) or sealed_digest(build, source_path)
            if checked is not None and checked != source.digest:
                raise ContentError(f"{source_path} changed while the edition was being built; build again")
        if source.problems:
            raise ContentError("\n".join(map(str, source.problems)))
        html = source.html if source.html is not None else body.render_body(body_of(source), self.features)

        def wrapper(cls, name, explicit):
            return build.wrappers.get((cls, name)) or shared_wrapper(build, cls, name, name_slug(name, settings.get(explicit)))

        metadata = pelican_metadata(source.values, settings, wrapper)
        if "summary" not in metadata:
            lede = lede_of(html)
            if lede:
                metadata["summary"] = lede
        metadata["source_digest"] = source.digest
        linked = linked_paths(html, source_path, settings)
        if linked:
            metadata["linked"] = linked
        return html, metadata

    @cached_property
    def features(self):
        return body.features_of(self.settings)


PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
TAG = re.compile(r"<[^>]+>")
# The dateline and byline a report opens with (本报讯(记者张亚丹 通讯员胡丽华)), and a photo caption's ▲.
OPENING = re.compile(r"^(?:本报讯\s*[（(][^）)]*[）)]\s*|▲\s*)")
SENTENCE = re.compile(r"^.{12,}?[。！？]”?")
LEDE = 80  # characters of a summary made from the text: two lines of a list on a phone


def lede_of(html):
    """A report's summary when its file gives none: its first sentence as plain text, without the dateline
    and byline it opens with, cut at LEDE characters. Pelican's own was the body's first words as HTML,
    which lists, search engines' descriptions and the JSON-LD showed as text, tags and all (<p>本报讯…</p>)."""
    for paragraph in PARAGRAPH.findall(html):
        text = " ".join(unescape(TAG.sub("", paragraph)).split())
        text = OPENING.sub("", text)
        if text:
            sentence = SENTENCE.match(text)
            if sentence and len(sentence.group(0)) <= LEDE:
                return sentence.group(0)
            return text if len(text) <= LEDE else text[:LEDE].rstrip() + "……"
    return None


def sealed_digest(build, path):
    """The digest the check vouched for of a file of a folder it handed on by its seal (build.sealed), or
    None. Pelican reads such a file only when its cached report is not the file's (a row older than
    the check's summary): the folder's Markdown files are read now, once, and must still be the seal's."""
    folder = path.rpartition(os.sep)[0]
    sealed = build.sealed.get(folder)
    if sealed is None:
        return None
    found = build.unsealed.get(folder)
    if found is None:
        with os.scandir(folder) as entries:
            found = {entry.name: file_digest(entry.path) for entry in entries if entry.name.endswith(MARKDOWN) and not entry.is_dir()}
        if seal_of(found.items()) != sealed[0]:
            raise ContentError(f"{folder} changed while the edition was being built; build again")
        build.unsealed[folder] = found
    return found.get(path.rpartition(os.sep)[2])


def linked_paths(html, source_path, settings):
    """The files an item's body links to with {filename}, {static} or {attach}: for each link, the
    names Pelican looks it up by (as written, unquoted, HTML-unescaped), relative to the content
    folder. The URLs they get are part of the item's page (incremental.fingerprints.item_digest),
    so that a report that moves renders again the pages that link to it."""
    if "{" not in html and "|" not in html:
        return ()
    root = os.path.abspath(settings["PATH"])
    folder = os.path.dirname(os.path.abspath(source_path))

    def resolved(path):
        if path.startswith("/"):
            return path[1:]
        return os.path.relpath(os.path.abspath(os.path.join(folder, path)), root).replace(os.sep, "/")

    found = set()
    for match in intrasite_links(settings["INTRASITE_LINK_REGEX"]).finditer(html):
        if match.group("what") not in ("filename", "static", "attach"):
            continue
        value = urlparse(match.group("value"))
        names = (value.path, unquote(value.path), urlparse(unescape(value.geturl())).path)
        found.add(tuple(dict.fromkeys(resolved(name) for name in names)))
    return tuple(sorted(found))


@functools.cache
def intrasite_links(intrasite):
    """Pelican's own pattern for the links it resolves (Content._get_intrasite_link_regex)."""
    return re.compile(
        r"""(?P<markup><[^\>]+(?:href|src|poster|data|cite|formaction|action|content)\s*=\s*)"""
        rf"""(?P<quote>["\'])(?P<path>{intrasite}(?P<value>.*?))(?P=quote)"""
    )


def pelican_metadata(values, settings, url_wrapper):
    """Schema values → the metadata Pelican's Article expects, plus our own fields."""
    metadata = dict(values)
    metadata.setdefault("kind", "report")
    for key in ("date", "modified"):
        if key in values:
            metadata[key] = EditionDatetime(*values[key].timetuple()[:6])
    metadata["page_slug"] = values["page"].lower()
    metadata["category"] = url_wrapper(Category, values["section"], "SECTION_SLUGS")
    metadata["tags"] = [url_wrapper(Tag, tag, "TAG_SLUGS") for tag in values.get("tags", [])]
    authors = [url_wrapper(Author, credit.name, "PERSON_SLUGS") for credit in values["people"]]
    metadata["authors"] = authors
    metadata["roles"] = {author.slug: credit.role for author, credit in zip(authors, values["people"], strict=True)}
    metadata["credits"] = list(zip(values["people"], authors, strict=True))
    # Work the item's URL out once: Pelican would format it anew on every access.
    metadata["url"] = settings["ARTICLE_URL"].format_map(metadata)
    metadata["save_as"] = settings["ARTICLE_SAVE_AS"].format_map(metadata)
    return metadata
