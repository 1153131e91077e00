"""Incremental, parallel output: render only pages whose inputs changed, on every core.

`invoke build` starts each build in a fresh folder holding hard links to
the last good output (publishing.build); this plugin's writer then renders
just the pages whose digest differs from the last build's, in worker
processes, and removes pages that are no longer produced. A clean build
and an incremental one give identical files (tested).
"""

import os

from pelican import signals

from .fingerprints import digest, settings_digest, tree_digest
from .writer import QueueingWriter


def get_writer(pelican):
    return QueueingWriter


def flush(pelican):
    settings = pelican.settings
    here = os.path.dirname(os.path.dirname(__file__))
    base = digest(tree_digest(settings["THEME"], here), settings_digest(settings))
    processes = settings.get("BUILD_PROCESSES") or os.cpu_count() or 1
    for writer in QueueingWriter.instances:
        if writer.output_path == pelican.output_path:
            writer.flush(base, processes)
    QueueingWriter.instances.clear()


def register():
    signals.get_writer.connect(get_writer)
    signals.finalized.connect(flush)
