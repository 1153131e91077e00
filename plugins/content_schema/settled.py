"""Folders the check need not read again: unchanged since a check found nothing wrong in them.

A new day is one folder of 150 reports; the archive is thousands of folders. A rule about one file
gives the same answer while the file, the settings and the files it names are the same, and a rule
across the edition (one slug per item, one item per position, one name per page, one name per URL)
can only newly fail where a file read now meets another. So the check keeps a summary of each
folder in which it found no problem (`summary_of`): its files' stamps and digests, the files its
reports link to, the photos they show, and their keys for the rules across the edition (slugs,
edition dates, names and their URLs). Such a folder is settled (`Settling.settled`), and not read,
while:

- its files are those of its summary, with the same stamps (size and time; a racy time is kept as
  none, so that the folder is read next time, as the check's cache does with the file);
- the check's options are the same (the settings its rules read, where the content is), and its
  date limit (today and FUTURE_DATE_MARGIN_DAYS) is no earlier: a date in the future only ever
  becomes allowed;
- every file its reports link to is there, and every photo they show has the same stamp.

A settled folder that shares a key with a folder read now (`shared_with`) is read and checked with
it, so that the rules across the edition see every item they compare, in the order a check of the
whole tree would; two settled folders cannot clash, since the check that settled the later one saw
both. The check of a whole tree and one that settles folders give the same problems (tested).
"""

import hashlib
import marshal
import os

from news_photos.pipeline import Photo

from .slugs import pinyin_slug

SUMMARY_VERSION = 3
NAMES = (("people", lambda credit: credit.name), ("tags", lambda tag: tag), ("section", lambda section: section))


def folder_of(path):
    return path.rpartition(os.sep)[0]


def file_name(path):
    return path.rpartition(os.sep)[2]


def file_stamp(path, listed_at, racy_ns):
    """A file's (size, time) as the check keeps it: no time when it is racy, or the file is gone."""
    try:
        status = os.stat(path)
    except OSError:
        return (-1, 0)
    return (status.st_size, 0 if abs(status.st_mtime_ns - listed_at) <= racy_ns else status.st_mtime_ns)


def seal_of(pairs):
    """What a folder's report files are, in 32 hex digits: their (name in the folder, digest) pairs, in any
    order. The check's summary of a settled folder has it, and Pelican's row of the folder (build_cache):
    equal, the folder's cached reports are those of its files, none compared alone."""
    return lines_seal(f"{name}\0{digest}" for name, digest in pairs)


def stamps_seal(stamps):
    """What a folder's files are by their stamps, in 32 hex digits: their (name in the folder, (size, time))
    pairs, in any order. A settled folder is known by it: its summary's files are not read to compare."""
    return lines_seal(f"{name}\0{size}\0{time}" for name, (size, time) in stamps)


def lines_seal(lines):
    """32 hex digits of these lines, in any order."""
    return hashlib.blake2b("\n".join(sorted(lines)).encode(), digest_size=16).hexdigest()


def names_of(values, kind, name_of):
    value = values.get(kind)
    if not value:
        return []
    return [name_of(item) for item in (value if isinstance(value, list) else [value])]


def slugs_and_dates(values):
    """({slug}, {edition date}) of these sources' values: two keys of the rules across the edition."""
    slugs = {value["slug"] for value in values if value.get("slug") is not None}
    return slugs, {value["date"].date().isoformat() for value in values if "date" in value}


