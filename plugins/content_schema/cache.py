"""Pelican's own cache of reports between builds, made safe for this build.

With CONTENT_CACHING_LAYER = "generator", Pelican keeps every report's Article
between builds and reads again only the files that changed. It leaves four
things to us:

- it knows a file by its modification time, which a fresh checkout changes
  for every file: here it knows it by its bytes (the digest the check took),
  so that CI, given the last build's cache, reads only what a commit changed;
- an Article holds the settings and the whole site's context, which neither
  pickle nor belong in a cache: they are left out when the cache is saved and
  set to this build's when it is loaded; tags, people and sections come back
  as this build's own (one object per name);
- the cache knows nothing of settings or code, so it is kept in a folder
  named by their digest: a change of either starts a new cache;
- Pelican loads and saves the whole cache, one pickle, on every build, and
  keeps every body in memory. Here the cache is a table of one row per
  folder of reports, an edition's day (articles.sqlite, rows.py), so that a
  build writes only the days of the reports it read or of files gone; the
  rendered bodies go to a table beside it once the reports are read, and
  each Article fetches its own when a page or feed entry is rendered: the
  cache and the build hold the rest only. A lost or damaged table is made
  good from the files.
"""

import contextlib
import copyreg
import os
import shutil
import sqlite3
import sys

from pelican.contents import Article

from . import reader
from .article_codec import ArticleCodec
from .body import features_of, render_body
from .rows import Codec, ProcessTable, read_rows, write_rows
from .source import file_digest, parse_source

FOLDER = "articles-"
BODIES = "bodies.sqlite"
ARTICLES = "articles.sqlite"
ARTICLES_VERSION = 3
_BUILD = {}  # this build's settings and context, for Articles loaded from the cache


