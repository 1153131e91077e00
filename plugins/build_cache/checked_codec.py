"""The check's cache of parsed files: its table, and its entries as plain data (`rows.Codec`): a source
without its text, and its file's stamp.

50,000 of them are read at every build: they are made without their classes' __init__.
"""

import contextlib
import datetime
import os

from content_schema.fields import Credit
from content_schema.source import Problem, Source

from .keys import tree_digest
from .rows import Codec, read_rows, read_summaries, write_rows, write_summaries

CACHE_VERSION = 7  # a cache written by other code holds other Sources: it is read afresh
DATES = ("date", "modified")


def encode_checked(entry):
    """(stamp, a source without its text) → plain data for the cache (rows.Codec)."""
    stamp, source = entry
    values = dict(source.values)
    for key in DATES:
        if key in values:
            values[key] = tuple(values[key].timetuple()[:6]) + (values[key].microsecond,)
    if "people" in values:
        values["people"] = [(credit.role, credit.name) for credit in values["people"]]
    problems = [tuple(vars(problem).values()) for problem in source.problems]
    body_problems = [tuple(vars(problem).values()) for problem in source.body_problems]
    return (stamp, source.path, source.digest, source.file, source.body_line, values, source.lines, problems, body_problems, source.links)


def decode_checked(data):
    stamp, path, digest, file, body_line, values, lines, problems, body_problems, links = data
    for key in DATES:
        if key in values:
            values[key] = datetime.datetime(*values[key])
    if "people" in values:
        values["people"] = [_credit(role, name) for role, name in values["people"]]
    # Made without their classes' __init__ (50,000 of them a build): the same fields, a third of the time.
    source = object.__new__(Source)
    source.__dict__ = {
        "path": path,
        "values": values,
        "lines": lines,
        "body": None,
        "body_line": body_line,
        "problems": [Problem(*problem) for problem in problems] if problems else [],
        "digest": digest,
        "file": file,
        "html": None,
        "body_problems": [Problem(*problem) for problem in body_problems] if body_problems else [],
        "links": links,
    }
    return stamp, source


def _credit(role, name):
    credit = object.__new__(Credit)
    credit.__dict__.update(role=role, name=name)
    return credit


CHECKED_CODEC = Codec(encode_checked, decode_checked)


class CheckedSources:
    """The check's cache (content_schema.check.check_tree), a table with a row per folder: `load` gives
    {path: (stamp, source)} as last saved, `save` writes the rows of the folders where a file changed or
    went. The pinyin slugs the check works out are kept beside it (slugs_file)."""

    def __init__(self, path):
        self.path = path
        self.slugs_file = os.path.join(os.path.dirname(os.path.abspath(path)), "pinyin-slugs.json")

    def load(self, features=0, folders=None):
        """features: the check's number for the renderer's features (content_schema.check.features_version);
        folders: the folders whose files are wanted (all if None)."""
        return read_rows(self.path, CACHE_VERSION * 16 + features, CHECKED_CODEC, folders)

    def save(self, values, changed, gone, features=0):
        write_rows(self.path, CACHE_VERSION * 16 + features, CHECKED_CODEC, values, changed, gone)

    def summaries(self, features=0):
        """({folder: summary (content_schema.settled)}, [every folder with rows])."""
        return read_summaries(self.path, CACHE_VERSION * 16 + features)

    def save_summaries(self, stored, dropped, features=0):
        write_summaries(self.path, CACHE_VERSION * 16 + features, stored, dropped)


CHECKED = "checked-sources"


def checked_sources_table(settings):
    """The check's cache of parsed files, named by the digest of the code that parses them (the
    content schema): a file parsed by other code is parsed again. Tables of other code are dropped."""
    top = settings["CACHE_PATH"]
    schema = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "content_schema")
    name = CHECKED + "-" + tree_digest(schema, suffixes=(".py",))[:16] + ".sqlite"
    if os.path.isdir(top):
        for entry in os.listdir(top):
            if entry.startswith(CHECKED) and not entry.startswith(name):  # its own journal kept
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(top, entry))
    return os.path.join(top, name)
