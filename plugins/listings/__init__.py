"""Listings plugin: tag, person and section pages and their feeds, written in linear time.

Pelican's own tag, author and category pages compare every list against
every item (`article in articles` inside a loop over all items): quadratic
in the archive. This plugin takes those lists from Pelican once they are
built, writes the pages with stable pagination (`pages.paginate`) and the
Atom feeds itself, and leaves Pelican's loops with nothing to do.
"""

from pelican import signals
from pelican.generators import Generator

from site_build.pelican_internals import take_listings

from .pages import paginate

KINDS = (
    # (Pelican's list on the generator, template, template variable, feed setting)
    ("tags", "tag", "tag", "TAG_FEED_ATOM"),
    ("authors", "author", "author", "AUTHOR_FEED_ATOM"),
    ("categories", "category", "category", "CATEGORY_FEED_ATOM"),
)


def take_over_lists(generator):
    """Keep Pelican's (wrapper → items) lists for ourselves; empty them for Pelican."""
    generator.context["listings"] = take_listings(generator)


class ListingsGenerator(Generator):
    def generate_context(self):
        pass

    def generate_output(self, writer):
        settings, lists = self.settings, self.context.get("listings", {})
        size = settings.get("DEFAULT_PAGINATION") or 50
        for name, template_name, variable, feed_setting in KINDS:
            template = self.get_template(template_name)
            feed = settings.get(feed_setting)
            for wrapper, items in lists.get(name, []):
                pages = paginate(items, size, wrapper.url, wrapper.save_as, wrapper.url + "page/{number}/", wrapper.url + "page/{number}/index.html")
                for page in pages:
                    writer.write_file(page.save_as, template, self.context, url=page.url, articles=items, listing=page, **{variable: wrapper})
                if feed:
                    path = feed.format(slug=wrapper.slug)
                    writer.write_feed(items[: settings["FEED_MAX_ITEMS"]], self.context, path, feed_title=wrapper.name)


def get_generators(pelican):
    return ListingsGenerator


def register():
    signals.article_generator_finalized.connect(take_over_lists)
    signals.get_generators.connect(get_generators)
