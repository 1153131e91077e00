"""What the build keeps of printed pages between builds, and the work done on a new page.

A page PDF is catalogued as photos are (photos.store.Catalog, cache/photos/pages.sqlite: known by
its size and time, so that an unchanged PDF is not opened), and its picture is made once per key
into cache/photos/, by the photo pipeline's pool. Its zones are kept per (PDF, the reports on the
page, the sidecar, the code that finds them) in cache/printed-pages.sqlite.
"""

import functools
import gc
import glob
import hashlib
import itertools
import json
import marshal
import os
import re
import shutil
import sqlite3
import tempfile
from array import array
from pathlib import Path

from news_photos.store import Catalog, Timed, write_ahead
from site_build import listing
from site_build.beside import process_runs

from .layer import PageError, TextLayer
from .picture import PagePhoto, derive_page, read_page, read_size

CATALOG = "pages.sqlite"
ZONES = "printed-pages.sqlite"
DATE_FOLDER = re.compile(r"\d{4}-\d{2}-\d{2}")
SUFFIXES = (".pdf", ".yml", ".yaml")
# The code that reads a page and finds its zones: a change to it finds every page's zones again
CODE = hashlib.blake2b(b"".join((Path(__file__).parent / name).read_bytes() for name in ("layer.py", "zones.py", "sidecar.py")), digest_size=8).hexdigest()


def page_files(content):
    """{lower-case name: name} of the page PDFs and sidecars under content/<date>/ ("2020-12-30/a06.pdf")."""
    found = {}
    # From a staged build's fingerprint (site_build.listing): content/ is not walked again.
    _, folders, _ = next(listing.walk(content, followlinks=True), (None, [], []))
    for folder in folders:
        if DATE_FOLDER.fullmatch(folder):
            _, inner, names = next(listing.walk(os.path.join(content, folder), followlinks=True), (None, [], []))
            for name in (*inner, *names):
                if name.lower().endswith(SUFFIXES):
                    found[f"{folder}/{name.lower()}"] = f"{folder}/{name}"
    return found


def prepare(content, cache, layers):
    """Every page PDF catalogued, and the text layers of new ones read into `layers` (Layers).

    Runs beside the build from its start (site_build.beside): it needs nothing the build reads,
    and the build needs it once the editions are known, to find the zones. Gives (page files, {PDF:
    PagePhoto or PageError}, how many layers were read, the Timed of it)."""
    gc.enable()  # forked from a build that holds collection off while it loads the archive (incremental)
    with Timed() as timed:
        files = page_files(content)
        catalog = Catalog(cache, CATALOG, reader=functools.partial(read_page, keep=layers.put), kinds=(PagePhoto, PageError))
        try:
            found = catalog.look_up(content, pdfs_of(files))
        finally:
            catalog.close()
    return files, found, layers.count, timed


class Layers:
    """The text layers of the PDFs read beside the build, handed to it in files, one a page: the
    build reads each as it finds that page's zones and never holds them all (a page of 20,000
    characters is 3 MB of boxes in Python; a first build of a year's 4,000 pages held them all)."""

    def __init__(self, folder):
        self.folder = folder
        self.count = 0

    @classmethod
    def beside(cls, cache):
        """A new folder for a build's layers in the cache; those of builds no longer running go."""
        os.makedirs(cache, exist_ok=True)
        for stale in glob.glob(os.path.join(cache, ".page-layers-*")):
            if not process_runs(int(os.path.basename(stale).split("-")[2])):
                shutil.rmtree(stale, ignore_errors=True)
        return cls(tempfile.mkdtemp(prefix=f".page-layers-{os.getpid()}-", dir=cache))

    def put(self, key, layer):
        boxes = array("d", itertools.chain.from_iterable(layer.boxes))
        with open(os.path.join(self.folder, key), "wb") as handle:
            marshal.dump((layer.width, layer.height, layer.text, boxes.tobytes()), handle)
        self.count += 1

    def get(self, key):
        """The TextLayer of the PDF of this key read beside this build; None if it was not read."""
        try:
            with open(os.path.join(self.folder, key), "rb") as handle:
                width, height, text, raw = marshal.load(handle)
        except FileNotFoundError:
            return None
        flat = array("d")
        flat.frombytes(raw)
        return TextLayer(width, height, text, tuple(zip(flat[0::4], flat[1::4], flat[2::4], flat[3::4], strict=True)))

    def remove(self):
        shutil.rmtree(self.folder, ignore_errors=True)


def picture_jobs(content, cache):
    """The pictures of new page PDFs, to be made with the photos beside the build, by the same
    processes (news_photos.store.more_pictures): the build needs them only when it publishes them,
    at its end.

    Known by the catalogue, or, for a PDF it does not know yet (its text layer is being read beside,
    by prepare), by a quicker reading that is not written down. Gives ("printed pages", the jobs, the Timed of finding them)."""
    with Timed() as timed:
        catalog = Catalog(cache, CATALOG, reader=read_size, kinds=(PagePhoto, PageError), keep=False)
        try:
            found = catalog.look_up(content, pdfs_of(page_files(content)))
        finally:
            catalog.close()
    jobs = [(os.path.join(content, name), entry, derive_page, "printed pages") for name, entry in found.items() if isinstance(entry, PagePhoto)]
    return "printed pages", jobs, timed


def pdfs_of(files):
    return sorted(name for lower, name in files.items() if lower.endswith(".pdf"))


class ZoneTable:
    """{zone key: zones of one page as JSON}, for pages whose PDF, reports and sidecar did not change."""

    def __init__(self, cache_path):
        os.makedirs(cache_path, exist_ok=True)
        self.db = sqlite3.connect(os.path.join(cache_path, ZONES), timeout=30, isolation_level=None)
        write_ahead(self.db)
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
