"""News metadata for machines: JSON-LD per report, sitemap.xml, a Google News sitemap and robots.txt.

Templates get two filters: `news_json_ld` (a report → its NewsArticle JSON)
and `absolute` (a site URL → an absolute one, for canonical and Open Graph).
"""

import datetime
import functools
import os
import re
from html import escape
from zoneinfo import ZoneInfo

from feedgenerator import Atom1Feed
from pelican import signals
from pelican.generators import Generator

from build_cache.keys import digest
from edition.model import page_order
from site_build.pelican_internals import AUTHORS, FeedHook, add_feed_hook
from staging.manifest import write_expires
from staging.trees import write_new

from .sitemaps import NEWS_WINDOW, SITEMAP, from_the_newest, news_sitemap, news_sitemap_changes, part_files, part_names, robots_txt, sitemap_index
from .structured import absolute, json_ld, news_article


class SitemapGenerator(Generator):
    def generate_context(self):
        pass

    def lists(self):
        """The pages that are not an edition's: the front page, the lists and their subjects, and any report in no edition."""
        context = self.context
        yield "", None
        yield context["EDITIONS_URL"], None
        for key in ("tags", "authors", "categories"):
            yield context[f"{key.upper()}_URL"], None
            yield from ((wrapper.url, None) for wrapper, _ in context[key])
        for article in context["articles"]:
            if "edition_page" not in article.__dict__:
                yield article.url, lastmod(article)

    def generate_output(self, writer):
        settings = self.settings
        site = absolute(settings, "")  # every URL is the site's and its own: joined here, not by a call each
        lists = [(site + url, modified) for url, modified in self.lists()]
        # Each part: (its files' names, its value in the manifest (None: made every build), what makes its files).
        parts = [(part_names("lists", len(lists)), None, functools.partial(part_files, "lists", lists))]
        months = {}
        for edition in self.context.get("editions", []):
            months.setdefault(f"{edition.date:%Y-%m}", []).append(edition)
        for month, editions in months.items():
            names = part_names(month, month_urls(editions))
            parts.append((names, month_value(writer, editions, len(names)), functools.partial(month_files, month, editions, site)))
        if hasattr(writer, "forget"):  # the parts of 50,000 URLs an older build made, which no manifest names
            writer.forget(name for name in names_in(settings.get("LAST_OUTPUT") or self.output_path) if LEGACY_PART.fullmatch(name))
        write_made = getattr(writer, "write_made", None) or functools.partial(write_made_here, self.output_path)
        for names, value, make in parts:
            write_made(names, value, functools.partial(declared, make))
        now = datetime.datetime.now(ZoneInfo(settings["TIMEZONE"]))
        articles = self.context["articles"]
        if settings.get("ARTICLE_ORDER_BY") is page_order:  # newest first: the news sitemap's two days are at the start
            articles = list(from_the_newest(articles, now - NEWS_WINDOW))
        news = news_sitemap(articles, now, lambda url: absolute(settings, url), settings["SITENAME"])
        index = sitemap_index([name for names, _, _ in parts for name in names], settings.get("SITEURL", ""))
        # Sitemap URLs must be absolute: a local build (SITEURL "") names them on FEED_DOMAIN, as its feeds.
        robots = robots_txt(settings.get("SITEURL") or settings.get("FEED_DOMAIN") or "", [SITEMAP, settings["NEWS_SITEMAP_SAVE_AS"]])
        for name, text in {SITEMAP: XML + index, settings["NEWS_SITEMAP_SAVE_AS"]: XML + news, "robots.txt": robots}.items():
            write_new(self.output_path, name, text)
        write_expires(self.output_path, news_sitemap_changes(articles, now))


XML = '<?xml version="1.0" encoding="UTF-8"?>\n'
LEGACY_PART = re.compile(r"sitemap-\d+\.xml")


def names_in(folder):
    try:
        return os.listdir(folder)
    except OSError:
        return []


