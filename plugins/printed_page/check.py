"""The printed pages as `invoke check` sees them, without a build: every page PDF one readable
newspaper page, every sidecar beside its PDF, in UTF-8, its zones on reports of that page and
inside it. The same lines as the build gives (printed_page.Reading), so that an editor who only
runs the check learns of a bad page before the build does.
"""

import os
from collections import defaultdict

from news_photos.store import Catalog

from . import label
from .layer import PageError, open_document, page_size
from .picture import PagePhoto, read_size
from .sidecar import SidecarError, no_report_on, read_sidecar, sidecar_text, without_pdf
from .store import CATALOG, page_files, pdfs_of

PLACE_FIELDS = ("Date", "Page", "Slug")


def page_problems(content, sources, cache=None, folders=None):
    """(problems, warnings): lines `path:line: field: what — expected` for the page PDFs and sidecars
    under content/<date>/, given the checked sources (of those date folders only, if `folders` names
    them: the sources are theirs). PDFs the build catalogued (cache: its cache/photos/ folder) are not
    opened again; what the check reads is not written down."""
    files = page_files(content)
    if folders is not None:
        files = {lower: name for lower, name in files.items() if name.partition("/")[0] in folders}
    slugs = defaultdict(set)  # "2020-12-30/a06" → the slugs of the reports on that page
    unplaced = set()  # date folders with a report whose Date, Page or Slug could not be read
    for source in sources:
        values = source.values
        placed = "date" in values and "page" in values and values.get("slug")
        if placed:
            slugs[f"{values['date'].date().isoformat()}/{values['page'].lower()}"].add(values["slug"])
        # Its place unread, or not its file's (the place rules): its own problem says so.
        if (not placed or any(problem.field in PLACE_FIELDS for problem in source.problems)) and getattr(source, "file", None):
            unplaced.add(os.path.basename(os.path.dirname(source.file)))
    catalog = Catalog(cache, CATALOG, reader=read_size, kinds=(PagePhoto, PageError), keep=False)
    try:
        found = catalog.look_up(content, pdfs_of(files))
    finally:
        catalog.close()
    problems, warnings = [], []

    def line(name, number, field, what, expected):
        return f"{label(os.path.join(content, name))}:{number}: {field}: {what} — {expected}"

    for lower, name in sorted(files.items()):
        stem, suffix = os.path.splitext(lower)
        pdf = files.get(stem + ".pdf")
        if suffix == ".pdf":
            if isinstance(found[name], PageError):
                problems.append(line(name, 1, "file", found[name].what, found[name].expected))
            elif not slugs[stem]:
                warnings.append(line(name, 1, "warning", *no_report_on(stem)))
        elif pdf is None:
            problems.append(line(name, 1, "file", *without_pdf(stem)))
        elif not isinstance(found[pdf], PageError):
            # A report of the day without its place (its own problem says why) may be one a zone names: that
            # zone's report is not judged (a Date mistyped made every zone of its page "no report", all listed).
            known = None if stem.partition("/")[0] in unplaced else slugs[stem]
            problems += [line(name, *each) for each in sidecar_problems(content, name, pdf, known)]
    return problems, warnings


def sidecar_problems(content, name, pdf, slugs):
    """[(line, field, what, expected)] of a sidecar beside a readable page PDF."""
    with open(os.path.join(content, pdf), "rb") as handle:
        document = open_document(handle.read())
    try:
        width, height = page_size(document)
    finally:
        document.close()
    try:
        read_sidecar(sidecar_text(os.path.join(content, name)), width, height, slugs)
    except SidecarError as error:
        return [(each.line, each.field, each.what, each.expected) for each in error.problems]
    return []
