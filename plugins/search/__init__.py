"""Static full-text search: Pagefind's extended build indexes the written site.

The extended build segments Chinese, so 社保认证 finds the report on
社会保险待遇资格认证; only pages marked `data-pagefind-body` (reports) are
indexed. Pagefind holds a whole index in memory (about a third of a
megabyte per report) and cannot add to one, so the archive is indexed in
weekly shards under pagefind/<year>-W<week>/, listed in pagefind/shards.json
for the search page to merge; a build re-indexes only the weeks whose report
pages changed (a new day's link on the day before, outside the reports, does
not count). Runs when the pages are written (after the incremental plugin); in
a staged build (SEARCH_AFTER_BUILD, set by publishing.build) it runs after
Pelican has exited, so that the index and the site are never both in memory.
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

from incremental.manifest import read_manifest  # every page the build wrote, with its digest

EDITION_FOLDER = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SHARDS = "shards.json"
UNUSED = ("pagefind-ui", "pagefind-component-ui", "pagefind-modular-ui", "pagefind-highlight")


class SearchIndexFailed(Exception):
    pass


def week_of(folder_name):
    year, week, _ = datetime.date.fromisoformat(folder_name).isocalendar()
    return f"{year}-W{week:02d}"


def shards_of(pages):
    """{week: [edition folders]} for every edition built, newest week first."""
    weeks = {}
    for name in sorted({page.partition("/")[0] for page in pages}, reverse=True):
        if EDITION_FOLDER.match(name):
            weeks.setdefault(week_of(name), []).append(name)
    return weeks


def shard_digests(shards, pages, reports):
    """{week: digest}: changes whenever a report page of the week changes or goes.

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


def complete_folders(output, last, pages, folders):
    """A staged build holds only the pages it changed: link the others of these folders from the last build."""
    for page in pages:
        if page.partition("/")[0] in folders and page.endswith(".html") and not (output / page).exists():
            (output / page).parent.mkdir(parents=True, exist_ok=True)
            os.link(last / page, output / page)


@functools.cache
def pagefind_executable():
    """The extended binary itself: through `python -m pagefind_bin_extended`, each week paid for a Python start too."""
    from pagefind_bin_extended import get_executable

    return get_executable()


def index_shard(output, name, folders):
    bundle = output / "pagefind" / name
    shutil.rmtree(bundle, ignore_errors=True)  # a week is indexed afresh, never added to
    glob = "{" + ",".join(folders) + "}/**/*.html" if len(folders) > 1 else f"{folders[0]}/**/*.html"
    command = [
        str(pagefind_executable()),
        "--site",
        str(output),
        "--glob",
        glob,
        "--output-subdir",
        f"pagefind/{name}",
        "--force-language",
        "zh-cn",
        "--silent",
    ]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise SearchIndexFailed(f"Pagefind failed on {name} (exit {result.returncode}): {result.stdout}{result.stderr}")
    for path in bundle.iterdir():
        if path.name.startswith(UNUSED):
            path.unlink()


def read_shards(bundle):
    try:
        return {shard["name"]: shard["digest"] for shard in json.loads((bundle / SHARDS).read_text(encoding="utf-8"))["shards"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


PENDING = ".search-pending.json"  # a staged build's request to be indexed once Pelican has exited
_REPORTS = []  # the pages of this build's reports (the pages Pagefind indexes)


def remember_reports(generator):
    _REPORTS[:] = [article.save_as for group in (generator.articles, generator.hidden_articles) for article in group]


def index_site(pelican):
    settings = pelican.settings
    if not settings.get("SEARCH_INDEX", True):
        return
    output = Path(pelican.output_path)
    last = Path(settings.get("LAST_OUTPUT") or output)
    processes = settings.get("BUILD_PROCESSES") or os.cpu_count() or 1
    if settings.get("SEARCH_AFTER_BUILD"):
        # publishing.build runs index_output when Pelican's memory is free again, and then
        # compresses the index as pelican-precompress (which has run by then) would have.
        compress = "pelican.plugins.precompress" in settings.get("PLUGINS", ())
        options = {key: sorted(value) if isinstance(value, set) else value for key, value in settings.items() if key.startswith("PRECOMPRESS_")}
        request = {"last": str(last), "processes": processes, "precompress": options if compress else None, "reports": _REPORTS}
        (output / PENDING).write_text(json.dumps(request), encoding="utf-8")
        return
    index_output(output, last, processes, _REPORTS)


def index_pending(output):
    """Index a staged build that asked for it (SEARCH_AFTER_BUILD); False if it did not."""
    request = Path(output) / PENDING
    if not request.exists():
        return False
    pending = json.loads(request.read_text(encoding="utf-8"))
    request.unlink()
    index_output(Path(output), Path(pending["last"]), pending["processes"], pending["reports"])
    if pending["precompress"] is not None:
        from pelican.plugins.precompress import compress_files

        options = {key: set(value) if isinstance(value, list) else value for key, value in pending["precompress"].items()}
        compress_files(SimpleNamespace(settings=options | {"OUTPUT_PATH": str(Path(output) / "pagefind")}))
    return True


def index_output(output, last, processes, reports):
    """Index the weeks whose report pages changed since `last` (the last build, or output itself)."""
    bundle = output / "pagefind"
    bundle.mkdir(exist_ok=True)
    pages = read_manifest(output)
    shards = shards_of(pages)
    previous, digests = read_shards(last / "pagefind"), shard_digests(shards, pages, reports)
    stale = [name for name in shards if previous.get(name) != digests[name] or not (last / "pagefind" / name / "pagefind.js").is_file()]
    if last != output:
        complete_folders(output, last, pages, {folder for name in stale for folder in shards[name]})
    with ThreadPoolExecutor(max_workers=processes) as pool:
        list(pool.map(lambda name: index_shard(output, name, shards[name]), stale))
    if last == output:  # a staged build's commit removes the weeks no longer listed
        for path in bundle.iterdir():
            if path.is_dir() and path.name not in shards:
                shutil.rmtree(path)
    listing = bundle / SHARDS
    if listing.exists():
        listing.unlink()
    listing.write_text(json.dumps({"shards": [{"name": name, "digest": digests[name]} for name in shards]}, ensure_ascii=False), encoding="utf-8")


def register():
    from pelican import signals  # here: `python -m search` runs without Pelican

    signals.article_generator_finalized.connect(remember_reports)
    signals.finalized.connect(index_site)
