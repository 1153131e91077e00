"""What a cache or a page is known by: short digests of values, of code and of settings."""

import hashlib
import json
from pathlib import Path


def digest(*parts):
    return hashlib.blake2b(repr(parts).encode("utf-8"), digest_size=16).hexdigest()


def tree_digest(*folders, suffixes=(".html", ".py", ".css", ".js")):
    """One digest of every template, plugin and static file's bytes."""
    hasher = hashlib.blake2b(digest_size=16)
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file() and path.suffix in suffixes:
                hasher.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return hasher.hexdigest()


# Where the build reads and writes, and on how many cores, is not what a page shows.
WHERE = {"OUTPUT_PATH", "PATH", "CACHE_PATH", "LAST_OUTPUT", "BUILD_PROCESSES", "SEARCH_AFTER_BUILD"}


def settings_digest(settings):
    """Digest of the settings a template can show: plain (JSON) values only, not functions."""
    plain = []
    for key, value in sorted(settings.items()):
        if key.isupper() and key not in WHERE:
            try:
                plain.append((key, json.dumps(value, sort_keys=True)))
            except (TypeError, ValueError):
                continue
    return digest(plain)
