"""Incremental, parallel output: render only pages whose inputs changed, on every core.

`invoke build` stages each build in an empty folder and tells Pelican where
the last good output is (LAST_OUTPUT, publishing.build); this plugin's
writer then renders just the pages whose digest differs from the last
build's, on every core, and lists the pages no longer produced for the
commit to remove. Run by plain `pelican`, it updates the output folder in
place. A clean build and an incremental one give identical files (tested).
Static files are copied only when their bytes changed (static_files).
"""

import gc

# Pelican and the writer are imported when Pelican loads the plugin (register), not with the package.


def refuse_plugins_before(pelican):
    """The pages are written when Pelican sends `finalized` (flush): a plugin that handles it first
    (search, which indexes the pages) would find none. Blinker calls receivers in the order they
    were connected, which is the order of PLUGINS: a wrong order is refused, with how to right it."""
    from pelican import signals

    before = []
    for receiver in signals.finalized.receivers_for(pelican):
        if receiver is flush:
            break
        if not getattr(receiver, "reads_written_pages", True):
            continue  # it publishes files of its own (photos, page PDFs): before or after the pages
        module = getattr(receiver, "__module__", None) or repr(receiver)
        before.append(module if module.startswith("pelican.plugins.") else module.split(".")[0])
    if before:
        names = ", ".join(dict.fromkeys(before))
        raise SystemExit(
            f"PLUGINS: {names} handles Pelican's finalized signal before incremental has written the pages — list incremental before {names} in PLUGINS (pelicanconf.py)"
        )


def hold_collection(pelican):
    """No cyclic garbage collection while the build loads and assembles the site.

    A build holds tens of thousands of long-lived objects (cached reports, their
    checked sources, lists), none of them garbage before the build ends; the
    collector would scan them all, again and again, while they are made (about
    4 s of a new day at 50,000 reports). It is back on, with them frozen, when
    pages are rendered (writer.render_all). Held when each build starts, before
    any generator is made: a run of `pelican -r` after the first too.
    """
    gc.disable()


def get_writer(pelican):
    from .writer import QueueingWriter

    return QueueingWriter


def writers_for(settings, output_path):
    """This build's writers (QueueingWriter: each notes itself in the Build) of one output folder."""
    from site_build.state import build_of

    return [writer for writer in build_of(settings).writers if writer.output_path == output_path]


def carry_in_bulk(generator):
    """The report pages the writer carries are taken before Pelican's loop hands each over (its own write_file would carry them one by one)."""
    from site_build.pelican_internals import hand_over_articles_by

    def left_to_write(articles):
        for writer in writers_for(generator.settings, generator.output_path):
            articles = writer.left_to_write(articles)
        return articles

    hand_over_articles_by(generator, left_to_write)


def flush(pelican):
    from site_build.state import processes_of

    settings = pelican.settings
    processes = processes_of(settings)
    for writer in writers_for(settings, pelican.output_path):
        writer.flush(processes)


def register():
    from pelican import signals

    from site_build import state

    from .static_files import skip_unchanged

    signals.initialized.connect(refuse_plugins_before)
    signals.get_generators.connect(state.begin)  # first: a Build for each run, before any plugin's own
    signals.get_generators.connect(hold_collection)
    signals.static_generator_finalized.connect(skip_unchanged)
    signals.get_writer.connect(get_writer)
    signals.article_generator_init.connect(carry_in_bulk)
    signals.finalized.connect(flush)
