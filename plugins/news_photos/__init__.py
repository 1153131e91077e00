"""Photos plugin: every photo a report shows, published as the pipeline makes it, never as sent.

An editor's photo under content/images/ is a lead photo (`Image:`) or a photo in the text
(`![说明]({static}images/…)`). Pelican still knows it as a static file, so that {static} links
resolve, but does not copy it: the original may carry a GPS position and weigh megabytes.
Templates show it with the `picture` global (photos.markup); photos in the text are rewritten
to the same markup by the `with_photos` filter. The derivatives are made once per photo and
recipe, into cache/photos/, and linked into the output (photos.store).
"""

import logging
import os

from markupsafe import escape
from pelican import signals

from site_build import beside, state
from site_build.pelican_internals import FeedHook, add_feed_hook
from site_build.state import build_of, processes_of
from staging.manifest import manifest_before

from .markup import feed_image_html, picture_html, rewrite_body
from .picture import Picture
from .pipeline import SUFFIXES, Photo, derive
from .store import Catalog, Timed, Turns, make_all, prepare, publish, published_names

logger = logging.getLogger(__name__)


def is_photo(path):
    """A file published only as the pipeline makes it: any JPEG, PNG or WebP file in content/."""
    return path.lower().endswith(SUFFIXES)


class Shelf(FeedHook):
    """This build's photos: what the catalogue says of each one a report shows."""

    def __init__(self, settings):
        self.settings = settings
        self.content = settings["PATH"]
        self.cache = os.path.join(settings["CACHE_PATH"], "photos")
        self.siteurl = settings.get("SITEURL", "")
        self.photos = {}  # path under content/ → Photo
        self.made_from = {}  # name in the site → (path under content/, Photo, derive): pictures of other files

    def catalogue(self, paths, known=None):
        """What each photo shown is: known, as this build's check found it, or else from the catalogue."""
        catalog = Catalog(self.cache)
        try:
            found = catalog.look_up(self.content, sorted(paths), known)
        finally:
            catalog.close()
        self.photos = {path: entry for path, entry in found.items() if isinstance(entry, Photo)}
        self.made_from = {}  # a new run (`pelican -r`): the printed pages give theirs again
        return found

    def picture(self, path, siteurl=None):
        photo = self.photos.get(path) if path else None
        return Picture(path, photo, self.siteurl if siteurl is None else siteurl) if photo else None

    def markup(self, path, alt, where="body", lead=False):
        picture = self.picture(path)
        return picture_html(picture, alt, where, lead) if picture else ""

    def body(self, html):
        return rewrite_body(html, self.siteurl, self.picture)

    def entry(self, fields, item, siteurl, atom):
        """A report's entry in a feed shows its photos as its page does: the lead photo first, with its
        caption and credit, and each photo of the text, as JPEGs at their address on the site (the
        editor's file, which the text links to, is never published); a photo news item's credit
        without its photo as a line of its own."""

        def published(html):
            return str(rewrite_body(html, siteurl, lambda path: self.picture(path, siteurl), feed_image_html))

        key = "content" if atom else "description"
        summary_only = not atom and self.settings.get("RSS_FEED_SUMMARY_ONLY")
        if (atom or summary_only) and fields.get("description") and "<img" in fields["description"]:  # a summary Pelican cut from the text
            fields["description"] = published(fields["description"])
        if fields.get(key) is None or summary_only:
            return
        image, caption, credit = (getattr(item, name, None) for name in ("image", "caption", "credit"))
        lead = self.picture(image, siteurl)
        shown = published(fields[key])
        if lead:
            line = " ".join(escape(text) for text in (caption, credit) if text)
            figcaption = f"<figcaption>{line}</figcaption>" if line else ""
            header, text = ("", shown) if not shown.startswith("<header>") else shown.split("</header>", 1)
            header = header and header + "</header>"  # the decks (news_meta.deck_header), then the photo
            shown = f"{header}<figure>{feed_image_html(lead, caption or item.title)}{figcaption}</figure>{text}"
        elif credit and getattr(item, "kind", None) == "photo":
            shown += f"<p>{escape(credit)}</p>"
        fields[key] = shown

    def add(self, source, path, photo, derive):
        """A picture made from another file by derive (a printed page from its PDF at `path`),
        published as photos are, under the name `source` gives it; its Picture."""
        self.made_from[source] = (path, photo, derive)
        return Picture(source, photo, self.siteurl)

    def pictures(self):
        """(name it is published under, its file, Photo, how it is derived) of every picture of this build."""
        for path, photo in self.photos.items():
            yield path, os.path.join(self.content, path), photo, derive
        for source, (path, photo, how) in self.made_from.items():
            yield source, os.path.join(self.content, path), photo, how

    def published(self):
        """{name in the site: digest} of every file the pictures of this build publish (the key is in
        the name). In the build's record with the pages (incremental): a file no longer published
        leaves the output as a page does."""
        return {name: "picture:" + photo.key for source, _, photo, _ in self.pictures() for name in published_names(source, photo)}

    def publish(self, output, processes, previous, last, early=()):
        """Make what is missing of every picture's derivatives, on every core; link into output those the
        last build (its record: previous; its folder: last) does not have. A build where no photo
        changed touches none. The record is checked against the folder by one file of each picture: a
        build cut short after its record was written (in place) must not leave a picture out for good."""
        with Timed() as timed:
            made_beside = []
            for started in early:  # pictures made beside the build (photos, printed pages): what is left is made below
                try:
                    made_beside.extend(beside.result(started))
                except beside.Failed as error:
                    raise SystemExit(f"Making the pictures failed:\n{error}") from None
            new = []
            for source, path, photo, how in self.pictures():
                names = list(published_names(source, photo))
                if any(name not in previous for name in names) or not os.path.exists(os.path.join(last, names[0])):
                    new.append((source, path, photo, how))
            made = len(make_all([(path, photo, how) for _, path, photo, how in new], self.cache, processes))
            for source, _, photo, _ in new:
                publish(source, photo, self.cache, output)
        if new or any(count for _, count, _ in made_beside):  # the benchmark reads this line (tests/benchmark/run.py)
            logger.info(
                "photos: %d pictures published (photos and printed pages), %d of them made now, in %s; made beside the build: %s",
                len(new),
                made,
                timed,
                ", ".join(f"{count} {kind} in {beside_timed}" for kind, count, beside_timed in made_beside),
            )


