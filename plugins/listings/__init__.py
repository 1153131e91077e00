"""Listings plugin: tag, person and section pages and their feeds, written in linear time.

Pelican's own tag, author and category pages compare every list against
every item (`article in articles` inside a loop over all items): quadratic
in the archive. This plugin takes those lists from Pelican once they are
built, writes the pages with stable pagination (`pages.paginate`) and the
feeds itself (Atom, and RSS where its *_FEED_RSS setting asks), and leaves
Pelican's loops with nothing to do.
"""

from pelican import signals
from pelican.generators import Generator

from site_build.pelican_internals import FeedHook, add_feed_hook, take_listings

from .pages import paginate

KINDS = (
    # (Pelican's list on the generator, template, template variable, feed settings)
    ("tags", "tag", "tag", "TAG_FEED"),
    ("authors", "author", "author", "AUTHOR_FEED"),
    ("categories", "category", "category", "CATEGORY_FEED"),
)
FEED_TYPES = (("ATOM", "atom"), ("RSS", "rss"))  # (setting suffix, Pelican's feed_type)


def take_over_lists(generator):
    """Keep Pelican's (wrapper → items) lists for ourselves; empty them for Pelican."""
    generator.context["listings"] = take_listings(generator)


class FeedPages(FeedHook):
    """A tag's, person's or section's feed links to its page (FEED_HOOKS): Pelican links every feed to the
    front page, and a feed reader's link to the site should open what the feed follows."""

    def __init__(self):
        self.pages = {}  # a feed's URL, as Pelican's writer makes it → its page's URL in the site

    def add(self, feed_url, url):
        self.pages[feed_url] = url

    def feed(self, feed, url):
        page = self.pages.get(url)
        if page is not None:
            feed.feed["link"] += page  # the site's URL and "/", as Pelican gives it


class ListingsGenerator(Generator):
    def generate_context(self):
        pass

    def generate_output(self, writer):
        settings, lists = self.settings, self.context.get("listings", {})
        feed_pages = FeedPages()
        add_feed_hook(settings, feed_pages)
        size = settings.get("DEFAULT_PAGINATION") or 50
        for name, template_name, variable, feed_setting in KINDS:
            template = self.get_template(template_name)
            feeds = [(settings[feed_setting + "_" + suffix], feed_type) for suffix, feed_type in FEED_TYPES if settings.get(feed_setting + "_" + suffix)]
            for wrapper, items in lists.get(name, []):
                pages = paginate(items, size, wrapper.url, wrapper.save_as, wrapper.url + "page/{number}/", wrapper.url + "page/{number}/index.html")
                for page in pages:
                    writer.write_file(page.save_as, template, self.context, url=page.url, articles=items, listing=page, **{variable: wrapper})
                for feed, feed_type in feeds:
                    path = feed.format(slug=wrapper.slug)
                    feed_pages.add(writer.urljoiner(self.context.get("FEED_DOMAIN") or "", path), wrapper.url)  # the URL Pelican's writer gives it
                    writer.write_feed(items[: settings["FEED_MAX_ITEMS"]], self.context, path, feed_title=wrapper.name, feed_type=feed_type)


def get_generators(pelican):
    return ListingsGenerator


def register():
    signals.article_generator_finalized.connect(take_over_lists)
    signals.get_generators.connect(get_generators)
