"""Publishing the edition to S3-compatible object storage (AWS S3, Aliyun OSS, Tencent COS,
Cloudflare R2, MinIO), which a CDN serves.

Only what changed is sent, known by content: each release's manifest, kept in the bucket, holds
every file's digest, and a publish sends the files whose digest differs from the live release's.
The order (publish_order) never lets a reader get a page linking to an object not yet there. A
bucket has no atomic switch, so a rollback puts the previous release's objects back in the same
order; the bytes it needs are kept aside before a publish replaces or deletes an object.

Under the target's prefix, beside the edition's files:

    .publish/current.json                   the live release, and the ones before it (history)
    .publish/manifest-<release>.json.gz     {path: entry}: the file's digest, `.gz` if stored gzipped
    .publish/kept/<release>/<entry>         the bytes <release> replaced or deleted: its rollback
    .publish/pending.json                   the publishes and rollbacks begun and not finished
    .publish/lock                           the publish under way

A publish cut short (killed, a network failure) leaves pending.json: the next publish or rollback
knows which objects the cut-short one may have replaced, sends or deletes them whatever their
digest, and finds the bytes they had in its kept folder.
"""

import gzip
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property

from botocore.exceptions import BotoCoreError, ClientError

from publishing import web_headers
from publishing.bucket import Bucket, BucketError
from publishing.digests import digest_of, digests
from publishing.lock import Lock, Locked
from publishing.publish_order import deletions, stages
from publishing.release import PublishFailed, check_edition, release_name

STATE = ".publish/"
CURRENT = STATE + "current.json"
PENDING = STATE + "pending.json"
LOCK = STATE + "lock"
KEPT = STATE + "kept/"
THREADS = 16
GZIP_FROM = 200  # bytes: below it gzip saves next to nothing


def manifest_path(release):
    return f"{STATE}manifest-{release}.json.gz"


def kept_path(release, entry):
    return f"{KEPT}{release}/{entry}"


def entry_of(path, digest, size, compress=True):
    """What the manifest holds for a file: its digest, and `.gz` if its object is the gzipped file."""
    zipped = compress and size >= GZIP_FROM and web_headers.compressible(path)
    return digest + (".gz" if zipped else "")


def encoding(entry):
    return "gzip" if entry.endswith(".gz") else None


@dataclass
class Published:
    release: str
    sent: list = field(default_factory=list)
    deleted: list = field(default_factory=list)
    files_read: int = 0
    seconds: float = 0.0


@dataclass
class State:
    """What the bucket holds: the live release and its files, and what a cut-short run left unsure."""

    current: str | None
    history: list
    live: dict
    headers: str | None
    runs: list
    dirty: set
    owed: dict = field(default_factory=dict)  # {path: entry} a switched run deleted, or was to delete, unkept

    @classmethod
    def read(cls, bucket):
        pointer = bucket.read_json(CURRENT) or {}
        current = pointer.get("release")
        manifests = {}

        def files(release):
            if release is None:
                return {}
            if release not in manifests:
                manifest = bucket.read_json(manifest_path(release))
                if manifest is None:
                    raise PublishFailed(f"{bucket}: the manifest of release {release} is missing ({manifest_path(release)})")
                manifests[release] = manifest
            return manifests[release]["files"]

        live = files(current)
        runs = (bucket.read_json(PENDING) or {}).get("runs", [])
        dirty, owed = set(), {}
        for run in runs:
            done, before = files(run["release"]), files(run["base"])
            if run["release"] == current:  # switched, then cut short: its deletions may not all be kept and done
                owed.update({path: before[path] for path in set(before) - set(done)})
                dirty |= set(owed)
            else:
                dirty |= {path for path in set(done) | set(before) if done.get(path) != before.get(path)}
        headers = manifests[current].get("headers") if current else None
        return cls(current, pointer.get("history", [current] if current else []), live, headers, runs, dirty, owed)

    def begin(self, bucket, release, base):
        """Record a run before it changes any object, so that a cut-short one is known."""
        self.runs = [*self.runs, {"release": release, "base": base}]
        bucket.write_json(PENDING, {"runs": self.runs})

    def kept_folders(self):
        names = {self.current} | {run[key] for run in self.runs for key in ("release", "base")}
        return sorted(name for name in names if name)


