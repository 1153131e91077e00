"""A Pelican writer that renders in parallel and skips pages whose digest is unchanged.

Generators hand it pages and feeds as usual; it only queues them. When
Pelican has finished (`flush`), the queue is split across worker processes
forked from the finished build, each rendering its share.

The last build is found in LAST_OUTPUT when `invoke build` stages the build
in a new, empty folder (publishing.build): only changed pages are written
there, and the files to remove are listed (staging.REMOVED) for the commit.
Without LAST_OUTPUT (a plain `pelican` run) the output folder is the last
build and is updated in place. Files are always written to a new inode
(unlink, then create), so a hard link to an earlier build is never changed.
"""

import contextlib
import ctypes
import ctypes.util
import datetime
import gc
import logging
import multiprocessing
import os
from collections import Counter

from pelican.contents import Article
from pelican.writers import Writer

from build_cache.keys import digest, settings_digest, tree_digest
from site_build.pelican_internals import FeedEntriesWriter
from site_build.state import build_of
from staging import COMPRESSED
from staging.manifest import manifest_before, write_manifest, write_removed
from staging.trees import remove_empty_parents, write_new

from .fingerprints import ITEM_DIGEST, REPORT_PAGE, edition_key, item_digest, page_digest
from .fragments import Fragments
from .static_files import static_digests

logger = logging.getLogger(__name__)


