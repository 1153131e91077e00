"""Every place the site replaces or leans on a private part of Pelican (pinned: 4.12), with its reason.

Pelican's public ways in (signals, settings, readers, generators, writers) are used everywhere else.
What is here is what an edition of 50,000 reports needed beyond them, for speed; each is a line or
two, called by the plugin that needs it. tests/test_pelican_internals.py fails the day Pelican
changes what one of them relies on: read it before updating Pelican.
"""

import atexit
import contextlib
import functools
import io
import os
import sys
from collections import Counter

from feedgenerator import Atom1Feed
from feedgenerator.django.utils.xmlutils import SimplerXMLGenerator
from pelican.contents import Article
from pelican.utils import order_content, process_translations, set_date_tzinfo
from pelican.writers import Writer

# Generators


def skip_disabled_readers_walk(generator):
    """Generator._check_disabled_readers walks the content folder again only to warn of files whose
    reader is disabled (a missing package): with none disabled it finds nothing (0.5 s at 50,000 reports)."""
    if not generator.readers.disabled_extensions:
        generator._check_disabled_readers = lambda paths, exclude: None


def list_files_by(generator, list_files):
    """Generator.get_files tests every name against every IGNORE_FILES pattern in turn (a second at
    50,000 reports): `list_files(generator, paths, exclude, extensions)` lists the same files faster."""
    generator.get_files = functools.partial(list_files, generator)


def is_included(generator, path, extensions):
    """Generator._include_path: Pelican's test of a single file named in ARTICLE_PATHS (not a folder)."""
    return generator._include_path(path, extensions)


def keep_articles_in(generator, rows, stamp, save):
    """A CachingGenerator's cache of Articles replaced: `rows` for its table (`_cache`, which
    get_cached_data asks with .get and cache_data fills by key), `stamp` for how it knows a file
    (`_filestamp_func`: by its bytes, not its time) and `save` for how it is saved (`save_cache`).

    Its get_cached_data asks the table and the stamp in one call, not through four layers of
    Pelican's methods, one of them a `try` for each of 200,000 files."""
    generator._filestamp_func = stamp
    generator._cache = rows
    generator.save_cache = save
    folder, get = generator.path, rows.get

    def get_cached_data(filename, default=None):
        row = get(filename)
        if row is None:
            return default
        try:
            now = stamp(os.path.join(folder, filename))
        except (OSError, TypeError):
            now = generator._get_file_stamp(filename)  # Pelican's own warning, and its stamp of none
        return row[1] if row[0] == now else default

    generator.get_cached_data = get_cached_data


def add_kept_articles(generator, kept):
    """Reports kept from the last build (cached, their files unchanged) added to what the ArticlesGenerator's
    loop read, as its loop would have added them, at once: Pelican asks its cache for every file, one
    call and a handful of steps each (4 s of a new day at 200,000 reports), and sorts them all.

    Called when its loop is over (article_generator_pretaxonomy): each report's source path and static
    links recorded, each in its status's list, the lists in ARTICLE_ORDER_BY's order. An order that
    carries `ordered` (a function that puts a whole list in that order, faster than a sort by the key:
    edition.model.page_order) is used so. With ARTICLE_TRANSLATION_ID set, every report is grouped
    with its translations again, as Pelican does (process_translations); without it, none is."""
    if not kept:
        return
    context, settings = generator.context, generator.settings
    content = context["generated_content"]
    links = context["static_links"]
    by_status = {"published": [], "draft": [], "hidden": []}
    for article in kept:
        # Pelican's methods and status property, read from the report where a cached one keeps them (BodyElsewhereArticle): 200,000 calls each.
        if isinstance(article, BodyElsewhereArticle):
            state = article.__dict__
            content[state.get("_relative_source_path") or article.get_relative_source_path()] = article
            found = state.get("_static_links")
        else:
            content[article.get_relative_source_path()] = article
            found = article.get_static_links()
        if found:
            links |= found
        status = article._status  # Content.status gives it
        if status in by_status:  # as Pelican's loop: any other status is on no list
            by_status[status].append(article)
    translation_id, order_by = settings["ARTICLE_TRANSLATION_ID"], settings["ARTICLE_ORDER_BY"]
    ordered = getattr(order_by, "ordered", None)
    for name, others, status in (
        ("articles", "translations", "published"),
        ("hidden_articles", "hidden_translations", "hidden"),
        ("drafts", "drafts_translations", "draft"),
    ):
        if not by_status[status]:
            continue
        everything = by_status[status] + getattr(generator, name) + getattr(generator, others)
        if translation_id:
            originals, translations = process_translations(everything, translation_id=translation_id)
            setattr(generator, name, order_content(originals, order_by))
            setattr(generator, others, translations)
        else:
            setattr(generator, name, ordered(everything) if ordered else order_content(everything, order_by))


