"""Content schema plugin: refuse bad content before anything is written.

Connects three things: a check of the whole content tree when Pelican starts
(every problem, one line each, then a non-zero exit; bodies are rendered in
the same pass, on every core); the schema's own reader for Markdown items,
which takes what the check read instead of reading files again; and
Pelican's cache of reports between builds, kept per settings and code
(cache.py), so that only changed files are read at all, with the rendered
bodies in a table beside it, fetched only for the pages rendered.
"""

import os
import sys

from pelican import signals

from .cache import checked_sources_table, keep_cache_in_rows, remember_build, store_bodies, use_cache_of_this_code
from .check import check_tree
from .reader import CHECKED, DIGESTS, WRAPPERS, NewsReader


def refuse_bad_content(pelican):
    settings = pelican.settings
    processes = settings.get("BUILD_PROCESSES") or os.cpu_count() or 1
    cache = checked_sources_table(settings) if settings.get("CHECK_CACHE") else None
    # Bodies are rendered here, on every core, for the reports Pelican will read: all of
    # them, or only the changed ones when Pelican has the others in its cache.
    cached = use_cache_of_this_code(settings)
    sources, problems = check_tree(settings["PATH"], settings, render="changed" if cached else True, processes=processes, cache=cache)
    CHECKED.clear()
    CHECKED.update((source.file, source) for source in sources)
    DIGESTS.clear()
    DIGESTS.update((source.file, source.digest) for source in sources)
    WRAPPERS.clear()
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        # SystemExit, not an exception: Pelican would log a traceback over the list.
        raise SystemExit(f"{len(problems)} problem(s) in content; nothing was built.")


def forget_checked(generator):
    """Reports not read this build (Pelican had them cached) leave their checked copy behind.

    Every tag's, person's and section's URL is worked out now, once, in the
    build process, not again in each rendering worker.
    """
    # The reader takes each report it reads out of CHECKED: what is left came from Pelican's cache.
    print(f"{len(DIGESTS) - len(CHECKED)} item(s) read, {len(CHECKED)} kept from the last build")
    CHECKED.clear()
    DIGESTS.clear()
    for wrapper in WRAPPERS.values():
        wrapper.url, wrapper.save_as  # noqa: B018 (cached properties)


def skip_idle_checks(generator):
    """Pelican walks the content folder again only to warn of files whose reader is disabled
    (a missing package): with none disabled, there is nothing to warn of (0.5 s at 50,000 reports)."""
    if not generator.readers.disabled_extensions:
        generator._check_disabled_readers = lambda paths, exclude: None


def use_news_reader(readers):
    readers.reader_classes["md"] = NewsReader
    readers.reader_classes["markdown"] = NewsReader


def register():
    signals.initialized.connect(refuse_bad_content)
    signals.readers_init.connect(use_news_reader)
    signals.generator_init.connect(remember_build)
    signals.generator_init.connect(skip_idle_checks)
    signals.article_generator_init.connect(keep_cache_in_rows)
    signals.article_generator_pretaxonomy.connect(store_bodies)
    signals.article_generator_finalized.connect(forget_checked)
