"""A Pelican writer that renders in parallel and skips pages whose digest is unchanged.

Generators hand it pages and feeds as usual; it only queues them. When
Pelican has finished (`flush`), the queue is split across worker processes
forked from the finished build, each rendering its share.

The last build is found in LAST_OUTPUT when `invoke build` stages the build
in a new, empty folder (publishing.build): only changed pages are written
there, and the pages to remove are listed in REMOVED for the commit.
Without LAST_OUTPUT (a plain `pelican` run) the output folder is the last
build and is updated in place. Files are always written to a new inode
(unlink, then create), so a hard link to an earlier build is never changed.
"""

import contextlib
import ctypes
import ctypes.util
import gc
import io
import json
import logging
import multiprocessing
import os
import stat
from collections import Counter

from feedgenerator import Atom1Feed
from feedgenerator.django.utils.xmlutils import SimplerXMLGenerator
from pelican.utils import set_date_tzinfo
from pelican.writers import Writer

from . import fragments
from .fingerprints import page_digest
from .manifest import REMOVED, keep_unsure_shards, read_manifest, write_manifest

logger = logging.getLogger(__name__)



class QueueingWriter(Writer):
    """Queues write_file/write_feed calls; `flush` renders them."""

    instances = []

    def __init__(self, output_path, settings=None):
        super().__init__(output_path, settings=settings)
        self.jobs = []
        self.feed_items = {}  # (id of an item, site URL, kind of feed) → (the item, its feed entry's fields)
        self.feed_uses = Counter()  # (id of an item, feed type) → entries of it still to be written by this process
        QueueingWriter.instances.append(self)

    def write_file(self, name, template, context, *args, **kwargs):
        if name:
            self.jobs.append(("file", name, (name, template, context, *args), kwargs))

    def write_feed(self, elements, context, path=None, *args, **kwargs):
        if not path:
            return super().write_feed(elements, context, path, *args, **kwargs)
        self.jobs.append(("feed", path, (elements, context, path, *args), kwargs))
        return None

    # A report is an entry in up to a dozen feeds (the site's, its page's, its
    # people's, its tags'): each entry is made once per build and reused.
    def _create_new_feed(self, feed_type, feed_title, context):
        feed = super()._create_new_feed(feed_type, feed_title, context)
        if type(feed) is Atom1Feed:
            feed.__class__ = ReusedEntriesFeed
        return feed

    def _add_item_to_the_feed(self, feed, item):
        key = (id(item), self.site_url, type(feed))
        if key not in self.feed_items:
            kind = f"feed: Atom entry for {self.site_url}"
            xml = fragments.kept(item, kind) if type(feed) is ReusedEntriesFeed else None
            if xml is not None:  # made by an earlier build: only its dates are asked for (the feed's own date)
                timezone = self.settings.get("TIMEZONE", None)
                modified = set_date_tzinfo(item.modified, timezone) if hasattr(item, "modified") else None
                feed.items.append({"pubdate": set_date_tzinfo(item.date, timezone), "updateddate": modified, ENTRY_XML: xml})
            else:
                super()._add_item_to_the_feed(feed, item)
                feed.items[-1][MADE_FROM] = (item, kind)
            self.feed_items[key] = (item, feed.items[-1])
        else:
            feed.items.append(self.feed_items[key][1])
        # An entry (its full text) is kept only until the last feed of its type in this process that shows it.
        uses = (id(item), "atom" if isinstance(feed, Atom1Feed) else "rss")
        self.feed_uses[uses] -= 1
        if self.feed_uses[uses] <= 0:
            del self.feed_items[key], self.feed_uses[uses]

    def count_feed_uses(self, jobs):
        """How many of these jobs' feeds show each item."""
        most = self.settings.get("FEED_MAX_ITEMS")
        for kind, _, args, kwargs in jobs:
            if kind == "feed":
                self.feed_uses.update((id(item), kwargs.get("feed_type", "atom")) for item in args[0][:most])

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
        last = self.settings.get("LAST_OUTPUT") or self.output_path
        previous = read_manifest(last)
        cache = self.settings["CACHE_PATH"] if self.settings.get("CACHE_CONTENT") else None
        fragments.use_for_build(cache, base, *shown_again(self.jobs, self.settings["FEED_MAX_ITEMS"]))
        digests, todo = {}, []
        for job, (value, unchanged) in zip(self.jobs, judge(self, base, previous, last, self.jobs), strict=True):
            digests[job[1]] = value
            if not unchanged:
                todo.append(job)
        kinds = Counter("feed" if job[0] == "feed" else job[2][1].name for job in todo)
        logger.info("Rendering %d of %d pages: %s", len(todo), len(digests), ", ".join(f"{count} {kind}" for kind, count in kinds.most_common()))
        render_all(self, todo, processes)
        if last == self.output_path:
            remove_stale(self.output_path, previous, digests)
        else:
            with open(os.path.join(self.output_path, REMOVED), "w", encoding="utf-8") as handle:
                json.dump(sorted(previous.keys() - digests.keys()), handle)
        write_manifest(self.output_path, digests)
        if last == self.output_path:
            keep_unsure_shards(self.output_path)
        self.jobs = []
        return len(todo), len(digests)