def hand_over_articles_by(generator, left_to_write):
    """ArticlesGenerator.generate_articles hands the writer every report's page, one call (and a signal,
    article_generator_write_article) each: `left_to_write(articles)` first takes those whose pages the
    writer need not be handed (it carries them, incremental.writer), and Pelican's loop hands over the rest."""
    generate = generator.generate_articles

    def generate_articles(write):
        articles = generator.articles
        generator.articles = left_to_write(articles)
        try:
            generate(write)
        finally:
            generator.articles = articles

    generator.generate_articles = generate_articles


def take_listings(generator):
    """The ArticlesGenerator's tag, author and category lists ({wrapper: items}), taken from it and
    left empty: Pelican writes the pages and feeds of what they hold, in time quadratic in the archive."""
    lists = {}
    for name in ("tags", "authors", "categories"):
        value = getattr(generator, name)
        lists[name] = list(value.items()) if hasattr(value, "items") else list(value)
        setattr(generator, name, {} if name == "tags" else [])
    return lists


# Articles


class BodyElsewhereArticle(Article):
    """An Article whose rendered body is not held but fetched when shown (`fetch_body`, of a subclass).

    Pelican keeps every body in `_content` for the whole build, and memoizes `get_content`; here a
    page or feed entry fetches its report's body, and Pelican's methods that read `_content` are
    given what they need instead. The other methods work out once what Pelican works out anew each
    time it is asked, hundreds of thousands of times a build.
    """

    @property
    def _content(self):
        return self.fetch_body()

    def get_content(self, siteurl):  # not memoized: Pelican's memo would keep every body
        return self._update_content(self._content, siteurl)

    def get_static_links(self):  # Pelican finds them in the body: kept when it was put away (if any)
        return self.__dict__.get("_static_links", NO_LINKS)

    # The reader works every report's URL out once (override_url, override_save_as);
    # Pelican's properties look the override up anew each time: 250,000 times a build.
    @property
    def url(self):
        return self.__dict__.get("override_url") or super().url

    @property
    def save_as(self):
        return self.__dict__.get("override_save_as") or super().save_as

    def refresh_metadata_intersite_links(self):
        """Pelican looks for {filename} links in the summary of every report on every build; only one
        with a brace or a bar (the old |filename| form) can have any. A report loaded light keeps its
        summary among its light fields when it may (build_cache.cache.LIGHT_IF): one without is
        not made whole for this."""
        if may_link(self.__dict__.get("_summary") or "") or any(key != "summary" and key in self.metadata for key in self.settings["FORMATTED_FIELDS"]):
            super().refresh_metadata_intersite_links()

    def get_relative_source_path(self, source_path=None):
        """Worked out once and kept with the report: Pelican asks on every build, with slow path arithmetic."""
        if source_path and source_path != self.source_path:
            return super().get_relative_source_path(source_path)
        try:
            return self.__dict__["_relative_source_path"]
        except KeyError:
            relative = self.__dict__["_relative_source_path"] = super().get_relative_source_path()
            return relative


