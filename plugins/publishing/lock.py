"""One publish (or rollback) at a time on a target: a second one refuses, naming the first.

The lock is a small record on the target (who holds it, from which machine, since when, until
when), created only if there is none, in one step the target makes atomic: a conditional write in
a bucket, a hard link on a server. Its holder renews it every minute while it works. A lock
whose holder stopped renewing (a publish killed, a runner cancelled) expires after TTL seconds
and the next publish takes it over; one held by a process of this machine that no longer runs is
taken over at once. A holder that finds its lock taken over stops before it switches anything.

A store gives: create(text) → tag or None when a lock is there; read() → (text, tag) or None;
replace(text, tag) → new tag or None if the lock is no longer the one tagged; remove(tag).
"""

import json
import os
import socket
import threading
import time
import uuid
from dataclasses import asdict, dataclass

from site_build.beside import process_runs

TTL = 600  # seconds a lock holds without being renewed
RENEW = 60


class Locked(Exception):
    """Another publish holds the target, or took it over from this one."""


@dataclass(frozen=True)
class Holder:
    host: str
    pid: int
    token: str
    started: str
    expires: float

    @classmethod
    def me(cls, ttl):
        return cls(socket.gethostname(), os.getpid(), uuid.uuid4().hex, time.strftime("%Y-%m-%d %H:%M:%S %z"), time.time() + ttl)

    @classmethod
    def from_text(cls, text):
        try:
            return cls(**json.loads(text))
        except (ValueError, TypeError):
            return None  # not a record of ours: held by no one who can renew it

    def text(self):
        return json.dumps(asdict(self), sort_keys=True)

    def renewed(self, ttl):
        return Holder(self.host, self.pid, self.token, self.started, time.time() + ttl)

    def is_stale(self, now=None):
        if (now or time.time()) > self.expires:
            return True
        return self.host == socket.gethostname() and not process_runs(self.pid)

    def __str__(self):
        until = time.strftime("%H:%M:%S", time.localtime(self.expires))
        return f"process {self.pid} on {self.host}, since {self.started} (its lock expires at {until} unless renewed)"


class Lock:
    """`with Lock(store, "s3://bucket/edition"):` holds the target for the block, renewing it."""

    def __init__(self, store, target, ttl=None, renew=None):
        self.store, self.target = store, target
        self.ttl, self.renew_every = ttl or TTL, renew or RENEW
        self.holder = self.tag = None
        self.lost = None
        self._mutex = threading.Lock()  # the renewal changes holder and tag together
        self._stop = threading.Event()
        self._thread = None

    def __enter__(self):
        self.acquire()
        self._thread = threading.Thread(target=self._renew_loop, name="publish-lock", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.release()

    def acquire(self):
        self.holder = Holder.me(self.ttl)
        self.tag = self.store.create(self.holder.text())
        if self.tag is None:
            found = self.store.read()
            other = Holder.from_text(found[0]) if found else None
            if found and other is not None and not other.is_stale():
                raise Locked(f"{self.target}: another publish is under way: {other} — wait for it to finish")
            # a stale lock (or one gone in between): take it over only if it is still the one read
            self.tag = self.store.replace(self.holder.text(), found[1]) if found else self.store.create(self.holder.text())
        if self.tag is None or not self.ours():
            raise Locked(f"{self.target}: another publish took the lock at the same moment; try again")

    def ours(self):
        found = self.store.read()
        return bool(found) and found[0] == self.holder.text()

    def _renew_loop(self):
        while not self._stop.wait(self.renew_every):
            with self._mutex:
                holder = self.holder.renewed(self.ttl)
                tag = self.store.replace(holder.text(), self.tag)
                if tag is None:
                    self.lost = f"{self.target}: the publish lock was taken over by another publish"
                    return
                self.holder, self.tag = holder, tag

    def check(self):
        """Raise Locked if another publish took the lock over (this one was too slow to renew it)."""
        with self._mutex:
            if self.lost or not self.ours():
                raise Locked(self.lost or f"{self.target}: the publish lock is no longer this publish's")

    def release(self):
        with self._mutex:
            if self.lost is None and self.ours():
                self.store.remove(self.tag)
