"""The search index of a staged build, made outside Pelican's process (publishing.build runs both):

python -m edition_search FOLDER      once Pelican has exited: what FOLDER's build asked to be indexed
"""

import sys

from . import SearchIndexFailed, index_pending

try:
    index_pending(sys.argv[1])
except SearchIndexFailed as error:
    sys.exit(str(error))
