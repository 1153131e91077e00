"""Static full-text search: Pagefind's extended build indexes the written site.

The extended build segments Chinese, so 社保认证 finds 社会保险待遇资格认证's
report; only the part of a page marked `data-pagefind-body` is indexed.
Runs when Pelican has finished writing, so plain `pelican` builds get it too.
"""

import subprocess
import sys

from pelican import signals


class SearchIndexFailed(Exception):
    pass


def index_site(pelican):
    if not pelican.settings.get("SEARCH_INDEX", True):
        return
    command = [sys.executable, "-m", "pagefind_bin_extended", "--site", pelican.output_path, "--force-language", "zh-cn", "--silent"]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise SearchIndexFailed(f"Pagefind failed (exit {result.returncode}): {result.stdout}{result.stderr}")


def register():
    signals.finalized.connect(index_site)
