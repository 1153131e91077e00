"""Content schema plugin: refuse bad content before anything is written.

Connects three things: a check of the whole content tree, started when
Pelican starts in a process beside the build (beside.py) and taken before any
report is read (every problem, one line each, then a non-zero exit; bodies
are rendered in the same pass, on every core); the schema's own reader for Markdown items,
which takes what the check read instead of reading files again; and
Pelican's cache of reports between builds, kept per settings and code
(cache.py), so that only changed files are read at all, with the rendered
bodies in a table beside it, fetched only for the pages rendered.
"""

import functools
import os
import sys

from pelican import signals

from . import beside, body
from .cache import checked_sources_table, keep_cache_in_rows, remember_build, store_bodies, use_cache_of_this_code
from .check import check_tree
from .files import list_files
from .reader import CHECKED, DIGESTS, READ, WRAPPERS, NewsReader

_CHECK = []  # the check running beside the build (beside.start), until its result is taken


def start_check(pelican):
    """Check every report in a process beside the build, while the build loads Pelican's cache."""
    settings = pelican.settings
    try:
        body.features_of(settings)  # a MARKDOWN the renderer cannot honour stops the build before it starts
    except body.SettingError as error:
        raise SystemExit(str(error)) from None
    processes = settings.get("BUILD_PROCESSES") or os.cpu_count() or 1
    cache = checked_sources_table(settings) if settings.get("CHECK_CACHE") else None
    # Bodies are rendered by the check, on every core, for the reports Pelican will read: all
    # of them, or only the changed ones when Pelican has the others in its cache.
    cached = use_cache_of_this_code(settings)
    for shared in (CHECKED, DIGESTS, WRAPPERS, READ):
        shared.clear()
    arguments = (settings["PATH"], settings, "changed" if cached else True, processes, cache)
    if cached:
        started = beside.start(checked_content, *arguments)
        _CHECK[:] = [lambda: beside.result(started)]
    else:  # nothing to load meanwhile, and every rendered body would cross a pipe: checked here
        result = checked_content(*arguments)
        _CHECK[:] = [lambda: result]


def checked_content(path, settings, render, processes, cache):
    """What the build needs of the check: every file's digest, the sources parsed now, the problems."""
    sources, problems = check_tree(path, settings, render=render, processes=processes, cache=cache)
    digests = {source.file: source.digest for source in sources}
    # Those parsed now, and those from the check's cache it rendered (a build without Pelican's cache).
    return digests, [source for source in sources if source.body is not None or source.html is not None], [str(problem) for problem in problems]


def refuse_bad_content(generator):
    """Take the check's result before any report is read: every problem, one line each, then stop."""
    if not _CHECK:
        return
    try:
        digests, sources, problems = _CHECK.pop()()
    except beside.Failed as error:
        raise SystemExit(f"The content check failed:\n{error}") from None
    DIGESTS.update(digests)
    CHECKED.update((source.file, source) for source in sources)
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        # SystemExit, not an exception: Pelican would log a traceback over the list.
        raise SystemExit(f"{len(problems)} problem(s) in content; nothing was built.")


def forget_checked(generator):
    """Sources the reader did not take (their files were unchanged) go.

    Every tag's, person's and section's URL is worked out now, once, in the
    build process, not again in each rendering worker.
    """
    read = READ.get("files", 0)
    print(f"{read} item(s) read, {len(DIGESTS) - read} kept from the last build")
    CHECKED.clear()
    DIGESTS.clear()
    for wrapper in WRAPPERS.values():
        wrapper.url, wrapper.save_as  # noqa: B018 (cached properties)


def quicken_generator(generator):
    """Pelican's walks of the content folder, made cheaper for 50,000 files.

    It walks it again only to warn of files whose reader is disabled (a missing package): with
    none disabled there is nothing to warn of (0.5 s at 50,000 reports). Its listing of files tests
    each name against each pattern in turn: `files.list_files` gives the same files at C speed.
    """
    if not generator.readers.disabled_extensions:
        generator._check_disabled_readers = lambda paths, exclude: None
    generator.get_files = functools.partial(list_files, generator)


def use_news_reader(readers):
    for extension in NewsReader.file_extensions:
        readers.reader_classes[extension] = NewsReader


def register():
    signals.initialized.connect(start_check)
    signals.readers_init.connect(use_news_reader)
    signals.generator_init.connect(remember_build)
    signals.generator_init.connect(quicken_generator)
    signals.article_generator_init.connect(keep_cache_in_rows)  # while the check runs beside
    signals.article_generator_init.connect(refuse_bad_content)
    signals.article_generator_pretaxonomy.connect(store_bodies)
    signals.article_generator_finalized.connect(forget_checked)
