"""Static files (content's STATIC_PATHS, the theme's static folder) are copied only when their bytes changed.

Pelican copies every static file on every build, and a staged build starts in an empty folder: the
commit would replace every image of the archive each time. Instead each file's digest goes into the
manifest with the pages'; a content file whose digest is the last build's, and still in the last
build's output, is left out of Pelican's copying; the theme's files, which Pelican copies whole (a
few small files), are taken back out of the staged folder. A file gone from content/ or the theme
is gone from the manifest, and so from the output, as a page is.
"""

import fnmatch
import hashlib
import json
import os
import time

from site_build.state import build_of
from staging.manifest import manifest_before

KIND = "file:"
STAMPS = "static-files.json"  # in CACHE_PATH: {source: [size and time, digest]}, so that a file is read only when it changed
SETTLED_NS = 2 * 10**9  # a file's time counts for its bytes only once it is this old: the clock moves in steps


def skip_unchanged(generator):
    """static_generator_finalized: leave out of the copying the files the last build's output has as they are."""
    last = generator.settings.get("LAST_OUTPUT") or generator.output_path
    previous = manifest_before(build_of(generator.settings), last) if generator.staticfiles else {}
    stamps = Stamps(generator.settings.get("CACHE_PATH") if generator.staticfiles else None)
    digests, copied = {}, []
    for static in generator.staticfiles:
        value = digests[static.save_as] = stamps.digest(os.path.join(generator.path, static.source_path))
        if previous.get(static.save_as) != value or not os.path.isfile(os.path.join(last, static.save_as)):
            copied.append(static)
    stamps.save()
    # The generator's list is the context's too: Pelican copies what it lists (generate_output).
    generator.staticfiles[:] = copied
    build_of(generator.settings).static_digests = digests


def static_digests(settings, output_path, previous, last):
    """{name: digest} of this build's static files. In a staged build the theme's copies that are as
    the last build has them leave the staged folder, which then holds only what changed."""
    build = build_of(settings)
    digests = dict(build.static_digests)
    for name, source in theme_files(settings).items():
        digests[name] = file_digest(source)
    # Files written whole by a plugin (theme_assets' hashed copies) are named with their digests.
    digests.update(build.named_files)
    for listed in build.file_lists:
        digests.update(listed())
    if last != output_path:
        for name in [*theme_files(settings), *build.named_files]:
            staged = os.path.join(output_path, name)
            if previous.get(name) == digests[name] and os.path.isfile(os.path.join(last, name)) and os.path.isfile(staged):
                os.unlink(staged)
    return digests


def theme_files(settings):
    """{name in the output: source} of the theme's static files, as Pelican copies them: each of
    THEME_STATIC_PATHS (a file, or a folder's contents) into THEME_STATIC_DIR, IGNORE_FILES left out."""
    ignored = settings.get("IGNORE_FILES", [])
    theme, folder = settings["THEME"], settings["THEME_STATIC_DIR"]
    files = {}
    for path in settings.get("THEME_STATIC_PATHS", []):
        source = os.path.join(theme, path)
        if any(fnmatch.fnmatch(os.path.basename(path), pattern) for pattern in ignored):
            continue
        if os.path.isfile(source):
            files[os.path.normpath(os.path.join(folder, os.path.basename(path)))] = source
            continue
        for root, dirs, names in os.walk(source, followlinks=True):
            dirs[:] = [name for name in dirs if not any(fnmatch.fnmatch(name, pattern) for pattern in ignored)]
            for name in names:
                if not any(fnmatch.fnmatch(name, pattern) for pattern in ignored):
                    files[os.path.normpath(os.path.join(folder, os.path.relpath(os.path.join(root, name), source)))] = os.path.join(root, name)
    return files


def file_digest(path):
    """KIND + blake2b of the file's bytes."""
    with open(path, "rb") as handle:
        return KIND + hashlib.file_digest(handle, "blake2b").hexdigest()[:32]


class Stamps:
    """The digests of the content's static files by their size and time, kept in the cache: a file
    whose size and time are as they were is not read. A fresh checkout gives every file a new time:
    each is read once, and its bytes decide."""

    def __init__(self, cache_path):
        self.path = os.path.join(cache_path, STAMPS) if cache_path else None
        self.known, self.changed = {}, False
        if self.path:
            try:
                with open(self.path, encoding="utf-8") as handle:
                    self.known = json.load(handle)
            except (OSError, ValueError):
                self.known = {}

    def digest(self, path):
        status = os.stat(path)
        stamp = f"{status.st_size}:{status.st_mtime_ns}"
        known = self.known.get(path)
        if isinstance(known, list) and known[0] == stamp:
            return known[1]
        value = file_digest(path)
        if time.time_ns() - status.st_mtime_ns > SETTLED_NS:  # else saved again within the clock's step, unseen
            self.known[path], self.changed = [stamp, value], True
        return value

    def save(self):
        if self.path and self.changed:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            with open(self.path + ".new", "w", encoding="utf-8") as handle:
                json.dump(self.known, handle)
            os.replace(self.path + ".new", self.path)