ENTRY_XML = "_entry_xml"  # kept in an entry's fields, which feedgenerator writes by name
MADE_FROM = "_made_from"  # (the item, the kind of entry): to keep its XML for the next build (fragments)


class ReusedEntriesFeed(Atom1Feed):
    """Atom1Feed whose entries' XML is made once per entry and written again as it was."""

    def write_items(self, handler):
        for item in self.items:
            xml = item.get(ENTRY_XML)
            if xml is None:
                buffer = io.StringIO()
                entry = SimplerXMLGenerator(buffer, "utf-8", short_empty_elements=True)
                entry.startElement("entry", self.item_attributes(item))
                self.add_item_elements(entry, item)
                entry.endElement("entry")
                xml = item[ENTRY_XML] = buffer.getvalue()
                if MADE_FROM in item:
                    fragments.keep(*item.pop(MADE_FROM), xml)
                item["content"] = item["description"] = None  # in the XML now; the entry may be kept a while
            handler.ignorableWhitespace(xml)  # written as it is, like the entry it was made from


def refuse_duplicates(jobs):
    seen = set()
    for _, name, _, _ in jobs:
        if name in seen:
            raise RuntimeError(f"two pages would be written to {name}")
        seen.add(name)


_PENDING = []
CHUNK = 1000  # pages per worker at most: a fresh worker holds its own copy of just what its pages touched


def _render_chunk(index):
    writer, chunks = _PENDING[0]
    render(writer, chunks[index])
    return index


def render(writer, jobs):
    writer.count_feed_uses(jobs)
    for job in jobs:
        writer.run_job(job)
    fragments.save()


def judge(writer, base, previous, last, jobs):
    """[(digest, unchanged since the last build)] of jobs."""
    judged = []
    with kept_files(last) as kept:
        for job in jobs:
            value = writer.job_digest(base, job)
            judged.append((value, value is not None and previous.get(job[1]) == value and kept(job[1])))
    return judged


def shown_again(jobs, feed_items):
    """Source paths of the items a new day shows again: ({on the newest page of a list}, {in a feed})."""
    listed, fed = set(), set()
    for kind, _, args, kwargs in jobs:
        if kind == "feed":
            fed.update(item.source_path for item in args[0][:feed_items])
        elif "listing" in kwargs and kwargs["listing"].number == 0:
            listed.update(item.source_path for item in kwargs["listing"].items)
    return listed, fed


