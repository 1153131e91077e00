"""A Pelican writer that renders in parallel and skips pages whose digest is unchanged.

Generators hand it pages and feeds as usual; it only queues them. When
Pelican has finished (`flush`), the queue is split across worker processes
forked from the finished build, each rendering its share. Files are always
written to a new inode (unlink, then create), so an output folder made of
hard links to the previous build never changes the previous build's files.
"""

import json
import multiprocessing
import os

from pelican.writers import Writer

from .fingerprints import page_digest

MANIFEST = ".build-digests.json"


class QueueingWriter(Writer):
    """Queues write_file/write_feed calls; `flush` renders them."""

    instances = []

    def __init__(self, output_path, settings=None):
        super().__init__(output_path, settings=settings)
        self.jobs = []
        QueueingWriter.instances.append(self)

    def write_file(self, name, template, context, *args, **kwargs):
        if name:
            self.jobs.append(("file", name, (name, template, context, *args), kwargs))

    def write_feed(self, elements, context, path=None, *args, **kwargs):
        if not path:
            return super().write_feed(elements, context, path, *args, **kwargs)
        self.jobs.append(("feed", path, (elements, context, path, *args), kwargs))
        return None

    def _open_w(self, filename, encoding, override=False):
        # A new inode every time: the file may be a hard link into the last build.
        if os.path.lexists(filename):
            os.unlink(filename)
        return super()._open_w(filename, encoding, override)

    def job_digest(self, base, job):
        kind, name, args, kwargs = job
        if kind == "feed":
            elements, _, path = args[:3]
            return page_digest(base, path, "feed", {"elements": list(elements)[: self.settings["FEED_MAX_ITEMS"]], "title": kwargs.get("feed_title") or ""})
        return page_digest(base, name, args[1].name, kwargs)

    def run_job(self, job):
        kind, _, args, kwargs = job
        method = Writer.write_feed if kind == "feed" else Writer.write_file
        method(self, *args, **kwargs)

    def flush(self, base, processes):
        """Render what changed, record every digest for the next build; return (rendered, total)."""
        refuse_duplicates(self.jobs)
        previous = read_manifest(self.output_path)
        digests, todo = {}, []
        for job in self.jobs:
            name = job[1]
            value = self.job_digest(base, job)
            digests[name] = value
            unchanged = value is not None and previous.get(name) == value and os.path.isfile(os.path.join(self.output_path, name))
            if not unchanged:
                todo.append(job)
        render_all(self, todo, processes)
        remove_stale(self.output_path, previous, digests)
        write_manifest(self.output_path, digests)
        self.jobs = []
        return len(todo), len(digests)


def refuse_duplicates(jobs):
    seen = set()
    for _, name, _, _ in jobs:
        if name in seen:
            raise RuntimeError(f"two pages would be written to {name}")
        seen.add(name)


_PENDING = []


def _render_share(share):
    writer, jobs, processes = _PENDING[0]
    for job in jobs[share::processes]:
        writer.run_job(job)
    return share


def render_all(writer, jobs, processes):
    if processes <= 1 or len(jobs) < 200:
        for job in jobs:
            writer.run_job(job)
        return
    # Fork after the whole site is in memory: workers share it copy-on-write.
    _PENDING[:] = [(writer, jobs, processes)]
    try:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            pool.map(_render_share, range(processes))
    finally:
        _PENDING.clear()


def read_manifest(output_path):
    try:
        with open(os.path.join(output_path, MANIFEST), encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return {}


def write_manifest(output_path, digests):
    path = os.path.join(output_path, MANIFEST)
    if os.path.lexists(path):
        os.unlink(path)
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(digests, handle, sort_keys=True, separators=(",", ":"))


def remove_stale(output_path, previous, current):
    """Pages the last build wrote and this one does not (a deleted report) go."""
    for name in previous.keys() - current.keys():
        path = os.path.join(output_path, name)
        if os.path.isfile(path):
            os.unlink(path)

