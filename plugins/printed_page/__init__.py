"""Printed page plugin: a 版 with its page PDF shows the page's picture with a link over each of
its reports, offers the PDF, and is shown as a thumbnail in 版面导航; a report shows where it ran.

Editors commit content/<date>/<page>.pdf, and content/<date>/<page>.yml with the zones of the
reports the build cannot place itself (sidecar.py). A process beside the build catalogues the
PDFs from its start and makes the pictures of new ones (store.prepare); once the editions are
known, each page's zones are found (or taken from the last build) and given to the templates
(page.PrintedPage as EditionPage.printed). A PDF or sidecar in error stops the build with one
line per problem; a report that cannot be placed is a warning printed with the build's output
(a logged warning would stop a build run with --fatal warnings: the page is still published,
with that report in its list but not on its picture).
"""

import logging
import os
import shutil
import sys

from pelican import signals

from news_photos.markup import picture_html
from news_photos.store import more_pictures
from site_build import beside, state
from site_build.pelican_internals import log_every
from site_build.state import build_of

from .layer import PageError, read_layer
from .page import PrintedPage, placed, plain_text, zones_from_json, zones_to_json
from .picture import derive_page
from .sidecar import SidecarError, no_report_on, read_sidecar, sidecar_text, without_pdf
from .store import Layers, Timed, ZoneTable, picture_jobs, prepare, zone_key
from .zones import find_zones

logger = logging.getLogger(__name__)


def start(pelican):
    """Catalogue the page PDFs and read new ones' text layers beside the build, from its start (each
    run); new pages' pictures are made with the photos (picture_jobs, sent by news_photos)."""
    settings = pelican.settings
    cache = os.path.join(settings["CACHE_PATH"], "photos")
    build = build_of(settings)
    layers = Layers.beside(cache)
    build.printed_pages = {"prepared": beside.start(prepare, settings["PATH"], cache, layers), "layers": layers, "pdfs": []}
    settings.setdefault("JINJA_GLOBALS", {})["page_picture"] = page_picture


def page_picture(printed, alt, where, lead=False):
    """A printed page's <picture>, written where every picture is (photos.markup)."""
    return picture_html(printed.picture, alt, where, lead)


def label(path):
    """A path as the editor knows it: relative to the working folder when inside it."""
    path = os.path.abspath(path)
    here = os.getcwd()
    return os.path.relpath(path, here) if path.startswith(here + os.sep) else path


class Reading:
    """This build's reading of the printed pages: each 版's PDF, sidecar and zones; the problems."""

    def __init__(self, settings, files, found, layers):
        self.settings = settings
        self.content = settings["PATH"]
        self.shelf = settings["PHOTO_SHELF"]
        self.files, self.found, self.layers = files, found, layers
        self.problems, self.warnings = [], []
        self.used = set()  # the PDFs and sidecars of the edition's pages
        self.found_now = 0  # pages whose zones were found in this build (not kept from the last)

    def problem(self, name, line, field, what, expected):
        self.problems.append(f"{label(os.path.join(self.content, name))}:{line}: {field}: {what} — {expected}")

    def attach(self, editions):
        """Give each 版 with a PDF its PrintedPage, and register its picture to be published."""
        pages = [page for edition in editions for page in edition.pages]
        wanted = [entry for entry in map(self.wanted, pages) if entry]
        for lower, name in sorted(self.files.items()):
            if name not in self.used and lower.endswith(".pdf"):
                what, expected = no_report_on(lower[:-4])
                self.warnings.append(f"{label(os.path.join(self.content, name))}:1: warning: {what} — {expected}")
        table = ZoneTable(self.settings["CACHE_PATH"])
        try:
            kept = table.get([entry[-1] for entry in wanted])
            fresh = {}
            for page, name, photo, sidecar, text, key in wanted:
                value = kept.get(key) or fresh.get(key)
                if value is None:
                    value = self.find(page, name, photo, sidecar, text)
                    if value is None:
                        continue
                    fresh[key] = value
                    self.found_now += 1
                self.give(page, name, photo, key, *zones_from_json(value))
            if not self.problems:
                table.keep({entry[-1] for entry in wanted}, fresh)
        finally:
            table.close()

    def wanted(self, page):
        """(page, PDF, PagePhoto, sidecar, its text, zone key) of a 版 with a PDF; None without one."""
        stem = f"{page.edition.date.isoformat()}/{page.slug}"
        name = self.files.get(stem + ".pdf")
        sidecar = self.files.get(stem + ".yml") or self.files.get(stem + ".yaml")
        self.used.update((name, sidecar))
        if name is None:
            if sidecar:
                self.problem(sidecar, 1, "file", *without_pdf(stem))
            return None
        photo = self.found[name]
        if isinstance(photo, PageError):
            self.problem(name, 1, "file", photo.what, photo.expected)
            return None
        text = None
        if sidecar:
            try:
                text = sidecar_text(os.path.join(self.content, sidecar))
            except SidecarError as error:
                for each in error.problems:
                    self.problem(sidecar, each.line, each.field, each.what, each.expected)
                return None
        reports = tuple((item.slug, item.title, getattr(item, "source_digest", None)) for item in page.items)
        return page, name, photo, sidecar, text, zone_key(photo.key, text, reports)

    def find(self, page, name, photo, sidecar, text):
        """The zones of a page not seen before in this form, as zones_to_json gives them; None on a problem."""
        layer = self.layers.get(photo.key)
        if layer is None:
            try:
                with open(os.path.join(self.content, name), "rb") as handle:
                    layer = read_layer(handle.read())
            except PageError as error:
                self.problem(name, 1, "file", error.what, error.expected)
                return None
        drawn = {}
        if text is not None:
            try:
                drawn = read_sidecar(text, layer.width, layer.height, {item.slug for item in page.items})
            except SidecarError as error:
                for each in error.problems:
                    self.problem(sidecar, each.line, each.field, each.what, each.expected)
                return None
        # Every report's text is looked for, drawn or not: a run of text is a report's only if no other has it.
        found, unplaced = find_zones(layer, {item.slug: (item.title, plain_text(item.content)) for item in page.items})
        return zones_to_json(layer.width, layer.height, found | drawn, [slug for slug in unplaced if slug not in drawn])

    def give(self, page, name, photo, key, width, height, zones, unplaced):
        stem = name[: -len(".pdf")].lower()
        picture = self.shelf.add(f"images/pages/{stem}.pdf", name, photo, derive_page)
        source = os.path.join(self.content, name)
        pdf_url = f"{page.url}{page.slug}.pdf"
        build = build_of(self.settings)
        build.named_files[pdf_url] = "pdf:" + photo.key
        build.printed_pages["pdfs"].append((source, pdf_url, build.named_files[pdf_url]))  # in the build's record: a PDF gone from content/ leaves the site
        page.printed = PrintedPage(picture, pdf_url, os.stat(source).st_size, width, height, placed(page.items, zones))
        page.edition.printed_key += f"{page.slug}:{key};"
        for item in page.items:
            # The report's page shows the page's picture and its zone (its locator): a new one renders it again.
            item.photo_keys = (*getattr(item, "photo_keys", ()), f"{photo.key}:{key}")
            if item.slug in unplaced:
                self.warn_unplaced(item, name, stem)

    def warn_unplaced(self, item, name, stem):
        sidecar = label(os.path.join(self.content, stem + ".yml"))
        example = f"zones: [{{report: {item.slug}, rect: [left, top, width, height]}}]"
        self.warnings.append(
            f"{label(item.source_path)}:1: warning: not found on its printed page {label(os.path.join(self.content, name))}, so it has no zone on the page's picture"
            f" — draw its zone in {sidecar}, e.g. “{example}”, in PDF points from the page's top-left"
        )


