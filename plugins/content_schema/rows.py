"""A cache kept as a table of rows, one per file, so that a build writes only the rows that changed.

Both caches of the content schema are kept so: the check's parse of every file
(check.py) and Pelican's Article of every report (cache.py). A value is a
pickle. It is a cache, never the only copy of anything: a table another build
holds is left for the next build, and a damaged one, or one written by other
code (another version), is dropped and made anew from the files.
"""

import contextlib
import os
import pickle
import sqlite3

DAMAGED = (sqlite3.Error, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError, TypeError)


def _open(path, version):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous = OFF")  # a cache: a lost write is a file read again
    if db.execute("PRAGMA user_version").fetchone()[0] != version:
        db.execute("DROP TABLE IF EXISTS rows")
        db.execute(f"PRAGMA user_version = {int(version)}")
    db.execute("CREATE TABLE IF NOT EXISTS rows (key TEXT PRIMARY KEY, value BLOB NOT NULL)")
    return db


def read_rows(path, version):
    """{key: value} of the table; nothing when there is none, or it is busy, damaged or of another version."""
    if not os.path.isfile(path):
        return {}
    try:
        with contextlib.closing(_open(path, version)) as db:
            return {key: pickle.loads(value) for key, value in db.execute("SELECT key, value FROM rows")}
    except sqlite3.OperationalError:
        return {}  # busy (another build): everything is read again this time
    except DAMAGED:
        with contextlib.suppress(OSError):
            os.unlink(path)
        return {}


def write_rows(path, version, changed, gone=()):
    """Store the rows of {key: value} and drop the keys gone, in one transaction."""
    if not changed and not gone:
        return
    values = [(key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)) for key, value in changed.items()]
    try:
        with contextlib.closing(_open(path, version)) as db:
            db.execute("BEGIN")
            db.executemany("INSERT OR REPLACE INTO rows VALUES (?, ?)", values)
            db.executemany("DELETE FROM rows WHERE key = ?", [(key,) for key in gone])
            db.execute("COMMIT")
    except sqlite3.OperationalError:
        return  # busy (another build): these are read again next time
    except sqlite3.Error:
        with contextlib.suppress(OSError):
            os.unlink(path)