class QueueingWriter(FeedEntriesWriter):
    """Queues write_file/write_feed calls; `flush` renders them."""

    def __init__(self, output_path, settings=None):
        super().__init__(output_path, settings=settings)
        self.jobs = []
        self.editions = {}  # id of an edition → its key (fingerprints.edition_key), this flush
        self.carried = {}  # report page → the last build's value, its edition's key unchanged
        self.changed_days = set()  # dates of the editions with a report page not carried (new, or changed)
        self.previous = None  # the last build's manifest, once pages are given (begin_carrying)
        self.made = {}  # file → its value: files a generator made itself or carried (write_made), this flush
        self.forgotten = set()  # files of the last build its manifest does not name, gone now (forget)
        build_of(self.settings).writers.append(self)

    def write_file(self, name, template, context, *args, **kwargs):
        if name and not (kwargs.keys() == REPORT_PAGE and self.carry(name, kwargs["article"])):
            self.jobs.append(("file", name, (name, template, context, *args), kwargs))

    def write_feed(self, elements, context, path=None, *args, **kwargs):
        if not path:
            return super().write_feed(elements, context, path, *args, **kwargs)
        self.jobs.append(("feed", path, (elements, context, path, *args), kwargs))
        return None

    def count_feed_uses(self, jobs):
        """How many of these jobs' feeds show each item."""
        most = self.settings.get("FEED_MAX_ITEMS")
        for kind, _, args, kwargs in jobs:
            if kind == "feed":
                self.feed_uses.update((id(item), kwargs.get("feed_type", "atom")) for item in args[0][:most])

    def left_to_write(self, articles):
        """Of the reports Pelican is about to hand over, those whose pages are not carried (carry, which
        carries the others): the archive's pages are carried here at once, not through Pelican's loop one call each."""
        carry = self.carry
        # A report's name in its dict, as its save_as gives it (BodyElsewhereArticle): a property's call each is 0.14 s at 200,000.
        return [article for article in articles if not carry(article.__dict__.get("override_save_as") or article.save_as, article)]

    def carry(self, name, article):
        """Is this report's page (Pelican's page of an item in an edition) the last build's? Then it is
        not queued: its value is carried (its edition's key unchanged, its file still there), and its
        item keeps the digest recorded in it (fingerprints.item_digest), which list and edition pages
        use. A new day changes one edition: the archive's 50,000 report pages are neither digested nor
        kept in the queue. A report page's value is `edition key:item digest:page digest`."""
        state = article.__dict__
        page = state.get("edition_page")
        if page is None or not isinstance(article, Article):
            return False
        edition = page.edition
        key = self.editions.get(id(edition), ...)
        if key is ...:
            if self.previous is None:
                self.begin_carrying()
            key = self.editions[id(edition)] = edition_key_of(self.base, edition)
        before = self.previous.get(name)
        # Its edition's key, then the item's digest (as item_digest makes it), then the page's.
        if key is None or type(before) is not str or not before.startswith(key) or not is_report_value(before) or not self.kept(name):
            self.changed_days.add(edition.date)
            return False
        if name in self.carried:
            raise RuntimeError(f"two pages would be written to {name}")
        self.carried[name] = before
        state.setdefault("_page_digest", before[KEY + 1 : ITEM])
        return True

    def write_made(self, names, value, make):
        """Files a generator makes itself, not from a template (a month's sitemap), known by one value:
        carried when each of `names` has that value in the last build and is still there, else made by
        `make()` ({name: text}, those names) and written now. A value of None: written every build."""
        if self.previous is None:
            self.begin_carrying()
        if value is None or not all(self.previous.get(name) == value and self.kept(name) for name in names):
            files = make()
            if list(files) != list(names):
                raise RuntimeError(f"{names} were to be made, and {list(files)} were")
            for name, text in files.items():
                write_new(self.output_path, name, text)
        self.made.update(dict.fromkeys(names, value))

    def forget(self, names):
        """Files of the last build that this one no longer makes and its manifest does not name (an older
        layout's, such as the sitemap's parts of 50,000 URLs before they were made per month): they go
        as the manifest's own do."""
        self.forgotten.update(names)

    def begin_carrying(self):
        """Once the pages are given (the site is loaded): this build's base, the last build and its manifest."""
        self.base = page_base(self.settings)
        self.last = self.settings.get("LAST_OUTPUT") or self.output_path
        self.previous = manifest_before(build_of(self.settings), self.last)
        self.kept_context = kept_files(self.last)
        self.kept = self.kept_context.__enter__()

    def job_digest(self, base, job):
        kind, name, args, kwargs = job
        article = report_of(job)
        if article is not None and self.editions.get(id(article.edition_page.edition)):
            return f"{self.editions[id(article.edition_page.edition)]}:{item_digest(article)}:{page_digest(base, name, args[1].name, kwargs)[:PAGE]}"
        if kind == "feed":
            elements, _, path = args[:3]
            return page_digest(base, path, "feed", {"elements": list(elements)[: self.settings["FEED_MAX_ITEMS"]], "title": kwargs.get("feed_title") or ""})
        return page_digest(base, name, args[1].name, kwargs)

    def run_job(self, job):
        kind, _, args, kwargs = job
        method = Writer.write_feed if kind == "feed" else Writer.write_file
        method(self, *args, **kwargs)

    def flush(self, processes):
        """Render what changed, record every digest for the next build; return (rendered, total)."""
        if self.previous is None:
            self.begin_carrying()
        self.kept_context.__exit__(None, None, None)
        last, previous, base, build = self.last, self.previous, self.base, build_of(self.settings)
        refuse_duplicates([*self.carried, *self.made, *(job[1] for job in self.jobs)])
        self.fragments = build.fragments = Fragments(build.cache_folder, base, *shown_again(self.jobs, self.settings["FEED_MAX_ITEMS"]))
        digests, jobs = self.carried | self.made, self.jobs
        cutoff = self.oldest_changed_day(previous, jobs)
        if cutoff is not None:
            listed, jobs = carry_old_list_pages(jobs, cutoff, previous, last)
            digests.update(listed)
        todo = []
        for job, (value, unchanged) in zip(jobs, judge(self, base, previous, last, jobs), strict=True):
            digests[job[1]] = value
            if not unchanged:
                todo.append(job)
        kinds = Counter("feed" if job[0] == "feed" else job[2][1].name for job in todo)
        logger.info("Rendering %d of %d pages: %s", len(todo), len(digests), ", ".join(f"{count} {kind}" for kind, count in kinds.most_common()))
        render_all(self, todo, processes, self.settings.get("RENDER_WORKERS_FROM", WORKERS_FROM))
        digests.update(static_digests(self.settings, self.output_path, previous, last))
        gone = (previous.keys() | self.forgotten) - digests.keys()
        if last == self.output_path:
            remove_stale(self.output_path, gone)
        else:
            write_removed(self.output_path, gone)
        write_manifest(self.output_path, digests)
        self.jobs, self.editions, self.carried, self.made, self.forgotten, self.previous, self.changed_days = [], {}, {}, {}, set(), None, set()
        # Nothing after the pages reads the last build's record (the photos and static files took what
        # they need of it before): let go while the build waits for its pictures (53 MB at 200,000 reports).
        build.manifest_before = None
        return len(todo), len(digests)

    def oldest_changed_day(self, previous, jobs):
        """The date before which no edition changed since the last build (each one's report pages all
        carried: date.max if none changed), or None if that cannot be told: a report page of the last
        build is not this one's (a report or an edition gone; report pages are known by their value,
        is_report_value, which every report of an edition has: fingerprints.edition_key)."""
        names = {job[1] for job in jobs}
        if any(is_report_value(previous[name]) for name in previous.keys() - self.carried.keys() if name not in names):
            return None
        return min(self.changed_days, default=datetime.date.max)


KEY = 16  # hex digits of an edition's key (fingerprints.edition_key)
ITEM = KEY + 1 + 2 * ITEM_DIGEST  # where the item's digest (fingerprints.item_digest) ends
PAGE = 16  # hex digits of a report page's own digest kept in its value: the manifest holds 50,000