class Kept:
    """The bytes kept aside in the bucket, by entry, for rollbacks."""

    def __init__(self, bucket, state):
        self.bucket, self.state = bucket, state
        self.paths = {path for release in state.kept_folders() for path in bucket.list(f"{KEPT}{release}/")}
        self.where = {}
        for path in sorted(self.paths):
            self.where.setdefault(path.rsplit("/", 1)[1], path)

    def keep(self, path, entry, release):
        """Before the object at path (holding entry's bytes) is replaced or deleted, copy it into release's kept folder."""
        target = kept_path(release, entry)
        if target in self.paths:
            return
        # a cut-short run kept it before it replaced the object, which may now hold other bytes
        self.bucket.copy(self.where.get(entry, path), target)
        self.paths.add(target)
        self.where.setdefault(entry, target)

    def source(self, path, entry):
        """Where entry's bytes are, to put them back at path: a kept copy, or a live object that has them."""
        if entry in self.where:
            return self.where[entry]
        if self.state.live.get(path) == entry or self.state.owed.get(path) == entry:
            return path  # no run replaced or deleted it: it would have kept it first
        return next((other for other, live in self.state.live.items() if live == entry and other not in self.state.dirty), None)


def edition_body(output, path, entry):
    """The bytes of a file as its object stores them: the file, or gzipped (the build's .gz if it matches)."""
    with open(os.path.join(output, path), "rb") as handle:
        data = handle.read()
    if digest_of(data) != entry.removesuffix(".gz"):
        raise PublishFailed(f"{path} changed while it was being published (a build running?); publish again")
    if not encoding(entry):
        return data
    try:
        with open(os.path.join(output, path + ".gz"), "rb") as handle:
            zipped = handle.read()
        if gzip.decompress(zipped) == data:
            return zipped
    except (OSError, EOFError, gzip.BadGzipFile):
        pass
    return gzip.compress(data, compresslevel=9, mtime=0)


@dataclass
class Run:
    """One publish or rollback: from the live release to `wanted`, keeping what it replaces in kept/<kept_into>/."""

    bucket: Bucket
    state: State
    lock: Lock
    kept_into: str
    on_stage: object = None
    threads: int = THREADS

    def notify(self, stage):
        if self.on_stage:
            self.on_stage(stage)

    def send(self, wanted, put, force=False):
        """Send each stage's objects, group after group, keeping aside what each replaces; the paths sent."""
        sent, live = [], self.state.live

        def one(path):
            if live.get(path) not in (None, wanted[path]):
                self.kept.keep(path, live[path], self.kept_into)
            put(path, wanted[path])

        with ThreadPoolExecutor(max_workers=self.threads) as pool:
            for stage, groups in stages(live, wanted, self.state.dirty, force):
                for group in groups:
                    list(pool.map(one, group))
                    sent.extend(group)
                self.lock.check()
                self.notify(stage)
        return sent

    def switch(self, release, history, wanted):
        """Make release the live one, then delete what it no longer has (kept aside first); the paths deleted."""
        self.lock.check()
        self.bucket.write_json(CURRENT, {"release": release, "history": history})
        self.notify("switched")
        live, owed = self.state.live, self.state.owed
        gone = deletions(live, wanted, self.state.dirty)
        # what the live release deletes is its rollback; what a switched, cut-short one deleted is that one's
        keep = [(path, live[path], self.kept_into) for path in gone if path in live]
        keep += [(path, owed[path], self.state.current) for path in gone if path in owed and path not in live]
        with ThreadPoolExecutor(max_workers=self.threads) as pool:
            list(pool.map(lambda job: self.kept.keep(*job), keep))
        self.lock.check()
        self.notify("deleting")
        self.bucket.delete(gone)
        self.bucket.delete([PENDING])
        return gone

    @cached_property
    def kept(self):
        return Kept(self.bucket, self.state)