def may_link(text):
    """Can this text of a report (its summary) hold a link Pelican resolves ({filename}…, |filename|…)?"""
    return "{" in text or "|" in text


NO_LINKS = frozenset()  # the static links of a report without any, not kept with it (an empty set is 216 bytes)


def put_body_away(article, cls):
    """A live Article, read this build, made a `cls` (a BodyElsewhereArticle) once its body is stored:
    what Pelican would find in the body is taken first, and the body (`_content`) is let go."""
    links = article.get_static_links()
    if links:
        article._static_links = links
    del article.__dict__["_content"]
    article.__class__ = cls
    article.get_relative_source_path()  # kept with the report from now on


def context_of(content):
    """The site's context a report was made with (Content._context): the URLs of what its body links to."""
    return content._context


# Feeds


ENTRY_XML = "_entry_xml"  # kept in an entry's fields, which feedgenerator writes by name
AUTHORS = "_authors"  # an entry's authors, [(name, URL)]: each person of its report with their page (Pelican names the first alone)
# The setting of the plugins that complete a feed as Pelican makes it: objects with feed(feed, its URL)
# and entry(fields of an entry, its item, the site's URL, is the feed Atom), called once each is made.
FEED_HOOKS = "FEED_HOOKS"


class FeedHook:
    """What a plugin adds to Pelican's feeds (FEED_HOOKS): to a feed as it is made, to an entry as it is made."""

    def feed(self, feed, url):
        pass

    def entry(self, fields, item, siteurl, atom):
        pass


def add_feed_hook(settings, hook):
    """A plugin's hook among FEED_HOOKS, in place of one of its class a run before (`pelican -r`)."""
    settings[FEED_HOOKS] = [other for other in settings.get(FEED_HOOKS, ()) if type(other) is not type(hook)] + [hook]


MADE_FROM = "_made_from"  # (who keeps it, the item, the kind of entry): to keep its XML for the next build


class ReusedEntriesFeed(Atom1Feed):
    """Atom1Feed whose entries' XML is made once per entry and written again as it was."""

    def add_item_elements(self, handler, item):
        """feedgenerator's elements of an entry, with an <author> for each of its authors where it has them."""
        authors = item.get(AUTHORS)
        if not authors:
            return super().add_item_elements(handler, item)
        super().add_item_elements(handler, {**item, "author_name": None})
        for name, url in authors:
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            handler.addQuickElement("uri", url)
            handler.endElement("author")
        return None

    def write_items(self, handler):
        for item in self.items:
            xml = item.get(ENTRY_XML)
            if xml is None:
                buffer = io.StringIO()
                entry = SimplerXMLGenerator(buffer, "utf-8", short_empty_elements=True)
                entry.startElement("entry", self.item_attributes(item))
                self.add_item_elements(entry, item)
                entry.endElement("entry")
                xml = item[ENTRY_XML] = buffer.getvalue()
                if MADE_FROM in item:
                    keeper, made_from, kind = item.pop(MADE_FROM)
                    keeper.keep(made_from, kind, xml)
                item["content"] = item["description"] = None  # in the XML now; the entry may be kept a while
            handler.ignorableWhitespace(xml)  # written as it is, like the entry it was made from


