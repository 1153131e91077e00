"""What the site relies on in Pelican's private parts (site_build/pelican_internals.py) is still there.

Pelican is pinned; these fail the day an update changes one of them, before a build quietly does
something else. Each names the override it guards. They run Pelican's own generators and writer
in this process, on a tiny site, with none of the site's plugins registered.
"""

import copy
import inspect
import logging
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from pelican import urlwrappers
from pelican.contents import Article
from pelican.generators import ArticlesGenerator, CachingGenerator, Generator
from pelican.settings import read_settings
from pelican.urlwrappers import Tag, URLWrapper
from pelican.writers import Writer

from conftest import ROOT
from site_build import pelican_internals


def parameters(function):
    return list(inspect.signature(function).parameters)


@pytest.fixture
def tiny(tmp_path):
    """A content folder of two reports in Pelican's own Markdown, and settings to build it with Pelican's theme."""
    content = tmp_path / "content"
    content.mkdir()
    for number in (1, 2):
        body = "正文，见[前文]({filename}/a1.md)和![图]({static}/p.jpg)。" if number == 2 else "正文。"
        text = f"Title: 报道{number}\nDate: 2020-12-3{number - 1} 08:00\nTags: 招商\nCategory: 要闻\nAuthor: 张三\nSummary: 摘要{number}\n\n{body}\n"
        (content / f"a{number}.md").write_text(text, encoding="utf-8")
    (content / "p.jpg").write_bytes(b"jpeg")
    overrides = {"PATH": str(content), "OUTPUT_PATH": str(tmp_path / "output"), "CACHE_PATH": str(tmp_path / "cache"), "CACHE_CONTENT": True}
    overrides |= {"LOAD_CONTENT_CACHE": True, "CONTENT_CACHING_LAYER": "generator", "TIMEZONE": "Asia/Shanghai", "FEED_DOMAIN": "https://example.org"}
    settings = read_settings(None, override=overrides | {"PLUGINS": []})
    return settings


def make_generator(settings, cls=ArticlesGenerator):
    context = settings.copy()
    context.update(generated_content={}, static_links=set(), static_content={}, localsiteurl="")
    return cls(context=context, settings=settings, path=settings["PATH"], theme=settings["THEME"], output_path=settings["OUTPUT_PATH"])


class Recorder:
    """A writer that notes what it is asked to write."""

    def __init__(self):
        self.files, self.feeds = {}, []

    def write_file(self, name, template, context, *args, **kwargs):
        self.files[name] = kwargs

    def write_feed(self, elements, context, path=None, *args, **kwargs):
        self.feeds.append(path)


def test_no_walk_for_disabled_readers_when_none_is_disabled(tiny):
    """skip_disabled_readers_walk: Pelican's check of disabled readers is a walk of get_files, by _check_disabled_readers."""
    assert parameters(Generator._check_disabled_readers) == ["self", "paths", "exclude"]
    generator = make_generator(tiny)
    walked = []
    generator.get_files = lambda paths, exclude=None, extensions=None: walked.append(extensions) or set()
    generator.check_disabled_readers()
    assert walked == [generator.readers.disabled_extensions], "Pelican walks the folder for the disabled readers"
    pelican_internals.skip_disabled_readers_walk(generator)
    generator.check_disabled_readers()
    assert len(walked) == 1, "with none disabled, not at all"


def test_the_files_of_a_generator_are_listed_by_get_files_and_tested_by_include_path(tiny):
    """list_files_by, is_included (build_cache.files gives what get_files gives: tests/test_caches.py)."""
    assert parameters(Generator.get_files) == ["self", "paths", "exclude", "extensions"]
    assert parameters(Generator._include_path) == ["self", "path", "extensions"]
    generator = make_generator(tiny)
    assert pelican_internals.is_included(generator, "a1.md", None) and not pelican_internals.is_included(generator, "p.jpg", None)
    pelican_internals.list_files_by(generator, lambda generator, paths, exclude=None, extensions=None: {"listed.md"})
    assert generator.get_files([""], exclude=[]) == {"listed.md"}


