"""Checking a whole content tree: every problem of every file, in one run.

Rules that need one file are checked as it is read (`source.parse_source`);
rules that need the whole edition (slugs, positions, names sharing a URL)
are checked here.
"""

import datetime
import hashlib
import multiprocessing
import os
import re
import time
from collections import defaultdict
from dataclasses import replace
from operator import attrgetter
from pathlib import Path
from zoneinfo import ZoneInfo

from news_photos import is_photo
from news_photos.store import photo_problems
from site_build import listing
from site_build.listing import DANGLING, FOLDER, FOLDERS, MARKDOWN, child, is_edition_folder

from . import body, slugs
from .settled import SUMMARY_VERSION, Settling, digests_of, file_stamp, folder_of, photos_of
from .source import Problem, file_digest, parse_source

# Where a report's file is: content/<date>/<page>-<position>-<slug>.md (the editor's guide; `invoke new`,
# `invoke import` and the bench name theirs so). A file named otherwise is not compared with its fields.
PLACE_NAME = re.compile(r"^([A-Za-z]?)(\d{1,2})-(\d{1,2})(?:[-.]|$)")  # not 2020-12-30-….md, nor g20-2023-….md
LINK = re.compile(r"\]\(\s*<?([^)\s>]+)|(?:src|href)\s*=\s*[\"']([^\"']+)[\"']")
PELICAN_LINK = re.compile(r"^\{(filename|static|attach)\}(.+)$")
# A photo in the text from another site: the site's pages load nothing from elsewhere (its Content-Security-Policy
# refuses it: readers would see a broken picture), and a paper publishes its own photos.
OUTSIDE_PHOTO = re.compile(r"!\[[^\]]*\]\(\s*<?((?:https?:)?//[^)\s>]+)|<img\b[^>]*?\ssrc\s*=\s*[\"']?((?:https?:)?//[^\"'\s>]+)", re.IGNORECASE)
UNSAFE_HTML = re.compile(
    r"<\s*(script|style|iframe|object|embed|form|input|button|link|meta|base)\b"
    r"|\son[a-z]+\s*="
    r"|javascript\s*:",
    re.IGNORECASE,
)
# Formatting raw HTML carries that the sanitizer drops (body.py): refused, so that it does not vanish unsaid.
DROPPED_HTML = re.compile(r"<\s*font\b|<[a-z][a-z0-9]*\b[^>\n]*?\s(?:style|class|id)\s*=\s*[\"']", re.IGNORECASE)
# Code spans and fenced blocks show HTML as text: blanked (lines kept) before looking for formatting in it.
CODE = re.compile(r"^(`{3,}|~{3,})[^\n]*\n.*?^\1[^\n]*$|`+[^`\n]+`+", re.MULTILINE | re.DOTALL)
DEFAULTS = {
    "PERSON_SLUGS": {},
    "TAG_SLUGS": {},
    "SECTION_SLUGS": {},
    "SECTIONS": (),
    "FUTURE_DATE_MARGIN_DAYS": 2,
    "TIMEZONE": "Asia/Shanghai",
}


def option(settings, name):
    return (settings or {}).get(name, DEFAULTS[name])