def attach(generators):
    """Once the editions are known: each 版 its printed page; the problems stop the build."""
    printed = build_of(generators[0].settings).printed_pages
    if not printed or printed.get("prepared") is None:
        return
    layers = printed.pop("layers")
    try:
        with Timed() as waited:
            try:
                files, found, read, beside_timed = beside.result(printed.pop("prepared"))
            except beside.Failed as error:
                raise SystemExit(f"Reading the printed pages failed:\n{error}") from None
        generator = generators[0]
        reading = Reading(generator.settings, files, found, layers)
        with Timed() as zoned:
            reading.attach(generator.context.get("editions") or [])
    finally:
        layers.remove()
    if read or reading.found_now:  # the benchmark reads this line (tests/benchmark/run.py)
        logger.info(
            "printed pages: %d PDFs read beside the build in %s, waited for %s; zones of %d pages found in %s",
            read,
            beside_timed,
            waited,
            reading.found_now,
            zoned,
        )
    for warning in reading.warnings:
        # Written, not logged: under --fatal warnings a logged warning would hold the day's paper back
        # over one zone, and at INFO a plain `pelican` would not show it. The page is published all the same.
        print(warning, file=sys.stderr)
    if reading.problems:
        log_every(logger, reading.problems)
        # SystemExit, not an exception: Pelican would log a traceback over the list.
        raise SystemExit(f"{len(reading.problems)} problem(s) in printed pages; nothing was built.")


def publish_pdfs(pelican):
    """Each page PDF in the site as committed, unless the last build has the same bytes already (its
    record, read before this build wrote its own, says so, and its folder has the file): a fresh
    checkout, which gives every PDF a new time, copies none again.

    A copy with the file's time, not a hard link: an editor's tool that saves over the PDF in
    place must not change the published one before a build has checked it."""
    build = build_of(pelican.settings)
    last = pelican.settings.get("LAST_OUTPUT") or pelican.output_path
    for source, url, digest in (build.printed_pages or {}).get("pdfs", ()):
        target = os.path.join(pelican.output_path, url)
        if build.pdfs_before.get(url) == digest and os.path.isfile(os.path.join(last, url)):
            continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if os.path.lexists(target):
            os.unlink(target)  # a new inode: the old file may be a hard link into the last build
        shutil.copy2(source, target)


publish_pdfs.reads_written_pages = False  # incremental: it may come before the pages are written


def register():
    signals.get_generators.connect(state.begin)  # a Build for each run, before this plugin's own handler
    signals.get_generators.connect(start)
    signals.all_generators_finalized.connect(attach)
    signals.finalized.connect(publish_pdfs)
    more_pictures.connect(picture_jobs)  # new pages' pictures, made with the photos beside the build
