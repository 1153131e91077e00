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
import os

# Pelican and the writer are imported when Pelican loads the plugin (register), not with the package.


def hold_collection(pelican):
    """No cyclic garbage collection while the build loads and assembles the site.

    A build holds tens of thousands of long-lived objects (cached reports, their
    checked sources, lists), none of them garbage before the build ends; the
    collector would scan them all, again and again, while they are made (about
    4 s of a new day at 50,000 reports). It is back on, with them frozen, when
    pages are rendered (writer.render_all).
    """
    gc.disable()


def get_writer(pelican):
    from .writer import QueueingWriter

    return QueueingWriter


def flush(pelican):
    from .fingerprints import digest, settings_digest, tree_digest
    from .writer import QueueingWriter

    settings = pelican.settings
    here = os.path.dirname(os.path.dirname(__file__))
    base = digest(tree_digest(settings["THEME"], here), settings_digest(settings))
    processes = settings.get("BUILD_PROCESSES") or os.cpu_count() or 1
    for writer in QueueingWriter.instances:
        if writer.output_path == pelican.output_path:
            writer.flush(base, processes)
    QueueingWriter.instances.clear()


def register():
    from pelican import signals

    from .static_files import skip_unchanged

    signals.initialized.connect(hold_collection)
    signals.static_generator_finalized.connect(skip_unchanged)
    signals.get_writer.connect(get_writer)
    signals.finalized.connect(flush)