def content_stamps(content_dir, by_folder=None, listed=None, dangling=None, strangers=None):
    """{path: stamp} of every Markdown item below content_dir, ordered by path parts (as os.walk
    finds them: a folder reached by a symbolic link is not entered); with a defaultdict(dict) as
    by_folder, the same by folder too ({folder_of(path): {path: stamp}}, in the same order). With
    listed (site_build.listing.Listing of content_dir), from it, without a walk.

    Strings, not Path objects, and a stat from each folder's listing: 200,000 files take a second.
    Each folder's listing is sorted by name and its folders entered in their place, which is the
    order of the paths' parts, without a sort of every path split into parts. Hidden files are not
    items (IGNORE_FILES); a name that is a link to nothing (or gone since listed) is put in the list
    `dangling`, if given, and a file of a day's folder named as a report that is not read as one
    (REPORT_LIKE: a06-01-….txt, ….MD) in the list `strangers`, if given."""
    found = {}
    dangling = [] if dangling is None else dangling
    by_folder = defaultdict(dict) if by_folder is None else by_folder
    root = os.path.normpath(content_dir)

    def is_day(folder):  # content/2020-12-30, not content/images/2020-12-30
        return os.path.normpath(os.path.dirname(folder)) == root and is_edition_folder(os.path.basename(folder))

    def visit(folder):
        with os.scandir(folder) as found_here:
            entries = sorted(found_here, key=ENTRY_NAME)
        files = None
        for entry in entries:
            if entry.name.startswith("."):
                continue  # IGNORE_FILES: an editor's lock file (.#a06-02-….md), a Mac's ._a06-02-….md
            if entry.is_dir():
                if not entry.is_symlink():
                    visit(entry.path)
            elif entry.name.endswith(MARKDOWN):
                try:
                    path, status = entry.path, entry.stat()  # stamp(entry), without its test of what it is given
                except FileNotFoundError:  # a link to nothing, or gone since the folder was listed
                    dangling.append(entry.path)
                    continue
                if files is None:
                    files = by_folder[folder_of(path)]
                found[path] = files[path] = (status.st_size, status.st_mtime_ns)
            elif strangers is not None and entry.name.lower().endswith(REPORT_LIKE) and is_day(folder):
                strangers.append(entry.path)

    def visit_listed(folder, name):
        if name not in listed.folders:  # a folder the fingerprint did not enter
            return visit(folder)
        files = None
        for entry, size, mtime_ns in listed.folders[name]:
            if entry.startswith("."):
                continue
            if size in FOLDERS:
                if size == FOLDER:
                    visit_listed(os.path.join(folder, entry), child(name, entry))
            elif entry.endswith(MARKDOWN):
                path = os.path.join(folder, entry)
                if size == DANGLING:
                    try:
                        size, mtime_ns = stamp(path)  # as a walk finds it: gone, unless put right since
                    except FileNotFoundError:
                        dangling.append(path)
                        continue
                if files is None:
                    files = by_folder[folder_of(path)]
                found[path] = files[path] = (size, mtime_ns)
            elif strangers is not None and entry.lower().endswith(REPORT_LIKE) and is_day(folder):
                strangers.append(os.path.join(folder, entry))

    if listed is not None:
        visit_listed(os.fspath(content_dir), "")
    else:
        visit(os.fspath(content_dir))
    return found


ENTRY_NAME = attrgetter("name")


