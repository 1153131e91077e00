"""ASCII URL slugs from Chinese, by pinyin with phrase dictionary (增长 → zeng-zhang)."""

import functools
import re

from pypinyin import Style, lazy_pinyin, load_phrases_dict

NOT_SLUG = re.compile(r"[^a-z0-9]+")

# Readings pypinyin gets wrong in news copy; add here as the desk finds them.
load_phrases_dict({"褪色": [["tuì"], ["sè"]]})


@functools.lru_cache(maxsize=65536)
def pinyin_slug(text, limit=60):
    """Pinyin syllables joined by hyphens, lower case, cut at a syllable within limit."""
    syllables = lazy_pinyin(text, style=Style.NORMAL, v_to_u=False)
    words = NOT_SLUG.sub("-", "-".join(syllables).lower()).strip("-").split("-")
    slug = ""
    for word in filter(None, words):
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > limit:
            break
        slug = candidate
    return slug
