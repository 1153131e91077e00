"""A cache kept as a table of rows, one per folder of files, so that a build writes only the folders that changed.

Both caches of reports are kept so: the check's parse of every file
(checked_codec.py) and Pelican's Article of every report (cache.py). A row holds the
values of one folder's files (an edition's day): a new day writes one row, an
edited report its day's. Each cache gives a codec that turns a value into
plain data (strings, numbers, tuples, lists, dicts) and back; a row is that
data in `marshal`'s format, which loads about eight times as fast as a pickle
of the objects themselves (2.4 s for 50,000 Articles here). It is a cache,
never the only copy of anything: a table another build holds is left for the
next build, and a damaged one, or one written by other code (another version,
or another Python, whose marshal format may differ), is dropped and made anew
from the files.
"""

import contextlib
import marshal
import os
import pickle
import sqlite3
import sys
from collections import defaultdict

DAMAGED = (sqlite3.Error, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError, TypeError, KeyError, IndexError)


class Codec:
    """How a cache's values are kept: `encode(value)` → plain data, `decode(data)` → the value.

    apart: a function that splits a value's plain data in two, (what is loaded with the row, what is
    read only when asked for, or None): a row's second parts are kept beside it (its `heavy` row), and
    its values decoded with `decode(data, key, heavy)`: their key (a value may hold that string rather
    than its own copy of the text), and the Heavy of their row."""

    def __init__(self, encode, decode, apart=None):
        self.encode, self.decode, self.apart = encode, decode, apart

    def dumps(self, values):
        """A row of these values: its bytes, and with apart the bytes of its heavy row (None without one)."""
        if self.apart is None:
            return marshal.dumps({key: self.encode(value) for key, value in values.items()})
        loaded, heavy = {}, {}
        for key, value in values.items():
            loaded[key], part = self.apart(self.encode(value))
            if part is not None:
                heavy[key] = part
        return marshal.dumps(loaded), marshal.dumps(heavy) if heavy else None

    def loads(self, blob, heavy=None):
        decode = self.decode
        if self.apart is not None:
            return {key: decode(data, key, heavy) for key, data in marshal.loads(blob).items()}
        return {key: decode(data) for key, data in marshal.loads(blob).items()}


class Heavy:
    """The heavy row of one folder of a table (Codec's apart): read the first time a value of it is
    asked for, then kept. A forked process reads it with its own connection (ProcessTable)."""

    def __init__(self, table, path, folder):
        self.table, self.path, self.folder = table, path, folder
        self.values = None

    def of(self, key):
        self.read()
        try:
            return self.values[key]
        except KeyError:
            raise RuntimeError(
                f"{self.path}: the cache's row of {self.folder} lacks {key}: it changed while the edition was being built; build again"
            ) from None

    def read(self):
        """The row read now, if it was not yet."""
        if self.values is not None:
            return
        try:
            found = self.table.connection(self.path).execute("SELECT value FROM heavy WHERE folder = ?", (self.folder,)).fetchall()
        except sqlite3.Error as error:
            raise RuntimeError(f"{self.path}: the cache's row of {self.folder} cannot be read ({error}); build again") from None
        self.values = marshal.loads(found[0][0]) if found else {}


def keys_of(blob):
    """The keys (files) of one row, without making their values."""
    return list(marshal.loads(blob))


def table_version(version):
    """A cache's own version, and the Python that wrote it (marshal's format is Python's)."""
    return version * 10_000 + sys.version_info[0] * 100 + sys.version_info[1]


def folder_of(key):
    return os.path.dirname(key)


def _open(path, version):
    version = table_version(version)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous = OFF")  # a cache: a lost write is a file read again
    if db.execute("PRAGMA user_version").fetchone()[0] != version:
        db.execute("DROP TABLE IF EXISTS rows")
        db.execute("DROP TABLE IF EXISTS summaries")
        db.execute(f"PRAGMA user_version = {int(version)}")
    db.execute("CREATE TABLE IF NOT EXISTS rows (folder TEXT PRIMARY KEY, value BLOB NOT NULL)")
    # The parts of a row's values read only when asked for (Codec's apart, Heavy).
    db.execute("CREATE TABLE IF NOT EXISTS heavy (folder TEXT PRIMARY KEY, value BLOB NOT NULL)")
    # What a cache keeps about a whole folder, beside its rows (the check's: checked_codec.Summaries).
    db.execute("CREATE TABLE IF NOT EXISTS summaries (folder TEXT PRIMARY KEY, value BLOB NOT NULL)")
    return db