def check_tree(
    content_dir, settings=None, label_root=None, now=None, render=False, processes=1, cache=None, photos=None, digests=None, bodies=True, sealed=None
):
    """Parse and check every item; return (sources, problems).

    With render=True, each item also gets its body rendered (`source.html`),
    so the build reads every file once; with render="changed", only the items
    parsed in this run (the build's other reports come from Pelican's cache).
    With bodies=False, a body not rendered is let go once scanned (the rules
    need only what scan_body finds in it).
    Work is shared out to `processes` workers forked from this one. With a
    cache (build_cache.checked_codec.CheckedSources: `load`, `save`, `summaries`,
    `slugs_file`), files unchanged since the last run (same size and time) are
    not parsed again, and folders in which the last run found no problem and
    nothing changed are not read at all (settled.py): the sources given are
    those of the folders read, every folder when render is True. The cache
    keeps no bodies (all the rules need of a body is found when it is read): a
    source from the cache has body None. With a dict as photos, what each photo
    shown by a source given is (a Photo or PhotoError, as the photo catalogue
    says) is put in it; with a dict as digests, every file's digest; with a dict as sealed too, the
    files of settled folders are given there by folder ({folder: (seal, how many files)}: settled.seal_of).
    """
    label_root = Path(label_root or os.getcwd()).resolve()
    content_dir = Path(content_dir)
    features = body.features_of(settings)
    version = features_version(features)
    rules = SourceRules(content_dir, settings, now)
    if cache:
        slugs.remember(cache.slugs_file)
        settling = Settling(cache, version, options_key(settings, content_dir, label_root), rules.latest, explicit_slugs(settings))
    listed = listing.of(content_dir)
    listed_from = time.time_ns() if listed is None else listed.listed_from
    by_folder = defaultdict(dict)
    dangling, strangers = [], []
    stamps = content_stamps(content_dir, by_folder, listed, dangling, strangers)
    listed_until = time.time_ns() if listed is None else listed.listed_until
    settled = settling.settled(by_folder, content_dir) if cache and render is not True else {}
    gone_folders = set(settling.stored_folders) - by_folder.keys() if cache else set()

    def read(folders, rows):
        """{path: source} of the files of these folders, from the cache's rows of `rows` (None: all) or
        parsed now; the rows of the folders where a file changed or went saved."""
        wanted = {path: stamps[path] for folder in folders for path in by_folder[folder]}
        known = cache.load(version, rows) if cache else {}
        parsed, restamped = unchanged_sources(known, wanted)
        missing = [path for path in wanted if path not in parsed]
        parsed.update(zip(missing, share_out(read_file, missing, (label_root, bool(render), features, bodies), processes), strict=True))
        changed = {path: (wanted[path], replace(parsed[path], html=None, body=None)) for path in missing}
        changed.update((path, (wanted[path], parsed[path])) for path in restamped)
        for path, (known_stamp, source) in changed.items():
            # See RACY_NS: a time within it of the listing is racy (one ahead of the clock is not: any save changes it).
            if listed_from - RACY_NS <= known_stamp[1] <= listed_until + RACY_NS:
                changed[path] = ((known_stamp[0], 0), source)
        if cache:  # a row per folder: only the folders of the files read now, or gone, are written
            values = {path: changed.get(path) or (wanted[path], parsed[path]) for path in wanted}
            cache.save(values, changed, known.keys() - stamps.keys(), version)
        kept_stamps.update((path, changed[path][0] if path in changed else wanted[path]) for path in wanted)
        return parsed

    kept_stamps = {}
    unsettled = [folder for folder in by_folder if folder not in settled]
    parsed = read(unsettled, {*unsettled, *gone_folders} if settled else None)
    if render is True:
        unrendered = [path for path in stamps if parsed[path].html is None and not parsed[path].problems]
        parsed.update(zip(unrendered, share_out(_render_source, [parsed[path] for path in unrendered], (features,), processes), strict=True))
    # The rules below add problems to each source: the cache was saved (or left as it was) before.
    for path, source in parsed.items():
        rules.check(source, path)
    shared = settling.shared_with(list(parsed.values()), settled) if settled else ()
    if shared:  # checked again with the folders read now, so that the rules across the edition see all they compare
        for folder in shared:
            del settled[folder]
        more = read(shared, shared)
        for path, source in more.items():
            rules.check(source, path)
        parsed.update(more)
    paths = [path for path in stamps if path in parsed]  # in the order of a check of the whole tree
    sources = [parsed[path] for path in paths]
    found = check_photos(content_dir, paths, sources, settings)
    if photos is not None:
        photos.update(photos_of(settled))
        photos.update(found)
    problems = [problem for source in sources for problem in source.problems]
    problems += check_edition(sources, settings)
    # Pelican would stop at it with a traceback: named here as any other problem.
    problems += [
        Problem(
            label_for_link(path, label_root),
            1,
            "file",
            "is a link to nothing (or was deleted while the check ran)",
            "the report's file itself, or no file of that name",
        )
        for path in dangling
    ]
    problems += [Problem(label_for_link(path, label_root), 1, "file", *stranger(path)) for path in strangers]
    if digests is not None:
        digests.update(digests_of(settled, sealed))
        digests.update((source.file, source.digest) for source in sources)
    if cache:
        settling.save(summaries(settling, content_dir, paths, sources, kept_stamps, problems, found), by_folder.keys())
        slugs.keep(cache.slugs_file)
    return sources, problems