def test_pelicans_cache_of_articles_is_its_cache_stamp_and_save(tiny):
    """keep_articles_in: a CachingGenerator asks `_cache` with get (get_cached_data, made one call), fills it by key, stamps by
    `_filestamp_func`, saves by `save_cache`."""
    assert parameters(CachingGenerator._get_file_stamp) == ["self", "filename"]
    assert parameters(CachingGenerator.get_cached_data) == ["self", "filename", "default"]
    generator = make_generator(tiny)
    rows, saved = {}, []
    pelican_internals.keep_articles_in(generator, rows, lambda path: "bytes of " + Path(path).name, lambda: saved.append(True))
    generator.generate_context()
    assert saved == [True], "saved once the reports are read"
    assert {Path(name).name: row[0] for name, row in rows.items()} == {"a1.md": "bytes of a1.md", "a2.md": "bytes of a2.md"}
    again = make_generator(tiny)
    pelican_internals.keep_articles_in(again, rows, lambda path: "bytes of " + Path(path).name, lambda: None)
    again.readers.read_file = lambda *args, **kwargs: pytest.fail("a report in the cache, with its stamp unchanged, is read again")
    again.generate_context()
    assert sorted(article.title for article in again.articles) == ["报道1", "报道2"]
    edited = make_generator(tiny)
    pelican_internals.keep_articles_in(edited, rows, lambda path: "bytes of " + Path(path).name + (", edited" if path.endswith("a2.md") else ""), lambda: None)
    read, read_file = [], edited.readers.read_file
    edited.readers.read_file = lambda *args, **kwargs: read.append(Path(kwargs["path"]).name) or read_file(*args, **kwargs)
    edited.generate_context()
    assert read == ["a2.md"], "a report whose stamp changed is read again, and only it"
    assert "get_cached_data" in vars(edited), "asked in one call, not through Pelican's methods"

    def unreadable(path):
        if path.endswith("a1.md"):
            raise OSError("gone")
        return "bytes of " + Path(path).name + (", edited" if path.endswith("a2.md") else "")

    gone = make_generator(tiny)
    pelican_internals.keep_articles_in(gone, rows, unreadable, lambda: None)
    read.clear()
    gone.readers.read_file = lambda *args, **kwargs: read.append(Path(kwargs["path"]).name) or read_file(*args, **kwargs)
    gone.generate_context()
    assert read == ["a1.md"], "a file whose stamp cannot be taken is read again (with Pelican's warning)"


class BodyPutAway(pelican_internals.BodyElsewhereArticle):
    def fetch_body(self):
        return ""


@pytest.mark.parametrize("put_away", [False, True], ids=["as read", "body put away, as cached"])
def test_reports_kept_aside_are_added_to_pelicans_lists_as_its_loop_adds_them(tiny, put_away):
    """add_kept_articles: Pelican's loop records each report's source path (generated_content) and static links,
    puts it in its status's list, then orders the lists and sends article_generator_pretaxonomy, before it
    makes the tag, author and category lists from self.articles. A cached report (put_body_away) gives its
    path and links from what it keeps."""
    from pelican import signals

    whole = make_generator(tiny)
    whole.generate_context()
    kept = [article for article in whole.articles if article.source_path.endswith("a2.md")]
    if put_away:
        kept = [copy.copy(article) for article in kept]
        for article in kept:
            article.__dict__ = dict(article.__dict__)
            pelican_internals.put_body_away(article, BodyPutAway)
    part = make_generator(tiny)
    part.get_files = lambda paths, exclude=None, extensions=None: ["a1.md"]

    def add(generator):
        pelican_internals.add_kept_articles(generator, kept)

    signals.article_generator_pretaxonomy.connect(add)
    try:
        part.generate_context()
    finally:
        signals.article_generator_pretaxonomy.disconnect(add)
    assert [article.title for article in part.articles] == [article.title for article in whole.articles] == ["报道2", "报道1"]
    assert part.context["generated_content"].keys() == whole.context["generated_content"].keys() == {"a1.md", "a2.md"}
    assert part.context["static_links"] == whole.context["static_links"] == {"p.jpg"}
    assert [(tag.name, [article.title for article in items]) for tag, items in part.tags.items()] == [("招商", ["报道2", "报道1"])]


def test_report_pages_are_handed_over_by_pelicans_loop_over_self_articles(tiny):
    """hand_over_articles_by: generate_articles writes the page of each report in self.articles (and translations)."""
    generator = make_generator(tiny)
    generator.generate_context()
    articles = generator.articles
    pelican_internals.hand_over_articles_by(generator, lambda reports: [report for report in reports if report.title == "报道1"])
    written = Recorder()
    generator.generate_output(written)
    assert [kwargs["article"].title for kwargs in written.files.values() if "article" in kwargs] == ["报道1"]
    assert generator.articles is articles, "the generator's list as it was"


