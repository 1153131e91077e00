"""The build's record of its pages: every page's digest (MANIFEST), and the pages it no longer has (REMOVED).

Without Pelican: read by the search indexer and written into place by the
commit, in processes that have no use for Pelican (importing it takes a
quarter of a second).
"""

import json
import os

MANIFEST = ".build-digests.json"
REMOVED = ".build-removed.json"  # pages of the last build this one no longer has (staged builds)
UNSURE = ".build-unsure.json"  # pages a commit began to replace: until its digests are in, none is known
COMPRESSED = (".gz", ".br")  # pelican-precompress's copies beside a page


def read_manifest(output_path, unsure=True):
    """{page: digest} of the output's pages; None for a page whose digest is not known: one a commit
    cut short began to replace, or moved in (a new page: the next build removes it if it has it no
    more). unsure=False: the manifest as written, for the build that has just written it."""
    try:
        with open(os.path.join(output_path, MANIFEST), encoding="utf-8") as handle:
            digests = json.load(handle)
    except (OSError, ValueError):
        return {}
    marks = unsure_pages(output_path) if unsure else set()
    if marks is None:
        return {}  # the list is damaged: no page's digest can be trusted
    digests.update(dict.fromkeys(name for name in marks if is_page(name)))
    return digests


def is_page(name):
    """A name the manifest may hold: not a folder replaced whole (theme/), not the search index's
    (it keeps its own account), not a compressed copy of a page (it goes with its page)."""
    return not name.endswith(("/", *COMPRESSED)) and not name.startswith("pagefind/")


def keep_unsure_shards(output_path):
    """A build that wrote its pages in place has made them sure: only the search shards stay marked,
    for its search indexer, which drops the list once it has used it."""
    marks = unsure_pages(output_path)
    if marks:
        shards = [name for name in marks if name.startswith("pagefind/")]
        if shards:
            mark_unsure(output_path, shards, replace=True)
        else:
            os.unlink(os.path.join(output_path, UNSURE))


def unsure_pages(output_path):
    """The pages a commit cut short began to replace; None if the list cannot be read."""
    try:
        with open(os.path.join(output_path, UNSURE), encoding="utf-8") as handle:
            return set(json.load(handle))
    except FileNotFoundError:
        return set()
    except (OSError, ValueError, TypeError):
        return None


def mark_unsure(output_path, pages, replace=False):
    """Before a commit moves pages in: their digests in the manifest are the last build's, not
    theirs, until the commit's own manifest moves in last. A commit cut short leaves them marked
    (with any marked before), so the next build renders them again, even if its content went back
    to what the manifest describes."""
    path = os.path.join(output_path, UNSURE)
    pages = sorted(set(pages) if replace else (unsure_pages(output_path) or set()).union(pages))
    with open(path + ".new", "w", encoding="utf-8") as handle:
        handle.write(json.dumps(pages, ensure_ascii=False))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(path + ".new", path)


def write_manifest(output_path, digests):
    path = os.path.join(output_path, MANIFEST)
    if os.path.lexists(path):
        os.unlink(path)
    # dumps, not dump: json.dump streams through the pure-Python encoder (2.5 s at 50,000 reports).
    text = json.dumps(digests, sort_keys=True, separators=(",", ":"))
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