# A report saved under a name Pelican does not read as one (in a day's folder): a text or a word processor's
# file, or Markdown in capitals. It was left out of its edition without a word. Other files are not judged
# here: a photo or a file the text links to may lie in a day's folder ({static}, Image:), and Thumbs.db,
# desktop.ini or an editor's backup are nobody's.
REPORT_LIKE = (*MARKDOWN, ".txt", ".text", ".rtf", ".doc", ".docx", ".wps")


def stranger(path):
    """(what, expected) of a file of a day's folder named as a report that is not read as one."""
    stem = os.path.splitext(os.path.basename(path))[0]
    if path.lower().endswith(MARKDOWN):
        return "is not read as a report: a report's name ends in .md, in lower case", f"{stem}.md"
    return "is not read as a report, and is left out of the edition: Pelican reads a report from Markdown", f"the report as Markdown, saved as {stem}.md"


def options_key(settings, content_dir, label_root):
    """What the check's rules read besides the files: its options, and where the content and the project
    are (the content schema's code names the cache: checked_codec; photos are judged by the photo
    catalogue, which knows a file by its stamp)."""
    options = [(name, repr(option(settings, name))) for name in sorted(DEFAULTS)]
    return hashlib.blake2b(repr((SUMMARY_VERSION, options, str(content_dir.resolve()), str(label_root))).encode(), digest_size=16).hexdigest()


def explicit_slugs(settings):
    return {"people": option(settings, "PERSON_SLUGS"), "tags": option(settings, "TAG_SLUGS"), "section": option(settings, "SECTION_SLUGS")}


def summaries(settling, content_dir, paths, sources, stamps, problems, photos):
    """{folder: its summary, or None if a problem was found in it} of the folders read this check
    (stamps: of their files as the cache keeps them; photos: what each photo shown is, as check_photos found it)."""
    read, folder_by_label = defaultdict(list), {}
    for path, source in zip(paths, sources, strict=True):
        folder = folder_by_label[source.path] = folder_of(path)
        read[folder].append((path, source))
    troubled = {folder_by_label.get(problem.path) for problem in problems}
    return {folder: None if folder in troubled else folder_summary(settling, content_dir, files, stamps, photos) for folder, files in read.items()}


def folder_summary(settling, content_dir, files, stamps, photos):
    """The summary of a folder without a problem, from its [(path, source)]: the files its reports link to, and
    {name under content/: (stamp, key, width, height)} of the photos they show."""
    links = {str(linked) for path, source in files for _, _, linked in pelican_links(source, content_dir, path)}
    shown = {}
    for path, source in files:
        for *_, name in shown_photos(source, content_dir, path):
            photo = photos[name]
            # stamped now, racy within RACY_NS of now (the listing was taken before Pelican started)
            shown[name] = (*file_stamp(os.path.join(content_dir, name), time.time_ns(), RACY_NS), photo.key, photo.width, photo.height)
    return settling.summary_of(files, stamps, links, shown)


def features_version(features):
    """The renderer's features as a number for the check cache's version: a body scanned with other features is scanned again."""
    return sum(1 << bit for bit, name in enumerate(sorted(body.FEATURES)) if name in features)


def checked_content(path, settings, render, processes, cache):
    """What the build needs of the check: every file's digest (those of settled folders by folder: their
    seals, {folder: (seal, how many files)}), the sources parsed now, the problems, the photos shown.

    With render False, no source is given: the build's reader reads and renders each file as Pelican
    reads it (a full build: the check would otherwise hold every report's rendered body at once,
    some 2.6 KB each, at the moment it holds the most).
    Plain data: it may be run in a process beside the build (build_cache) and sent back.
    """
    photos, digests = {}, {}
    # A new day's check beside the build hands the archive's settled folders on by their seals; a build
    # that reads every file (no Pelican cache) compares each with the digest the check vouched for.
    sealed = {} if render == "changed" else None
    sources, problems = check_tree(
        path, settings, render=render, processes=processes, cache=cache, photos=photos, digests=digests, bodies=render is not False, sealed=sealed
    )
    # Those parsed now, and those from the check's cache it rendered (a build without Pelican's cache).
    checked = [source for source in sources if source.body is not None or source.html is not None]
    problems = [str(problem) for problem in problems]
    if problems:  # the build stops before it reads the printed pages: those of the days with a problem are named now too
        problems += page_problems_beside(path, settings, sources)
    return digests, checked, problems, photos, sealed or {}