@contextlib.contextmanager
def kept_files(folder):
    """A test of whether a page of the last build is still there: a stat relative to the open folder
    (60,000 of them a build, a third of the time of os.path.isfile on joined paths)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        yield lambda name: False
        return

    def kept(name):
        try:
            return stat.S_ISREG(os.stat(name, dir_fd=descriptor).st_mode)
        except OSError:
            return False

    try:
        yield kept
    finally:
        os.close(descriptor)


def shown_items(job):
    """The items a page or feed shows; none for site-wide pages (the sitemap, the indexes)."""
    kind, _, args, kwargs = job
    if kind == "feed":
        return args[0][:50]  # its newest entries, for their date
    if "article" in kwargs:
        return [kwargs["article"]]
    for key in ("listing", "edition_page", "edition"):
        if key in kwargs:
            return kwargs[key].items
    return []


def middle_date(items):
    return items[len(items) // 2].date


def render_all(writer, jobs, processes):
    """Render jobs on `processes` cores, holding as little memory twice as can be.

    Workers are forked once the whole site is in memory and share it
    copy-on-write; but rendering a page writes to the memory of every object
    it shows (reference counts), and a written page of memory is copied. So
    each worker renders one chunk of pages and exits, holding a copy of just
    what that chunk touched; pages are put in order of the dates of the items
    they show, so that a chunk's items are close in time, and so in memory
    (reports are read in date order). Site-wide pages, which show every
    item, are rendered here first. Frozen objects are left out of the
    workers' garbage collections, which would otherwise touch every object.
    """
    if processes <= 1 or len(jobs) < 200:
        resume_collection()
        render(writer, jobs)
        fragments.prune()
        return
    # Site-wide pages, and one page of each template (every template it includes
    # is compiled here, once, not in each worker), are rendered here.
    first_of_each = {id(job) for job in {job[2][1].name: job for job in reversed(jobs) if job[0] == "file"}.values()}
    here, dated = [], []
    for job in jobs:
        items = shown_items(job)
        if not items or id(job) in first_of_each:
            here.append(job)
        else:
            dated.append((middle_date(items), job))
    render(writer, here)
    dated.sort(key=lambda pair: pair[0])
    # No collection first: the build makes next to no cyclic garbage (33 objects at 50,000
    # reports), and a collection of the whole loaded site took a second.
    resume_collection()
    release_free_memory()
    chunks = chunked([job for _, job in dated], processes)
    _PENDING[:] = [(writer, chunks)]
    try:
        with multiprocessing.get_context("fork").Pool(processes, maxtasksperchild=1) as pool:
            pool.map(_render_chunk, range(len(chunks)), chunksize=1)
    finally:
        _PENDING.clear()
    # The site stays frozen: it lives until the process ends, and once unfrozen the next allocations
    # would set off a full collection of it (1.5 to 2 s at 50,000 reports) that finds nothing.
    fragments.prune()


def resume_collection():
    """Collection back on (the incremental plugin holds it while the site is loaded), sparing what is loaded now."""
    gc.freeze()
    gc.enable()


def chunked(jobs, processes):
    """One chunk per worker, dealt out like cards (for balance) when that is few enough pages;
    else chunks of CHUNK pages in order. A worker's first touch of each report costs a copy:
    chunks are as large as memory allows."""
    if len(jobs) <= processes * CHUNK:
        return [jobs[share::processes] for share in range(processes)]
    return [jobs[start : start + CHUNK] for start in range(0, len(jobs), CHUNK)]


def release_free_memory():
    """Give memory freed by the build back to the system (glibc keeps it), so workers do not share it for nothing."""
    with contextlib.suppress(OSError, AttributeError, TypeError):  # not glibc: nothing to give back this way
        ctypes.CDLL(ctypes.util.find_library("c")).malloc_trim(0)


def remove_stale(output_path, previous, current):
    """Pages the last build wrote and this one does not (a deleted report) go."""
    for name in previous.keys() - current.keys():
        path = os.path.join(output_path, name)
        if os.path.isfile(path):
            os.unlink(path)
