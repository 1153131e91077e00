"""The content digest of every file of a built edition, a file read again only when it changed.

Reading every file would mean a gigabyte at 50,000 reports, on every publish. The digests are
kept in cache/ with each file's stat (device, inode, size, modification and change times): an
incremental build puts only the files it changed into output/, by rename, and the others keep
their inode and times, so only the files whose stat differs are read. The build's own
.build-digests.json is no help here: it holds a digest of what each page was given, not of its
bytes, and nothing for the images, the theme or the search index.
"""

import hashlib
import marshal
import os
import time

CACHE = "publish-digests.marshal"
COMPRESSED = (".gz", ".br")  # the build's compressed copies beside a file: not files of their own
DIGEST = 32  # hex digits of SHA-256 kept: 128 bits tell files apart as well as 256
RACY_NS = 2_000_000_000  # a file changed this close to its reading may change again within the clock's step


def edition_files(output):
    """{path: stat} of the files readers get: not the build's bookkeeping (names starting with a
    dot, which nginx does not serve either), not the compressed copies beside a file."""
    files = {}
    pending = [("", os.fspath(output))]
    while pending:
        prefix, folder = pending.pop()
        with os.scandir(folder) as entries:
            entries = [entry for entry in entries if not entry.name.startswith(".")]
        names = {entry.name for entry in entries}
        for entry in entries:
            path = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                pending.append((path + "/", entry.path))
            elif entry.name.endswith(COMPRESSED) and entry.name[:-3] in names:
                continue
            elif entry.is_file():
                files[path] = entry.stat()
    return files


def stamp(status):
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)


def file_digest(path):
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()[:DIGEST]


def digest_of(data):
    return hashlib.sha256(data).hexdigest()[:DIGEST]


def digests(output, cache_folder=None):
    """{path: (digest, size)} of every file of the edition in output (see edition_files).

    With cache_folder, the digests of the last call are reused for files whose stat is the same,
    and the new ones are kept there for the next call. Returns the digests and how many files were read.
    """
    files = edition_files(output)
    cache_path = os.path.join(cache_folder, CACHE) if cache_folder else None
    known = load(cache_path) if cache_path else {}
    result, kept, read = {}, {}, 0
    now = time.time_ns()
    for path, status in files.items():
        key = stamp(status)
        cached = known.get(path)
        if cached and cached[0] == key:
            digest = cached[1]
        else:
            digest = file_digest(os.path.join(output, path))
            read += 1
        result[path] = (digest, status.st_size)
        # a file changed just now may change again without its times moving: read it next time
        if now - max(status.st_mtime_ns, status.st_ctime_ns) > RACY_NS:
            kept[path] = (key, digest)
    if cache_path:
        save(cache_path, kept)
    return result, read


def load(path):
    try:
        with open(path, "rb") as handle:
            data = marshal.loads(handle.read())  # marshal.load reads a file in small pieces: 2.3 s, not 0.9, for 600,000 files
        return data if isinstance(data, dict) else {}
    except (OSError, EOFError, ValueError, TypeError):
        return {}


def save(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".new", "wb") as handle:
        handle.write(marshal.dumps(data))
    os.replace(path + ".new", path)