def page_problems_beside(content, settings, sources):
    """The problems of the page PDFs and sidecars in the folders of these sources, as `invoke check` finds
    them (printed_page.check): a build stopped by a report's problem never reads its printed pages, so
    it names theirs too, and the editor puts everything right in one round."""
    if "printed_page" not in (settings or {}).get("PLUGINS", ()):
        return []
    from printed_page.check import page_problems

    root = os.path.realpath(content)
    # The days with a report's problem: those of a failed full build, not every day of the archive (each PDF read).
    folders = {os.path.relpath(os.path.dirname(source.file), root).partition(os.sep)[0] for source in sources if source.problems}
    return page_problems(content, sources, photo_cache(settings), folders)[0]


def photo_cache(settings):
    """The build's photo and page catalogues' folder (cache/photos/), which the check reads: None without CHECK_CACHE."""
    settings = settings or {}
    return os.path.join(settings["CACHE_PATH"], "photos") if settings.get("CHECK_CACHE") else None


def unchanged_sources(known, stamps):
    """({path: cached source} of the files unchanged since the cache was saved, [those only by their bytes]).

    Unchanged: the same size and time, or else the same bytes; a checkout gives every file a new time.
    """
    parsed, restamped = {}, []
    for path, current in stamps.items():
        entry = known.get(path)
        if entry is None:
            continue
        if entry[0] != current:
            if entry[0][0] != current[0] or file_digest(path) != entry[1].digest:
                continue
            restamped.append(path)
        parsed[path] = entry[1]
    return parsed, restamped


_JOB = []  # (function, arguments) for the forked workers of share_out: what they inherit, not per-build state


def share_out(function, items, arguments, processes):
    """[function(item, *arguments) for item in items], on `processes` forked workers when it pays."""
    if processes <= 1 or len(items) <= 500:
        return [function(item, *arguments) for item in items]
    _JOB[:] = [(function, arguments)]
    try:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            return pool.map(_run_job, items, chunksize=250)
    finally:
        _JOB.clear()


def _run_job(item):
    function, arguments = _JOB[0]
    return function(item, *arguments)


def _render_source(source, features):
    return replace(source, html=body.render_body(body_of(source), features))


def body_of(source):
    """The body of a source, read again from its file if it came from the cache without one."""
    if source.body is not None:
        return source.body
    return parse_source(Path(source.file), Path(source.file).read_bytes()).body


def read_file(path, label_root, render, features=body.FEATURES, keep_body=True):
    """What depends on the file alone (and the renderer's features): its fields, body, rendered body.

    Once rendered, the body is let go (None): the build needs its HTML only, and a full build holds
    every file's source at once (a body is some 3 KB of text). Without keep_body, an unrendered body
    goes too, once scanned."""
    path = Path(path)
    source = parse_source(path, path.read_bytes(), label_for(path, label_root))
    source.file = str(path.resolve())
    scan_body(source, features)
    if render and not source.problems:
        source.html = body.render_body(source.body, features)
        source.body = None
    elif not keep_body:
        source.body = None
    return source


# A file's time is the file system's clock, which moves in steps of a few milliseconds: a file
# saved again, at the same size, within the step in which the check read it keeps the time the
# check stamped it with. A file whose time is that close to the check's is stamped with no time,
# so the next check reads its bytes to know it (as git does with its index).
RACY_NS = 1_000_000_000


