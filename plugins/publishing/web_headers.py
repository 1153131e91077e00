"""What each file of the edition is served with: its Content-Type, its Cache-Control, and whether
it may be sent gzip-compressed.

Object storage sends the headers stored with each object, so the publish to a bucket sets them
from this table. nginx/edition.conf says the same for a server of our own; tests/test_objects.py
checks that the two agree, so a rule is decided once.
"""

import hashlib
import json
import re

# Names that carry a hash of their content never change under that name: Pagefind's index
# chunks and metadata, and any asset with a content hash in its name (nginx/edition.conf's
# `location ~` for them, the same pattern on a path that starts with a slash).
IMMUTABLE = r"^/pagefind/[^/]+/((fragment|index|filter)/|pagefind\.[^/]+_[0-9a-f]+\.pf_meta$)|\.[0-9a-f]{8,}\.(css|js|mjs|woff2|svg|png|jpg|webp|avif)$"
A_YEAR = "public, max-age=31536000, immutable"
A_DAY = "public, max-age=86400"  # the theme's CSS and JS and the images keep their names across releases
MINUTES = "public, max-age=300"  # pages, feeds and the search index's entry points: a correction reaches readers within minutes
CACHE_RULES = ((re.compile(IMMUTABLE), A_YEAR), (re.compile(r"^/(theme|images)/"), A_DAY))

# By the end of the name, longest first. Pagefind's .pf_* files and its WebAssembly
# (wasm.unknown.pagefind) are gzip streams that Pagefind's script inflates itself: bytes.
CONTENT_TYPES = {
    ".atom.xml": "application/atom+xml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "application/javascript; charset=utf-8",
    ".mjs": "application/javascript; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".xml": "text/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".wasm": "application/wasm",
    ".pdf": "application/pdf",
}
BYTES = "application/octet-stream"
# Text compresses to a fifth or less; images, fonts and Pagefind's files are compressed already
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "application/atom+xml", "image/svg+xml")
SUFFIXES = sorted(CONTENT_TYPES, key=len, reverse=True)


def content_type(path):
    """The Content-Type of a file of the edition, by its path (`theme/css/edition.css`)."""
    name = path.rsplit("/", 1)[-1].lower()
    return next((CONTENT_TYPES[suffix] for suffix in SUFFIXES if name.endswith(suffix)), BYTES)


def cache_control(path):
    """How long browsers and the CDN may keep the file without asking again."""
    slashed = "/" + path
    return next((value for pattern, value in CACHE_RULES if pattern.search(slashed)), MINUTES)


def compressible(path):
    return content_type(path).startswith(COMPRESSIBLE)


def headers(path, encoding=None):
    """The headers stored with the file's object (boto3's names)."""
    stored = {"ContentType": content_type(path), "CacheControl": cache_control(path)}
    if encoding:
        stored["ContentEncoding"] = encoding
    return stored


def fingerprint():
    """Changes when any rule does: a publish then sends every object again, with its new headers."""
    rules = [IMMUTABLE, A_YEAR, A_DAY, MINUTES, [p.pattern for p, _ in CACHE_RULES], CONTENT_TYPES, BYTES, COMPRESSIBLE]
    return hashlib.sha256(json.dumps(rules, sort_keys=True).encode()).hexdigest()[:16]
