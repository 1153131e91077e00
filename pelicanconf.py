"""Settings for building the edition locally. publishconf.py changes what production changes."""

import os
import sys

# The paper
SITENAME = "平顶山日报"
SITENAME_PINYIN = "Pingdingshan Daily"
SITEURL = ""
AUTHOR = "平顶山日报社"
PUBLISHER = "平顶山日报社"
PUBLISHER_ADDRESS = "河南省平顶山市"
ICP_FILING = ""  # 备案号, e.g. "豫ICP备00000000号"; shown in the footer when set
DEFAULT_LANG = "zh-cn"
HTML_LANG = "zh-CN"  # what Chinese tools and Baidu expect on <html lang>
LOCALE = ("zh_CN.UTF-8", "C.UTF-8")
TIMEZONE = "Asia/Shanghai"

# Content: every Markdown item is a report or photo item, read through the content schema
PATH = "content"
ARTICLE_PATHS = [""]
PAGE_PATHS = []
STATIC_PATHS = ["images"]
# Hidden files and folders are no content: an editor's lock file (.#a06-02-….md), a Mac's ._a06-02-….md.
# Pelican's reader and copier match a name alone (".*"), its autoreload (pelican -r) a whole path ("**/.*").
IGNORE_FILES = [".*", "**/.*"]
USE_FOLDER_AS_CATEGORY = False
DEFAULT_DATE = None
# One language, no translations. Pelican's translation matching is quadratic
# in the number of reports (35 s at 50,000); slugs are checked unique anyway.
ARTICLE_TRANSLATION_ID = None
PAGE_TRANSLATION_ID = None
SECTIONS = ["湛河区"]  # known page names (版名); an unknown one is refused
FUTURE_DATE_MARGIN_DAYS = 2  # an edition date later than this is refused
PERSON_SLUGS = {}  # name → slug, to tell apart two people whose names share a pinyin
TAG_SLUGS = {}
SECTION_SLUGS = {}

# URLs: ASCII, readable, stable; every page is a folder with index.html
ARTICLE_URL = "{date:%Y-%m-%d}/{page_slug}/{slug}/"
ARTICLE_SAVE_AS = ARTICLE_URL + "index.html"
EDITION_URL = "{date:%Y-%m-%d}/"
EDITION_SAVE_AS = EDITION_URL + "index.html"
EDITION_PAGE_URL = "{date:%Y-%m-%d}/{page}/"
EDITION_PAGE_SAVE_AS = EDITION_PAGE_URL + "index.html"
EDITIONS_URL = "editions/"
EDITIONS_SAVE_AS = EDITIONS_URL + "index.html"
AUTHOR_URL = "reporters/{slug}/"
AUTHOR_SAVE_AS = AUTHOR_URL + "index.html"
AUTHORS_URL = "reporters/"
AUTHORS_SAVE_AS = AUTHORS_URL + "index.html"
TAG_URL = "tags/{slug}/"
TAG_SAVE_AS = TAG_URL + "index.html"
TAGS_URL = "tags/"
TAGS_SAVE_AS = TAGS_URL + "index.html"
CATEGORY_URL = "sections/{slug}/"
CATEGORY_SAVE_AS = CATEGORY_URL + "index.html"
CATEGORIES_URL = "sections/"
CATEGORIES_SAVE_AS = CATEGORIES_URL + "index.html"
INDEX_SAVE_AS = ""  # the front page is the latest edition, written by the edition plugin
ARCHIVES_SAVE_AS = ""
YEAR_ARCHIVE_SAVE_AS = ""
MONTH_ARCHIVE_SAVE_AS = ""
DAY_ARCHIVE_SAVE_AS = ""
DRAFT_SAVE_AS = ""
DIRECT_TEMPLATES = ["tags", "categories", "authors", "search", "404"]
SEARCH_URL = "search/"  # the search page: the masthead's form lands here with ?q=
SEARCH_SAVE_AS = SEARCH_URL + "index.html"
DEFAULT_PAGINATION = 50
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)

# Feeds: Atom, full text, for the whole edition, each tag, each person and each page name.
# Feed links must be absolute: locally they point at `invoke serve`; publishconf.py uses SITEURL.
FEED_DOMAIN = "http://127.0.0.1:8000"
FEED_ALL_ATOM = "feeds/all.atom.xml"
TAG_FEED_ATOM = "feeds/tags/{slug}.atom.xml"
AUTHOR_FEED_ATOM = "feeds/reporters/{slug}.atom.xml"
CATEGORY_FEED_ATOM = "feeds/sections/{slug}.atom.xml"
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
FEED_MAX_ITEMS = 50

# Theme and plugins
THEME = "theme"
PLUGIN_PATHS = ["plugins"]
# Pelican puts only each plugin's own folder in reach; the site's plugins import one another (and
# site_build, which is no plugin), in whatever order PLUGINS lists them.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "plugins"))
# Any order but one: incremental writes the pages when Pelican finishes ("finalized"), and search
# indexes them then, so incremental comes before edition_search (the build refuses the other order).
PLUGINS = [
    "staging",
    "content_schema",
    "build_cache",
    "incremental",
    "edition",
    "news_meta",
    "listings",
    "news_photos",
    "printed_page",
    "edition_search",
    "theme_assets",
]
SEARCH_INDEX = True  # Pagefind (extended, segments Chinese) indexes output/ after each build
# auto_reload off: templates cannot change during a build (each build makes its own environment),
# and checking their times on every page costs 7% of rendering.
JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True, "autoescape": True, "auto_reload": False}
TYPOGRIFY = False

# Output
OUTPUT_PATH = "output"
DELETE_OUTPUT_DIRECTORY = False  # every build starts in a fresh folder (publishing.build)
BUILD_PROCESSES = 0  # 0: one worker per core
RENDER_WORKERS_FROM = 2000  # fewer pages to render (a new day's): rendered in the build's own process
CACHE_PATH = "cache"
CHECK_CACHE = True  # unchanged reports are not parsed again (cache/checked-sources.sqlite)
# Pelican keeps each report's Article between builds and reads only changed files
# (per settings and plugin code: build_cache/cache.py); `pelican --ignore-cache` skips it.
CACHE_CONTENT = True
CONTENT_CACHING_LAYER = "generator"
LOAD_CONTENT_CACHE = True
GZIP_CACHE = False  # compressing 200 MB at 50,000 reports costs more than it saves