class FeedEntriesWriter(Writer):
    """A Writer that makes each report's feed entry once per build, and never writes through a file.

    A report is an entry in up to a dozen feeds (the site's, its page's, its people's, its tags'):
    Writer._create_new_feed's Atom feed is made a ReusedEntriesFeed, and Writer._add_item_to_the_feed
    makes an item's entry once, or takes it from `fragments` (an object with kept/keep, or None)
    when an earlier build made it. Writer._open_w writes every file to a new inode.
    """

    def __init__(self, output_path, settings=None):
        super().__init__(output_path, settings=settings)
        self.fragments = None
        self.feed_items = {}  # (id of an item, site URL, kind of feed) → (the item, its feed entry's fields)
        self.feed_uses = Counter()  # (id of an item, feed type) → entries of it still to be written by this process (counted by a subclass)

    def _create_new_feed(self, feed_type, feed_title, context):
        if not self.site_url and self.feed_domain:  # a local build (SITEURL ""): its feeds' links on FEED_DOMAIN, absolute as a feed's must be
            self.site_url = self.feed_domain
        feed = super()._create_new_feed(feed_type, feed_title, context)
        if type(feed) is Atom1Feed:
            feed.__class__ = ReusedEntriesFeed
        for hook in self.settings.get(FEED_HOOKS, ()):
            hook.feed(feed, self.feed_url)
        return feed

    def _add_item_to_the_feed(self, feed, item):
        key = (id(item), self.site_url, type(feed))
        if key not in self.feed_items:
            kind = f"feed: Atom entry for {self.site_url}"
            reused = type(feed) is ReusedEntriesFeed and self.fragments is not None
            xml = self.fragments.kept(item, kind) if reused else None
            if xml is not None:  # made by an earlier build: only its dates are asked for (the feed's own date)
                timezone = self.settings.get("TIMEZONE", None)
                modified = set_date_tzinfo(item.modified, timezone) if hasattr(item, "modified") else None
                feed.items.append({"pubdate": set_date_tzinfo(item.date, timezone), "updateddate": modified, ENTRY_XML: xml})
            else:
                super()._add_item_to_the_feed(feed, item)
                for hook in self.settings.get(FEED_HOOKS, ()):
                    hook.entry(feed.items[-1], item, self.site_url, isinstance(feed, Atom1Feed))
                if reused:
                    feed.items[-1][MADE_FROM] = (self.fragments, item, kind)
            self.feed_items[key] = (item, feed.items[-1])
        else:
            feed.items.append(self.feed_items[key][1])
        # An entry (its full text) is kept only until the last feed of its type in this process that shows it.
        uses = (id(item), "atom" if isinstance(feed, Atom1Feed) else "rss")
        self.feed_uses[uses] -= 1
        if self.feed_uses[uses] <= 0:
            del self.feed_items[key], self.feed_uses[uses]

    def _open_w(self, filename, encoding, override=False):
        # A new inode every time: the file may be a hard link into the last build.
        if os.path.lexists(filename):
            os.unlink(filename)
        return super()._open_w(filename, encoding, override)


# URL wrappers


def url_from_settings(wrapper, key):
    """URLWrapper._from_settings: a tag's, person's or section's URL or SAVE_AS from its settings
    (TAG_URL…), as Pelican works it out on every access."""
    return wrapper._from_settings(key)


# The process


def wait_before_running(wait):
    """pelican.main makes its Pelican (the settings read, the plugins loaded: get_instance), then runs
    it: `wait()` is called between the two (a staged build's Pelican process loads while the build
    takes its fingerprint, and runs once it is taken: publishing.pelican_process)."""
    import pelican

    make = pelican.get_instance

    def get_instance(args):
        made = make(args)
        wait()
        return made

    pelican.get_instance = get_instance


def exit_at_once(code):
    """End the process without tearing its memory down object by object (about 6 s at 50,000
    reports, and nothing left to write): the exit handlers (atexit._run_exitfuncs) and the buffers
    are seen to, then os._exit."""
    atexit._run_exitfuncs()
    with contextlib.suppress(ValueError, OSError):  # a stream already closed
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


def log_every(logger, messages):
    """Log each message as an error. With --fatal, Pelican's logger (pelican.log.FatalLogger) raises
    RuntimeError after the first error it logs: every message is logged all the same, so that an
    editor reads every problem of a run at once (the caller then stops the build)."""
    for message in messages:
        with contextlib.suppress(RuntimeError):
            logger.error("%s", message, stacklevel=2)  # the log names the caller, not this line
