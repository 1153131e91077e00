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
  as this build's own (one object per name: article_codec.py);
- the cache knows nothing of settings or code, so it is kept in a folder
  named by their digest: a change of either starts a new cache;
- Pelican loads and saves the whole cache, one pickle, on every build, and
  keeps every body in memory. Here the cache is a table of one row per
  folder of reports, an edition's day (articles.sqlite, rows.py), so that a
  build writes only the days of the reports it read or of files gone; the
  rendered bodies go to a table beside it as the reports are read, and
  each Article fetches its own when a page or feed entry is rendered: the
  cache and the build hold the rest only. A lost or damaged table is made
  good from the files.
"""

import contextlib
import os
import shutil
import sqlite3

from pelican.contents import Article

from content_schema import reader
from content_schema.body import features_of, render_body
from content_schema.settled import seal_of
from content_schema.source import file_digest, parse_source
from site_build.pelican_internals import BodyElsewhereArticle, keep_articles_in, may_link, put_body_away
from site_build.state import build_of

from .article_codec import ArticleCodec, complete, read_kept
from .keys import digest, settings_digest, tree_digest
from .rows import Codec, ProcessTable, read_rows, read_summaries, write_rows

FOLDER = "articles-"
BODIES = "bodies.sqlite"
ARTICLES = "articles.sqlite"
ARTICLES_VERSION = 9


class StoredArticle(BodyElsewhereArticle):
    """An Article whose rendered body is in the bodies table, fetched when it is shown."""

    def fetch_body(self):
        return stored_body(self)


class LazyArticle(StoredArticle):
    """A StoredArticle loaded with only what a build asks of every report (LIGHT): its other
    attributes (its people, metadata, dates as text…) are made the first time one is asked for,
    which a new day does for the few hundred reports whose pages or feed entries it renders."""

    def __getattr__(self, name):
        kept = self.__dict__.get("_kept")
        if kept is None or name not in kept[0].names:
            raise AttributeError(name)
        derive = kept[0].derived.get(name)
        if derive is None:
            complete(self)
            return getattr(self, name)
        value = derive(self.__dict__)
        if type(value) is not str:  # a list is the report's own from now on: it may be changed in place
            self.__dict__[name] = value
        return value


# What a build asks of every report, in Pelican's loops and the edition's: its place, its lists, its URL.
LIGHT = (
    "_status",
    "_relative_source_path",
    "_static_links",
    "source_path",
    "source_digest",
    "linked",
    "template",
    "lang",
    "in_default_lang",
    "translations",
) + ("title", "slug", "kind", "date", "modified", "page", "position", "category", "tags", "authors", "roles", "override_url", "override_save_as", "image")
# Of those, the ones whose text many reports share (kept as one string: article_codec.ArticleCodec; a
# report's roles, {person's slug: role}, as the one string of each slug and role).
REPEATED = ("_status", "template", "kind", "lang", "page", "roles")
# Of the light ones, those whose dict (a report's roles) many reports have alike: one dict for them all.
ALIKE = ("roles",)
# A summary is shown by the few list pages a new day renders, and its links refreshed by Pelican for
# every report (BodyElsewhereArticle.refresh_metadata_intersite_links): light only if it may have one.
LIGHT_IF = {"_summary": may_link}
# Of the light ones, those whose value nearly every report shares (a kind, a language, a flag): held
# once by the build's class of light reports (a report with another value keeps its own).
SHARED = ("_status", "template", "kind", "lang", "in_default_lang")


def derived(settings):
    """The attributes a cached report does not keep where they are made from its others when asked
    for: its file's path (the content folder's and its own relative one: 100 bytes a report at
    200,000), and its translations when it has none (a list each)."""
    folder = os.path.join(os.path.abspath(settings["PATH"]), "")
    return {"source_path": lambda state: folder + state["_relative_source_path"], "translations": lambda state: []}


def article_codec(build):
    """How this build keeps its reports: Articles loaded hold its settings, context, tags, people and sections."""
    return ArticleCodec(
        (Article, StoredArticle),
        build.settings,
        build.context,
        build.wrappers,
        lambda cls, name, slug: reader.shared_wrapper(build, cls, name, slug),
        lazy={StoredArticle: LazyArticle},
        light=LIGHT,
        repeated=REPEATED,
        light_if=LIGHT_IF,
        shared=SHARED,
        derived=derived(build.settings),
        alike=ALIKE,
    )


def caching(settings):
    return bool(settings.get("CACHE_CONTENT") and settings.get("CONTENT_CACHING_LAYER") == "generator")


def use_cache_of_this_code(settings, build):
    """The folder of the cache of these settings, plugins and content folder (build.cache_folder); the
    others are dropped. Is there a cache in it to load?"""
    if not caching(settings):
        return False
    plugins = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    # The content folder too: cached reports know their files by absolute path (links are resolved from it).
    name = FOLDER + digest(settings_digest(settings), tree_digest(plugins, suffixes=(".py",)), os.path.abspath(settings["PATH"]))
    top = settings["CACHE_PATH"]
    if os.path.isdir(top):
        for entry in os.listdir(top):
            if entry.startswith(FOLDER) and entry != name:
                shutil.rmtree(os.path.join(top, entry), ignore_errors=True)
    build.cache_folder = os.path.join(top, name)
    return settings.get("LOAD_CONTENT_CACHE", False) and os.path.isfile(os.path.join(build.cache_folder, ARTICLES))


def load_articles(build):
    """Pelican's cache of reports, read from its table of rows (into build.article_rows)."""
    build.articles = article_codec(build)
    build.bodies = ProcessTable("CREATE TABLE IF NOT EXISTS bodies (path TEXT PRIMARY KEY, digest TEXT NOT NULL, html TEXT NOT NULL)")
    path, folders, seals = os.path.join(build.cache_folder, ARTICLES), {}, {}
    if build.settings.get("LOAD_CONTENT_CACHE"):
        rows = read_rows(path, ARTICLES_VERSION, rows_codec(build), keys=folders)
        seals = read_summaries(path, ARTICLES_VERSION)[0]
    else:
        rows = {}
    build.article_rows = CachedRows(rows, folders, seals)


