"""A cache kept as a table of rows, one per folder of files, so that a build writes only the folders that changed.

Both caches of the content schema are kept so: the check's parse of every file
(check.py) and Pelican's Article of every report (cache.py). A row holds the
values of one folder's files (an edition's day), as one pickle: a new day
writes one row, an edited report its day's; and loading an archive's 300-odd
rows takes half the time of its 50,000 files one by one (a pickle per file
repeats its classes, names and shared objects every time). It is a cache,
never the only copy of anything: a table another build holds is left for the
next build, and a damaged one, or one written by other code (another
version), is dropped and made anew from the files.
"""

import contextlib
import os
import pickle
import sqlite3
from collections import defaultdict

DAMAGED = (sqlite3.Error, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError, TypeError)


def folder_of(key):
    return os.path.dirname(key)


def _open(path, version):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous = OFF")  # a cache: a lost write is a file read again
    if db.execute("PRAGMA user_version").fetchone()[0] != version:
        db.execute("DROP TABLE IF EXISTS rows")
        db.execute(f"PRAGMA user_version = {int(version)}")
    db.execute("CREATE TABLE IF NOT EXISTS rows (folder TEXT PRIMARY KEY, value BLOB NOT NULL)")
    return db


def read_rows(path, version):
    """{key: value} of the table; nothing when there is none, or it is busy, damaged or of another version."""
    if not os.path.isfile(path):
        return {}
    try:
        with contextlib.closing(_open(path, version)) as db:
            values = {}
            for (value,) in db.execute("SELECT value FROM rows"):
                values.update(pickle.loads(value))
            return values
    except sqlite3.OperationalError:
        return {}  # busy (another build): everything is read again this time
    except DAMAGED:
        with contextlib.suppress(OSError):
            os.unlink(path)
        return {}


def write_rows(path, version, values, changed, gone=()):
    """Store the rows of the folders where a key changed or went, from {key: value} (every key now), in one transaction."""
    touched = {folder_of(key) for key in changed} | {folder_of(key) for key in gone}
    if not touched:
        return
    folders = defaultdict(dict)
    for key, value in values.items():
        folder = folder_of(key)
        if folder in touched:
            folders[folder][key] = value
    stored = [(folder, pickle.dumps(folders[folder], protocol=pickle.HIGHEST_PROTOCOL)) for folder in touched if folders[folder]]
    emptied = [(folder,) for folder in touched if not folders[folder]]
    try:
        with contextlib.closing(_open(path, version)) as db:
            db.execute("BEGIN")
            db.executemany("INSERT OR REPLACE INTO rows VALUES (?, ?)", stored)
            db.executemany("DELETE FROM rows WHERE folder = ?", emptied)
            db.execute("COMMIT")
    except sqlite3.OperationalError:
        return  # busy (another build): these are read again next time
    except sqlite3.Error:
        with contextlib.suppress(OSError):
            os.unlink(path)


class ProcessTable:
    """A cache table in a file of its own, with one connection per process: rendering workers are
    forked, and a connection must not cross a fork. `drop` deletes a damaged table; the next
    connection starts a new one."""

    def __init__(self, create, timeout=5.0):
        self.create, self.timeout = create, timeout
        self.pid = self.db = None

    def connection(self, path):
        if self.pid != os.getpid():
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
            db = sqlite3.connect(path, isolation_level=None, timeout=self.timeout)
            db.execute("PRAGMA synchronous = OFF")  # a cache: a lost write is made again
            db.execute(self.create)
            self.pid, self.db = os.getpid(), db
        return self.db

    def drop(self, path):
        if self.db is not None and self.pid == os.getpid():
            self.db.close()
        self.pid = self.db = None
        with contextlib.suppress(OSError):
            os.unlink(path)
