"""The check cache's entries as plain data (`rows.Codec`): a source without its text, and its file's stamp.

50,000 of them are read at every build: they are made without their classes' __init__.
"""

import datetime

from content_schema.fields import Credit
from content_schema.source import Problem, Source

from .rows import Codec

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
