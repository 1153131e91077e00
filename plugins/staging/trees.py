"""The output folder and the site before it beside it: their names, the list of where they differ, and
the rename that exchanges them.

The two folders share every file neither build changed (hard links), so keeping the second costs
folders and links, not bytes. Files in them are never written in place: a file is replaced by a
rename or a new link, so a change to one folder never shows in the other. What may differ between
the two is recorded (and flushed to disk) before the previous folder is touched, so that a commit
killed half-way is put right by the next one.
"""

import contextlib
import ctypes
import errno
import fcntl
import json
import os
import shutil
import signal
import stat
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from . import COMPRESSED, LEGACY_UNSURE, MANIFEST, SEARCH_FOLDER, SHARDS

SYNC_THREADS = 4  # threads that make the previous folder anew (the work is the file system's)
KILL_AT = "STAGING_KILL_AT"  # tests: the name of a step (step()) at which the build kills itself


def step(name):
    """A point of the staged build where a test may have it killed with SIGKILL, as an out-of-memory
    kill or a CI timeout would (tests/test_staging.py kills it at every one)."""
    if os.environ.get(KILL_AT) == name:
        os.kill(os.getpid(), signal.SIGKILL)


_HELD = {}  # the lock files this process holds, with how many times over: not per-build state


class Trees:
    """output/ and, beside it, .output.previous/ with the list of names where the two may differ."""

    def __init__(self, output):
        self.output = Path(output)
        parent, name = self.output.parent, self.output.name
        self.previous = parent / f".{name}.previous"
        self.differs = parent / f".{name}.previous.json"  # {"names": [...]}, or {"all": true}
        self.lock_path = parent / f".{name}.lock"
        self.inputs = parent / f".{name}.inputs.json"  # what the build that made output/ read (publishing.inputs)
        self.listing = parent / f".{name}.listing"  # content/ as the running build's fingerprint found it (site_build.listing)
        self.aside = parent / f".{name}.aside"  # only where two folders cannot be exchanged in one rename
        self.stage_prefix = f".{name}.new-"

    @contextlib.contextmanager
    def locked(self):
        """One staged build of an output at a time (`invoke livereload` beside `invoke build`): two
        commits at once would both write into the previous folder. Released when the process ends,
        however it ends. Held again by the process that holds it, at once (`invoke publish` holds it
        from its build to the end of its upload, and the build takes it too)."""
        key = str(self.lock_path.resolve())
        if _HELD.get(key):
            _HELD[key] += 1
            try:
                yield
            finally:
                _HELD[key] -= 1
            return
        self.output.parent.mkdir(parents=True, exist_ok=True)
        with open(self.lock_path, "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:  # said, not waited for in silence
                print(f"Waiting for the build of {self.output.name}/ already running (it holds {self.lock_path.name})…", file=sys.stderr, flush=True)
                fcntl.flock(handle, fcntl.LOCK_EX)
            _HELD[key] = 1
            try:
                yield
            finally:
                _HELD[key] = 0

    def new_stage(self):
        return Path(tempfile.mkdtemp(prefix=self.stage_prefix, dir=self.output.parent))

    def prepare(self):
        """Before a build: put right what a killed build left (under the lock)."""
        self.recover_exchange()
        for leftover in self.output.parent.glob(self.stage_prefix + "*"):
            shutil.rmtree(leftover, ignore_errors=True)  # the staged folder of a killed build
        self.listing.unlink(missing_ok=True)  # a killed build's (site_build.listing)
        settle_legacy_unsure(self)

    def read_differs(self):
        """The names at which the two folders may differ, or None: anywhere (no list, or no previous folder)."""
        if not self.previous.is_dir():
            return None
        try:
            recorded = json.loads(self.differs.read_text(encoding="utf-8"))
            return None if recorded.get("all") else set(recorded["names"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def write_differs(self, names, durably=True):
        """Record where the two folders may differ (None: anywhere); durably: on disk before the
        previous folder is touched. (A list shorter than the one it replaces need not be: if it is
        lost, the longer one is still true.)"""
        record = {"all": True} if names is None else {"names": sorted(names)}
        temporary = self.differs.with_name(self.differs.name + ".new")
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False))
            if durably:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(temporary, self.differs)
        if durably:
            fsync_folder(self.differs.parent)

    def bring_up_to_date(self, names):
        """Make the previous folder what output/ is at these names (None: everywhere; a name ending in
        "/" is a whole folder), by hard links to output's files."""
        if names is None:
            # By inode; made anew, a hard link a file (some 7 s for 60,000 folders). The time is the file
            # system's, and a link or a folder's read lets other threads run: the site's folders are
            # shared out to a few threads, which took half the time or less at 20,000 reports.
            with ThreadPoolExecutor(SYNC_THREADS) as pool:
                sync_folder(self.output, self.previous, pool, new=not os.path.lexists(self.previous))
            step("replay")
            return
        for count, name in enumerate(sorted(names)):
            sync_name(self.output, self.previous, name.rstrip("/"))
            if count == 0:
                step("replay")

    def exchange(self):
        """output/ becomes the previous folder and the previous folder output/, in one rename."""
        try:
            exchange_folders(self.output, self.previous)
        except OSError as error:
            if error.errno not in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
                raise
            # A file system that cannot exchange two names at once: three renames. output/ is missing
            # between the first two; recover_exchange() puts back what a kill there leaves.
            os.rename(self.output, self.aside)
            os.rename(self.previous, self.output)
            os.rename(self.aside, self.previous)

    def recover_exchange(self):
        if not self.aside.exists():
            return
        if not self.output.exists():
            os.rename(self.aside, self.output)  # the old site, whole
        elif not self.previous.exists():
            os.rename(self.aside, self.previous)
        else:
            shutil.rmtree(self.aside)
        self.write_differs(None)

    def remove(self):
        """`invoke clean`: the output, the folder beside it and their records."""
        for path in (self.output, self.previous, self.aside, *self.output.parent.glob(self.stage_prefix + "*")):
            remove(path)
        # Not the lock file, held by `invoke clean` while it removes: a build waiting on it would then
        # hold the lock of a file gone, and another build take a new one beside it.
        for path in (self.differs, self.inputs):
            path.unlink(missing_ok=True)


def writing_in_place(output):
    """A build that writes into output/ itself (plain `pelican`, `pelican -r`): what it changes is
    not listed, and Pelican copies static files into existing files, which output/ may share with the
    previous folder. The next commit brings the whole previous folder up to date, by inode (it reads
    every folder of both: seconds at 50,000 reports) rather than by list."""
    trees = Trees(output)
    trees.inputs.unlink(missing_ok=True)  # the next staged build is not skipped: output/ is no longer what it recorded
    if trees.previous.is_dir() and trees.read_differs() is not None:
        trees.write_differs(None)


def settle_legacy_unsure(trees):
    """An output from before the exchange whose commit was cut short listed the files it had begun to
    replace (LEGACY_UNSURE): the manifest's digests of those are not theirs. They become unknown (made
    again), the search shards named are dropped (indexed again), and the list goes."""
    marks = trees.output / LEGACY_UNSURE
    if not marks.exists():
        return
    if trees.previous.exists():
        trees.write_differs(None)  # output/ changes here without the list
    try:
        names = set(json.loads(marks.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        names = None  # damaged: no digest can be trusted
    manifest = trees.output / MANIFEST
    if names is None:
        manifest.unlink(missing_ok=True)
        (trees.output / SEARCH_FOLDER / SHARDS).unlink(missing_ok=True)
    else:
        try:
            digests = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            digests = {}
        # Pages only: not a folder, a compressed copy (it goes with its page) or the search index's.
        digests.update(dict.fromkeys(name for name in names if not name.endswith(("/", *COMPRESSED)) and not name.startswith(SEARCH_FOLDER + "/")))
        temporary = manifest.with_name(manifest.name + ".new")
        temporary.write_text(json.dumps(digests, sort_keys=True, separators=(",", ":")), encoding="utf-8")
        os.replace(temporary, manifest)
        for name in names:
            if name.startswith(SEARCH_FOLDER + "/") and name.endswith("/"):
                remove(trees.output / name)
    marks.unlink()


def sync_name(source_root, target_root, name):
    """target_root/name becomes what source_root/name is: the same file (a hard link), the same
    folder, or nothing."""
    source, target = os.path.join(source_root, name), os.path.join(target_root, name)
    try:
        status = os.lstat(source)
    except FileNotFoundError:
        remove(target)
        remove_empty_parents(target, target_root, source_root)
        return
    if stat.S_ISDIR(status.st_mode):
        sync_folder(source, target)
        return
    try:
        present = os.lstat(target)
    except FileNotFoundError:
        present = None
    if present is not None and (present.st_ino, present.st_dev) == (status.st_ino, status.st_dev):
        return
    if present is None:
        make_folder(os.path.dirname(target))
    else:
        remove(target)
    os.link(source, target, follow_symlinks=False)


def sync_folder(source, target, pool=None, new=False):
    """target becomes a folder of the same names as source, each the same file, by inode; what
    source does not have goes. Reads folders only (a directory entry carries its inode). With a
    pool (concurrent.futures), the folders in it are synced on the pool's threads. A new target (not
    there: a first commit's previous folder, a folder output/ gained) is made without reading it."""
    if new:
        os.mkdir(target)
        present = {}
    else:
        if os.path.lexists(target) and not os.path.isdir(target):
            os.unlink(target)
        os.makedirs(target, exist_ok=True)
        present = {entry.name: entry for entry in os.scandir(target)}
    folders = []
    for entry in os.scandir(source):
        mine = present.pop(entry.name, None)
        path = os.path.join(target, entry.name)
        if entry.is_dir(follow_symlinks=False):
            folders.append((entry.path, path, mine is None))
        elif mine is None or mine.is_dir(follow_symlinks=False) or mine.inode() != entry.inode():
            if mine is not None:
                remove(path)
            os.link(entry.path, path, follow_symlinks=False)
    for entry in present.values():
        remove(entry.path)
    if pool is None:
        for folder, copy, absent in folders:
            sync_folder(folder, copy, new=absent)
    else:
        for done in [pool.submit(sync_folder, folder, copy, new=absent) for folder, copy, absent in folders]:
            done.result()  # an error in any folder is raised here


def write_new(folder, name, text):
    """Write a text file of a build as a new file: the old one may be a hard link into the last build,
    which must never be written through."""
    path = os.path.join(folder, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if os.path.lexists(path):
        os.unlink(path)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def make_folder(path):
    """A folder and those above it; a file where a folder must be goes."""
    if os.path.isdir(path):
        return
    if os.path.lexists(path):
        os.unlink(path)
    make_folder(os.path.dirname(path))
    os.mkdir(path)


def remove(path):
    """A file or a whole folder, if there."""
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISDIR(status.st_mode):
        shutil.rmtree(path)
    else:
        os.unlink(path)


def remove_empty_parents(path, root, reference=None):
    """The folders above path that are empty now, up to root (not one the reference tree has)."""
    parent = os.path.dirname(path)
    while len(parent) > len(str(root)):
        if reference is not None and os.path.isdir(os.path.join(reference, os.path.relpath(parent, root))):
            return
        try:
            os.rmdir(parent)
        except OSError:  # not empty, or not there
            return
        parent = os.path.dirname(parent)


def fsync_folder(folder):
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


_LIBC = ctypes.CDLL(None, use_errno=True)
AT_FDCWD = -100
RENAME_EXCHANGE = 2  # Linux renameat2(2)
RENAME_SWAP = 2  # macOS renamex_np(2)


def exchange_folders(first, second):
    """Exchange two names in one rename (Linux renameat2 RENAME_EXCHANGE, macOS renamex_np RENAME_SWAP)."""
    first, second = os.fsencode(first), os.fsencode(second)
    if hasattr(_LIBC, "renameat2"):
        result = _LIBC.renameat2(AT_FDCWD, first, AT_FDCWD, second, RENAME_EXCHANGE)
    elif hasattr(_LIBC, "renamex_np"):
        result = _LIBC.renamex_np(first, second, RENAME_SWAP)
    else:
        raise OSError(errno.ENOSYS, "no call exchanges two names at once here")
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), os.fsdecode(first), None, os.fsdecode(second))
