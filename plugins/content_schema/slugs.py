"""ASCII URL slugs from Chinese, by pinyin with phrase dictionary (增长 → zeng-zhang).

pypinyin takes half a second to load its dictionaries, and a build names the
same few hundred people, tags and page names every time: the slugs worked out
are kept between builds (`remember` / `keep`, a file in the cache), for this
module's code and this pypinyin, so that pypinyin is loaded only when a new
name comes.
"""

import functools
import hashlib
import json
import os
import re
from importlib import metadata

NOT_SLUG = re.compile(r"[^a-z0-9]+")
LIMIT = 60
_KNOWN = {}  # name → slug, from earlier builds
_MADE = set()  # names whose slug this process worked out
_UNREAD = []  # kept slugs to read when a name not known yet comes (remember_when_asked)


@functools.cache
def _pinyin():
    from pypinyin import Style, lazy_pinyin, load_phrases_dict

    # Readings pypinyin gets wrong in news copy; add here as the desk finds them.
    load_phrases_dict({"褪色": [["tuì"], ["sè"]]})
    return lambda text: lazy_pinyin(text, style=Style.NORMAL, v_to_u=False)


@functools.lru_cache(maxsize=65536)
def pinyin_slug(text, limit=LIMIT):
    """Pinyin syllables joined by hyphens, lower case, cut at a syllable within limit."""
    if limit == LIMIT:
        while _UNREAD:
            remember(_UNREAD.pop())
        if text in _KNOWN:
            return _KNOWN[text]
    words = NOT_SLUG.sub("-", "-".join(_pinyin()(text)).lower()).strip("-").split("-")
    slug = ""
    for word in filter(None, words):
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > limit:
            break
        slug = candidate
    if limit == LIMIT:
        _MADE.add(text)
        _KNOWN[text] = slug
    return slug


@functools.cache
def _code_key():
    """What the kept slugs were made by: this file and pypinyin's version."""
    with open(__file__, "rb") as handle:
        code = handle.read()
    return hashlib.blake2b(code + metadata.version("pypinyin").encode(), digest_size=16).hexdigest()


def remember(path):
    """Take the slugs an earlier build kept in `path`, if the same code made them."""
    try:
        with open(path, encoding="utf-8") as handle:
            kept = json.load(handle)
    except (OSError, ValueError):
        return
    if isinstance(kept, dict) and kept.get("code") == _code_key() and isinstance(kept.get("slugs"), dict):
        for name, slug in kept["slugs"].items():
            _KNOWN.setdefault(name, slug)


def remember_when_asked(path):
    """remember(path) when the first name not known yet is asked for: a build whose names all have
    their slug already (most days) does not read the file."""
    _UNREAD.append(path)


def keep(path):
    """Keep the slugs known now in `path` when this process worked out new ones."""
    if not _MADE:
        return
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    partial = f"{path}.{os.getpid()}"
    with open(partial, "w", encoding="utf-8") as handle:
        json.dump({"code": _code_key(), "slugs": _KNOWN}, handle, ensure_ascii=False, sort_keys=True)
    os.replace(partial, path)
    _MADE.clear()