def test_the_lists_taken_from_pelican_leave_it_no_tag_author_or_category_page_or_feed(tiny):
    """take_listings; and fingerprints.REPORT_PAGE is what Pelican gives a report's page."""
    from incremental.fingerprints import REPORT_PAGE

    settings = tiny | {"TAG_FEED_ATOM": "feeds/{slug}.atom.xml", "CATEGORY_FEED_ATOM": "feeds/c-{slug}.atom.xml", "AUTHOR_FEED_ATOM": "feeds/a-{slug}.atom.xml"}
    for take in (False, True):
        generator = make_generator(settings)
        generator.generate_context()
        if take:
            lists = pelican_internals.take_listings(generator)
            assert {name: [(wrapper.name, len(items)) for wrapper, items in pairs] for name, pairs in lists.items()} == {
                "tags": [("招商", 2)],
                "authors": [("张三", 2)],
                "categories": [("要闻", 2)],
            }
        written = Recorder()
        generator.generate_output(written)
        pages = [name for name in written.files if name.startswith(("tag/", "author/", "category/"))]
        feeds = [name for name in written.feeds if name and not name.startswith("feeds/all")]  # not the site's own
        if take:
            assert pages == [] and feeds == []
        else:
            assert pages and feeds, "without taking them, Pelican writes them"
    report_pages = [kwargs for kwargs in written.files.values() if "article" in kwargs]
    assert len(report_pages) == 2 and all(kwargs.keys() == REPORT_PAGE for kwargs in report_pages)


class FetchedArticle(pelican_internals.BodyElsewhereArticle):
    def fetch_body(self):
        return self.__dict__["_kept_body"]


def test_an_article_whose_body_is_put_away_shows_what_pelicans_own_shows(tiny):
    """BodyElsewhereArticle, put_body_away: Pelican's Content keeps the body in `_content` and reads it
    through _update_content and get_static_links; its URLs come from override_url/override_save_as."""
    assert parameters(Article._update_content) == ["self", "content", "siteurl"]
    assert parameters(Article.get_relative_source_path) == ["self", "source_path"]
    assert parameters(Article.refresh_metadata_intersite_links) == ["self"]
    generator = make_generator(tiny | {"FORMATTED_FIELDS": ["summary"]})
    generator.generate_context()
    for original in generator.articles:
        assert "_content" in original.__dict__, "Pelican holds the body"
        assert pelican_internals.context_of(original) is generator.context
        copy = Article.__new__(Article)
        copy.__dict__.update(original.__dict__)
        body = original.__dict__["_content"]
        pelican_internals.put_body_away(copy, FetchedArticle)
        copy._kept_body = body
        assert type(copy) is FetchedArticle and "_content" not in copy.__dict__
        assert copy.content == original.content and copy.get_content("https://example.org") == original.get_content("https://example.org")
        assert copy.get_static_links() == original.get_static_links()
        assert (copy.url, copy.save_as, copy.get_relative_source_path()) == (original.url, original.save_as, original.get_relative_source_path())
        for article in (copy, original):
            article.refresh_metadata_intersite_links()
        assert copy.summary == original.summary
    linking = next(article for article in generator.articles if article.title == "报道2")
    assert linking.get_static_links() == {"p.jpg"}
    overridden = Article("x", metadata={"title": "t", "url": "x/", "save_as": "x/index.html"}, settings=tiny, context={})
    assert (overridden.override_url, overridden.url, overridden.save_as) == ("x/", "x/", "x/index.html")


