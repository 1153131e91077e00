"""The build's reader: items are read through the content schema, not loosely.

Pelican's own Markdown reader splits tags only on ASCII commas, parses dates
loosely and slugs names with unidecode; this reader gives Pelican metadata
already parsed by the schema, with pinyin slugs, and a sanitised body.
"""

import nh3
from markdown import Markdown
from pelican.readers import MarkdownReader
from pelican.urlwrappers import Author, Category, Tag
from pelican.utils import SafeDatetime

from .check import name_slug
from .source import parse_source

# Raw HTML in a body is limited to what nh3 (Ammonia) keeps by default,
# plus the attributes Markdown itself writes; scripts and handlers go.
BODY_ATTRIBUTES = {**nh3.ALLOWED_ATTRIBUTES, "img": {"src", "alt", "title", "width", "height"}, "a": {"href", "title"}, "td": {"align"}, "th": {"align"}}


class ContentError(Exception):
    """Content that fails the schema; the message lists every problem."""


class NewsReader(MarkdownReader):
    file_extensions = ["md"]

    def __init__(self, settings):
        super().__init__(settings)
        self._md = Markdown(**settings["MARKDOWN"])

    def read(self, source_path):
        with open(source_path, "rb") as handle:
            source = parse_source(source_path, handle.read())
        if source.problems:
            raise ContentError("\n".join(map(str, source.problems)))
        self._md.reset()
        html = self._md.convert(source.body)
        html = nh3.clean(html, attributes=BODY_ATTRIBUTES, link_rel=None, url_schemes={"http", "https", "mailto"})
        return html, pelican_metadata(source.values, self.settings)


def url_wrapper(cls, name, settings, explicit):
    wrapper = cls(name, settings)
    wrapper.slug = name_slug(name, settings.get(explicit))
    return wrapper


def pelican_metadata(values, settings):
    """Schema values → the metadata Pelican's Article expects, plus our own fields."""
    metadata = dict(values)
    metadata.setdefault("kind", "report")
    for key in ("date", "modified"):
        if key in values:
            metadata[key] = SafeDatetime(*values[key].timetuple()[:6])
    metadata["page_slug"] = values["page"].lower()
    metadata["category"] = url_wrapper(Category, values["section"], settings, "SECTION_SLUGS")
    metadata["tags"] = [url_wrapper(Tag, tag, settings, "TAG_SLUGS") for tag in values.get("tags", [])]
    authors = [url_wrapper(Author, credit.name, settings, "PERSON_SLUGS") for credit in values["people"]]
    metadata["authors"] = authors
    metadata["roles"] = {author.slug: credit.role for author, credit in zip(authors, values["people"], strict=True)}
    metadata["credits"] = list(zip(values["people"], authors, strict=True))
    return metadata