def is_report_value(value):
    """A report page's value in the manifest: `edition key:item digest:page digest`."""
    return type(value) is str and len(value) > ITEM and value[KEY] == ":" and value[ITEM] == ":"


def carry_old_list_pages(jobs, cutoff, previous, last):
    """({page: the last build's value}, the other jobs): the numbered pages of lists (tags, people,
    sections) whose items are all in editions older than `cutoff`, none of which changed.

    Stable pagination numbers pages from the oldest item (listings.pages): page n of a list holds
    the same items as in the last build when its items, and those of page n + 1 after it, are all
    in editions unchanged since then, none gone; its links (to pages n - 1 and n + 1) are the same.
    Its digest (fingerprints.subject_digest: its URL, number, links and items) is then the last
    build's, which the manifest has: the archive's list pages are neither digested nor queued."""
    carried, left = {}, []
    with kept_files(last) as kept:
        for job in jobs:
            listing = job[3].get("listing") if job[0] == "file" else None
            newer = listing and listing.number and listing.newer
            # Its newer page's first item is that page's newest: lists are in page order, newest first (edition.model).
            if newer and newer.number and newer.items[0].date.date() < cutoff:
                before = previous.get(job[1])
                if before is not None and kept(job[1]):
                    carried[job[1]] = before
                    continue
            left.append(job)
    return carried, left


def page_base(settings):
    """What every page's digest starts from: the theme's and the plugins' files, and the settings."""
    plugins = os.path.dirname(os.path.dirname(__file__))
    return digest(tree_digest(settings["THEME"], plugins), settings_digest(settings))


def report_of(job):
    """The report a job renders the page of (Pelican's article page of an item in an edition), or None."""
    kwargs = job[3]
    if job[0] != "file" or kwargs.keys() != REPORT_PAGE:
        return None
    article = kwargs["article"]
    return article if isinstance(article, Article) and "edition_page" in article.__dict__ else None


def edition_key_of(base, edition):
    try:
        return edition_key(base, [item for page in edition.pages for item in page.items])
    except AttributeError:  # an item that cannot be described (no digest of its file): digested one by one
        return None


def same_page(before, value):
    """A page is the last build's if its digest is: the last part of its value (report pages carry their
    edition's key and item's digest before it, which may change while the page does not)."""
    return before is not None and (before == value or before.rpartition(":")[2] == value.rpartition(":")[2])


def refuse_duplicates(names):
    seen = set()
    for name in names:
        if name in seen:
            raise RuntimeError(f"two pages would be written to {name}")
        seen.add(name)


_PENDING = []  # (writer, chunks) for the forked workers of render_all: what they inherit, not per-build state
CHUNK = 1000  # pages per worker at most: a fresh worker holds its own copy of just what its pages touched
# Pages rendered here, without workers, below this many (RENDER_WORKERS_FROM): a new day's 700–800. Two
# workers each copied some 70 MB of the loaded archive at 200,000 reports to save half a second of a
# day's rendering (none when the day's pictures keep the other core busy).
WORKERS_FROM = 2000


def _render_chunk(index):
    writer, chunks = _PENDING[0]
    render(writer, chunks[index])
    return index


def render(writer, jobs):
    writer.count_feed_uses(jobs)
    for job in jobs:
        writer.run_job(job)
    writer.fragments.save()


def judge(writer, base, previous, last, jobs):
    """[(digest, unchanged since the last build)] of jobs."""
    judged = []
    with kept_files(last) as kept:
        for job in jobs:
            value = writer.job_digest(base, job)
            judged.append((value, value is not None and same_page(previous.get(job[1]), value) and kept(job[1])))
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
    """A test of whether a page of the last build is still there, relative to the open folder: an
    `access`, which makes no stat result (true for a folder of that name too, which a page's name
    never is). A new day asks it of every report page the archive carries: 0.43 s against 0.63 s for
    a stat at 200,000, 0.68 s for os.path.isfile on joined paths."""
    try:
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        yield lambda name: False
        return

    def kept(name):
        return os.access(name, os.F_OK, dir_fd=descriptor)

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


def render_all(writer, jobs, processes, workers_from):
    """Render jobs on `processes` cores, holding as little memory twice as can be: fewer jobs than
    `workers_from` are rendered here, in this process.

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
    if processes <= 1 or len(jobs) < workers_from:
        resume_collection()
        render(writer, jobs)
        writer.fragments.prune()
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
    writer.fragments.prune()


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


def remove_stale(output_path, names):
    """Files the last build wrote and this one does not (a deleted report, an image gone from content/) go,
    with their compressed copies (publishconf's), as a staged build's commit removes them."""
    for name in names:
        path = os.path.join(output_path, name)
        if os.path.isfile(path):
            os.unlink(path)
            for suffix in COMPRESSED:
                if os.path.isfile(path + suffix):
                    os.unlink(path + suffix)
            remove_empty_parents(path, output_path)