def stamp(path):
    """A file's (size, time); path may be an os.DirEntry, whose stat is the file's (a link's target's)."""
    status = path.stat() if isinstance(path, os.DirEntry) else os.stat(path)
    return (status.st_size, status.st_mtime_ns)


def label_for_link(path, root):
    """label_for a path that may be a link to nothing: its folder resolved, not the link."""
    folder, name = os.path.split(path)
    return os.path.join(label_for(folder, root), name)


def label_for(path, root):
    """A path as the editor knows it: relative to the project when inside it."""
    path = Path(path).resolve()
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


class SourceRules:
    """Rules about one item that need settings or the files around it (worked out once, applied to every item)."""

    def __init__(self, content_dir, settings, now=None):
        self.content_dir = content_dir
        now = now or datetime.datetime.now(ZoneInfo(option(settings, "TIMEZONE"))).replace(tzinfo=None)
        self.margin = datetime.timedelta(days=option(settings, "FUTURE_DATE_MARGIN_DAYS"))
        self.latest = now + self.margin
        self.sections = option(settings, "SECTIONS")
        self.known_sections = frozenset(self.sections)

    def check(self, source, path):
        values = source.values
        if "date" in values and values["date"] > self.latest:
            source.problem(
                source.lines["date"], "Date", f"{values['date']:%Y-%m-%d} is in the future", f"an edition date no later than {self.margin.days} days from today"
            )
        if self.sections and values.get("section") and values["section"] not in self.known_sections:
            what = f"unknown page name “{values['section']}”"
            source.problem(source.lines["section"], "Section", what, "one of " + "、".join(self.sections) + " (SECTIONS in pelicanconf.py)")
        if "modified" in values and "date" in values and values["modified"] < values["date"]:
            source.problem(
                source.lines["modified"],
                "Modified",
                f"{values['modified']:%Y-%m-%d %H:%M} is before the report's Date",
                "the time of the correction, after the edition's date",
            )
        check_place(source, path)
        if source.links or source.body_problems:
            check_body(source, self.content_dir, path)


def check_place(source, path):
    """A report's Date is its folder's and its Page and Position its file name's: a report moved on the
    page or to another day in one place and not the other ran where its fields say, and its file says
    otherwise (a Date of the 31st in the folder of the 30th made the 31st the newest edition)."""
    values = source.values
    folder, name = os.path.split(os.fspath(path))
    folder = os.path.basename(folder)
    if "date" in values and is_edition_folder(folder) and f"{values['date']:%Y-%m-%d}" != folder:
        date = f"{values['date']:%Y-%m-%d}"
        source.problem(source.lines["date"], "Date", f"{date} is not the date of its folder {folder}/", f"{folder}, or the file moved to content/{date}/")
    named = PLACE_NAME.match(name)
    if named is None:
        return
    letter, number, position = named.groups()
    page = f"{letter.upper()}{int(number):02d}"  # a6 and a06 are A06, as Page: A06 is
    if "page" in values and page != values["page"]:
        source.problem(
            source.lines["page"],
            "Page",
            f"{values['page']} is not the page of its file name {name}",
            f"{page}, or the file renamed to {values['page'].lower()}-…",
        )
    if "position" in values and int(position) != values["position"]:
        source.problem(
            source.lines["position"],
            "Position",
            f"{values['position']} is not the position in its file name {name}",
            f"{int(position)}, or the file renamed to …-{values['position']:02d}-…",
        )


