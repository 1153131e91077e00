"""Content schema plugin: refuse bad content before anything is written, and read reports by the schema.

The check of the whole content tree (check.py) is taken before any report is
read: every problem, one line each through Pelican's log, then a non-zero
exit. It is started beside the build by build_cache when Pelican's cache is
there to load (the two take seconds each at 50,000 reports), else run here,
with every body rendered on every core. The schema's reader (reader.py)
takes what the check read instead of reading files again. Both are done at
every build, a run of `pelican -r` after the first too.
"""

import logging

from pelican import signals

from site_build import state
from site_build.pelican_internals import log_every
from site_build.state import build_of, processes_of

from . import body, slugs
from .check import checked_content
from .reader import NewsReader

logger = logging.getLogger(__name__)


def refuse_unknown_markdown(pelican):
    """A MARKDOWN setting the renderer cannot honour stops the build before it starts."""
    try:
        body.features_of(pelican.settings)
    except body.SettingError as error:
        raise SystemExit(str(error)) from None


def refuse_bad_content(generator):
    """Take the check's result before any report is read: every problem, one line each, then stop."""
    settings = generator.settings
    build = build_of(settings)
    if build.check is not None:
        take, build.check = build.check, None
        digests, sources, problems, photos, sealed = take()
        # The slugs of the names the check met, new ones too, as it kept them: the reader here names the
        # same people and tags without loading pypinyin (some 50 MB and 0.3 s, on a day with a new name).
        if build.check_cache is not None:  # CHECK_CACHE: the check keeps its slugs in a file beside its table
            slugs.remember_when_asked(build.check_cache.slugs_file)
    else:
        processes = processes_of(settings)
        # Every file is read (a build without Pelican's cache): each is rendered as Pelican reads it, not all at once here.
        digests, sources, problems, photos, sealed = checked_content(settings["PATH"], settings, False, processes, build.check_cache)
    build.digests.update(digests)
    build.sealed.update(sealed)
    build.photos_checked = photos
    build.checked.update((source.file, source) for source in sources)
    if problems:
        log_every(logger, problems)
        # SystemExit, not an exception: Pelican would log a traceback over the list.
        raise SystemExit(f"{len(problems)} problem(s) in content; nothing was built.")


def forget_checked(generator):
    """Sources the reader did not take (their files were unchanged) go.

    Every tag's, person's and section's URL is worked out now, once, in the
    build process, not again in each rendering worker.
    """
    build = build_of(generator.settings)
    files = len(build.digests) + sum(count for _, count in build.sealed.values())
    logger.info("%d item(s) read, %d kept from the last build", build.read, files - build.read)
    build.checked.clear()
    build.digests.clear()
    build.sealed.clear()
    build.unsealed.clear()
    for wrapper in build.wrappers.values():
        wrapper.url, wrapper.save_as  # noqa: B018 (cached properties)


def use_news_reader(readers):
    for extension in NewsReader.file_extensions:
        readers.reader_classes[extension] = NewsReader


def register():
    signals.get_generators.connect(state.begin)  # a Build for each run, before any plugin's own handler
    signals.initialized.connect(refuse_unknown_markdown)
    signals.readers_init.connect(use_news_reader)
    signals.article_generator_init.connect(refuse_bad_content)
    signals.article_generator_finalized.connect(forget_checked)