def publish(output_dir, target, keep=5, cache_folder=None, on_stage=None, compress=True, threads=THREADS):
    """Send a built edition to s3://bucket/prefix as a new release; returns what was sent (Published).

    keep: how many releases stay restorable by rollback. cache_folder: where the digests of the
    files are kept between publishes. on_stage(name) is called after each stage (tests stop there).
    """
    started = time.monotonic()
    if keep < 1:
        raise PublishFailed(f"keep must be at least 1, not {keep}")
    output = check_edition(output_dir).resolve()
    bucket = target if isinstance(target, Bucket) else parse(target)
    files, read = digests(output, cache_folder)
    wanted = {path: entry_of(path, digest, size, compress) for path, (digest, size) in files.items()}

    def put(path, entry):
        bucket.put(path, edition_body(output, path, entry), **web_headers.headers(path, encoding(entry)))

    with guarded(bucket) as lock:
        state = State.read(bucket)
        release = release_name()
        if release in state.history or any(release == run["release"] for run in state.runs):
            raise PublishFailed(f"{bucket}: release {release} already exists")
        fingerprint = web_headers.fingerprint()
        force = state.headers not in (None, fingerprint)
        unchanged = not any(group for _, groups in stages(state.live, wanted, state.dirty, force) for group in groups)
        if state.current and unchanged and not state.runs and not deletions(state.live, wanted):
            return Published(state.current, [], [], read, time.monotonic() - started)  # no release that changes nothing
        bucket.write_json(manifest_path(release), {"release": release, "base": state.current, "headers": fingerprint, "files": wanted})
        state.begin(bucket, release, state.current)
        run = Run(bucket, state, lock, release, on_stage, threads)  # what it replaces or deletes is its own rollback
        sent = run.send(wanted, put, force)
        history = [release, *state.history][:keep]
        gone = run.switch(release, history, wanted)
        prune(bucket, history)
    return Published(release, sent, gone, read, time.monotonic() - started)


def rollback(target, on_stage=None, threads=THREADS):
    """Put back the release before the live one, in the same order as a publish; returns its name."""
    bucket = target if isinstance(target, Bucket) else parse(target)
    with guarded(bucket) as lock:
        state = State.read(bucket)
        if len(state.history) < 2:
            raise PublishFailed(f"{bucket}: no release before {state.current or 'nothing'} to roll back to")
        previous = state.history[1]
        wanted = (bucket.read_json(manifest_path(previous)) or {}).get("files")
        if wanted is None:
            raise PublishFailed(f"{bucket}: the manifest of release {previous} is gone; publish it again instead")
        run = Run(bucket, state, lock, state.current, on_stage, threads)
        plan = [path for _, groups in stages(state.live, wanted, state.dirty) for group in groups for path in group]
        missing = [path for path in plan if run.kept.source(path, wanted[path]) is None]
        if missing:
            raise PublishFailed(f"{bucket}: cannot roll back to {previous}: the bytes of {len(missing)} object(s) were not kept, first {missing[0]}")
        state.begin(bucket, previous, state.current)

        def put(path, entry):
            source = run.kept.source(path, entry)
            if source != path:
                bucket.copy(source, path, web_headers.headers(path, encoding(entry)))

        run.send(wanted, put)
        run.switch(previous, state.history[1:], wanted)
    return previous


class guarded:
    """The bucket's publish lock, its failures told as PublishFailed."""

    def __init__(self, bucket):
        self.lock = Lock(bucket.lock_store(LOCK), str(bucket))

    def __enter__(self):
        try:
            return self.lock.__enter__()
        except (Locked, ClientError, BotoCoreError) as error:
            raise PublishFailed(str(error)) from error

    def __exit__(self, kind, error, trace):
        self.lock.__exit__(kind, error, trace)
        if isinstance(error, (Locked, BucketError, ClientError, BotoCoreError)):
            raise PublishFailed(f"{self.lock.target}: {error} — readers still get whole pages; publish again to finish") from error
        return False


def parse(target):
    try:
        return Bucket.parse(target)
    except BucketError as error:
        raise PublishFailed(str(error)) from error


def prune(bucket, history):
    """Delete the manifests and kept bytes of releases no rollback can reach any more."""
    keep_manifests = {manifest_path(name) for name in history}
    keep_folders = tuple(f"{KEPT}{name}/" for name in history[:-1])
    records = bucket.list(STATE)
    old = [path for path in records if path.startswith(f"{STATE}manifest-") and path not in keep_manifests]
    old += [path for path in records if path.startswith(KEPT) and not path.startswith(keep_folders)]
    bucket.delete(old)
    return old
