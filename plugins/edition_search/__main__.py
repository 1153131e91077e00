"""The search index of a staged build, made outside Pelican's process (publishing.build runs both):

python -m edition_search early FOLDER LAST CONTENT   while Pelican builds into FOLDER: the weeks it closes, from LAST
python -m edition_search FOLDER                      once Pelican has exited: what FOLDER's build asked to be indexed
"""

import sys
from pathlib import Path

from . import SearchIndexFailed, index_early, index_pending

try:
    if sys.argv[1] == "early":
        index_early(*map(Path, sys.argv[2:5]))
    else:
        index_pending(sys.argv[1])
except SearchIndexFailed as error:
    sys.exit(str(error))