def scan_body(source, features=body.FEATURES):
    """What the body rules need of a body, found once when the file is read (and cached with it).

    References need the Markdown parsed: only a body with a bracket can have one (few do)."""
    text = source.body
    outside_code = CODE.sub(blank, text) if "`" in text or "~~~" in text else text
    for pattern, searched, what, expected in (
        (UNSAFE_HTML, text, lambda match: f"unsafe HTML “{match.group(0).strip()}”", "Markdown text; no scripts, styles, frames, forms or event handlers"),
        (
            DROPPED_HTML,
            outside_code,
            lambda match: f"HTML formatting the site drops “{match.group(0).strip()}”",
            "plain Markdown: the site's own type shows the text, **bold** where the paper printed it so",
        ),
        (
            OUTSIDE_PHOTO,
            text,
            lambda match: f"photo {match.group(1) or match.group(2)} is on another site",
            "a photo file under content/images/, shown with ![说明]({static}/images/…)",
        ),
    ):
        for match in pattern.finditer(searched):
            source.body_problems.append(Problem(source.path, body_line(source, match.start()), "body", what(match), expected))
    source.links = [(match.group(1) or match.group(2), body_line(source, match.start())) for match in LINK.finditer(source.body)]
    if "[" in source.body:
        unresolved, definitions = body.references(source.body, features)
        source.body_problems += [Problem(source.path, source.body_line + line, "body", what, expected) for line, what, expected in unresolved]
        source.links += [(target, source.body_line + line) for target, line in definitions]


def blank(match):
    """A match's text as spaces, its line breaks kept (so that lines are counted as before)."""
    return re.sub(r"[^\n]", " ", match.group(0))


def named_file(target, content_dir, path):
    """(kind, the file it names) of a {filename}, {static} or {attach} link of the body of the file at path; None for another link."""
    pelican = PELICAN_LINK.match(target)
    if not pelican:
        return None
    linked = pelican.group(2).split("#")[0]
    base = content_dir if linked.startswith("/") else Path(path).parent
    return pelican.group(1), base / linked.lstrip("/")


def pelican_links(source, content_dir, path):
    """(line, kind, the file it names) of each {filename}, {static} or {attach} link of a source's body."""
    for target, line in source.links:
        named = named_file(target, content_dir, path)
        if named:
            yield line, *named


def from_the_root(target):
    """A photo named from the site's root (/images/…): the site publishes its own sizes of a photo, never
    the file, and knows which to make from the {static} links; that <img> showed a picture never published."""
    linked = target.split("#")[0].split("?")[0]
    return linked.startswith("/") and not linked.startswith("//") and is_photo(linked)


def check_body(source, content_dir, path):
    source.problems.extend(source.body_problems)
    for target, line in source.links:
        if from_the_root(target):
            source.problem(line, "body", f"photo {target} is named from the site's root", f"{{static}}{target}, a file inside content/")
            continue
        named = named_file(target, content_dir, path)
        if named:
            if not named[1].is_file():
                source.problem(line, "body", f"link {target} points at nothing", "{filename} or {static} followed by a file inside content/")
        elif not re.match(r"^(https?:|mailto:|#|/|javascript\s*:)", target, re.IGNORECASE):  # javascript: is refused as unsafe
            source.problem(line, "body", f"relative link {target} will break", "{filename}/path/to/report.md or {static}/images/photo.jpg")


def check_photos(content_dir, paths, sources, settings):
    """Every photo a report shows, its lead photo (Image:) and those in its text, is a photo that can be
    published (photos.pipeline): read from the photo catalogue, so that only new photo files are opened.
    Gives {name under content/: Photo or PhotoError}: the build takes them from the check."""
    shown = [found for path, source in zip(paths, sources, strict=True) for found in shown_photos(source, content_dir, path)]
    problems, found = photo_problems(content_dir, shown, photo_cache(settings))
    for source, line, field, what, expected in problems:
        source.problem(line, field, what, expected)
    return found


def shown_photos(source, content_dir, path):
    """(source, line, field, name under content/) of every photo a report shows: its lead photo (Image:) and those in its text."""
    if "image" in source.values:
        yield source, source.lines["image"], "Image", source.values["image"]
    for line, kind, linked in pelican_links(source, content_dir, path):
        if kind == "static" and is_photo(linked.name):
            yield source, line, "body", os.path.relpath(linked, content_dir).replace(os.sep, "/")


def body_line(source, offset):
    return source.body_line + source.body.count("\n", 0, offset)


