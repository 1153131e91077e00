"""Build cache plugin: what a build keeps for the next, so that a new day reads and renders only what changed.

- the check's parse of every file (checked_codec.py), a row per folder (rows.py);
- the templates, compiled (Jinja's bytecode cache);
- Pelican's Article of every report (cache.py, article_codec.py), in a folder
  named by the digest of the settings and code (keys.py), each file known by
  its bytes; their rendered bodies in a table beside it, fetched when shown.

When Pelican's cache is there to load, the content check runs in a process
beside the build (site_build/beside.py) while the cache loads: each takes seconds at
50,000 reports and neither needs the other. Pelican's generators also list
the content folder faster (files.py).
"""

import functools
import os

import jinja2
from jinja2 import FileSystemBytecodeCache
from pelican import signals
from pelican.contents import Article
from pelican.generators import ArticlesGenerator

from site_build import beside, listing, state
from site_build.pelican_internals import add_kept_articles, list_files_by, skip_disabled_readers_walk
from site_build.state import build_of, processes_of

from .cache import body_read, keep_cache_in_rows, keep_unchanged, load_articles, store_bodies, use_cache_of_this_code
from .checked_codec import CheckedSources, checked_sources_table
from .files import list_files
from .keys import digest


def prepare(pelican):
    """As a build starts: where its caches are; the check started beside it when Pelican's cache is there to load."""
    from content_schema.check import checked_content

    settings = pelican.settings
    build = build_of(settings)
    if settings.get("CHECK_CACHE"):
        build.check_cache = CheckedSources(checked_sources_table(settings))
    if use_cache_of_this_code(settings, build):
        processes = processes_of(settings)
        listing.of(settings["PATH"])  # read before the check is forked: both take their listing from it
        # Only the bodies of the files changed are rendered, on every core: the cache has the others.
        started = beside.start(checked_content, settings["PATH"], settings, "changed", processes, build.check_cache)
        build.check = functools.partial(take_check, started)


def take_check(started):
    try:
        return beside.result(started)
    except beside.Failed as error:
        raise SystemExit(f"The content check failed:\n{error}") from None


def compile_templates_once(generator):
    """Templates compiled by an earlier build are loaded, not compiled again: Jinja's bytecode cache, which
    knows each template by its source. Every generator has its own environment and compiled its own
    templates, about 0.1–0.3 s of every build before a page was written. The compiled code also follows the
    environment's options (JINJA_ENVIRONMENT) and Jinja's version: they name the folder."""
    settings = generator.settings
    if not hasattr(generator, "env") or not settings.get("CACHE_CONTENT"):
        return
    options = digest(jinja2.__version__, sorted(settings.get("JINJA_ENVIRONMENT", {}).items()))
    folder = os.path.join(settings["CACHE_PATH"], f"templates-{options[:16]}")
    os.makedirs(folder, exist_ok=True)
    generator.env.bytecode_cache = FileSystemBytecodeCache(folder)


def load_cached_reports(generator):
    """Pelican's cache of reports, loaded as its ArticlesGenerator is made, while the check runs beside."""
    build = build_of(generator.settings)
    if isinstance(generator, ArticlesGenerator) and build.cache_folder is not None:
        build.context = generator.context
        load_articles(build)


def quicken_generator(generator):
    skip_disabled_readers_walk(generator)
    list_files_by(generator, list_files)


def use_cached_reports(generator):
    """Pelican's cache of reports made ours; the reports of unchanged files taken from it at once."""
    build = build_of(generator.settings)
    if build.article_rows is not None:
        keep_cache_in_rows(generator, build)
        listed = generator.get_files

        def get_files(paths, exclude=None, extensions=None):
            files = listed(paths, exclude, extensions)
            # Its generate_context lists the reports (no extensions given); other callers (a walk for disabled readers) get the listing only.
            return keep_unchanged(build, generator.path, files) if extensions is None else files

        generator.get_files = get_files


def add_kept_reports(generator):
    """The reports of unchanged files, put aside as the generator listed its files, added to its lists."""
    build = build_of(generator.settings)
    kept, build.kept = build.kept, None
    add_kept_articles(generator, kept)


def put_body_away_when_read(content):
    """A report read now (not one loaded from the cache, which has its body elsewhere already)."""
    if type(content) is Article and "source_digest" in content.__dict__:
        build = build_of(content.settings)
        if build.bodies is not None:
            body_read(content, build)


def put_bodies_away(generator):
    build = build_of(generator.settings)
    if build.bodies is not None:
        store_bodies(generator, build)


def forget_listing(generators):
    listing.forget()  # every generator has listed its files


def register():
    signals.get_generators.connect(state.begin)  # a Build for each run, before any plugin's own handler
    signals.get_generators.connect(prepare)
    signals.generator_init.connect(quicken_generator)
    signals.generator_init.connect(compile_templates_once)
    signals.generator_init.connect(load_cached_reports)
    signals.article_generator_init.connect(use_cached_reports)
    signals.content_object_init.connect(put_body_away_when_read)
    signals.article_generator_pretaxonomy.connect(add_kept_reports)  # first: the other handlers see every report
    signals.article_generator_pretaxonomy.connect(put_bodies_away)
    signals.all_generators_finalized.connect(forget_listing)
