"""Production settings: pelicanconf.py plus what the published edition changes."""

import os
import sys

sys.path.append(os.path.dirname(__file__))
from pelicanconf import *  # noqa: E402,F403

# URLs: absolute, at a domain root or under a sub-path (https://example.org/edition)
SITEURL = os.environ.get("SITEURL", "https://example.invalid").rstrip("/")
RELATIVE_URLS = False

# Feeds: on, with absolute links; paths already chosen in pelicanconf.py are kept
FEED_DOMAIN = SITEURL
FEED_ALL_ATOM = FEED_ALL_ATOM or "feeds/all.atom.xml"  # noqa: F405

# Plugins: a .gz and a .br beside every text file, for nginx's gzip_static and brotli_static
PLUGINS = [*PLUGINS, "pelican.plugins.precompress"]  # noqa: F405
PRECOMPRESS_GZIP = True
PRECOMPRESS_BROTLI = True
PRECOMPRESS_ZSTANDARD = False  # no nginx module serves .zst files
PRECOMPRESS_OVERWRITE = True  # rebuilding into an existing output must not keep stale copies

# Output
DELETE_OUTPUT_DIRECTORY = False  # builds start in a fresh folder; see pelicanconf.py