class Settling:
    """The summaries of one check: which folders are settled, which settled folders a changed one
    meets, and the summaries this check leaves for the next."""

    def __init__(self, cache, features, key, latest, explicit):
        self.cache, self.features, self.key = cache, features, key
        self.latest = tuple(latest.timetuple()[:6])
        self.explicit = explicit  # {kind: the setting's explicit slugs}
        self.summaries, self.stored_folders = cache.summaries(features)

    def settled(self, by_folder, content_dir):
        """{folder: summary} of the folders of by_folder ({folder: {path: stamp}}) that are settled."""
        settled = {}
        for folder, files in by_folder.items():
            summary = self.summaries.get(folder)
            if summary is None or summary["key"] != self.key or summary["latest"] > self.latest:
                continue
            cut = len(folder) + 1  # every path is the folder's: its name is what follows
            if summary["count"] != len(files) or summary["stamps"] != stamps_seal((path[cut:], stamp) for path, stamp in files.items()):
                continue
            if not all(map(os.path.isfile, summary["links"])):
                continue
            if any(file_stamp(os.path.join(content_dir, name), 0, -1) != photo[:2] for name, photo in summary["photos"].items()):
                continue
            settled[folder] = summary
        return settled

    def shared_with(self, sources, settled):
        """The settled folders that share a key of the rules across the edition with these sources.

        A name clashes where its URL's slug is another name's: among these sources, or between a source
        and a settled folder. Each settled folder's keys are read once, and only its names whose slug
        one of these sources has are held (a clashing slug is always one of them)."""
        values = [source.values for source in sources]
        slugs, dates = slugs_and_dates(values)
        by_slug = {kind: {} for kind, _ in NAMES}  # {kind: {slug: {the sources' names with it}}}
        for kind, name_of in NAMES:
            for value in values:
                for name in names_of(value, kind, name_of):
                    by_slug[kind].setdefault(self.slug(kind, name), set()).add(name)
        shared, met = set(), {}  # met: {folder: {kind: {name: slug}}} of its names with a slug of these sources
        for folder, summary in settled.items():
            their_slugs, names = marshal.loads(summary["across"])
            if not slugs.isdisjoint(their_slugs) or not dates.isdisjoint(summary["dates"]):
                shared.add(folder)
            found = {kind: {name: slug for name, slug in names[kind].items() if slug in by_slug[kind]} for kind, _ in NAMES}
            if any(found.values()):
                met[folder] = found
        for kind, _ in NAMES:
            clashing = {slug for slug, names in by_slug[kind].items() if len(names) > 1}
            clashing.update(slug for found in met.values() for name, slug in found[kind].items() if name not in by_slug[kind][slug])
            if clashing:
                shared.update(folder for folder, found in met.items() if not clashing.isdisjoint(found[kind].values()))
        return shared

    def slug(self, kind, name):
        return self.explicit[kind].get(name) or pinyin_slug(name)

    def summary_of(self, files, stamps, links, photos):
        """The summary of a folder without a problem: its [(path, source)] (the files kept with `stamps`),
        the files their links name and {photo name under content/: (its stamp, key, width, height)}."""
        kept = {file_name(path): (*stamps[path], source.digest, None if source.file == path else source.file) for path, source in files}
        values = [source.values for _, source in files]
        slugs, dates = slugs_and_dates(values)
        names = {kind: {name: self.slug(kind, name) for value in values for name in names_of(value, kind, name_of)} for kind, name_of in NAMES}
        # The files and the keys across the edition stay bytes until asked for: a new day's check holds
        # every settled folder's summary, 31 MB so at 200,000 reports, 150 MB as Python's dicts.
        return {
            "key": self.key,
            "latest": self.latest,
            "count": len(kept),
            "stamps": stamps_seal((name, entry[:2]) for name, entry in kept.items()),
            # None when a file is reached another way (its file is not the path): its digest is handed on alone
            "seal": seal_of((name, entry[2]) for name, entry in kept.items()) if all(entry[3] is None for entry in kept.values()) else None,
            "files": marshal.dumps(kept),
            "links": sorted(links),
            "photos": photos,
            "dates": sorted(dates),
            "across": marshal.dumps((sorted(slugs), names)),
        }

    def save(self, stored, folders_now):
        """Keep the summaries of the folders read now and found without a problem; drop those of the
        folders read now with a problem, and of folders gone."""
        dropped = (self.summaries.keys() - folders_now) | {folder for folder, summary in stored.items() if summary is None}
        self.cache.save_summaries({folder: summary for folder, summary in stored.items() if summary is not None}, dropped, self.features)


def digests_of(settled, sealed=None):
    """{file: digest} of the files of settled folders; given a dict as `sealed`, only of those without a
    seal, and {folder: (seal, how many files)} of the others put in it: 1,300 values at 200,000
    reports, not 200,000 handed to the build."""
    found = {}
    for folder, summary in settled.items():
        if sealed is not None and summary["seal"] is not None:
            sealed[folder] = (summary["seal"], summary["count"])
            continue
        for name, (_, _, digest, file) in marshal.loads(summary["files"]).items():
            found[file or folder + os.sep + name] = digest
    return found


def photos_of(settled):
    """{name under content/: Photo} of the photos the reports of settled folders show, as the check found them."""
    return {name: Photo(*photo[2:]) for summary in settled.values() for name, photo in summary["photos"].items()}
