"""Static full-text search: Pagefind's extended build indexes the written site.

The extended build segments Chinese, so 社保认证 finds the report on
社会保险待遇资格认证; only pages marked `data-pagefind-body` (reports) are
indexed. Pagefind holds a whole index in memory (about a third of a
megabyte per report) and cannot add to one, so the archive is indexed in
shards, listed in pagefind/shards.json for the search page to merge: a shard
per week (pagefind/<year>-W<week>/), and a shard per day for the days of the
newest week (pagefind/<date>/), so that a new day is indexed alone. A build
re-indexes only the shards whose reports changed as Pagefind reads them: the
report element of each page. Whether the report pages changed at all is known
from the digests of their inputs, with no file opened (a new day's link on
the day before, outside the reports, does not count); only when they did are
the shard's pages read, so that a change outside the report element (a new
footer on every page) indexes nothing again. The week a new week's first day
closes is indexed with that day, once Pelican has exited: indexed beside
Pelican, its Pagefind (some 350 MB for a week's thousand reports) was held at
once with the loaded archive, and a Monday's build peaked at 1.2 GB at 200,000
reports. Each shard is listed with its wave (waves_of): the search page
searches the newest wave first and shows its results while it searches the
next, older one, so that a reader's first results cost what the newest shards
cost, not what the whole archive does. Runs when the pages are written (after the incremental plugin); in
a staged build (SEARCH_AFTER_BUILD, set by publishing.build) it runs after
Pelican has exited (`python -m edition_search`), so that the index and the
site are never both in memory. The names of its files in a staged build, and
the removal of the shards no longer listed, are staging's.

Named edition_search, not search: Pelican loads an installed namespace plugin
of the same short name (pelican-search's pelican.plugins.search) in place of
a local one.
"""

import datetime
import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import orjson

from site_build.listing import is_edition_folder
from site_build.state import build_of, processes_of
from staging import SEARCH_FOLDER, SEARCH_PENDING, SHARDS
from staging.commit import drop_unlisted_shards
from staging.manifest import read_manifest  # every page the build wrote, with its digest

UNUSED = ("pagefind-ui", "pagefind-component-ui", "pagefind-modular-ui", "pagefind-highlight")


class SearchIndexFailed(Exception):
    pass


def week_of(folder_name):
    year, week, _ = datetime.date.fromisoformat(folder_name).isocalendar()
    return f"{year}-W{week:02d}"


def shards_of(pages):
    """{shard: [edition folders]} for every edition built, newest first.

    A week before the newest edition's is a shard of its own (2020-W52); each day of the newest
    edition's week is one (2020-12-28), so that a new day is indexed alone, not with its week.
    """
    folders = sorted({folder for folder in {page.partition("/")[0] for page in pages} if is_edition_folder(folder)}, reverse=True)
    open_week = week_of(folders[0]) if folders else None
    shards = {}
    for name in folders:
        week = week_of(name)
        shards.setdefault(name if week == open_week else week, []).append(name)
    return shards


# Where the search page's waves end: a shard whose newest edition is under 7 days older than the
# newest edition is in the first wave (the newest week and the one before, some 1,000–2,000
# reports), under 35 days in the second, and so on; the rest of the archive is the last wave.
WAVES = (7, 35, 182, 730)


def waves_of(shards, limits=WAVES):
    """{shard: wave}: 0 for the newest shards, one more past each limit (days before the newest edition)."""
    newest = {name: datetime.date.fromisoformat(folders[0]) for name, folders in shards.items()}
    latest = max(newest.values(), default=None)
    return {name: sum((latest - date).days >= limit for limit in limits) for name, date in newest.items()}


def shard_digests(shards, pages, reports):
    """{shard: digest}: changes whenever a report page of the shard changes or goes.

    Taken from the digests the incremental writer recorded for every page, so no file is opened.
    Only reports are indexed: a change to another page of the week (an edition's page list, its
    link to the next edition) leaves the week's index as it was.
    """
    week_of_folder = {folder: name for name, folders in shards.items() for folder in folders}
    listed = {name: [] for name in shards}
    for page in reports:
        week = week_of_folder.get(page.partition("/")[0])
        if week is not None and page in pages:
            value = pages[page]
            # A page with no digest is rendered every time: its week is indexed every time.
            listed[week].append(f"{page}:{value if value is not None else os.urandom(8).hex()}")
    return {name: hashlib.blake2b("\n".join(sorted(entries)).encode(), digest_size=16).hexdigest() for name, entries in listed.items()}


def complete_folders(output, last, pages):
    """A staged build holds only the pages it changed: link the others of a shard's folders from the last build."""
    for page in pages:
        if page.endswith(".html") and not (output / page).exists():
            (output / page).parent.mkdir(parents=True, exist_ok=True)
            os.link(last / page, output / page)


