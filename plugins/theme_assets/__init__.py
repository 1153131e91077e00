"""The theme's static files under names that carry a hash of their bytes, for long caching.

Pelican copies theme/static/css/edition.css to output/theme/css/edition.css; this plugin also
writes output/theme/css/edition.3f2a9c1b.css (THEME_STATIC_DIR honoured), a name nginx caches for a
year (plugins/publishing/nginx/edition.conf), and templates link it through the Jinja global
`asset`: `{{ SITEURL }}/{{ asset("css/edition.css") }}`. A changed file gets a new name.

The hashed files the last build linked are kept one build more, for a page fetched before this
build was published that asks for them afterwards; older ones are removed.
"""

import hashlib
import logging
import os
import re
import shutil
import tempfile
from fnmatch import fnmatch
from functools import partial
from pathlib import Path

from jinja2 import TemplateRuntimeError
from pelican import signals

from site_build.state import build_of

logger = logging.getLogger(__name__)

HASH_DIGITS = 8  # what nginx's pattern for a hashed name asks for at least
# A hashed name, and pelican-precompress's compressed copies of it
HASHED = re.compile(rf"^(?P<hashed>(?P<stem>.+)\.[0-9a-f]{{{HASH_DIGITS}}}(?P<suffix>\.[^.]+?))(\.gz|\.br)?$")


def hashed_name(relative, data):
    """css/edition.css and its bytes → css/edition.3f2a9c1b.css"""
    digest = hashlib.sha256(data).hexdigest()[:HASH_DIGITS]
    path = Path(relative)
    return path.with_name(f"{path.stem}.{digest}{path.suffix}").as_posix()


def theme_files(theme, static_paths, ignores=()):
    """{path under THEME_STATIC_DIR: source file}, as Pelican's StaticGenerator copies them."""
    files = {}
    for static in static_paths:
        source = Path(theme, static)
        if source.is_file():
            files[source.name] = source
            continue
        for folder, dirs, names in os.walk(source):
            dirs[:] = sorted(d for d in dirs if not any(fnmatch(d, pattern) for pattern in ignores))
            for name in sorted(names):
                if not any(fnmatch(name, pattern) for pattern in ignores):
                    path = Path(folder, name)
                    files[path.relative_to(source).as_posix()] = path
    return files


def previous_names(files, last_static):
    """The hashed names the last build linked: its plain copies' hashes, where it wrote them."""
    names = set()
    for relative in files:
        plain = last_static / relative
        if plain.is_file():
            name = hashed_name(relative, plain.read_bytes())
            if (last_static / name).is_file():
                names.add(name)
    return names


def write_hashed(static, last_static, files):
    """Write each file's hashed copy into `static`, keep the last build's, remove older ones;
    return {path: hashed path}."""
    names = {relative: hashed_name(relative, source.read_bytes()) for relative, source in files.items()}
    keep = set(names.values()) | previous_names(files, last_static)
    for relative, name in names.items():
        if not (static / name).exists():  # the name says what is in it
            write_new(files[relative], static / name)
    for name in keep - set(names.values()):
        if last_static != static and not (static / name).exists():
            write_new(last_static / name, static / name)
    for path in list(stale_copies(static, files, keep)):
        path.unlink()
    return names, keep


def stale_copies(static, files, keep):
    """Hashed copies of the theme's files, and their compressed copies, not among those to keep."""
    for path in static.rglob("*.*.*"):
        match = HASHED.match(path.relative_to(static).as_posix())
        if match and match["stem"] + match["suffix"] in files and match["hashed"] not in keep:
            yield path


def write_new(source, target):
    """A copy written whole under a temporary name and renamed: never through a hard link into an
    earlier build, never seen half written. It keeps the source's time, as Pelican's copies do:
    `invoke publish` hard-links a file unchanged since the last release only if its time is too."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    os.close(handle)
    shutil.copy2(source, temporary)
    os.chmod(temporary, 0o644)
    os.replace(temporary, target)


def asset(urls, path):
    """The URL, from the site's root, of a theme file under its hashed name."""
    try:
        return urls[path]
    except KeyError:
        raise TemplateRuntimeError(f"asset: {path!r} is not a file of the theme's static paths — one of {', '.join(sorted(urls))}") from None


def publish_assets(generators):
    """Once per build, before any page is rendered: write the hashed files, tell templates their names."""
    generator = generators[0]
    settings = generator.settings
    folder = settings["THEME_STATIC_DIR"]
    files = theme_files(generator.theme, settings["THEME_STATIC_PATHS"], settings.get("IGNORE_FILES", ()))
    last_output = settings.get("LAST_OUTPUT") or generator.output_path
    names, kept = write_hashed(Path(generator.output_path, folder), Path(last_output, folder), files)
    urls = {relative: f"{folder}/{name}" for relative, name in names.items()}
    # In the build's record with the pages: one the next build no longer keeps leaves the output as a page does.
    build_of(settings).named_files.update((f"{folder}/{name}", "named:" + name) for name in kept)
    # A setting as well: every page's digest (incremental) covers the settings, so a page is
    # rendered again whenever a name it may link changes, whatever the file's kind.
    settings["THEME_ASSETS"] = urls
    for each in generators:
        if hasattr(each, "env"):
            each.env.globals["asset"] = partial(asset, urls)
    logger.debug("theme_assets: %d files under hashed names in %s", len(urls), folder)


def register():
    signals.all_generators_finalized.connect(publish_assets)