def article_photos(article):
    """The photos an article shows: its lead photo, then those its text links to."""
    paths = []
    image = article.__dict__.get("image")  # not getattr: a cached report without one would look among its other fields
    if image:
        paths.append(image)
    for names in article.__dict__.get("linked") or ():
        paths.extend(name for name in names[:1] if is_photo(name))
    return paths


def start(pelican):
    """Make new photos' derivatives beside the build, from its start (each run)."""
    settings = pelican.settings
    processes = processes_of(settings)
    build = build_of(settings)
    build.picture_turns = Turns(processes)  # the build holds one core's turn until it waits for the pictures
    build.pictures_early.append(beside.start(prepare, settings["PATH"], os.path.join(settings["CACHE_PATH"], "photos"), processes, build.picture_turns))


def configure(pelican):
    shelf = Shelf(pelican.settings)
    pelican.settings["PHOTO_SHELF"] = shelf
    add_feed_hook(pelican.settings, shelf)
    pelican.settings.setdefault("JINJA_GLOBALS", {}).update(picture=shelf.markup, photo=shelf.picture)
    pelican.settings.setdefault("JINJA_FILTERS", {})["with_photos"] = shelf.body


def hold_back_originals(generator):
    """Pelican keeps knowing each photo (for {static} links) but publishes only its derivatives."""
    generator.staticfiles[:] = [static for static in generator.staticfiles if not is_photo(static.relative_source_path.replace(os.sep, "/"))]


def catalogue(generator):
    shelf = generator.settings["PHOTO_SHELF"]
    # Most show none: asked only of those with a lead photo or links.
    shown = {
        article: paths
        for article in generator.articles
        if ((state := article.__dict__).get("image") or state.get("linked")) and (paths := article_photos(article))
    }
    build = build_of(generator.settings)
    found = shelf.catalogue({path for paths in shown.values() for path in paths}, build.photos_checked)
    build.photos_checked = {}
    build.file_lists.append(shelf.published)
    # What the last build published, read before this one writes its own record (in place, the same file).
    last = generator.settings.get("LAST_OUTPUT") or generator.output_path
    before = manifest_before(build, last)
    build.photos_before = {name for name, value in before.items() if value and value.startswith("picture:")}
    build.pdfs_before = {name: value for name, value in before.items() if value and value.startswith("pdf:")}
    for article, paths in shown.items():
        if paths:  # a page shows the photo's key in its file names: a new photo renders it again
            article.photo_keys = tuple(getattr(found.get(path), "key", None) for path in paths)


def publish_photos(pelican):
    settings = pelican.settings
    processes = processes_of(settings)
    last = settings.get("LAST_OUTPUT") or pelican.output_path
    build = build_of(settings)
    early, build.pictures_early = build.pictures_early, []
    if build.picture_turns is not None:
        build.picture_turns.give_back()  # the build now waits: its core makes pictures too
    settings["PHOTO_SHELF"].publish(pelican.output_path, processes, build.photos_before, last, early)


publish_photos.reads_written_pages = False  # incremental: it may come before the pages are written


def register():
    signals.initialized.connect(configure)
    signals.get_generators.connect(state.begin)  # a Build for each run, before this plugin's own handler
    signals.get_generators.connect(start)
    signals.static_generator_finalized.connect(hold_back_originals)
    signals.article_generator_finalized.connect(catalogue)
    signals.finalized.connect(publish_photos)
