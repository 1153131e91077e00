"""In which order a publish sends the objects of a release, so that a reader never gets a page
that links to an object not yet there.

Everything new goes first: no page already public links to a new object, so until a page that
changed goes up, the new objects are out of readers' way, whatever their order. Then what
changed, by what links to what: assets (images, CSS, JS, the search index's chunks), report
pages, the search index's entry points (they name the chunks), the pages that list reports (版
pages, editions, tag, reporter and section lists, the front page last), then feeds, sitemaps, and
the sitemap index and robots.txt that name them. Objects no longer in the build are deleted last.
Within each phase the same tiers keep new things coherent too: a new 版 page goes up after its new
reports, a new day's pages before the front page that shows them.
"""

import re

TIERS = ("assets", "reports", "search index", "pages", "feeds")
REPORT = re.compile(r"^\d{4}-\d{2}-\d{2}/[^/]+/[^/]+/index\.html$")
EDITION_PAGE = re.compile(r"^\d{4}-\d{2}-\d{2}/[^/]+/index\.html$")  # a 版: its reports in printed order
EDITION = re.compile(r"^\d{4}-\d{2}-\d{2}/index\.html$")


def rank(path):
    """(tier, place within the tier) of a file of the edition; a lower one goes up first."""
    if path.endswith(".html"):
        if REPORT.match(path):
            return 1, 0
        if EDITION_PAGE.match(path):
            return 3, 0
        if EDITION.match(path):
            return 3, 1
        return (3, 3) if path == "index.html" else (3, 2)
    if path.startswith("pagefind/"):
        if path.endswith("/pagefind-entry.json"):
            return 2, 0  # names the shard's metadata file, which names its chunks
        return (2, 1) if path == "pagefind/shards.json" else (0, 0)  # the list of shards the search page merges
    if path.endswith(".xml") or path == "robots.txt":
        if path.startswith("feeds/"):
            return 4, 0
        return (4, 2) if path in ("sitemap.xml", "robots.txt") else (4, 1)  # the index after the sitemaps it names
    return 0, 0


def stages(live, wanted, dirty=frozenset(), force=False):
    """[(stage, [group, …]), …]: the paths to send, by stage; a group's paths may go at once, a
    group after the one before it. `live`, `wanted`: {path: entry} of the release readers get and
    the one to publish; `dirty`: paths whose object is not known to be live's (a publish cut short);
    `force`: send everything (the headers changed)."""
    send = [path for path, entry in wanted.items() if force or path in dirty or live.get(path) != entry]
    phases = (("new", [p for p in send if p not in live]), ("changed", [p for p in send if p in live]))
    result = []
    for phase, paths in phases:
        ranked = {}
        for path in paths:
            ranked.setdefault(rank(path), []).append(path)
        for tier, name in enumerate(TIERS):
            groups = [sorted(ranked[key]) for key in sorted(ranked) if key[0] == tier]
            result.append((f"{phase} {name}", groups))
    return result


def deletions(live, wanted, dirty=frozenset()):
    """What goes once the new release is up: objects it no longer has, and any a cut-short publish left."""
    return sorted(path for path in set(live) | set(dirty) if path not in wanted)


def stage_names():
    return [f"{phase} {name}" for phase in ("new", "changed") for name in TIERS]