def test_feeds_written_by_the_feed_entries_writer_are_pelicans_own(tiny, tmp_path):
    """FeedEntriesWriter: Writer._create_new_feed, _add_item_to_the_feed (after write_feed has set
    site_url) and _open_w, as Pelican's writer uses them."""
    assert parameters(Writer._create_new_feed) == ["self", "feed_type", "feed_title", "context"]
    assert parameters(Writer._add_item_to_the_feed) == ["self", "feed", "item"]
    assert parameters(Writer._open_w) == ["self", "filename", "encoding", "override"]
    generator = make_generator(tiny)
    generator.generate_context()
    # On a SITEURL: without one (a local build), FeedEntriesWriter links on FEED_DOMAIN, and Pelican relatively (test_feeds_and_metadata).
    generator.context["SITEURL"] = "https://example.org"
    written = {}
    for cls in (Writer, pelican_internals.FeedEntriesWriter):
        output = tmp_path / cls.__name__
        writer = cls(str(output), settings=tiny)
        for name in ("feeds/all.atom.xml", "feeds/again.atom.xml"):
            writer.write_feed(generator.articles, generator.context, name, feed_title="全部")
        writer.write_feed(generator.articles, generator.context, "feeds/all.rss.xml", feed_type="rss")
        written[cls] = {path.name: path.read_bytes() for path in (output / "feeds").iterdir()}
    assert written[Writer] == written[pelican_internals.FeedEntriesWriter]
    output = tmp_path / "FeedEntriesWriter"
    (tmp_path / "linked.xml").hardlink_to(output / "feeds/all.atom.xml")
    pelican_internals.FeedEntriesWriter(str(output), settings=tiny).write_feed(generator.articles[:1], generator.context, "feeds/all.atom.xml")
    assert (tmp_path / "linked.xml").read_bytes() == written[Writer]["all.atom.xml"], "a hard link to the last build's file is left as it was"


def test_reused_entries_are_written_by_feedgenerators_own_methods():
    """ReusedEntriesFeed (and tests/test_incremental.py: the feed it writes is feedgenerator's)."""
    from feedgenerator import Atom1Feed

    assert parameters(Atom1Feed.write_items) == ["self", "handler"]
    assert parameters(Atom1Feed.item_attributes) == ["self", "item"]
    assert parameters(Atom1Feed.add_item_elements) == ["self", "handler", "item"]


def test_a_tags_url_is_worked_out_from_its_settings_by_from_settings(tiny):
    """url_from_settings (content_schema.reader's Tag, Author and Category keep what it gives)."""
    from pelican.utils import SafeDatetime

    assert parameters(URLWrapper._from_settings) == ["self", "key", "get_page_name"]
    tag = Tag("招商", tiny)
    assert pelican_internals.url_from_settings(tag, "URL") == tag.url and pelican_internals.url_from_settings(tag, "SAVE_AS") == tag.save_as
    assert parameters(SafeDatetime.strftime) == ["self", "fmt", "safe"], "content_schema.reader.EditionDatetime overrides it"


def test_a_tag_hashed_once_is_hashed_and_compared_as_pelicans_own(tiny):
    """content_schema.reader's wrappers keep their hash, Pelican's (its slug's): a dict finds them by
    their slug, after a new slug or name too."""
    from content_schema import reader

    for ours, pelicans in ((reader.Tag, Tag), (reader.Author, urlwrappers.Author), (reader.Category, urlwrappers.Category)):
        wrapper, theirs = ours("Foo Bar", tiny), pelicans("Foo Bar", tiny)
        assert hash(wrapper) == hash(theirs) == hash(theirs.slug) and {wrapper: 1}[theirs.slug] == 1
        wrapper.slug = theirs.slug = "jingji"
        assert hash(wrapper) == hash(theirs) == hash("jingji") and {wrapper: 1}.get("jingji") == 1
        wrapper.name = theirs.name = "Other"  # a slug set by hand stays
        assert wrapper.slug == theirs.slug == "jingji" and hash(wrapper) == hash(theirs)
        wrapper, theirs = ours("Foo", tiny), pelicans("Foo", tiny)
        hash(wrapper)
        wrapper.name = theirs.name = "Bar"  # a slug made from the name is made again, and its hash
        assert wrapper.slug == theirs.slug == "bar" and hash(wrapper) == hash(theirs) == hash("bar")


def test_the_readers_link_pattern_is_pelicans_own(tiny):
    """content_schema.reader.intrasite_links copies Content._get_intrasite_link_regex (compiled once, not per report)."""
    from content_schema.reader import intrasite_links

    pelicans = Article("x", metadata={"title": "t"}, settings=tiny, context={})._get_intrasite_link_regex()
    ours = intrasite_links(tiny["INTRASITE_LINK_REGEX"])
    html = """<a href="{filename}/a.md">a</a> <img alt="x" src='{static}/p%20q.jpg'> <a href="|filename|b.md#x">b</a> <a href="https://x/">c</a> <video poster="{attach}v.jpg">"""
    assert [match.groupdict() for match in ours.finditer(html)] == [match.groupdict() for match in pelicans.finditer(html)]
    assert len(list(ours.finditer(html))) == 4