def rows_codec(build):
    """A report's row as the table keeps it: its light values loaded with the row, the others' bytes in
    a heavy row beside it, read for the few reports made whole (some 400 bytes a report not held)."""
    return Codec(build.articles.encode, build.articles.decode, apart=build.articles.apart)


def keep_cache_in_rows(generator, build):
    """Pelican's cache of reports, made a table of rows and stamped by the files' bytes.

    Pelican knows a file by its time, which a fresh checkout (CI) changes for every file:
    here it knows it by its bytes, the digest the check took this build.
    """
    digests, rows = build.digests, build.article_rows
    path = os.path.join(build.cache_folder, ARTICLES)
    codec = rows_codec(build)

    def stamp(name):
        # A file reached another way than the check's (a symlink) is read for its digest.
        return digests.get(name) or file_digest(name)

    keep_articles_in(generator, rows, stamp, lambda: save_rows(path, codec, rows))


class CachedRows(dict):
    """{file: (stamp, Article)} as Pelican uses it, noting the files listed and those it stores; as loaded,
    the files of each folder ({folder: [file]}) and its seal when written ({folder: seal}: row_seal)."""

    def __init__(self, rows, folders=None, seals=None):
        super().__init__(rows)
        self.folders, self.seals = folders or {}, seals or {}
        self.asked, self.stored = set(), set()
        self.loaded = bool(rows)  # the last build's rows were read: files gone are those no longer listed

    def get(self, key, default=None):
        self.asked.add(key)
        return super().get(key, default)

    def __setitem__(self, key, value):
        self.stored.add(key)
        super().__setitem__(key, value)


NO_SEAL = (None, 0)


def keep_unchanged(build, folder, files):
    """Of the report files Pelican's ArticlesGenerator lists (`files`, relative to `folder`), those it
    must read: the others' cached reports, whose files the check found unchanged, are put aside
    (build.kept) and added to its lists when its loop is over (pelican_internals.add_kept_articles),
    not asked for one by one. Files the check did not see (reached another way) are Pelican's to ask."""
    rows, digests, sealed = build.article_rows, build.digests, build.sealed
    listed = files if isinstance(files, set) else set(files)
    prefix = os.path.join(folder, "")
    kept, taken = [], set()
    get_digest, row = digests.get, rows.__getitem__
    for row_folder, names in (rows.folders or {None: list(rows)}).items():
        # A folder the check settled is known by its files' seal: the same as its row's, the row's reports are its files'.
        seal = rows.seals.get(row_folder)
        if seal is not None and sealed.get(prefix + row_folder, NO_SEAL)[0] == seal and listed.issuperset(names):
            kept.extend(row(name)[1] for name in names)
            taken.update(names)
            continue
        for name in names:
            stamp, article = row(name)
            if name in listed and stamp == get_digest(prefix + name):
                kept.append(article)
                taken.add(name)
    build.kept = kept
    left = listed - taken
    # Every file listed (the rows of others are of files gone), named by its row's own string where it
    # has one: the strings of Pelican's listing go (90 bytes a report).
    rows.asked = taken | left
    return left