def check_edition(sources, settings=None):
    """Rules across items: one URL per item, one item per position, one name per URL."""
    problems = []
    problems += same_key(sources, lambda v: v.get("slug"), "Slug", "is also the slug of", "a slug no other item has")
    problems += same_key(
        sources,
        lambda v: (v["date"].date(), v["page"], v["position"]) if {"date", "page", "position"} <= v.keys() else None,
        "Position",
        "is the same page position as",
        "one item per position on a page",
    )
    problems += page_names(sources)
    problems += shared_urls(sources, "people", lambda c: c.name, option(settings, "PERSON_SLUGS"), "People", "/reporters/{}/", "PERSON_SLUGS")
    problems += shared_urls(sources, "tags", lambda t: t, option(settings, "TAG_SLUGS"), "Tags", "/tags/{}/", "TAG_SLUGS")
    problems += shared_urls(sources, "section", lambda s: s, option(settings, "SECTION_SLUGS"), "Section", "/sections/{}/", "SECTION_SLUGS")
    return problems


def same_key(sources, key_of, field, relation, expected):
    keys = [key_of(source.values) for source in sources]
    present = [key for key in keys if key is not None]
    if len(set(present)) == len(present):
        return []  # nothing shared: the usual case, found at C speed
    # Each file of a group that shares a key names the others: the one just edited is named whatever its
    # name's order (only the second was, so a new report's duplicate slug blamed the untouched report).
    groups = defaultdict(list)
    for source, key in zip(sources, keys, strict=True):
        if key is not None:
            groups[key].append(source)
    problems = []
    for source, key in zip(sources, keys, strict=True):
        group = groups.get(key, ()) if key is not None else ()
        if len(group) > 1:
            others = "、".join(other.path for other in group if other is not source)
            problems.append(Problem(source.path, source.lines.get(field.lower(), 1), field, f"{relation} {others}", expected))
    return problems


def page_names(sources):
    """Every item of one page of one edition must carry the same page name."""
    named = {(v["date"].date(), v["page"], v["section"]) for v in (source.values for source in sources) if "date" in v and "page" in v and "section" in v}
    if len(named) == len({name[:2] for name in named}):
        return []  # one name per page: the usual case
    problems, names = [], {}
    for source in sources:
        values = source.values
        if not {"date", "page", "section"} <= values.keys():
            continue
        key = (values["date"].date(), values["page"])
        first = names.setdefault(key, source)
        if first.values["section"] != values["section"]:
            problems.append(
                Problem(
                    source.path,
                    source.lines["section"],
                    "Section",
                    f"page {values['page']} is named “{first.values['section']}” in {first.path}",
                    "one page name per page of an edition",
                )
            )
    return problems


def shared_urls(sources, key, name_of, explicit, field, url, setting):
    """Two different names whose slugs are equal would share one page: refuse."""
    mentioned = [source.values.get(key) for source in sources]
    names = {name_of(item) for value in mentioned if value for item in (value if isinstance(value, list) else [value])}
    if len({name_slug(name, explicit) for name in names}) == len(names):
        return []  # a page per name: the usual case
    problems, first, owners = [], {}, defaultdict(dict)
    for source in sources:
        value = source.values.get(key)
        for item in value if isinstance(value, list) else [value] if value else []:
            first.setdefault(name_of(item), source)
    for name, source in first.items():  # a slug per name, not per mention
        owners[name_slug(name, explicit)][name] = source
    for slug, names in owners.items():
        if len(names) > 1:
            (first, _), *others = names.items()
            for name, source in others:
                line = source.lines.get(field.lower(), 1)
                what = f"{name} and {first} would share {url.format(slug)}"
                problems.append(Problem(source.path, line, field, what, f"give one of them its own slug in {setting} (pelicanconf.py)"))
    return problems


def name_slug(name, explicit=None):
    """The URL slug of a person, tag or section: explicit if configured, else pinyin."""
    return (explicit or {}).get(name) or slugs.pinyin_slug(name)