def test_a_run_of_pelican_asks_for_generators_before_it_makes_any(tiny):
    """site_build.state.begin: get_generators is sent at each run, before the first generator is made;
    and blinker calls a signal's receivers in the order they were connected (incremental.refuse_plugins_before)."""
    from pelican import Pelican, signals

    events = []

    def asked(sender):
        events.append("get_generators")

    def made(generator):
        events.append(type(generator).__name__)

    def first(sender):
        events.append("first")

    def second(sender):
        events.append("second")

    receivers = [(signals.get_generators, asked), (signals.generator_init, made), (signals.finalized, first), (signals.finalized, second)]
    for signal, receiver in receivers:
        signal.connect(receiver)
    try:
        pelican = Pelican(tiny | {"DIRECT_TEMPLATES": [], "FEED_ALL_ATOM": None, "CATEGORY_FEED_ATOM": None})
        assert list(signals.finalized.receivers_for(pelican))[-2:] == [first, second]
        for _ in range(2):
            pelican.run()
    finally:
        for signal, receiver in receivers:
            signal.disconnect(receiver)
    runs = [events[index:] for index, event in enumerate(events) if event == "get_generators"]
    assert len(runs) == 2 and all(run[1] == "ArticlesGenerator" for run in runs), events
    assert events.count("first") == 2 and events.index("first") < events.index("second")


def test_an_error_logged_under_fatal_raises_and_every_problem_is_logged_all_the_same():
    """log_every: with --fatal, pelican.log.FatalLogger raises RuntimeError once it has logged an error."""
    from pelican.log import FatalLogger

    logger = FatalLogger("site-test")
    lines = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(record.getMessage())
    logger.addHandler(handler)
    fatal = FatalLogger.fatal_lvl
    FatalLogger.fatal_lvl = logging.WARNING  # as `--fatal warnings` sets it
    try:
        with pytest.raises(RuntimeError):
            logger.error("one")
        pelican_internals.log_every(logger, ["a.md:1: Title: is missing", "b.md:2: Date: cannot read"])
    finally:
        FatalLogger.fatal_lvl = fatal
    assert lines == ["one", "a.md:1: Title: is missing", "b.md:2: Date: cannot read"]


def test_pelicans_logging_leaves_a_root_logger_with_a_handler_as_it_is():
    """publishing.pelican_process shows the staged build's log plainly: Pelican's init must not replace its handler."""
    from pelican.log import DEFAULT_LOG_HANDLER, init

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    added = logging.NullHandler()
    root.addHandler(added)
    try:
        init(handler=DEFAULT_LOG_HANDLER)
        assert root.handlers == [*handlers, added]
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def test_the_process_ends_at_once_with_its_exit_handlers_run_and_its_code(tmp_path):
    """exit_at_once: atexit._run_exitfuncs, then os._exit."""
    script = textwrap.dedent(
        f"""
        import atexit, sys
        sys.path.insert(0, {str(ROOT / "plugins")!r})
        from site_build.pelican_internals import exit_at_once
        atexit.register(lambda: print("exit handler ran"))
        print("buffered", end="")
        exit_at_once(3)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 3
    assert result.stdout == "bufferedexit handler ran\n"


def test_pelicans_main_makes_its_pelican_with_get_instance_and_then_runs_it(tiny, tmp_path, monkeypatch):
    """wait_before_running: pelican.main reads the settings and loads the plugins (get_instance, a global
    of its module), then runs the Pelican made: the wait comes between, before anything is written."""
    import pelican

    monkeypatch.setattr(pelican, "get_instance", pelican.get_instance)  # put back after the test
    (tmp_path / "settings.py").write_text(f"PLUGINS = []\nPATH = {tiny['PATH']!r}\n", encoding="utf-8")
    events = []
    pelican_internals.wait_before_running(lambda: events.append(("wait", sorted(path.name for path in tmp_path.iterdir()))))
    monkeypatch.setattr(pelican.Pelican, "run", lambda self: events.append(("run", self.settings["PATH"])))
    pelican.main([tiny["PATH"], "-s", str(tmp_path / "settings.py"), "-o", str(tmp_path / "output")])
    assert events == [("wait", ["content", "settings.py"]), ("run", tiny["PATH"])]
