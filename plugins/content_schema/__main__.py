"""`python -m content_schema [CONTENT_DIR] [--settings pelicanconf.py]`: check without building.

Every report and photo, and with the printed_page plugin every page PDF and sidecar (printed_page.check).
Prints one line per problem, `path:line: field: what is wrong — what is expected`,
and exits 1 when there is any.
"""

import argparse
import sys

from pelican.settings import read_settings

from .body import SettingError
from .check import check_tree, photo_cache


def main(argv=None):
    parser = argparse.ArgumentParser(prog="check", description=__doc__.splitlines()[0])
    parser.add_argument("content", nargs="?", default=None, help="content folder (default: PATH in the settings)")
    parser.add_argument("--settings", default="pelicanconf.py")
    args = parser.parse_args(argv)
    settings = read_settings(args.settings)
    try:
        sources, problems = check_tree(args.content or settings["PATH"], settings)
    except SettingError as error:
        print(error, file=sys.stderr)
        return 1
    problems = [str(problem) for problem in problems]
    if "printed_page" in settings.get("PLUGINS", ()):  # the page PDFs and their sidecars, as the build reads them
        from printed_page.check import page_problems

        pages, warnings = page_problems(args.content or settings["PATH"], sources, photo_cache(settings))
        problems += pages
        for warning in warnings:
            print(warning, file=sys.stderr)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) in {len(sources)} item(s).", file=sys.stderr)
        return 1
    print(f"{len(sources)} item(s) checked, no problems.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