ROOT = "[data-pagefind-body]"
# Only the report (data-pagefind-body) is indexed, but without a root Pagefind segments the whole
# page's Chinese, masthead and navigation too: a quarter of its time, for the same index.
OPTIONS = ("--force-language", "zh-cn", "--root-selector", ROOT)


@functools.cache
def recipe():
    """How a shard is indexed: Pagefind's version and options. An index made otherwise is made again."""
    from importlib.metadata import version

    return f"pagefind_bin_extended {version('pagefind_bin_extended')} {' '.join(OPTIONS)}"


TAG_NAME = re.compile(rb"<([A-Za-z][\w-]*)")


def indexed_part(html):
    """The part of a page (bytes) Pagefind reads: the element marked data-pagefind-body, its root.

    The rest of a report page (masthead, navigation, the theme's stylesheet links) is not indexed,
    so a change to it, even to every page, leaves the search index as it was. The whole page if no
    such element is found (to be sure).
    """
    start = root_tag(html)
    if start < 0:
        return html
    tag = TAG_NAME.match(html, start)
    if tag is None:
        return html
    depth = 0
    for match in re.compile(rb"<(/?)" + re.escape(tag[1]) + rb"[\s>/]").finditer(html, start):
        depth += -1 if match[1] else 1
        if depth == 0:
            return html[start : match.end()]
    return html[start:]  # not closed: all the rest, to be sure


def root_tag(html):
    """Where the start tag with the attribute data-pagefind-body begins (-1 if none).

    Not the words data-pagefind-body in a report's title (<title>), summary (a meta tag's value) or
    kicker (JSON-LD): the attribute is inside a tag (after its "<", no ">" between), after a space,
    and outside the quotes of a value (Jinja escapes every quote and angle bracket it prints).
    """
    at = html.find(b"data-pagefind-body")
    while at >= 0:
        start = html.rfind(b"<", 0, at)
        if start > html.rfind(b">", 0, at) and html[at - 1 : at].isspace() and html.count(b'"', start, at) % 2 == 0 and html.count(b"'", start, at) % 2 == 0:
            return start
        at = html.find(b"data-pagefind-body", at + 1)
    return -1


def indexed_digest(reports, output, last):
    """A digest of what Pagefind reads of a shard's report pages, as this build left them: each
    page's root element and URL."""
    entries = []
    for page in reports:
        try:
            part = indexed_part(read_built(page, output, last))
        except OSError:
            part = os.urandom(8)  # unreadable: Pagefind will say so
        entries.append(f"{page}\0{hashlib.blake2b(part, digest_size=16).hexdigest()}")
    return hashlib.blake2b("\n".join([recipe(), *sorted(entries)]).encode(), digest_size=16).hexdigest()


def read_built(page, output, last):
    """A page's bytes as this build left it: in `output`, or, not written again, in `last`."""
    for folder in (output, last):
        try:
            with open(os.path.join(folder, page), "rb") as handle:
                return handle.read()
        except FileNotFoundError:
            continue
    raise FileNotFoundError(page)


@functools.cache
def pagefind_executable():
    """The extended binary itself: through `python -m pagefind_bin_extended`, each week paid for a Python start too."""
    from pagefind_bin_extended import get_executable

    return get_executable()


def index_shard(output, name, folders):
    """Index the pages of these edition folders of output into output/pagefind/<name>."""
    bundle = output / SEARCH_FOLDER / name
    shutil.rmtree(bundle, ignore_errors=True)  # a shard is indexed afresh, never added to
    glob = "{" + ",".join(folders) + "}/**/*.html" if len(folders) > 1 else f"{folders[0]}/**/*.html"
    command = [str(pagefind_executable()), "--site", str(output), "--glob", glob, "--output-path", str(bundle), *OPTIONS, "--silent"]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        shutil.rmtree(bundle, ignore_errors=True)
        raise SearchIndexFailed(f"Pagefind failed on {name} (exit {result.returncode}): {result.stdout}{result.stderr}")
    for path in bundle.iterdir():
        if path.name.startswith(UNUSED):
            path.unlink()


def read_listing(bundle):
    """A search index's list: (how it was indexed (`recipe`), {shard: digest of its report pages'
    inputs}, {shard: digest of what Pagefind read of them, or None}); nothing known if unreadable."""
    try:
        listing = json.loads((bundle / SHARDS).read_text(encoding="utf-8"))
        shards = listing["shards"]
        return listing.get("recipe"), {shard["name"]: shard["digest"] for shard in shards}, {shard["name"]: shard.get("indexed") for shard in shards}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None, {}, {}


def remember_reports(generator):
    build_of(generator.settings).report_pages = [
        article.__dict__.get("override_save_as") or article.save_as for group in (generator.articles, generator.hidden_articles) for article in group
    ]


