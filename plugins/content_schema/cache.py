"""Pelican's own cache of reports between builds, made safe for this build.

With CONTENT_CACHING_LAYER = "generator", Pelican keeps every report's Article
between builds, keyed by the file's modification time, and reads again only
the files that changed. It leaves two things to us:

- an Article holds the settings and the whole site's context, which neither
  pickle nor belong in a cache: they are left out when the cache is saved and
  set to this build's when it is loaded; tags, people and sections come back
  as this build's own (one object per name);
- the cache knows nothing of settings or code, so it is kept in a folder
  named by their digest: a change of either starts a new cache.
"""

import copyreg
import os
import shutil

from pelican.contents import Article

from . import reader

FOLDER = "articles-"
_BUILD = {}  # this build's settings and context, for Articles loaded from the cache


def _restore_article(state):
    article = Article.__new__(Article)
    article.__dict__.update(state)
    article.settings = _BUILD["settings"]
    article._context = _BUILD["context"]
    return article


def _reduce_article(article):
    return _restore_article, ({key: value for key, value in article.__dict__.items() if key not in ("settings", "_context")},)


def _restore_wrapper(cls, name, slug):
    return reader.shared_wrapper(cls, name, slug, _BUILD["settings"])


def _reduce_wrapper(wrapper):
    return _restore_wrapper, (type(wrapper), wrapper.name, wrapper.slug)


copyreg.pickle(Article, _reduce_article)
for _cls in (reader.Author, reader.Tag, reader.Category):
    copyreg.pickle(_cls, _reduce_wrapper)


def use_cache_of_this_code(settings):
    """Point CACHE_PATH at the cache of these settings and plugins, drop the others; is there one?"""
    if not (settings.get("CACHE_CONTENT") and settings.get("CONTENT_CACHING_LAYER") == "generator"):
        return False
    # Imported here: Pelican loads plugins by name in PLUGINS order, so incremental is loaded by now.
    from incremental.fingerprints import digest, settings_digest, tree_digest

    plugins = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    name = FOLDER + digest(settings_digest(settings), tree_digest(plugins, suffixes=(".py",)))
    top = settings["CACHE_PATH"]
    if os.path.isdir(top):
        for entry in os.listdir(top):
            if entry.startswith(FOLDER) and entry != name:
                shutil.rmtree(os.path.join(top, entry), ignore_errors=True)
    settings["CACHE_PATH"] = os.path.join(top, name)
    return settings.get("LOAD_CONTENT_CACHE", False) and os.path.isfile(os.path.join(settings["CACHE_PATH"], "ArticlesGenerator"))


def remember_build(generator):
    """Before Pelican loads its cache: what loaded Articles are to hold."""
    _BUILD.update(settings=generator.settings, context=generator.context)
