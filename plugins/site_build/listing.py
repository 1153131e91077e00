"""content/ as the build's fingerprint found it: one walk of the archive a build, not six.

A staged build stats every file of content/ before it starts, to know whether anything changed
(publishing.inputs). The check then walked content/ again for its stamps (content_schema.check),
Pelican for its listings of reports and static files (build_cache.files), and the photos' and page
PDFs' finders beside the build for theirs (news_photos.store, printed_page.store): some 1.3 s of CPU
at 200,000 reports besides the first walk. The fingerprint's walk now keeps what it found, each
folder's entries in name order with each file's size and time, in a file beside the output that the
build's environment names (VARIABLE); the Pelican process reads it once and the others take their
listing from it.

What the build then sees is content/ as it was when the fingerprint was taken: a file saved after
that is built by the next build, whose fingerprint differs (as a file saved while Pelican reads
is). A Pelican run without the variable (not staged, or `pelican -r`) walks content/ itself, and
so does a reader for a folder the listing does not hold (one the fingerprint does not enter, such
as `__pycache__`).
"""

import datetime
import marshal
import os
import re

VARIABLE = "EDITION_CONTENT_LISTING"  # the listing's file, set by a staged build for its Pelican process
# An entry's size when it is not a file: a folder, a symbolic link to one, a link to nothing (listed as
# os.walk and os.scandir list it, with no stamp: its reader fails on it as it would have).
FOLDER, LINKED_FOLDER, DANGLING = -1, -2, -3
FOLDERS = (FOLDER, LINKED_FOLDER)
MARKDOWN = (".md", ".markdown", ".mkd", ".mdown")  # every name Pelican reads as Markdown: each is checked and read as a report
DATE_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def is_edition_folder(name):
    """A content folder named by a real date: an edition's (a folder may be named 2020-12-32 by mistake)."""
    if not DATE_NAME.match(name):
        return False
    try:
        datetime.date.fromisoformat(name)
    except ValueError:
        return False
    return True


def child(name, entry):
    """The name in a listing of the entry `entry` of its folder `name`."""
    return f"{name}/{entry}" if name else entry


class Listing:
    """{folder under root, "" for root itself, "/" between names: [(name, size or FOLDER, LINKED_FOLDER or
    DANGLING, mtime_ns)]}, every folder the walk entered with its entries sorted by name; taken between
    listed_from and listed_until (ns)."""

    def __init__(self, root, folders, listed_from, listed_until=None):
        self.root, self.folders = root, folders
        self.listed_from, self.listed_until = listed_from, listed_from if listed_until is None else listed_until

    def write(self, path):
        """Into a new file (a reader knows a listing by its file's inode and time)."""
        with open(f"{path}.new", "wb") as handle:
            handle.write(marshal.dumps((self.root, self.folders, self.listed_from, self.listed_until)))
        os.replace(f"{path}.new", path)

    def key_of(self, path):
        """The name of a folder in the listing (as its keys are), or None if path is not one of its folders."""
        relative = os.path.relpath(os.path.abspath(path), self.root)
        name = "" if relative == "." else relative.replace(os.sep, "/")
        return name if name in self.folders else None

    def walk(self, top, name, followlinks):
        """os.walk(top, followlinks=followlinks) of its folder `name`: the folders a caller leaves in the list
        it is given are entered, as os.walk's; one the walk did not enter is walked."""
        if name not in self.folders:
            yield from os.walk(top, followlinks=followlinks)
            return
        folders, files, linked = [], [], set()
        for entry, size, _ in self.folders[name]:
            (folders if size in FOLDERS else files).append(entry)
            if size == LINKED_FOLDER:
                linked.add(entry)
        yield top, folders, files
        for folder in folders:
            if followlinks or folder not in linked:
                yield from self.walk(os.path.join(top, folder), child(name, folder), followlinks)


def walk(top, followlinks=False):
    """os.walk(top, followlinks=followlinks), from the build's listing when it holds top."""
    listed = _listing()
    name = listed.key_of(top) if listed is not None else None
    return os.walk(top, followlinks=followlinks) if name is None else listed.walk(top, name, followlinks)


_READ = {}  # (path, inode, time) of the file → its Listing, read once by a process (the ones it forks later inherit it)


def of(root):
    """The Listing of content/ the build's fingerprint made, if root is its folder; else None (walk it)."""
    listed = _listing()
    return listed if listed is not None and listed.root == os.path.abspath(root) else None


def forget():
    """Once Pelican's generators have listed their files: the listing is not held while pages are made."""
    _READ.clear()


def _listing():
    path = os.environ.get(VARIABLE)
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
    return _READ[key]