def lastmod(article):
    # Not getattr: a cached report without a correction would look for one among its other fields.
    return article.__dict__.get("modified", article.date)


def month_urls(editions):
    """How many URLs a month's sitemap holds (month_files): each edition's, its pages' and its reports'."""
    return sum(1 + len(edition.pages) + sum(len(page.items) for page in edition.pages) for edition in editions)


def month_files(month, editions, site):
    """{filename: xml} of a month's sitemap: its editions, their pages and their reports."""
    entries = []
    for edition in editions:
        entries.append((site + edition.url, None))
        entries += [(site + page.url, None) for page in edition.pages]
        entries += [(site + item.url, lastmod(item)) for page in edition.pages for item in page.items]
    return part_files(month, entries)


def declared(make):
    """The files make() gives, each with its XML declaration."""
    return {name: XML + xml for name, xml in make().items()}


def month_value(writer, editions, files):
    """What a month's sitemap is made of, for the manifest: its editions' keys (incremental.writer: each
    edition's reports' URLs, files and bytes, their times among them, and the build's base) and how many
    files it takes; None, made again, if an edition has no key (or the writer keeps none)."""
    known = getattr(writer, "editions", {})
    keys = [known.get(id(edition)) for edition in editions]
    if None in keys:
        return None
    return "sitemap:" + digest(files, [(edition.date.isoformat(), key) for edition, key in zip(editions, keys, strict=True)])


def write_made_here(folder, names, value, make):
    """QueueingWriter.write_made for a writer that carries nothing: every file written."""
    for name, text in make().items():
        write_new(folder, name, text)


class FeedMeta(FeedHook):
    """What Pelican's feeds lack for a paper's readers (site_build.pelican_internals.FEED_HOOKS): an Atom
    feed's id is its own URL, not the site's, which every feed would share (a reader may take two
    feeds of one id for one); an entry names every person of its report, with their page, not the
    first alone (a 通讯员 is an author of the report too, and it is in their feed); an entry's text
    opens with its headline's other decks (deck_header), as the report's page does."""

    def __init__(self, settings):
        self.rss_summary_only = bool(settings.get("RSS_FEED_SUMMARY_ONLY"))  # an RSS entry is its summary then, without decks

    def feed(self, feed, url):
        if isinstance(feed, Atom1Feed):
            feed.feed["id"] = url

    def entry(self, fields, item, siteurl, atom):
        authors = getattr(item, "authors", None)
        if atom and authors:
            fields[AUTHORS] = [(author.name, f"{siteurl}/{author.url}") for author in authors]
        key = "content" if atom else "description"
        header = deck_header(item)
        if header and fields.get(key) is not None and (atom or not self.rss_summary_only):
            fields[key] = header + fields[key]


def deck_header(item):
    """The decks a feed's entry title (主题) leaves out: 引题 above it, 副题 after a dash, as a paper
    writes a subtitle run into text; a reader got 方塘清如许 源头活水来 without what it is about."""
    kicker, subtitle = (getattr(item, name, None) for name in ("kicker", "subtitle"))
    lines = [f"<p>{escape(kicker)}</p>"] if kicker else []
    if subtitle:
        lines.append(f"<p>——{escape(subtitle)}</p>")
    return f"<header>{''.join(lines)}</header>" if lines else ""


def configure(pelican):
    settings = pelican.settings
    add_feed_hook(settings, FeedMeta(settings))
    settings.setdefault("NEWS_SITEMAP_SAVE_AS", "news-sitemap.xml")
    filters = settings.setdefault("JINJA_FILTERS", {})
    filters["news_json_ld"] = lambda article: json_ld(news_article(article, settings))
    filters["absolute"] = lambda url: absolute(settings, url)


def get_generators(pelican):
    return SitemapGenerator


def register():
    signals.initialized.connect(configure)
    signals.get_generators.connect(get_generators)