def read_rows(path, version, codec, folders=None, keys=None):
    """{key: value} of the table (of the rows of `folders` only, if given); nothing when there is
    none, or it is busy, damaged or of another version. Given a dict as `keys`, {folder: [its keys]}."""
    if not os.path.isfile(path) or folders is not None and not folders:
        return {}
    try:
        with contextlib.closing(_open(path, version)) as db:
            values = {}
            if folders is None:
                found = db.execute("SELECT folder, value FROM rows")
            else:
                found = (row for folder in sorted(folders) for row in db.execute("SELECT folder, value FROM rows WHERE folder = ?", (folder,)))
            table = ProcessTable(None)
            for folder, value in found:
                row = codec.loads(value) if codec.apart is None else codec.loads(value, Heavy(table, path, folder))
                values.update(row)
                if keys is not None:
                    keys[folder] = list(row)
            return values
    except sqlite3.OperationalError:
        return {}  # busy (another build): everything is read again this time
    except DAMAGED:
        with contextlib.suppress(OSError):
            os.unlink(path)
        return {}


def write_rows(path, version, codec, values, changed, gone=(), summary=None):
    """Store the rows of the folders where a key changed or went, from {key: value} (every key now), in one transaction;
    with `summary(folder, {key: value})`, each row's summary (plain data) beside it."""
    touched = {folder_of(key) for key in changed} | {folder_of(key) for key in gone}
    if not touched:
        return
    folders = defaultdict(dict)
    for key, value in values.items():
        folder = folder_of(key)
        if folder in touched:
            folders[folder][key] = value
    # Each row is made as it is stored, not all first: a full build's rows are some 1.5 KB a report.
    stored = ((folder, codec.dumps(folders[folder])) for folder in touched if folders[folder])
    emptied = [(folder,) for folder in touched if not folders[folder]]
    try:
        with contextlib.closing(_open(path, version)) as db:
            db.execute("BEGIN")
            if codec.apart is None:
                db.executemany("INSERT OR REPLACE INTO rows VALUES (?, ?)", stored)
            else:
                for folder, (value, heavy) in stored:
                    db.execute("INSERT OR REPLACE INTO rows VALUES (?, ?)", (folder, value))
                    if heavy is None:
                        db.execute("DELETE FROM heavy WHERE folder = ?", (folder,))
                    else:
                        db.execute("INSERT OR REPLACE INTO heavy VALUES (?, ?)", (folder, heavy))
                db.executemany("DELETE FROM heavy WHERE folder = ?", emptied)
            if summary is not None:
                db.executemany(
                    "INSERT OR REPLACE INTO summaries VALUES (?, ?)",
                    [(folder, marshal.dumps(summary(folder, folders[folder]))) for folder in touched if folders[folder]],
                )
                db.executemany("DELETE FROM summaries WHERE folder = ?", emptied)
            db.executemany("DELETE FROM rows WHERE folder = ?", emptied)
            db.execute("COMMIT")
    except sqlite3.OperationalError:
        return  # busy (another build): these are read again next time
    except sqlite3.Error:
        with contextlib.suppress(OSError):
            os.unlink(path)


def read_summaries(path, version):
    """({folder: summary} of every folder that has one, [every folder with rows]); nothing when the
    table is missing, busy, damaged or of another version. A summary is plain data (marshal)."""
    if not os.path.isfile(path):
        return {}, []
    try:
        with contextlib.closing(_open(path, version)) as db:
            summaries = {folder: marshal.loads(value) for folder, value in db.execute("SELECT folder, value FROM summaries")}
            return summaries, [folder for (folder,) in db.execute("SELECT folder FROM rows")]
    except sqlite3.OperationalError:
        return {}, []
    except DAMAGED:
        with contextlib.suppress(OSError):
            os.unlink(path)
        return {}, []


def write_summaries(path, version, stored, dropped):
    """Store {folder: summary} and drop the summaries of `dropped` folders, in one transaction."""
    if not stored and not dropped:
        return
    try:
        with contextlib.closing(_open(path, version)) as db:
            db.execute("BEGIN")
            db.executemany("INSERT OR REPLACE INTO summaries VALUES (?, ?)", ((folder, marshal.dumps(value)) for folder, value in stored.items()))
            db.executemany("DELETE FROM summaries WHERE folder = ?", [(folder,) for folder in dropped])
            db.execute("COMMIT")
    except sqlite3.OperationalError:
        return  # busy: the folders are checked in full next time
    except sqlite3.Error:
        with contextlib.suppress(OSError):
            os.unlink(path)


class ProcessTable:
    """A cache table in a file of its own, with one connection per process: rendering workers are
    forked, and a connection must not cross a fork. `drop` deletes a damaged table; the next
    connection starts a new one."""

    def __init__(self, create, timeout=5.0):
        self.create, self.timeout = create, timeout  # create: the table's statement (None: one only read)
        self.pid = self.db = None

    def connection(self, path):
        if self.pid != os.getpid():
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
            db = sqlite3.connect(path, isolation_level=None, timeout=self.timeout)
            db.execute("PRAGMA synchronous = OFF")  # a cache: a lost write is made again
            if self.create is not None:
                db.execute(self.create)
            self.pid, self.db = os.getpid(), db
        return self.db

    def drop(self, path):
        if self.db is not None and self.pid == os.getpid():
            self.db.close()
        self.pid = self.db = None
        with contextlib.suppress(OSError):
            os.unlink(path)
