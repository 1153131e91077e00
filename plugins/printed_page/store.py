"""What the build keeps of printed pages between builds, and the work done on a new page.

A page PDF is catalogued as photos are (photos.store.Catalog, cache/photos/pages.sqlite: known by
its size and time, so that an unchanged PDF is not opened), and its picture is made once per key
into cache/photos/, by the photo pipeline's pool. Its zones are kept per (PDF, the reports on the
page, the sidecar, the code that finds them) in cache/printed-pages.sqlite.
"""

import gc
import hashlib
import json
import os
import re
import sqlite3
from pathlib import Path

from news_photos.store import Catalog, Timed, in_background, make_all

from .layer import PageError
from .picture import LAYERS, PagePhoto, derive_page, read_page, read_size

CATALOG = "pages.sqlite"
ZONES = "printed-pages.sqlite"
DATE_FOLDER = re.compile(r"\d{4}-\d{2}-\d{2}")
SUFFIXES = (".pdf", ".yml", ".yaml")
# The code that reads a page and finds its zones: a change to it finds every page's zones again
CODE = hashlib.blake2b(b"".join((Path(__file__).parent / name).read_bytes() for name in ("layer.py", "zones.py", "sidecar.py")), digest_size=8).hexdigest()


def page_files(content):
    """{lower-case name: name} of the page PDFs and sidecars under content/<date>/ ("2020-12-30/a06.pdf")."""
    found = {}
    try:
        folders = [entry for entry in os.scandir(content) if entry.is_dir() and DATE_FOLDER.fullmatch(entry.name)]
    except OSError:
        return found
    for folder in folders:
        for entry in os.scandir(folder.path):
            if entry.name.lower().endswith(SUFFIXES):
                found[f"{folder.name}/{entry.name.lower()}"] = f"{folder.name}/{entry.name}"
    return found


def prepare(content, cache):
    """Every page PDF catalogued, and the text layers of new ones read.

    Runs beside the build from its start (build_cache.beside): it needs nothing the build reads,
    and the build needs it once the editions are known, to find the zones. Gives (page files, {PDF:
    PagePhoto or PageError}, {key: TextLayer} of the PDFs read now, the Timed of it)."""
    gc.enable()  # forked from a build that holds collection off while it loads the archive (incremental)
    with Timed() as timed:
        files = page_files(content)
        catalog = Catalog(cache, CATALOG, reader=read_page, kinds=(PagePhoto, PageError))
        try:
            found = catalog.look_up(content, pdfs_of(files))
        finally:
            catalog.close()
    return files, found, dict(LAYERS), timed


def make_pictures(content, cache, processes):
    """The pictures of new page PDFs, made beside the build at a lower priority, as new photos are
    (news_photos.store.prepare): the build needs them only when it publishes them, at its end.

    Known by the catalogue, or, for a PDF it does not know yet (its text layer is being read beside,
    by prepare), by a quicker reading that is not written down. Gives ("printed pages", how many were made, the Timed of it)."""
    in_background()
    with Timed() as timed:
        catalog = Catalog(cache, CATALOG, reader=read_size, kinds=(PagePhoto, PageError), keep=False)
        try:
            found = catalog.look_up(content, pdfs_of(page_files(content)))
        finally:
            catalog.close()
        jobs = [(os.path.join(content, name), entry, derive_page) for name, entry in found.items() if isinstance(entry, PagePhoto)]
        made = make_all(jobs, cache, processes)
    return "printed pages", made, timed


def pdfs_of(files):
    return sorted(name for lower, name in files.items() if lower.endswith(".pdf"))


class ZoneTable:
    """{zone key: zones of one page as JSON}, for pages whose PDF, reports and sidecar did not change."""

    def __init__(self, cache_path):
        os.makedirs(cache_path, exist_ok=True)
        self.db = sqlite3.connect(os.path.join(cache_path, ZONES), timeout=30, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS zones (key TEXT PRIMARY KEY, value TEXT)")

    def close(self):
        self.db.close()

    def get(self, keys):
        found = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update((key, json.loads(value)) for key, value in self.db.execute(f"SELECT key, value FROM zones WHERE key IN ({marks})", chunk))
        return found

    def keep(self, keys, fresh):
        """Add the zones found now; drop those of pages no longer as they were (only `keys` are)."""
        self.db.execute("BEGIN")
        self.db.executemany("INSERT OR REPLACE INTO zones VALUES (?, ?)", [(key, json.dumps(value)) for key, value in fresh.items()])
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS current (key TEXT PRIMARY KEY)")
        self.db.executemany("INSERT OR IGNORE INTO current VALUES (?)", [(key,) for key in keys])
        self.db.execute("DELETE FROM zones WHERE key NOT IN (SELECT key FROM current)")
        self.db.execute("COMMIT")


def zone_key(page_key, sidecar, reports):
    """The digest zones are kept under: the PDF's key, the sidecar's bytes, each report's slug and source."""
    return hashlib.blake2b(repr((CODE, page_key, sidecar, reports)).encode(), digest_size=16).hexdigest()
