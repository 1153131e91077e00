"""The build's record of its pages: every page's digest (MANIFEST), and the pages it no longer has (REMOVED).

Without Pelican: read by the search indexer and written into place by the
commit, in processes that have no use for Pelican (importing it takes a
quarter of a second).
"""

import json
import os

MANIFEST = ".build-digests.json"
REMOVED = ".build-removed.json"  # pages of the last build this one no longer has (staged builds)


def read_manifest(output_path):
    try:
        with open(os.path.join(output_path, MANIFEST), encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return {}


def write_manifest(output_path, digests):
    path = os.path.join(output_path, MANIFEST)
    if os.path.lexists(path):
        os.unlink(path)
    # dumps, not dump: json.dump streams through the pure-Python encoder (2.5 s at 50,000 reports).
    text = json.dumps(digests, sort_keys=True, separators=(",", ":"))
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
