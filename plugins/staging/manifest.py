"""The build's record of its files: every page's and static file's digest (MANIFEST), and in a staged
build the files the last build had and this one no longer has (REMOVED)."""

import json
import os

import orjson

from . import EXPIRES, MANIFEST, REMOVED


def read_manifest(output_path):
    """{name: digest} of the files the build in output_path made; {} if it has no readable record.
    A digest may be None: such a file is made again by every build."""
    try:
        with open(os.path.join(output_path, MANIFEST), "rb") as handle:
            text = handle.read()
        try:
            digests = orjson.loads(text)  # 23 MB at 200,000 reports: 0.09 s, json's 0.15–0.20
        except ValueError:  # orjson.JSONDecodeError; or a lone surrogate json wrote escaped (write_manifest)
            digests = json.loads(text)
    except (OSError, ValueError):
        return {}
    return digests if isinstance(digests, dict) else {}


def manifest_before(build, last):
    """read_manifest(last) for a build (site_build.state.Build), read once: the photos, the static files
    and the pages are each compared with it (some 7 MB of JSON at 50,000 reports). Read only: it is shared."""
    if build.manifest_before is None or build.manifest_before[0] != last:
        build.manifest_before = (last, read_manifest(last))
    return build.manifest_before[1]


def write_manifest(output_path, digests):
    path = os.path.join(output_path, MANIFEST)
    if os.path.lexists(path):
        os.unlink(path)  # a new file: the old one may be a hard link shared with the previous site
    # The same bytes as json.dumps(digests, sort_keys=True, separators=(",", ":")) for names in ASCII (UTF-8 for
    # others, not \u escapes), in a sixth of its time: 0.02 s at 200,000 reports.
    try:
        text = orjson.dumps(digests, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # a name orjson does not write (a lone surrogate, from a file name not in UTF-8): escaped by json
        text = json.dumps(digests, sort_keys=True, separators=(",", ":")).encode("ascii")
    with open(path, "wb") as handle:
        handle.write(text)


def write_removed(staged_path, names):
    with open(os.path.join(staged_path, REMOVED), "w", encoding="utf-8") as handle:
        json.dump(sorted(names), handle)


def read_removed(staged_path):
    try:
        with open(os.path.join(staged_path, REMOVED), encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        return []


def write_expires(staged_path, moment):
    """Record when this build's output would come out differently with nothing changed but the time
    (an aware datetime; None: never)."""
    with open(os.path.join(staged_path, EXPIRES), "w", encoding="utf-8") as handle:
        json.dump(None if moment is None else moment.timestamp(), handle)


def read_expires(staged_path):
    """write_expires's moment, in seconds since the epoch; None if never; 0 if the build did not say (it may depend on the time)."""
    try:
        with open(os.path.join(staged_path, EXPIRES), encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return 0