class StoredArticle(Article):
    """An Article whose rendered body is in the bodies table, fetched when it is shown."""

    @property
    def _content(self):
        return stored_body(self)

    def get_content(self, siteurl):  # not memoized: Pelican's memo would keep every body
        return self._update_content(self._content, siteurl)

    def get_static_links(self):
        return self._static_links

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
        with a brace or a bar (the old |filename| form) can have any."""
        summary = self.__dict__.get("_summary") or ""
        if "{" in summary or "|" in summary or any(key != "summary" and key in self.metadata for key in self.settings["FORMATTED_FIELDS"]):
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


class LazyArticle(StoredArticle):
    """A StoredArticle loaded with only what a build asks of every report (LIGHT): its other
    attributes (its people, metadata, dates as text…) are made the first time one is asked for,
    which a new day does for the few hundred reports whose pages or feed entries it renders."""

    def __getattr__(self, name):
        kept = self.__dict__.get("_kept")
        if kept is None or name not in kept[0].names:
            raise AttributeError(name)
        _ARTICLES.complete(self)
        return getattr(self, name)


# What a build asks of every report, in Pelican's loops and the edition's: its place, its lists, its URL.
LIGHT = (
    ("_status", "_relative_source_path", "_static_links", "_summary", "source_path", "source_digest", "linked", "template", "lang", "in_default_lang", "translations")
    + ("title", "slug", "kind", "date", "modified", "page", "position", "category", "tags", "authors", "roles", "override_url", "override_save_as")
)


def interned(mapping):
    """A dict with its keys interned: a report unpickled alone gets its own copy of every attribute
    name (a single pickle of the whole cache shared them), 120 MB and slower lookups at 50,000."""
    return {sys.intern(key): value for key, value in mapping.items()}


def _restore_article(cls, state):
    article = cls.__new__(cls)
    article.__dict__.update(interned(state))
    if isinstance(article.__dict__.get("metadata"), dict):
        article.metadata = interned(article.metadata)
    article.settings = _BUILD["settings"]
    article._context = _BUILD["context"]
    return article


def _reduce_article(article):
    _ARTICLES.complete(article)
    return _restore_article, (type(article), {key: value for key, value in article.__dict__.items() if key not in ("settings", "_context")})


def _restore_wrapper(cls, name, slug):
    return reader.shared_wrapper(cls, name, slug, _BUILD["settings"])


def _reduce_wrapper(wrapper):
    return _restore_wrapper, (type(wrapper), wrapper.name, wrapper.slug)


for _cls in (Article, StoredArticle, LazyArticle):
    copyreg.pickle(_cls, _reduce_article)
for _cls in (reader.Author, reader.Tag, reader.Category):
    copyreg.pickle(_cls, _reduce_wrapper)

_ARTICLES = ArticleCodec((Article, StoredArticle), lambda: (_BUILD["settings"], _BUILD["context"]), lazy={StoredArticle: LazyArticle}, light=LIGHT)
ARTICLE_CODEC = Codec(_ARTICLES.encode, _ARTICLES.decode)


def use_cache_of_this_code(settings):
    """Point CACHE_PATH at the cache of these settings, plugins and content folder, drop the others; is there one?"""
    if not caching(settings):
        return False
    # Imported here: Pelican loads plugins by name in PLUGINS order, so incremental is loaded by now.
    from incremental.fingerprints import digest, settings_digest, tree_digest

    plugins = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    # The content folder too: cached reports know their files by absolute path (links are resolved from it).
    name = FOLDER + digest(settings_digest(settings), tree_digest(plugins, suffixes=(".py",)), os.path.abspath(settings["PATH"]))
    top = settings["CACHE_PATH"]
    if os.path.isdir(top):
        for entry in os.listdir(top):
            if entry.startswith(FOLDER) and entry != name:
                shutil.rmtree(os.path.join(top, entry), ignore_errors=True)
    settings["CACHE_PATH"] = os.path.join(top, name)
    return settings.get("LOAD_CONTENT_CACHE", False) and os.path.isfile(os.path.join(settings["CACHE_PATH"], ARTICLES))


CHECKED = "checked-sources"


def checked_sources_table(settings):
    """The check's cache of parsed files, named by the digest of the code that parses them (this
    package): a file parsed by other code is parsed again. Tables of other code are dropped."""
    from incremental.fingerprints import tree_digest

    top = settings["CACHE_PATH"]
    name = CHECKED + "-" + tree_digest(os.path.dirname(os.path.abspath(__file__)), suffixes=(".py",))[:16] + ".sqlite"
    if os.path.isdir(top):
        for entry in os.listdir(top):
            if entry.startswith(CHECKED) and not entry.startswith(name):  # its own journal kept
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(top, entry))
    return os.path.join(top, name)


def caching(settings):
    return bool(settings.get("CACHE_CONTENT") and settings.get("CONTENT_CACHING_LAYER") == "generator")


def keep_cache_in_rows(generator):
    """Pelican's cache of reports, made a table of rows and stamped by the files' bytes.

    Pelican knows a file by its time, which a fresh checkout (CI) changes for every file:
    here it knows it by its bytes, the digest the check took this build.
    """
    if not caching(generator.settings):
        return
    generator._filestamp_func = content_stamp
    path = os.path.join(generator.settings["CACHE_PATH"], ARTICLES)
    generator._cache = CachedRows(read_rows(path, ARTICLES_VERSION, ARTICLE_CODEC) if generator.settings.get("LOAD_CONTENT_CACHE") else {})
    generator.save_cache = lambda: save_rows(path, generator._cache)


class CachedRows(dict):
    """{file: (stamp, Article)} as Pelican uses it, noting the files it asks for and those it stores."""

    def __init__(self, rows):
        super().__init__(rows)
        self.asked, self.stored = set(), set()

    def get(self, key, default=None):
        self.asked.add(key)
        return super().get(key, default)

    def __setitem__(self, key, value):
        self.stored.add(key)
        super().__setitem__(key, value)


def save_rows(path, rows):
    """Write the rows of the folders of the reports read this build, or of files no longer there."""
    gone = [name for name in rows if name not in rows.asked and name not in rows.stored]
    write_rows(path, ARTICLES_VERSION, ARTICLE_CODEC, {name: row for name, row in rows.items() if name in rows.asked or name in rows.stored}, rows.stored, gone)


def content_stamp(path):
    # A file reached another way than the check's (a symlink) is read for its digest.
    return reader.DIGESTS.get(path) or file_digest(path)


def remember_build(generator):
    """Before Pelican loads its cache: what loaded Articles are to hold."""
    _BUILD.update(settings=generator.settings, context=generator.context)


_BODIES = ProcessTable("CREATE TABLE IF NOT EXISTS bodies (path TEXT PRIMARY KEY, digest TEXT NOT NULL, html TEXT NOT NULL)")


def connection():
    return _BODIES.connection(os.path.join(_BUILD["settings"]["CACHE_PATH"], BODIES))


def store_bodies(generator):
    """Before Pelican saves its cache: bodies of the reports read now go to the table, out of memory."""
    if not caching(generator.settings):
        return
    kept = (
        generator.articles,
        generator.translations,
        generator.hidden_articles,
        generator.hidden_translations,
        generator.drafts,
        generator.drafts_translations,
    )
    articles = [article for group in kept for article in group]
    fresh = [article for article in articles if type(article) is Article and hasattr(article, "source_digest")]
    if not write_bodies(fresh, {article.source_path for article in articles}):
        return  # not stored: these Articles keep their bodies, and so does Pelican's cache
    for article in fresh:
        article._static_links = article.get_static_links()
        del article.__dict__["_content"]
        article.__class__ = StoredArticle
        article.get_relative_source_path()  # kept with the report from now on


def write_bodies(fresh, current):
    """Store the bodies of the reports read now and drop those of files gone; False if it failed."""
    try:
        db = connection()
        db.execute("BEGIN")
        db.executemany("INSERT OR REPLACE INTO bodies VALUES (?, ?, ?)", [(a.source_path, a.source_digest, a.__dict__["_content"]) for a in fresh])
        gone = [(path,) for (path,) in db.execute("SELECT path FROM bodies") if path not in current]
        db.executemany("DELETE FROM bodies WHERE path = ?", gone)
        db.execute("COMMIT")
        return True
    except sqlite3.OperationalError:
        return False  # busy (another build): tried again next build
    except sqlite3.Error:
        # A damaged table is dropped: the next build starts a new one (cached reports missing
        # from it are rendered from their files).
        _BODIES.drop(os.path.join(_BUILD["settings"]["CACHE_PATH"], BODIES))
        return False


def stored_body(article):
    try:
        row = connection().execute("SELECT html FROM bodies WHERE path = ? AND digest = ?", (article.source_path, article.source_digest)).fetchone()
    except sqlite3.Error:
        row = None
    if row is not None:
        return row[0]
    # The table was lost or damaged: render the body again from its file, if that is unchanged.
    with open(article.source_path, "rb") as handle:
        source = parse_source(article.source_path, handle.read())
    if source.digest != article.source_digest:
        raise RuntimeError(f"{article.source_path} changed while the edition was being built; build again")
    return render_body(source.body, features_of(_BUILD["settings"]))
