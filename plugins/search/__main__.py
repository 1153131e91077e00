"""`python -m search OUTPUT`: index a staged build once Pelican has exited (publishing.build runs it)."""

import sys

from . import SearchIndexFailed, index_pending

try:
    index_pending(sys.argv[1])
except SearchIndexFailed as error:
    sys.exit(str(error))
