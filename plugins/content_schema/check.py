"""Checking a whole content tree: every problem of every file, in one run.

Rules that need one file are checked as it is read (`source.parse_source`);
rules that need the whole edition (slugs, positions, names sharing a URL)
are checked here.
"""

import datetime
import multiprocessing
import os
import re
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

from news_photos import is_photo
from news_photos.store import photo_problems

from . import body, slugs
from .source import Problem, file_digest, parse_source

LINK = re.compile(r"\]\(\s*<?([^)\s>]+)|(?:src|href)\s*=\s*[\"']([^\"']+)[\"']")
PELICAN_LINK = re.compile(r"^\{(filename|static|attach)\}(.+)$")
UNSAFE_HTML = re.compile(
    r"<\s*(script|style|iframe|object|embed|form|input|button|link|meta|base)\b"
    r"|\son[a-z]+\s*="
    r"|javascript\s*:",
    re.IGNORECASE,
)
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


MARKDOWN = (".md", ".markdown", ".mkd", ".mdown")  # every name Pelican reads as Markdown: each is checked and read as a report


def content_files(content_dir):
    """Every Markdown item below content_dir, ordered by path parts.

    Strings, not Path objects: making and sorting 50,000 Paths takes seconds.
    """
    found = [os.path.join(folder, name) for folder, _, names in os.walk(content_dir) for name in names if name.endswith(MARKDOWN)]
    return sorted(found, key=lambda path: path.split(os.sep))


def check_tree(content_dir, settings=None, label_root=None, now=None, render=False, processes=1, cache=None, photos=None):
    """Parse and check every item; return (sources, problems).

    With render=True, each item also gets its body rendered (`source.html`),
    so the build reads every file once; with render="changed", only the items
    parsed in this run (the build's other reports come from Pelican's cache).
    Work is shared out to `processes` workers forked from this one. With a
    cache (build_cache.checked_codec.CheckedSources: `load`, `save`, `slugs_file`),
    files unchanged since the last run (same size and time) are not parsed
    again; the rules are still applied to every item. The cache keeps no
    bodies (all the rules need of a body is found when it is read): a source
    from the cache has body None. With a dict as photos, what each photo shown is (a Photo or
    PhotoError, as the photo catalogue says) is put in it.
    """
    label_root = Path(label_root or os.getcwd()).resolve()
    content_dir = Path(content_dir)
    features = body.features_of(settings)
    known = cache.load(features_version(features)) if cache else {}
    if cache:
        slugs.remember(cache.slugs_file)
    listed_at = time.time_ns()
    stamps = {path: stamp(path) for path in content_files(content_dir)}
    parsed, restamped = unchanged_sources(known, stamps)
    missing = [path for path in stamps if path not in parsed]
    parsed.update(zip(missing, share_out(read_file, missing, (label_root, bool(render), features), processes), strict=True))
    changed = {path: (stamps[path], replace(parsed[path], html=None, body=None)) for path in missing}
    changed.update((path, (stamps[path], parsed[path])) for path in restamped)
    for path, (known_stamp, source) in changed.items():
        if abs(known_stamp[1] - listed_at) <= RACY_NS:  # see RACY_NS (a time ahead of the clock is not racy: any save changes it)
            changed[path] = ((known_stamp[0], 0), source)
    if cache:  # a row per folder: only the folders of the files read now, or gone, are written
        values = {path: changed.get(path) or (stamps[path], parsed[path]) for path in stamps}
        cache.save(values, changed, known.keys() - stamps.keys(), features_version(features))
    if render is True:
        unrendered = [path for path in stamps if parsed[path].html is None and not parsed[path].problems]
        parsed.update(zip(unrendered, share_out(_render_source, [parsed[path] for path in unrendered], (features,), processes), strict=True))
    # The rules below add problems to each source: the cache was saved (or left as it was) before.
    sources = [parsed[path] for path in stamps]
    rules = SourceRules(content_dir, settings, now)
    for path, source in zip(stamps, sources, strict=True):
        rules.check(source, path)
    found = check_photos(content_dir, stamps, sources, settings)
    if photos is not None:
        photos.update(found)
    problems = [problem for source in sources for problem in source.problems]
    problems += check_edition(sources, settings)
    if cache:
        slugs.keep(cache.slugs_file)
    return sources, problems


def features_version(features):
    """The renderer's features as a number for the check cache's version: a body scanned with other features is scanned again."""
    return sum(1 << bit for bit, name in enumerate(sorted(body.FEATURES)) if name in features)