def save_rows(path, codec, rows):
    """Write the rows of the folders of the reports read this build, or of files no longer there.

    Only those folders' files are handed on: write_rows finds each file's folder, which for every
    file of the archive took longer than writing the day's row."""
    gone, touched = gone_and_touched(rows)
    asked, stored = rows.asked, rows.stored
    kept = {name: row for name, row in rows.items() if name.rpartition(os.sep)[0] in touched and (name in asked or name in stored)}
    # What they keep in the rows written over is read first, not from the table while it is written.
    for _, article in kept.values():
        read_kept(article)
    write_rows(path, ARTICLES_VERSION, codec, kept, stored, gone, summary=row_seal)


def row_seal(folder, row):
    """The seal of a folder's row (content_schema.settled.seal_of): its files' names in the folder, and their stamps (their digests)."""
    start = len(folder) + 1 if folder else 0
    return seal_of((name[start:], stamp) for name, (stamp, _) in row.items())


def gone_and_touched(rows):
    """([files cached but no longer listed], {folders of those and of the files read now})."""
    asked, stored = rows.asked, rows.stored
    gone = [name for name in rows.keys() - asked if name not in stored]
    touched = {os.path.dirname(name) for name in stored} | {os.path.dirname(name) for name in gone}
    return gone, touched


BATCH = 500  # bodies written to the table at once as reports are read


def body_read(article, build):
    """A report just read: its body goes out of memory at once (to the table, in batches), not once every
    report is read, which in a full build would hold every body (some 3.5 KB each) at the same time.
    The report read before it, through Pelican's loop by now, is made light (ArticleCodec.lighten)."""
    lighten_read(build)
    build.bodies_read.append((article.source_path, article.source_digest, article.__dict__["_content"]))
    put_body_away(article, StoredArticle)
    build.last_read = article
    if len(build.bodies_read) >= BATCH:
        write_bodies(build)


def lighten_read(build):
    if build.last_read is not None:
        build.articles.lighten(build.last_read)
        build.last_read = None


def store_bodies(generator, build):
    """Before Pelican saves its cache: the last bodies read go to the table, and those of files gone go
    from it. With the last build's rows loaded, files gone are the cached ones no longer listed; without
    them (a full build, or a table lost or busy), every body not of a report now goes."""
    rows = build.article_rows
    if rows is not None and rows.loaded:
        gone = {os.path.join(generator.path, name) for name in gone_and_touched(rows)[0]}
        write_bodies(build, gone=gone)
    else:
        kept = (
            generator.articles,
            generator.translations,
            generator.hidden_articles,
            generator.hidden_translations,
            generator.drafts,
            generator.drafts_translations,
        )
        write_bodies(build, {article.source_path for group in kept for article in group})
    lighten_read(build)


def bodies_table(build):
    return build.bodies.connection(os.path.join(build.cache_folder, BODIES))


def write_bodies(build, current=None, gone=()):
    """Store the bodies read since the last call; drop those of files gone: not in `current` (every
    report's file), or in `gone`. A body that could not be stored is rendered again from its file when shown (stored_body)."""
    rows, build.bodies_read = build.bodies_read, []
    db = None
    try:
        db = bodies_table(build)
        db.execute("BEGIN")
        db.executemany("INSERT OR REPLACE INTO bodies VALUES (?, ?, ?)", rows)
        if current is not None:
            gone = [path for (path,) in db.execute("SELECT path FROM bodies") if path not in current]
        db.executemany("DELETE FROM bodies WHERE path = ?", [(path,) for path in gone])
        db.execute("COMMIT")
    except sqlite3.OperationalError:  # busy (another build): rendered from their files when shown
        if db is not None and db.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
    except sqlite3.Error:
        # A damaged table is dropped: the next build starts a new one (cached reports missing
        # from it are rendered from their files).
        build.bodies.drop(os.path.join(build.cache_folder, BODIES))


def stored_body(article):
    try:
        row = (
            bodies_table(build_of(article.settings))
            .execute("SELECT html FROM bodies WHERE path = ? AND digest = ?", (article.source_path, article.source_digest))
            .fetchone()
        )
    except sqlite3.Error:
        row = None
    if row is not None:
        return row[0]
    # The table was lost or damaged: render the body again from its file, if that is unchanged.
    with open(article.source_path, "rb") as handle:
        source = parse_source(article.source_path, handle.read())
    if source.digest != article.source_digest:
        raise RuntimeError(f"{article.source_path} changed while the edition was being built; build again")
    return render_body(source.body, features_of(article.settings))
