"""One build's state, shared by the site's plugins: a Build, made anew for each run of Pelican.

`pelican -r` runs Pelican again in the same process at every change: state kept in module globals
would carry one run's check, digests and writers into the next. A Build is made when a run starts
(Pelican's get_generators signal, sent before any generator is made) and kept in the settings,
which every generator, reader, writer and report holds; a plugin reaches it with `build_of`.
"""

import os
from dataclasses import dataclass, field

KEY = "_build"  # a Build in the settings: lower case, so not a setting Pelican reads or a digest covers


@dataclass(eq=False)
class Build:
    """What one run of Pelican shares between the site's plugins, by the plugin that fills it."""

    settings: dict
    # build_cache: where this build's settings and code keep their caches, and what they keep
    cache_folder: str | None = None  # in CACHE_PATH, named by settings and code; None without Pelican's cache
    check_cache: object = None  # the check's table of parsed files (build_cache.checked_codec.CheckedSources)
    context: dict | None = None  # Pelican's context of this run, for the reports loaded from the cache
    articles: object = None  # the codec of the cached reports (build_cache.article_codec.ArticleCodec)
    article_rows: object = None  # the cached reports, as Pelican's generator asks for them (build_cache.cache.CachedRows)
    kept: list | None = None  # the cached reports of unchanged files, kept without Pelican's loop until it has read the rest (build_cache.cache.keep_unchanged)
    bodies: object = None  # the table of rendered bodies (build_cache.rows.ProcessTable)
    bodies_read: list = field(default_factory=list)  # (path, digest, HTML) of reports read now, until written to it
    last_read: object = None  # the last report read, until it is made light (build_cache.cache.body_read)
    # content_schema: the check of the content and what the reader takes from it
    check: object = None  # a function that returns the check started beside the build (digests, sources, problems)
    photos_checked: dict = field(default_factory=dict)  # name under content/ → Photo or PhotoError, as the check found each photo shown
    checked: dict = field(default_factory=dict)  # absolute path → Source checked (and rendered) this build, until read
    digests: dict = field(default_factory=dict)  # absolute path → digest of the file's bytes the check read
    sealed: dict = field(
        default_factory=dict
    )  # the files of folders the check settled, by folder: {absolute path: (seal, files)} (content_schema.settled.seal_of)
    unsealed: dict = field(default_factory=dict)  # {folder: {name: digest}} of those a file was read from (content_schema.reader.sealed_digest)
    read: int = 0  # files the reader read (not taken from the cache)
    wrappers: dict = field(default_factory=dict)  # (class, name) → the one Tag, Author or Category of this build
    # incremental: the writers of this build, and the pieces of pages kept between builds
    writers: list = field(default_factory=list)
    manifest_before: tuple | None = None  # (folder, its manifest): the last build's, read once (staging.manifest.manifest_before)
    fragments: object = None  # incremental.fragments.Fragments, once the pages are judged
    static_digests: dict = field(default_factory=dict)  # name → digest of the content's static files (incremental.static_files)
    named_files: dict = field(default_factory=dict)  # name → digest of the files plugins write beside the pages (theme_assets, printed_page)
    file_lists: list = field(default_factory=list)
    photos_before: set = field(default_factory=set)  # news_photos: the pictures' files the last build published
    pdfs_before: dict = field(default_factory=dict)  # news_photos: the page PDFs the last build published, with their digests
    pictures_early: list = field(default_factory=list)  # news_photos: the making of new pictures (photos, printed pages) beside the build, until taken
    picture_turns: object = None  # news_photos: the cores left to the pictures made beside the build (news_photos.store.Turns)
    # printed_page: the reading of the page PDFs beside the build, until taken; the PDFs published
    printed_pages: dict = field(default_factory=dict)  # functions giving more of those when the pages are written (photos)
    # edition_search: the pages of this build's reports, the pages Pagefind indexes
    report_pages: list = field(default_factory=list)


def begin(pelican):
    """Connected to get_generators by each plugin that uses a Build (once: blinker connects a receiver once)."""
    last = pelican.settings.get(KEY)
    if last is not None:  # `pelican -r`: the run before is over, and lets go of what it held
        if last.picture_turns is not None:  # a run that failed before it waited for its pictures
            last.picture_turns.give_back()
        vars(last).update(vars(Build(pelican.settings)))
    pelican.settings[KEY] = Build(pelican.settings)


def build_of(settings):
    """The Build of the run these settings are the settings of."""
    return settings[KEY]


def processes_of(settings):
    """How many processes a build's parallel steps use: BUILD_PROCESSES, or one a core."""
    return settings.get("BUILD_PROCESSES") or os.cpu_count() or 1
