"""News metadata for machines: JSON-LD per report, sitemap.xml, a Google News sitemap and robots.txt.

Templates get two filters: `news_json_ld` (a report → its NewsArticle JSON)
and `absolute` (a site URL → an absolute one, for canonical and Open Graph).
"""

import datetime
import os
from zoneinfo import ZoneInfo

from pelican import signals
from pelican.generators import Generator

from staging.manifest import write_expires

from .sitemaps import SITEMAP, news_sitemap, news_sitemap_changes, robots_txt, sitemap_files
from .structured import absolute, json_ld, news_article


class SitemapGenerator(Generator):
    def generate_context(self):
        pass

    def listed_pages(self):
        """Every page a reader can reach, with the time it last changed where known."""
        context = self.context
        yield "", None
        yield context["EDITIONS_URL"], None
        for edition in context.get("editions", []):
            yield edition.url, None
            yield from ((page.url, None) for page in edition.pages)
        for article in context["articles"]:
            # Not getattr: a cached report without a correction would look for one among its other fields.
            yield article.url, article.__dict__.get("modified", article.date)
        for key in ("tags", "authors", "categories"):
            yield context[f"{key.upper()}_URL"], None
            yield from ((wrapper.url, None) for wrapper, _ in context[key])

    def generate_output(self, writer):
        settings = self.settings
        site = absolute(settings, "")  # every URL is the site's and its own: joined here, not by a call each
        entries = [(site + url, lastmod) for url, lastmod in self.listed_pages()]
        files = sitemap_files(entries, settings.get("SITEURL", ""))
        now = datetime.datetime.now(ZoneInfo(settings["TIMEZONE"]))
        news = news_sitemap(self.context["articles"], now, lambda url: absolute(settings, url), settings["SITENAME"])
        xml_files = files | {settings["NEWS_SITEMAP_SAVE_AS"]: news}
        # Sitemap URLs must be absolute: a local build (SITEURL "") names them on FEED_DOMAIN, as its feeds.
        robots = robots_txt(settings.get("SITEURL") or settings.get("FEED_DOMAIN") or "", [SITEMAP, settings["NEWS_SITEMAP_SAVE_AS"]])
        texts = {name: '<?xml version="1.0" encoding="UTF-8"?>\n' + xml for name, xml in xml_files.items()} | {"robots.txt": robots}
        for name, text in texts.items():
            path = os.path.join(self.output_path, name)
            os.makedirs(self.output_path, exist_ok=True)
            if os.path.lexists(path):
                os.unlink(path)  # may be a hard link into the last build: never write through it
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
        write_expires(self.output_path, news_sitemap_changes(self.context["articles"], now))


def configure(pelican):
    settings = pelican.settings
    settings.setdefault("NEWS_SITEMAP_SAVE_AS", "news-sitemap.xml")
    filters = settings.setdefault("JINJA_FILTERS", {})
    filters["news_json_ld"] = lambda article: json_ld(news_article(article, settings))
    filters["absolute"] = lambda url: absolute(settings, url)


def get_generators(pelican):
    return SitemapGenerator


def register():
    signals.initialized.connect(configure)
    signals.get_generators.connect(get_generators)
