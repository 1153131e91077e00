"""sitemap.xml (an index of a sitemap per month of editions and one of the lists), a Google News
sitemap, and robots.txt naming both.

A month's sitemap holds its editions, their pages and their reports (each with the time it last
changed): a new day makes its own month's again, and the others stay as they are (a build carries
them when none of their editions changed: news_meta.SitemapGenerator)."""

import itertools
from datetime import timedelta
from xml.sax.saxutils import escape

SITEMAP = "sitemap.xml"
SITEMAP_LIMIT = 50_000
NEWS_LIMIT = 1_000
NEWS_WINDOW = timedelta(days=2)
DAY = timedelta(days=1)
URLSET = '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"{extra}>\n{body}</urlset>\n'
NEWS_NS = ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'


def url_entry(loc, lastmod=None):
    if "&" in loc or "<" in loc or ">" in loc:  # escaped only when it must be: a sitemap has a line a page
        loc = escape(loc)
    if lastmod:
        return f"<url><loc>{loc}</loc><lastmod>{lastmod.isoformat()}</lastmod></url>\n"
    return f"<url><loc>{loc}</loc></url>\n"


PARTS = "sitemaps/"  # the parts the index names: sitemaps/2024-01.xml (a month), sitemaps/lists.xml


def part_names(name, urls):
    """The files of a part of `urls` URLs: PARTS + name + .xml, and -2, -3, … past 50,000 URLs each."""
    return [f"{PARTS}{name}{'' if n == 1 else f'-{n}'}.xml" for n in range(1, max(1, -(-urls // SITEMAP_LIMIT)) + 1)]


def part_files(name, entries):
    """{filename: xml} of a part: [(loc, lastmod)] in files of 50,000 at most (part_names)."""
    names = part_names(name, len(entries))
    return {file: urlset(entries[n * SITEMAP_LIMIT : (n + 1) * SITEMAP_LIMIT]) for n, file in enumerate(names)}


def urlset(entries):
    return URLSET.format(extra="", body="".join(url_entry(*e) for e in entries))


def sitemap_index(files, base):
    """The index naming every part (files: their names), by absolute URL."""
    body = "".join(f"<sitemap><loc>{escape(base + '/' + name)}</loc></sitemap>\n" for name in files)
    return f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{body}</sitemapindex>\n'


def news_sitemap(articles, now, absolute, publication, language="zh-cn"):
    """Google's rules: items of the last two days only, at most 1,000, newest first."""
    recent = sorted((a for a in articles if now - NEWS_WINDOW <= a.date <= now), key=lambda a: a.date, reverse=True)[:NEWS_LIMIT]
    body = "".join(
        f"<url><loc>{escape(absolute(a.url))}</loc><news:news><news:publication><news:name>{escape(publication)}</news:name>"
        f"<news:language>{language}</news:language></news:publication>"
        f"<news:publication_date>{a.date.isoformat()}</news:publication_date><news:title>{escape(a.title)}</news:title></news:news></url>\n"
        for a in recent
    )
    return URLSET.format(extra=NEWS_NS, body=body)


def from_the_newest(articles, since):
    """Of articles in page order (newest edition first: edition.model.page_order), those up to the first
    dated more than two days before `since`: no later one can be dated from `since` on (an edition's items
    share its day, in any order of their times). Two passes over 200,000 reports took 0.2 s."""
    margin = since - 2 * DAY
    return itertools.takewhile(lambda article: article.date >= margin, articles)


def news_sitemap_changes(articles, now):
    """The first moment after now at which news_sitemap would list other items (one enters or leaves its
    two days), with nothing changed but the time; None if never. A build with nothing changed before it
    may be skipped (publishing.inputs); at or after it, it is made again."""
    cutoff = now - NEWS_WINDOW
    return min((a.date + NEWS_WINDOW if a.date <= now else a.date for a in articles if a.date >= cutoff), default=None)


def robots_txt(base, sitemaps):
    """Every crawler may read every page; the sitemaps by absolute URL, as robots.txt requires."""
    lines = ["User-agent: *", "Disallow:", "", *(f"Sitemap: {base}/{name}" for name in sitemaps)]
    return "\n".join(lines) + "\n"
