"""`python -m publishing.pelican_process ARGS`: Pelican's own command line, for a staged build.

The process ends as soon as Pelican is done, without tearing its memory down
object by object: at 50,000 reports that teardown alone takes about 6 s, and
none of it is needed (every file is written and closed by then). Exit
handlers still run, and the exit code is Pelican's.
"""

import atexit
import os
import sys

from pelican import main


def run(argv=None):
    try:
        main(argv)
        code = 0
    except SystemExit as stop:
        code = stop.code
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)  # as Python prints a SystemExit's message
        code = 1
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)


if __name__ == "__main__":
    run()
