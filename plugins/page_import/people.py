"""The people of an item, read from what is printed: the report's byline, the photo's credit."""

import re

from .blocks import DATELINE, NAME

BYLINE_ROLE = re.compile(r"(?:本报)?(记者|通讯员)")
CREDIT_ROLE = re.compile(r"^(?:本报)?(?:摄影记者|记者|通讯员)?")
NAME_SEPARATOR = re.compile(r"[\s、,，]+")
WHOLE_NAME = re.compile(rf"^{NAME}$")


def byline_people(paragraph):
    """([(role, name)], [names it could not read]) from a report's opening paragraph."""
    match = DATELINE.match(paragraph)
    if not match:
        return [], []
    parts = BYLINE_ROLE.split(match["byline"])
    unread = [parts[0].strip()] if parts[0].strip() else []
    people = []
    for role, names in zip(parts[1::2], parts[2::2], strict=True):
        for name in filter(None, NAME_SEPARATOR.split(names)):
            if WHOLE_NAME.match(name):
                people.append((role, name))
            else:
                unread.append(name)
    return people, unread


def credit_people(credit):
    """[("摄影", name)] for each photographer of a credit like `本报记者 姜涛 摄`."""
    names = CREDIT_ROLE.sub("", credit).strip().removesuffix("摄")
    return [("摄影", name) for name in NAME_SEPARATOR.split(names) if name]
