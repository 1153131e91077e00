"""Pieces of pages made from one item alone, kept between builds: its entry in a list, its feed entry.

A new day renders again the newest page of every list it touches (tags,
people, sections) and every feed: some 6,000 list and feed entries at 50,000
reports, nearly all of them of older items, and each made from its item
alone. They are kept in a table beside Pelican's cache (fragments.sqlite),
known by the item's digest (fingerprints.item_digest) and the build's (theme,
plugins, settings), so that a build makes only those of new or changed
items. Only the pieces of items that a new day shows again are kept (those on
the newest page of a list, or in a feed): the others would be a second copy
of the archive. It is a cache: a piece it lacks, or cannot give, is made anew.
"""

import contextlib
import os
import sqlite3

from build_cache.keys import digest
from build_cache.rows import ProcessTable

from .fingerprints import item_digest

NAME = "fragments.sqlite"


class Fragments:
    """The pieces kept for one build: its table (none without a cache folder), its digest, and the
    source paths of the items whose pieces are worth keeping: list entries of those on the newest page
    of a list, feed entries of those in a feed. Each process (a rendering worker) keeps its own
    connection to the table and its own pieces made and not yet written."""

    def __init__(self, cache_folder, base, listed, fed):
        self.path = os.path.join(cache_folder, NAME) if cache_folder else None
        self.base = base
        self.worth = {"list": frozenset(listed), "feed": frozenset(fed)}
        self.table = ProcessTable(
            "CREATE TABLE IF NOT EXISTS fragments (path TEXT, kind TEXT, digest TEXT NOT NULL, text TEXT NOT NULL, PRIMARY KEY (path, kind))",
            timeout=10,  # two workers may write at once
        )
        self.pending = []

    def connection(self):
        return self.table.connection(self.path)

    def key(self, item, kind):
        """kind: "list …" or "feed…", of which items the piece is kept."""
        if self.path is None or item.source_path not in self.worth[kind[:4]]:
            return None
        return digest(self.base, item_digest(item))

    def kept(self, item, kind):
        """The piece of this kind made for this item as it is now, or None."""
        key = self.key(item, kind)
        if key is None:
            return None
        try:
            row = self.connection().execute("SELECT text FROM fragments WHERE path = ? AND kind = ? AND digest = ?", (item.source_path, kind, key)).fetchone()
        except sqlite3.Error:
            return None
        return row[0] if row else None

    def keep(self, item, kind, text):
        """Keep a piece just made (written by `save`) if it is of an item a new day shows again."""
        key = self.key(item, kind)
        if key is not None:
            self.pending.append((item.source_path, kind, key, text))

    def save(self):
        """Write the pieces this process made, in one transaction."""
        if not self.pending:
            return
        rows = list(self.pending)
        self.pending.clear()
        with contextlib.suppress(sqlite3.Error):  # busy or damaged: made again next build
            db = self.connection()
            db.execute("BEGIN")
            db.executemany("INSERT OR REPLACE INTO fragments VALUES (?, ?, ?, ?)", rows)
            db.execute("COMMIT")

    def prune(self):
        """Drop the pieces of items no longer worth keeping (they left the newest pages and the feeds)."""
        if self.path is None or not os.path.exists(self.path):
            return
        try:
            db = self.connection()
            db.execute("BEGIN")
            # The keys alone (the primary key's index): the texts are not read.
            rows = db.execute("SELECT path, kind FROM fragments").fetchall()
            db.executemany("DELETE FROM fragments WHERE path = ? AND kind = ?", [(path, kind) for path, kind in rows if path not in self.worth[kind[:4]]])
            db.execute("COMMIT")
        except sqlite3.OperationalError:
            return  # busy (another build): pruned next time
        except sqlite3.DatabaseError:
            self.table.drop(self.path)  # damaged: made anew next build