def checked_content(path, settings, render, processes, cache):
    """What the build needs of the check: every file's digest, the sources parsed now, the problems.

    Plain data: it may be run in a process beside the build (build_cache) and sent back.
    """
    photos = {}
    sources, problems = check_tree(path, settings, render=render, processes=processes, cache=cache, photos=photos)
    digests = {source.file: source.digest for source in sources}
    # Those parsed now, and those from the check's cache it rendered (a build without Pelican's cache).
    checked = [source for source in sources if source.body is not None or source.html is not None]
    return digests, checked, [str(problem) for problem in problems], photos


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


def read_file(path, label_root, render, features=body.FEATURES):
    """What depends on the file alone (and the renderer's features): its fields, body, rendered body."""
    path = Path(path)
    source = parse_source(path, path.read_bytes(), label_for(path, label_root))
    source.file = str(path.resolve())
    scan_body(source, features)
    if render and not source.problems:
        source.html = body.render_body(source.body, features)
    return source


# A file's time is the file system's clock, which moves in steps of a few milliseconds: a file
# saved again, at the same size, within the step in which the check read it keeps the time the
# check stamped it with. A file whose time is that close to the check's is stamped with no time,
# so the next check reads its bytes to know it (as git does with its index).
RACY_NS = 1_000_000_000


def stamp(path):
    status = os.stat(path)
    return (status.st_size, status.st_mtime_ns)


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
        if source.links or source.body_problems:
            check_body(source, self.content_dir, path)


def scan_body(source, features=body.FEATURES):
    """What the body rules need of a body, found once when the file is read (and cached with it).

    References need the Markdown parsed: only a body with a bracket can have one (few do)."""
    for match in UNSAFE_HTML.finditer(source.body):
        problem = Problem(
            source.path,
            body_line(source, match.start()),
            "body",
            f"unsafe HTML “{match.group(0).strip()}”",
            "Markdown text; no scripts, styles, frames, forms or event handlers",
        )
        source.body_problems.append(problem)
    source.links = [(match.group(1) or match.group(2), body_line(source, match.start())) for match in LINK.finditer(source.body)]
    if "[" in source.body:
        unresolved, definitions = body.references(source.body, features)
        source.body_problems += [Problem(source.path, source.body_line + line, "body", what, expected) for line, what, expected in unresolved]
        source.links += [(target, source.body_line + line) for target, line in definitions]


def check_body(source, content_dir, path):
    source.problems.extend(source.body_problems)
    for target, line in source.links:
        pelican = PELICAN_LINK.match(target)
        if pelican:
            linked = pelican.group(2).split("#")[0]
            base = content_dir if linked.startswith("/") else Path(path).parent
            if not (base / linked.lstrip("/")).is_file():
                source.problem(line, "body", f"link {target} points at nothing", "{filename} or {static} followed by a file inside content/")
        elif not re.match(r"^(https?:|mailto:|#|/)", target):
            source.problem(line, "body", f"relative link {target} will break", "{filename}/path/to/report.md or {static}/images/photo.jpg")


def check_photos(content_dir, paths, sources, settings):
    """Every photo a report shows, its lead photo (Image:) and those in its text, is a photo that can be
    published (photos.pipeline): read from the photo catalogue, so that only new photo files are opened.
    Gives {name under content/: Photo or PhotoError}: the build takes them from the check."""
    shown = []  # (source, line, field, name under content/)
    for path, source in zip(paths, sources, strict=True):
        if "image" in source.values:
            shown.append((source, source.lines["image"], "Image", source.values["image"]))
        for target, line in source.links:
            pelican = PELICAN_LINK.match(target)
            if pelican and pelican.group(1) == "static" and is_photo(pelican.group(2).split("#")[0]):
                linked = pelican.group(2).split("#")[0]
                base = content_dir if linked.startswith("/") else Path(path).parent
                shown.append((source, line, "body", os.path.relpath(base / linked.lstrip("/"), content_dir).replace(os.sep, "/")))
    cache = (settings or {}).get("CACHE_PATH") if (settings or {}).get("CHECK_CACHE") else None
    problems, found = photo_problems(content_dir, shown, os.path.join(cache, "photos") if cache else None)
    for source, line, field, what, expected in problems:
        source.problem(line, field, what, expected)
    return found


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
    problems, first = [], {}
    for source, key in zip(sources, keys, strict=True):
        if key is None:
            continue
        if key in first:
            line = source.lines.get(field.lower(), 1)
            problems.append(Problem(source.path, line, field, f"{relation} {first[key].path}", expected))
        else:
            first[key] = source
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
