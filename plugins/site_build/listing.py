"""content/ as the build's fingerprint found it: one walk of the archive a build, not three.

A staged build stats every file of content/ before it starts, to know whether anything changed
(publishing.inputs). The check then walked content/ again for its stamps (content_schema.check), and
Pelican a third time for its listing (build_cache.files): some 2.4 s of CPU at 200,000 reports, the
first walk alone before Pelican starts. The fingerprint's walk now keeps what it found, a folder's
entries in name order with each file's size and time, in a file beside the output that the build's
environment names (VARIABLE); the Pelican process reads it once and both take their listing from it.

What the Pelican process then sees is content/ as it was when the fingerprint was taken: a file saved
after that is built by the next build, whose fingerprint differs (as a file saved while Pelican reads
is). A Pelican run without the variable (not staged, or `pelican -r`) walks content/ itself.
"""

import marshal
import os

VARIABLE = "EDITION_CONTENT_LISTING"  # the listing's file, set by a staged build for its Pelican process
FOLDER, LINKED_FOLDER = -1, -2  # an entry's size when it is a folder (a symbolic link to one: LINKED_FOLDER)


class Listing:
    """{folder under root, "" for root itself, "/" between names: [(name, size or FOLDER or LINKED_FOLDER, mtime_ns)]}
    as found at listed_at (ns): every folder the walk entered, its entries sorted by name."""

    def __init__(self, root, folders, listed_at):
        self.root, self.folders, self.listed_at = root, folders, listed_at

    def write(self, path):
        with open(path, "wb") as handle:
            handle.write(marshal.dumps((self.root, self.folders, self.listed_at)))

    def under(self, path):
        """The name of a folder in the listing (as its keys are), or None if path is not one of its folders."""
        relative = os.path.relpath(os.path.abspath(path), self.root)
        name = "" if relative == "." else relative.replace(os.sep, "/")
        return name if name in self.folders else None

    def walk(self, top, followlinks=False):
        """os.walk(top, followlinks=followlinks), top a folder of the listing (else nothing): the folders a
        caller leaves in the list it is given are entered, as os.walk's."""
        yield from self._walk(top, self.under(top), followlinks)

    def _walk(self, top, name, followlinks):
        if name is None:
            return
        folders, files, linked = [], [], set()
        for entry, size, _ in self.folders.get(name, ()):
            (folders if size < 0 else files).append(entry)
            if size == LINKED_FOLDER:
                linked.add(entry)
        yield top, folders, files
        for folder in folders:
            if followlinks or folder not in linked:
                yield from self._walk(os.path.join(top, folder), f"{name}/{folder}" if name else folder, followlinks)


_READ = {}  # (path, inode, time) of the file → its Listing: read once by a process (the check, forked later, inherits it)


def of(root, env=os.environ):
    """The Listing of content/ the build's fingerprint made, if root is its folder; else None (walk it)."""
    path = env.get(VARIABLE)
    if not path:
        return None
    try:
        status = os.stat(path)
    except OSError:
        return None
    key = (path, status.st_ino, status.st_mtime_ns)
    if key not in _READ:
        try:
            with open(path, "rb") as handle:
                _READ[key] = Listing(*marshal.loads(handle.read()))  # loads: marshal.load reads a file in small pieces, 7 times slower
        except (OSError, EOFError, ValueError, TypeError):
            _READ[key] = None
    listing = _READ[key]
    return listing if listing is not None and listing.root == os.path.abspath(root) else None
