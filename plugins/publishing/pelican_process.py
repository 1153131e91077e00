"""`python -m publishing.pelican_process ARGS`: Pelican's own command line, for a staged build.

Its log is plain lines on stderr, never wrapped or padded to a terminal's
width (Pelican's own "plain" handler, with the site's plugins' info lines
shown): a content problem stays one `path:line: field: …` line that an
editor can copy or an editor's tool read. The process ends as soon as
Pelican is done, without tearing its memory down object by object: at
50,000 reports that teardown alone takes about 6 s, and none of it is
needed (every file is written and closed by then). Exit handlers still
run, and the exit code is Pelican's.

A staged build starts it while it takes its fingerprint (publishing.build.Waiting), with a pipe
named in START_FD: Pelican, its settings and its plugins are loaded, and then it waits for a byte
on that pipe before it runs (reads content/, writes anything), and ends at once if the pipe is
closed without one (nothing changed).
"""

import logging
import os
import sys

logger = logging.getLogger(__name__)
START_FD = "EDITION_START_FD"  # in the environment: the pipe to wait on (publishing.build.Waiting)


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


def wait_to_run():
    """Once Pelican is made (settings read, plugins loaded): wait for the build's word, if it gave a pipe."""
    from site_build.pelican_internals import exit_at_once

    descriptor = os.environ.pop(START_FD, None)
    if descriptor is None:
        return
    with os.fdopen(int(descriptor), "rb") as pipe:
        told = pipe.read(1)
    if not told:  # closed unwritten: nothing to build
        exit_at_once(0)


def run(argv=None):
    from pelican import main

    from site_build.pelican_internals import exit_at_once, wait_before_running

    show_log_plainly()
    wait_before_running(wait_to_run)
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
