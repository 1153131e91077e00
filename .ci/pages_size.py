"""Fail before the upload when the site would pass GitHub Pages' size limit:
`python3 .ci/pages_size.py output`. Pages refuses a published site over 1 GB; the upload action
tars the folder with symbolic and hard links followed, so every file counts at its full size.
Standard library only: it runs before anything else is installed."""

import os
import sys
from pathlib import Path

LIMIT = 10**9  # GitHub Pages: "Published GitHub Pages sites may be no larger than 1 GB"
WARN_AT = 0.8  # a year of a daily is about the limit: say so months before it is reached
SKIPPED = {".git", ".github"}  # what actions/upload-pages-artifact leaves out


def site_size(folder):
    """(files, bytes) of the folder as the Pages artifact holds it."""
    files = size = 0
    for root, folders, names in os.walk(Path(folder).resolve(), followlinks=True):
        folders[:] = [name for name in folders if name not in SKIPPED]
        for name in names:
            if name in SKIPPED:
                continue
            files += 1
            size += os.stat(os.path.join(root, name)).st_size
    return files, size


def verdict(folder, files, size, limit=LIMIT):
    """(exit status, message) for a site of `size` bytes in `files` files."""
    share = size / limit
    summary = f"{folder}: {size / 10**6:,.1f} MB in {files:,} files, {share:.0%} of GitHub Pages' {limit / 10**9:g} GB limit"
    if size > limit:
        return 1, (
            f"::error::{summary}. GitHub Pages refuses a site this large: publish to object storage "
            "(invoke publish --target s3://bucket/prefix; see README, Deploying)"
        )
    if share >= WARN_AT:
        return 0, f"::warning::{summary}. Plan the move to object storage before the archive passes the limit (README, Deploying)"
    return 0, summary


def main(arguments):
    folder = arguments[0] if arguments else "output"
    if not Path(folder).is_dir():
        print(f"::error::{folder}: no such folder — build the site first", file=sys.stderr)
        return 1
    status, message = verdict(folder, *site_size(folder))
    print(message, file=sys.stderr if status else sys.stdout)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