def index_site(pelican):
    settings = pelican.settings
    if not settings.get("SEARCH_INDEX", True):
        return
    output = Path(pelican.output_path)
    last = Path(settings.get("LAST_OUTPUT") or output)
    processes = processes_of(settings)
    if settings.get("SEARCH_AFTER_BUILD"):
        # publishing.build runs index_output when Pelican's memory is free again, and then
        # compresses the index as pelican-precompress (which has run by then) would have.
        compress = "pelican.plugins.precompress" in settings.get("PLUGINS", ())
        options = {key: sorted(value) if isinstance(value, set) else value for key, value in settings.items() if key.startswith("PRECOMPRESS_")}
        request = {"last": str(last), "processes": processes, "precompress": options if compress else None, "reports": build_of(settings).report_pages}
        request["waves"] = list(waves_setting(settings))
        (output / SEARCH_PENDING).write_bytes(orjson.dumps(request))  # every report page: 200,000 names at 200,000 reports
        return
    index_output(output, last, processes, build_of(settings).report_pages, waves_setting(settings))


def index_pending(output):
    """Index a staged build that asked for it (SEARCH_AFTER_BUILD); False if it did not."""
    request = Path(output) / SEARCH_PENDING
    if not request.exists():
        return False
    pending = orjson.loads(request.read_bytes())
    request.unlink()
    index_output(Path(output), Path(pending["last"]), pending["processes"], pending["reports"], pending.get("waves", WAVES))
    if pending["precompress"] is not None:
        from pelican.plugins.precompress import compress_files

        options = {key: set(value) if isinstance(value, list) else value for key, value in pending["precompress"].items()}
        compress_files(SimpleNamespace(settings=options | {"OUTPUT_PATH": str(Path(output) / SEARCH_FOLDER)}))
    return True


def index_output(output, last, processes, reports, waves=WAVES):
    """Index the shards whose reports, as Pagefind reads them, changed since `last` (the last build, or output itself);
    list them newest first, each with its digests and its wave (waves_of, with these limits)."""
    bundle = output / SEARCH_FOLDER
    bundle.mkdir(exist_ok=True)
    pages = read_manifest(output)  # as this build wrote it
    shards = shards_of(pages)
    made_with, previous, before = read_listing(last / SEARCH_FOLDER)
    digests, indexed = shard_digests(shards, pages, reports), dict(before)
    # The shards whose last index is there.
    whole = {name for name in shards if (last / SEARCH_FOLDER / name / "pagefind.js").is_file()}
    # Indexed by another Pagefind, or with other options: every shard is read, and so indexed again.
    renewed = made_with != recipe()

    shard_of = {folder: name for name, folders in shards.items() for folder in folders}
    pages_of = {name: [] for name in shards}  # every page of a shard's edition folders
    for page in pages:
        name = shard_of.get(page.partition("/")[0])
        if name is not None:
            pages_of[name].append(page)
    is_report = set(reports)

    def settle(name):
        """Index a shard again, unless what Pagefind would read of its pages is what it read last time
        (their theme changed outside the report, say): then the last build's index is the same."""
        indexed[name] = indexed_digest([page for page in pages_of[name] if page in is_report], output, last)
        if indexed[name] != before.get(name) or name not in whole:
            if last != output:
                complete_folders(output, last, pages_of[name])
            index_shard(output, name, shards[name])

    # The others' report pages are as they were: their index and its digest stay.
    unsettled = [name for name in shards if renewed or previous.get(name) != digests[name] or before.get(name) is None or name not in whole]
    with ThreadPoolExecutor(max_workers=processes) as pool:
        list(pool.map(settle, unsettled))
    wave = waves_of(shards, waves)
    listing = bundle / SHARDS
    if listing.exists():
        listing.unlink()
    listing.write_text(
        json.dumps(
            {"recipe": recipe(), "shards": [{"name": name, "digest": digests[name], "indexed": indexed.get(name), "wave": wave[name]} for name in shards]},
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    if last == output:  # built in place; a staged build's commit removes them
        drop_unlisted_shards(output)


def waves_setting(settings):
    """SEARCH_WAVES, checked: days before the newest edition, each more than the one before."""
    waves = settings.get("SEARCH_WAVES", WAVES)
    days = list(waves) if isinstance(waves, list | tuple) else None
    if days is None or any(type(day) is not int or day < 1 for day in days) or days != sorted(set(days)):
        raise SystemExit(
            f"SEARCH_WAVES: {waves!r} is not a list of days — whole numbers above 0, each more than the one before,"
            f" e.g. {WAVES!r}: the search page reads the shards of the newest {WAVES[0]} days first, then those under {WAVES[1]} days, …"
        )
    return tuple(days)


def refuse_bad_waves(pelican):
    """A SEARCH_WAVES the search page cannot go by stops the build before it starts."""
    if pelican.settings.get("SEARCH_INDEX", True):
        waves_setting(pelican.settings)


def register():
    from pelican import signals  # here: `python -m edition_search` runs without Pelican

    signals.initialized.connect(refuse_bad_waves)
    signals.article_generator_finalized.connect(remember_reports)
    signals.finalized.connect(index_site)
