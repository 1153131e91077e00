"""Where photos are kept between builds: what each file is (the catalog) and its derivatives.

The catalog (cache/photos/catalog.sqlite) knows each photo file by its size and time, so that a
build reads only the photos that changed; a file saved within a second of being catalogued is
read again next time (its time may not tell a second save at the same size). Derivatives live
in cache/photos/<key>/, made once per key (bytes and recipe) on every core, and are published
as hard links: a build where no photo changed decodes, encodes and copies none.
"""

import contextlib
import ctypes
import gc
import multiprocessing
import os
import resource
import shutil
import sqlite3
import subprocess
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed

from blinker import signal

from site_build import listing
from site_build.beside import process_runs

from .pipeline import SUFFIXES, Photo, PhotoError, derive, inspect

CATALOG = "catalog.sqlite"
RACY_SECONDS = 1


MISSING = "does not exist"

# Other pictures made with the photos, beside the build, by the same processes: a receiver (connected
# at its plugin's register()) is sent the content folder and the cache, and gives (kind, jobs, Timed
# of finding them); a job is (path, Photo, derive). printed_page gives the pictures of new page PDFs.
more_pictures = signal("news_photos.more_pictures")


def write_ahead(db, wait=30):
    """A table the processes beside the build share, in WAL mode: read by some while one writes.

    The switch, by processes that open a new file at once, fails at once with "database is locked"
    for all but one, whatever the connection's timeout (SQLite calls no busy handler there): it is
    tried again until it is made."""
    deadline = time.monotonic() + wait
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


