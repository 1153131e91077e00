"""`python -m publishing.pelican_process ARGS`: Pelican's own command line, for a staged build.

Its log is plain lines on stderr, never wrapped or padded to a terminal's
width (Pelican's own "plain" handler, with the site's plugins' info lines
shown): a content problem stays one `path:line: field: …` line that an
editor can copy or an editor's tool read. The process ends as soon as
Pelican is done, without tearing its memory down object by object: at
50,000 reports that teardown alone takes about 6 s, and none of it is
needed (every file is written and closed by then). Exit handlers still
run, and the exit code is Pelican's.
"""

import logging
import sys

from pelican import main

from site_build.pelican_internals import exit_at_once

logger = logging.getLogger(__name__)


def show_log_plainly():
    """Messages as they are, one a line, on stderr: the site's plugins' from info up, Pelican's at its
    own level (a warning by default, all with -v). Pelican's logging leaves a root logger that has a
    handler as it is (pelican.log.init: logging.basicConfig)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.getLogger("pelican").setLevel(logging.WARNING)


def run(argv=None):
    show_log_plainly()
    try:
        main(argv)
        code = 0
    except SystemExit as stop:
        code = stop.code
    if code is not None and not isinstance(code, int):
        logger.critical("%s", code)  # as Python prints a SystemExit's message
        code = 1
    exit_at_once(code or 0)


if __name__ == "__main__":
    run()