class Catalog:
    """{path relative to content/: Photo or PhotoError}, read from the files that changed only.

    Kept in folder (cache/photos/); with no folder, for this run only. Another kind of picture (a
    printed page's PDF) has its own file, its way of reading a file, and its own kinds of entry:
    reader(path) gives a picture or an error, as photos' `read` does. With keep=False what it reads
    is not written down (a quicker reader than the one whose findings the catalogue keeps)."""

    def __init__(self, folder, name=CATALOG, reader=None, kinds=(Photo, PhotoError), keep=True):
        self.keep = keep
        if folder:
            os.makedirs(folder, exist_ok=True)
        self.read = reader or read
        self.picture, self.error = kinds
        self.db = sqlite3.connect(os.path.join(folder, name) if folder else ":memory:", timeout=30, isolation_level=None)
        write_ahead(self.db)
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS photos (path TEXT PRIMARY KEY, size INT, mtime INT, key TEXT, width INT, height INT, what TEXT, expected TEXT, blob TEXT)"
        )
        if "blob" not in {column[1] for column in self.db.execute("PRAGMA table_info(photos)")}:  # a catalogue made before it
            try:
                self.db.execute("ALTER TABLE photos ADD COLUMN blob TEXT")
            except sqlite3.OperationalError as error:  # added meanwhile by the check beside the build, or the build
                if "duplicate column" not in str(error):
                    raise

    def close(self):
        self.db.close()

    def look_up(self, content, names, known=None):
        """{name: Photo or PhotoError} for the given files (missing ones: PhotoError); those in known
        (what this build's check found them to be, a moment ago) are taken as they are."""
        known = known or {}
        found = {name: known[name] for name in names if name in known}
        names = [name for name in names if name not in known]
        rows = {}
        for start in range(0, len(names), 500):
            chunk = names[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows.update((row[0], row[1:]) for row in self.db.execute(f"SELECT * FROM photos WHERE path IN ({marks})", chunk))
        fresh = []
        now = time.time()
        blobs = None  # git's ids of the files as committed, asked for once a file's size or time is not the catalogue's
        for name in names:
            try:
                stat = os.stat(os.path.join(content, name))
            except OSError:
                found[name] = self.error(MISSING, "a photo file inside content/, e.g. images/2020-12-30/a06-04.jpg")
                continue
            row = rows.get(name)
            if row and row[0] == stat.st_size and row[1] == stat.st_mtime_ns:
                found[name] = self.picture(row[2], row[3], row[4]) if row[2] else self.error(row[5], row[6])
                continue
            if blobs is None:
                blobs = committed_blobs(content)
            blob = blobs.get(name)
            racy = abs(now - stat.st_mtime) <= RACY_SECONDS
            if row and blob and row[7] == blob:
                # The same bytes as catalogued, with another time: a fresh checkout (CI) gives every file a new one,
                # and every photo and page PDF of the archive was read again (some 20 ms a photo, 50 ms a PDF)
                found[name] = self.picture(row[2], row[3], row[4]) if row[2] else self.error(row[5], row[6])
                fresh.append((name, stat.st_size, -1 if racy else stat.st_mtime_ns, *row[2:7], blob))
                continue
            found[name] = entry = self.read(os.path.join(content, name))
            fresh.append((name, stat.st_size, -1 if racy else stat.st_mtime_ns, *row_of(entry), blob))
        if fresh and self.keep:
            self.db.executemany("INSERT OR REPLACE INTO photos VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", fresh)
        return found


def committed_blobs(content):
    """{path under content/: git's id of its bytes} of the files there that are as git has them (tracked,
    neither changed nor staged); {} outside a git work tree, or without git. A file's id is the hash of its
    bytes: a file git says is as committed has the bytes of its id, whatever its time."""

    def git(*arguments):  # without the index's lock, which `git status` takes to refresh it: an editor's commit meanwhile would fail
        return subprocess.run(["git", "--no-optional-locks", "-C", os.fspath(content), *arguments], capture_output=True, timeout=120, check=True).stdout

    try:
        listed = git("ls-files", "-s", "-z", "--", ".")
        changed = git("status", "--porcelain=v1", "-z", "--untracked-files=no", "--no-renames", "--", ".")
        prefix = os.fsdecode(git("rev-parse", "--show-prefix").strip())
    except (OSError, subprocess.SubprocessError):
        return {}
    # ls-files names a file from content/ (where git runs), status from the work tree's top (prefix: content/)
    blobs = {}
    for record in listed.split(b"\0"):
        meta, _, path = record.partition(b"\t")
        if path and meta.endswith(b" 0"):  # stage 0: not in a merge
            blobs[os.fsdecode(path)] = meta.split(b" ")[1].decode()
    for record in changed.split(b"\0"):
        if len(record) > 3:
            blobs.pop(os.fsdecode(record[3:]).removeprefix(prefix), None)
    return blobs


def photo_problems(content, shown, folder):
    """([(source, line, field, what, expected)] for each photo shown that cannot be published, {name:
    Photo or PhotoError}), from shown = [(source, line, field, name under content/)]. A photo missing
    from a report's text is left to the check of its links, which names it already."""
    if not shown:
        return [], {}
    catalog = Catalog(folder)
    try:
        found = catalog.look_up(content, sorted({name for *_, name in shown}))
    finally:
        catalog.close()
    problems = [
        (source, line, field, f"{name} {entry.what}", entry.expected)
        for source, line, field, name in shown
        if isinstance(entry := found[name], PhotoError) and not (field == "body" and entry.what == MISSING)
    ]
    return problems, found


def read(path):
    return read_with(path, inspect, PhotoError, "a readable photo file")


def read_with(path, inspect, error, readable):
    """The catalogue's reading of one file: inspect(its bytes), or the `error` (an exception class
    taking what and expected) that says why it cannot be used."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as failure:
        return error(f"cannot be read ({failure.strerror})", readable)
    try:
        return inspect(data)
    except error as failure:
        return failure


def row_of(entry):
    if not isinstance(entry, Exception):
        return entry.key, entry.width, entry.height, None, None
    return None, None, None, entry.what, entry.expected


def derivative_folder(cache, photo):
    return os.path.join(cache, photo.key[:2], photo.key)


def derivative_file(cache, photo, width, suffix):
    return os.path.join(derivative_folder(cache, photo), f"{width}.{suffix}")


def published_name(source, photo, width, suffix):
    """images/2020-12-30/a06-04.jpg at 800 px as WebP: images/2020-12-30/a06-04-800.<key>.webp.

    The key in the name lets browsers and CDNs keep the file for a year: new bytes, new name."""
    stem = os.path.splitext(source)[0]
    return f"{stem}-{width}.{photo.key}.{suffix}"


def published_names(source, photo):
    return {published_name(source, photo, width, suffix): (width, suffix) for width, suffix in photo.files}


def is_made(cache, photo):
    return os.path.isdir(derivative_folder(cache, photo))


def make(path, photo, cache, derive=derive):
    """Make a photo's derivatives into the cache, whole or not at all (a folder renamed into place);
    give the CPU seconds it took (the process's: each worker makes one picture at a time).

    derive(bytes, photo) → {(width, suffix): bytes}; a printed page gives its own (it renders a PDF)."""
    started = time.process_time()
    target = derivative_folder(cache, photo)
    if os.path.isdir(target):
        return 0.0
    with open(path, "rb") as handle:
        data = handle.read()
    os.makedirs(os.path.dirname(target), exist_ok=True)
    staging = tempfile.mkdtemp(prefix=f".{photo.key}-", dir=os.path.dirname(target))
    try:
        for (width, suffix), encoded in derive(data, photo).items():
            with open(os.path.join(staging, f"{width}.{suffix}"), "wb") as handle:
                handle.write(encoded)
        with contextlib.suppress(OSError):  # made meanwhile by another build: theirs is the same
            os.rename(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return time.process_time() - started


def make_all(jobs, cache, processes, made=None, turns=None):
    """Make every missing photo's derivatives, on every core; [(path, Photo)] in, the Made out (given, or a new one).

    A job may name its own way to derive and its kind, (path, Photo, derive, kind): a printed page
    renders its PDF ("printed pages"; "photos" if not given). derive must be a module-level function
    (it crosses to the worker processes). With turns (Turns), each picture is made in a turn on a
    core the build leaves free."""
    made = made if made is not None else Made()
    missing = [whole_job(*job) for job in jobs if not is_made(cache, job[1])]
    if processes <= 1 or len(missing) <= 1:
        _take_turns(turns)
        for path, photo, how, kind in missing:
            made.add(kind, make_in_turn(path, photo, cache, how))
    elif missing:
        pool = ProcessPoolExecutor(max_workers=min(processes, len(missing)), initializer=_take_turns, initargs=(turns,))
        futures = {}
        try:
            futures.update((pool.submit(make_in_turn, path, photo, cache, how), kind) for path, photo, how, kind in missing)
            for future in as_completed(futures):
                made.add(futures[future], future.result())
        except BaseException:
            # Stopped (Ctrl-C, a picture that failed): the pictures not begun are not made. `with` waited for
            # every one queued, so that an interrupted build went on making them on every core, for minutes.
            # Cancelled here: shutdown's cancel_futures is done by the pool's thread, which finds the pool
            # gone (and cancels nothing) once this frame is. Then the pictures begun (one a core, and the
            # pool's queue) are waited for: a process beside the build ends with os._exit, and workers
            # left to themselves would wait on their queue for good.
            for future in futures:
                future.cancel()
            pool.shutdown(wait=True)
            raise
        pool.shutdown()
    return made


def whole_job(path, photo, how=derive, kind="photos"):
    return path, photo, how, kind


class Turns:
    """The cores a build leaves free for making pictures beside it: one a core, less one the build
    holds while it works and gives back when it waits for the pictures (news_photos.publish_photos).

    On two cores, while the build renders, one process makes pictures, not two beside it: two
    would take no more of the cores (they run at a lower priority), and each holds a picture in
    memory (some 80 MB) as the build holds the archive. A semaphore made before the processes are
    forked, so that they inherit it. If the build ends without giving its turn back (it failed),
    the pictures are made on every core: nobody waits on a build that is gone."""

    def __init__(self, processes):
        self.build = os.getpid()
        self.cores = multiprocessing.get_context("fork").BoundedSemaphore(processes)
        self.held = self.cores.acquire(block=False)

    def give_back(self):
        if self.held:
            self.held = False
            self.cores.release()

    def take(self):
        while not self.cores.acquire(timeout=0.5):
            if not process_runs(self.build):
                return False
        return True


_TURNS = []  # the Turns of a process making pictures (inherited from the build by fork): not per-build state


def _take_turns(turns):
    _TURNS[:] = [turns] if turns is not None else []


def make_in_turn(path, photo, cache, how):
    """make(), in a turn of the Turns this process was given, if any; the memory it used given back."""
    turns = _TURNS[0] if _TURNS else None
    taken = turns.take() if turns is not None else False
    try:
        return make(path, photo, cache, how)
    finally:
        if taken:
            turns.cores.release()
        trim_memory()


def trim_memory():
    """Give back to the system what the C allocator keeps of a picture's buffers (glibc: 50 MB a
    photo), so that a process waiting for its turn holds next to nothing."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


class Made:
    """Pictures made, by kind ("photos", "printed pages"): how many, the seconds from the start until
    the last of them was made, their CPU seconds (the finding of them included)."""

    def __init__(self):
        self.started = time.perf_counter()
        self.kinds = {}

    def add(self, kind, cpu, count=1):
        entry = self.kinds.setdefault(kind, [0, Timed()])
        entry[0] += count
        entry[1].seconds = time.perf_counter() - self.started
        entry[1].cpu += cpu

    def __len__(self):
        return sum(count for count, _ in self.kinds.values())

    def report(self):
        """(kind, how many, Timed) of each kind."""
        return [(kind, count, timed) for kind, (count, timed) in self.kinds.items()]


class Timed:
    """Wall and CPU seconds of a step, this process's and its ended children's (a pool's workers)."""

    def __init__(self, seconds=0.0, cpu=0.0):
        self.seconds, self.cpu = seconds, cpu

    def __enter__(self):
        self.started, self.cpu_started = time.perf_counter(), cpu_seconds()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.started
        self.cpu = cpu_seconds() - self.cpu_started

    def __str__(self):
        return f"{self.seconds:.2f} s ({self.cpu:.2f} s CPU)"


def cpu_seconds():
    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def photo_files(content):
    """Every photo file under content/, as a path relative to it (hidden folders left out)."""
    found = []
    for root, folders, names in listing.walk(content):  # a staged build's fingerprint's: content/ is not walked again
        folders[:] = [folder for folder in folders if not folder.startswith(".")]
        found.extend(os.path.relpath(os.path.join(root, name), content).replace(os.sep, "/") for name in names if name.lower().endswith(SUFFIXES))
    return sorted(found)


def prepare(content, cache, processes, turns=None):
    """Every photo under content/ catalogued, and the derivatives of new ones made, with the other
    pictures plugins give (more_pictures: the printed pages'), by the same processes, on every core.

    Runs beside the build from its start (site_build.beside), forked before Pelican holds the
    archive (so outside its memory), at a lower priority: it takes what the build leaves of the
    cores while Pelican loads and renders, and what is not made when Pelican is done is made while
    Pelican waits for it (news_photos.publish_photos). One set of processes for every kind of
    picture, so that no more of them hold a picture in memory at once than there are cores.
    Gives (kind, how many were made, the Timed of it) for each kind."""
    in_background()
    made = Made()
    with Timed() as found:
        catalog = Catalog(cache)
        try:
            photos = catalog.look_up(content, photo_files(content))
        finally:
            catalog.close()
    made.add("photos", found.cpu, count=0)
    jobs = [(os.path.join(content, name), entry) for name, entry in photos.items() if isinstance(entry, Photo)]
    for _, (kind, more, timed) in more_pictures.send(content, cache=cache):
        made.add(kind, timed.cpu, count=0)
        jobs.extend(more)
    return make_all(jobs, cache, processes, made=made, turns=turns).report()


def in_background():
    """A process beside the build, making pictures: below the build's priority, collecting its garbage."""
    gc.enable()  # forked from a build that holds collection off while it loads the archive (incremental)
    os.nice(10)


def publish(source, photo, cache, output):
    """Link a photo's derivatives into output under their published names; existing ones are kept."""
    for name, (width, suffix) in published_names(source, photo).items():
        target = os.path.join(output, name)
        if os.path.exists(target):
            continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        os.link(derivative_file(cache, photo, width, suffix), target)
