"""What a build keeps between builds comes back exactly as it was made."""

import re

import pytest

from conftest import write_item, write_settings

ITEMS = [
    ("2020-12-30/a01-1.md", "头条标题", {"Kicker": "引题", "Subtitle": "副题", "Tags": "招商引资、项目建设", "Summary": "一句摘要。"}),
    ("2020-12-30/a01-2.md", "图片新闻", {"position": 2, "Kind": "photo", "people": "摄影:李四", "Credit": "李四 摄", "Modified": "2020-12-31 10:00"}),
    ("2020-12-30/a02-1.md", "第二版", {"page": "A02", "section": "湛河区", "people": "记者:张三、通讯员:王五", "date": "2020-12-30 08:30", "Slug": "a02-1"}),
    ("2020-12-30/a02-2.md", "无摘要", {"page": "A02", "section": "湛河区", "position": 2, "body": "正文带链接[前一篇]({filename}/2020-12-30/a01-1.md)。"}),
]


@pytest.fixture
def items(tmp_path):
    content = tmp_path / "content"
    for name, title, fields in ITEMS:
        write_item(content, name, title, **fields)
    return content


def news_build(tmp_path, content):
    """A build of content (its settings, SECTIONS = [], and its Build) and read(name): a file read as
    Pelican reads it in that build, with the schema's reader."""
    from pelican.settings import read_settings

    from site_build.state import KEY, Build

    settings = read_settings(str(write_settings(tmp_path, "SECTIONS = []\n")), override={"PATH": str(content)})
    context = {"generated_content": {}, "static_content": {}, "static_links": set(), "localsiteurl": ""}
    build = settings[KEY] = Build(settings, context=context)
    return settings, build, reader_of(settings, content, context)


def reader_of(settings, content, context):
    """read(name): a file of content read as Pelican reads it, with the schema's reader."""
    from pelican.contents import Article
    from pelican.readers import Readers

    from content_schema.reader import NewsReader

    readers = Readers(settings)
    readers.readers["md"] = NewsReader(settings)
    return lambda name: readers.read_file(base_path=str(content), path=name, content_class=Article, context=context)


def read_articles(tmp_path, content):
    """The items as Pelican makes them in a build: its own reader machinery, with the schema's reader;
    and how that build keeps them in its cache (a rows.Codec)."""
    from build_cache.cache import article_codec
    from build_cache.rows import Codec

    _, build, read = news_build(tmp_path, content)
    articles = [read(name) for name, _, _ in ITEMS]
    codec = article_codec(build)
    return articles, Codec(codec.encode, codec.decode)


def test_a_report_kept_in_pelicans_cache_comes_back_as_pelican_made_it(tmp_path, items):
    from build_cache.cache import StoredArticle

    articles, ARTICLE_CODEC = read_articles(tmp_path, items)
    for article in articles:
        for kept in (article, stored(article, StoredArticle)):
            row = ARTICLE_CODEC.loads(ARTICLE_CODEC.dumps({kept.source_path: ("digest", kept)}))
            stamp, back = row[kept.source_path]
            assert ARTICLE_CODEC.encode(("digest", kept))[1][0] != "pickle", "kept as plain data, not pickled"
            assert stamp == "digest" and isinstance(back, type(kept))
            assert back.title == kept.title and back.url == kept.url and back.date == kept.date, "what every build asks is there at once"
            if isinstance(kept, StoredArticle):
                assert not hasattr(back, "no_such_field") and "people" not in back.__dict__, "loaded light: asking for what it lacks makes nothing"
                assert not {"settings", "_context", "_status", "template"} & set(back.__dict__), "what every report shares is held once, by its class"
            assert back.people == kept.people, "the rest is made when asked for"
            assert attributes(back) == kept.__dict__ and set(back.__dict__) <= set(kept.__dict__)
            assert back.metadata == kept.metadata
            assert back.date.tzinfo is kept.date.tzinfo and type(back.date) is type(kept.date) and type(back.metadata["date"]) is type(kept.metadata["date"])
            assert {key: type(value) for key, value in attributes(back).items()} == {key: type(value) for key, value in kept.__dict__.items()}
            assert back.tags == kept.tags and all(mine is theirs for mine, theirs in zip(back.tags, kept.tags, strict=True)), "tags are this build's own"
            assert all(pair[0] is credit and pair[1] is person for pair, credit, person in zip(back.credits, back.people, back.authors, strict=True))
    digest = "".join(list(articles[0].source_digest))  # the check's digest of the file: equal, another string
    assert digest is not articles[0].source_digest
    stamp, back = ARTICLE_CODEC.loads(ARTICLE_CODEC.dumps({"x": (digest, stored(articles[0], StoredArticle))}))["x"]
    assert stamp == articles[0].source_digest and stamp is back.source_digest, "a file's digest, its stamp and its report's, is one string"
    backs = [ARTICLE_CODEC.loads(ARTICLE_CODEC.dumps({"x": ("digest", stored(article, StoredArticle))}))["x"][1] for article in articles]
    assert backs[0].kind == backs[2].kind and backs[0].kind is backs[2].kind and backs[0]._status is backs[3]._status, "text many reports share is one string"
    assert backs[0].get_static_links() == set() and "_static_links" not in backs[0].__dict__, "no empty set of links kept with each report"


def test_a_report_read_lets_go_of_its_body_at_once_and_gives_it_back_when_shown(tmp_path, items, monkeypatch):
    """A full build reads every report before it makes a page: each body goes to the table as the
    report is read (in batches), not held until the last is read."""
    from build_cache import cache
    from build_cache.rows import ProcessTable
    from site_build.state import build_of

    monkeypatch.setattr(cache, "BATCH", 3)
    articles, _ = read_articles(tmp_path, items)
    bodies = {article.source_path: article.__dict__["_content"] for article in articles}
    build = build_of(articles[0].settings)
    build.cache_folder = str(tmp_path / "cache")
    build.bodies = ProcessTable("CREATE TABLE IF NOT EXISTS bodies (path TEXT PRIMARY KEY, digest TEXT NOT NULL, html TEXT NOT NULL)")
    build.articles = cache.article_codec(build)

    def stored_paths():
        return sorted(path for (path,) in cache.bodies_table(build).execute("SELECT path FROM bodies"))

    for article in articles:
        cache.body_read(article, build)
        assert isinstance(article, cache.StoredArticle) and "_content" not in article.__dict__
    assert stored_paths() == sorted(article.source_path for article in articles[:3]), "a batch is written as soon as it is full"
    assert all(isinstance(article, cache.LazyArticle) and "people" not in article.__dict__ for article in articles[:-1]), "made light once the next is read"
    assert type(articles[-1]) is cache.StoredArticle, "the last one read is still going through Pelican's loop"
    cache.write_bodies(build, {article.source_path for article in articles[1:]})
    assert stored_paths() == sorted(article.source_path for article in articles[1:]), "the last bodies written, and the body of a file gone dropped"
    assert [article._content for article in articles[1:]] == [bodies[article.source_path] for article in articles[1:]], "each body as it was read"
    assert "前一篇" in articles[3].content


def test_a_report_read_and_made_light_gives_back_every_field_and_is_kept_as_it_was_read(tmp_path, items):
    """A full build holds every report until its pages are made: each is made light once read (its
    light fields kept, the rest made again when asked for), and the cache keeps it as it was read."""
    from build_cache.cache import LazyArticle, StoredArticle, article_codec
    from site_build.state import build_of

    articles, ARTICLE_CODEC = read_articles(tmp_path, items)
    codec = article_codec(build_of(articles[0].settings))
    for article in articles:
        whole = stored(article, StoredArticle)
        light = stored(article, StoredArticle)
        tags, date = light.tags, light.date
        codec.lighten(light)
        assert isinstance(light, LazyArticle) and "people" not in light.__dict__ and "metadata" not in light.__dict__, "only the light fields are held"
        assert light.tags is tags and light.date is date, "the light fields are the objects they were"
        assert kept_as(ARTICLE_CODEC, light) == kept_as(ARTICLE_CODEC, whole), "kept in the cache as it was read"
        assert whole.title in kept_as(ARTICLE_CODEC, whole)[1] and whole.title not in repr(kept_as(ARTICLE_CODEC, whole)[2]), "a light field is kept once"
        assert "people" not in light.__dict__, "keeping it in the cache does not make it whole"
        light.override_url = "/moved/"
        assert "/moved/" in kept_as(ARTICLE_CODEC, light)[1] and "/moved/" not in kept_as(ARTICLE_CODEC, whole)[1], "a field set since is kept as it is now"
        assert light.people == whole.people and light.credits == whole.credits, "the rest made again when asked for"
        # A field of the metadata that is a light field is kept once, as that field: it is the field as it is now.
        assert light.metadata == {**whole.metadata, "url": "/moved/"}
        assert {key: value for key, value in attributes(light).items() if key not in ("override_url", "metadata")} == {
            key: value for key, value in whole.__dict__.items() if key not in ("override_url", "metadata")
        }


def test_a_summary_is_loaded_light_only_when_it_may_hold_a_link(tmp_path, items):
    """A new day shows a few hundred summaries, and Pelican refreshes the links of every report's: a
    cached report keeps its summary among its light fields only if it may have a link to refresh."""
    from build_cache.cache import LazyArticle, StoredArticle

    articles, ARTICLE_CODEC = read_articles(tmp_path, items)
    plain = stored(articles[0], StoredArticle)
    linking = stored(articles[0], StoredArticle)
    linking._summary = '见<a href="{filename}/2020-12-30/a02-1.md">第二版</a>。'
    linking.metadata = {**linking.metadata, "summary": linking._summary}
    back, linked_back = (ARTICLE_CODEC.loads(ARTICLE_CODEC.dumps({"x": ("digest", article)}))["x"][1] for article in (plain, linking))
    assert isinstance(back, LazyArticle) and "_summary" not in back.__dict__
    back.refresh_metadata_intersite_links()
    assert "_kept" in back.__dict__ and "people" not in back.__dict__, "no link to refresh: not made whole"
    assert back.summary == "一句摘要。", "shown when asked for"
    assert "{filename}" in linked_back.__dict__["_summary"], "a summary that may link is at hand"
    linked_back._context["generated_content"]["2020-12-30/a02-1.md"] = articles[2]
    linked_back.refresh_metadata_intersite_links()
    assert f'href="/{articles[2].url}"' in linked_back._summary, "and its link refreshed"


def test_a_light_report_the_codec_cannot_describe_is_pickled_as_it_was_read(tmp_path, items):
    """The build's classes of light reports are made for one build: a light report given a field the
    codec has no tag for is kept as a pickle of the report it was read as, every field in it."""
    from markupsafe import Markup

    from build_cache.cache import StoredArticle, article_codec
    from build_cache.rows import Codec
    from site_build.state import build_of

    articles, _ = read_articles(tmp_path, items)
    codec = article_codec(build_of(articles[0].settings))
    light = stored(articles[0], StoredArticle)
    codec.lighten(light)
    light.note = Markup("<b>编者按</b>")
    assert codec.encode(("digest", light))[1][0] == "pickle"
    back = Codec(codec.encode, codec.decode).loads(Codec(codec.encode, codec.decode).dumps({"x": ("digest", light)}))["x"][1]
    assert type(back) is StoredArticle and back.note == light.note
    assert back.settings is light.settings and back.status == "published" and back.template == "article" and back.people == articles[0].people


def test_what_a_build_class_holds_each_of_its_reports_has(tmp_path, items):
    """A report without one of the attributes the build's class of light reports holds is made of a
    class that holds none: it does not seem to have what it lacks."""
    from build_cache.cache import StoredArticle

    articles, ARTICLE_CODEC = read_articles(tmp_path, items)
    whole, lacking = stored(articles[0], StoredArticle), stored(articles[1], StoredArticle)
    del lacking.__dict__["in_default_lang"]
    backs = [ARTICLE_CODEC.loads(ARTICLE_CODEC.dumps({"x": ("digest", article)}))["x"][1] for article in (whole, lacking)]
    assert backs[0].in_default_lang is True and "in_default_lang" not in backs[0].__dict__, "held by its class"
    assert not hasattr(backs[1], "in_default_lang") and backs[1].template == "article", "lacking it, it has it not"


def test_the_reports_of_one_row_come_back_each_with_its_own_shared_values_and_shape(tmp_path, items):
    """Decoding finds a row's shapes by identity and tells the values a build's class holds at once by
    identity: a report with another value (or an equal one, another object), or of another shape among
    more shapes than it keeps, comes back as it was kept."""
    from build_cache.cache import SHARED, StoredArticle

    articles, ARTICLE_CODEC = read_articles(tmp_path, items)
    base = stored(articles[0], StoredArticle)
    kept = {}
    for n in range(160):
        copy = type(base).__new__(type(base))
        copy.__dict__.update(base.__dict__)
        if n % 7 == 3:
            copy.__dict__["template"] = "other"
        if n % 11 == 5:
            copy.__dict__["lang"] = "".join(list(base.lang))  # equal, not the same object
        if n % 2:
            copy.__dict__[f"extra_{n}"] = n  # a shape of its own: more shapes than decoding keeps
        kept[f"2020-12-30/{n}.md"] = ("digest", copy)
    back = ARTICLE_CODEC.loads(ARTICLE_CODEC.dumps(kept))
    for name, (_, article) in kept.items():
        made = back[name][1]
        assert {key: getattr(made, key) for key in SHARED} == {key: getattr(article, key) for key in SHARED}, name
        assert made.title == article.title and getattr(made, f"extra_{name[11:-3]}", None) == article.__dict__.get(f"extra_{name[11:-3]}")


def attributes(article):
    """An Article's attributes: its own, and those the build's class of light reports holds for every one
    (its settings and context, and the text nearly every report shares)."""
    from build_cache.cache import SHARED, LazyArticle

    held = vars(type(article)) if isinstance(article, LazyArticle) else {}
    return {**{key: held[key] for key in ("settings", "_context", *SHARED) if key in held}, **article.__dict__}


def kept_as(codec, article):
    """What the cache keeps of an article: its shape, light values, and its other values (the bytes of
    marshal may differ for the same values, by which objects they share)."""
    import marshal

    shape, light, blob = codec.encode(("digest", article))[1]
    return shape, light, marshal.loads(blob)


def stored(article, cls):
    """An Article as the cache keeps it once its body is in the bodies table (cache.store_bodies)."""
    from site_build.pelican_internals import put_body_away

    copy = type(article).__new__(type(article))
    copy.__dict__.update(article.__dict__)
    put_body_away(copy, cls)
    return copy


def test_a_report_changed_between_the_check_and_its_reading_stops_the_build(tmp_path, items):
    """A full build's check renders nothing: the reader reads each file again as Pelican reads it, and
    a file whose bytes are not those the check passed is not built."""
    from content_schema.reader import ContentError
    from content_schema.source import file_digest

    _, build, read = news_build(tmp_path, items)
    checked, edited = (str(items / name) for name, _, _ in ITEMS[:2])
    build.digests = {checked: file_digest(checked), edited: file_digest(edited)}
    assert read(checked).title == ITEMS[0][1]
    with open(edited, "a", encoding="utf-8") as handle:
        handle.write("\n编辑在检查之后加的一句。\n")
    with pytest.raises(ContentError, match=re.escape(edited) + ".*changed while the edition was being built"):
        read(edited)


def test_an_article_the_codec_cannot_describe_is_kept_as_a_pickle(tmp_path, items):
    from markupsafe import Markup

    articles, ARTICLE_CODEC = read_articles(tmp_path, items)
    article = articles[0]
    article.extra = Markup("<b>not plain data</b>")
    assert ARTICLE_CODEC.encode(("digest", article))[1][0] == "pickle"
    _, back = ARTICLE_CODEC.loads(ARTICLE_CODEC.dumps({"x": ("digest", article)}))["x"]
    assert back.extra == article.extra and back.title == article.title
    assert back.settings is article.settings and back._context is article._context, "the build's own, not copies"
    assert back.tags and all(mine is theirs for mine, theirs in zip(back.tags, article.tags, strict=True))


def test_a_checked_source_kept_in_the_checks_cache_comes_back_as_it_was_parsed(items):
    from build_cache.checked_codec import CHECKED_CODEC
    from content_schema.check import read_file

    for name, _, _ in ITEMS:
        source = read_file(items / name, items, render=False)
        source.problem(3, "Date", "a problem", "what is expected")
        source.body = None
        ((back_stamp, back),) = CHECKED_CODEC.loads(CHECKED_CODEC.dumps({name: ((10, 20), source)})).values()
        assert back_stamp == (10, 20)
        assert back == source
        assert {key: type(value) for key, value in back.values.items()} == {key: type(value) for key, value in source.values.items()}


def test_work_done_beside_the_build_comes_back_or_says_why_it_did_not():
    import os

    from site_build import beside

    assert beside.result(beside.start(sorted, {"乙": 2, "甲": 1})) == ["乙", "甲"]
    with pytest.raises(beside.Failed, match="ZeroDivisionError"):
        beside.result(beside.start(lambda: 1 / 0))
    with pytest.raises(beside.Failed, match="without a result"):
        beside.result(beside.start(os._exit, 3))

    class DiesWhileItsResultIsWritten:
        def __reduce__(self):
            os._exit(9)

    with pytest.raises(beside.Failed, match="before its result was whole"):
        beside.result(beside.start(lambda: [b"x" * 100_000, DiesWhileItsResultIsWritten()]))


@pytest.mark.parametrize("listed", [False, True], ids=["walked", "listed by the build's fingerprint"])
def test_the_build_lists_the_files_pelican_would(tmp_path, monkeypatch, listed):
    """build_cache.files.list_files gives what Pelican's get_files gives, walking content/ or from the listing a
    staged build's fingerprint made (site_build.listing), which it then takes as it was."""
    from pelican.generators import ArticlesGenerator
    from pelican.settings import read_settings

    from build_cache.files import list_files
    from publishing.build import build_environment
    from publishing.inputs import Inputs
    from site_build import listing

    content = tmp_path / "content"
    names = (
        "a.md",
        ".#a.md",
        ".md",
        "..md",
        "e..md",
        "f.tar.md",
        ".x.md",
        "x.MD",
        "a.md.bak",
        "new\nline.md",
        "md",
        "g.",
        "b.markdown",
        "c.html",
        "d.txt",
        "2020/x.md",
        "2020/deep/y.md",
        "drafts/z.md",
        ".#hidden/w.md",
        "img/p.jpg",
    )
    for name in names:
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        (content / name).write_text("x", encoding="utf-8")
    (content / "linked").symlink_to(content / "2020", target_is_directory=True)
    (content / "dangling.md").symlink_to(content / "nothing.md")  # named by Pelican's walk: it fails to read it, as before
    (content / "__pycache__").mkdir()  # a folder the fingerprint does not enter: walked
    (content / "__pycache__" / "p.md").write_text("x", encoding="utf-8")
    settings_file = write_settings(tmp_path, "SECTIONS = []\n")
    settings = read_settings(str(settings_file), override={"PATH": str(content), "IGNORE_FILES": [".#*", "*.txt"]})
    generator = ArticlesGenerator(context={}, settings=settings, path=str(content), theme=settings["THEME"], output_path=str(tmp_path / "out"))
    if listed:
        Inputs.of(settings_file, content, build_environment()).listing.write(tmp_path / "listing")
        monkeypatch.setenv(listing.VARIABLE, str(tmp_path / "listing"))
    for paths, exclude, extensions in (
        ([""], [], None),
        ([""], ["drafts"], None),
        (["2020", "a.md"], [], None),
        ([""], [], False),
        ([""], [], ["jpg"]),
        (["img", "gone"], [], False),
    ):
        expected = ArticlesGenerator.get_files(generator, paths, exclude=exclude, extensions=extensions)
        assert list_files(generator, paths, exclude, extensions) == expected
    assert {"./a.md", "2020/deep/y.md", "linked/deep/y.md", "./dangling.md", "__pycache__/p.md"} <= list_files(generator, [""])
    (content / "late.md").write_text("x", encoding="utf-8")
    assert ("./late.md" in list_files(generator, [""])) is not listed, "the listing is taken as the fingerprint found it"


def test_a_build_without_pelicans_cache_is_given_every_body_the_check_rendered(tmp_path, items):
    """Pelican's cache gone (other plugin code, --ignore-cache), the check's kept: the check renders
    every body on all cores and the reader takes them all, none read and rendered again."""
    from pelican.settings import read_settings

    from build_cache.checked_codec import CheckedSources
    from content_schema.check import checked_content

    settings = read_settings(str(write_settings(tmp_path, "SECTIONS = []\n")), override={"PATH": str(items)})
    table = CheckedSources(str(tmp_path / "checked.sqlite"))
    checked_content(str(items), settings, "changed", 1, table)  # the last build: the check's cache is made
    digests, sources, problems, _, _ = checked_content(str(items), settings, True, 1, table)
    assert problems == []
    assert sorted(source.file for source in sources) == sorted(digests) and len(digests) == len(ITEMS)
    assert all(source.html and "<p>" in source.html for source in sources)


def test_templates_are_compiled_once_and_a_changed_template_is_compiled_again(tmp_path, items):
    """The next build loads the templates compiled by the last (Jinja's bytecode cache, known by each
    template's source): a template edited since is compiled from its new source."""
    import shutil

    from conftest import ROOT
    from publishing.build import build_into

    theme, output = tmp_path / "theme", tmp_path / "output"
    shutil.copytree(ROOT / "theme", theme)
    settings = write_settings(tmp_path, f"SECTIONS = []\nTHEME = {str(theme)!r}\n")
    build_into(output, settings, content=str(items), capture=True)
    compiled = list((tmp_path / "cache").glob("templates-*/*.cache"))
    assert len(compiled) >= len(list((theme / "templates").glob("*.html"))) - 2, "most templates compiled and kept"
    footer = theme / "templates" / "_footer.html"
    footer.write_text(footer.read_text(encoding="utf-8").replace("未经许可不得转载。", "未经许可不得转载、摘编。"), encoding="utf-8")
    build_into(output, settings, content=str(items), capture=True)
    page = (output / "2020-12-30/a01/index.html").read_text(encoding="utf-8")
    assert "未经许可不得转载、摘编。" in page and "未经许可不得转载。" not in page


def test_reports_loaded_from_the_cache_share_their_editions_date():
    """article_codec.shared_dates: one date object per date made (an edition's reports share it), equal to
    the one made alone; past `most` dates it starts again, and still makes each right."""
    import datetime
    from zoneinfo import ZoneInfo

    from build_cache.article_codec import shared_dates
    from content_schema.reader import EditionDatetime

    zone = ZoneInfo("Asia/Shanghai")
    make = shared_dates(EditionDatetime, zone, most=2)
    first, again = make((2020, 12, 30, 0, 0, 0, 0)), make((2020, 12, 30, 0, 0, 0, 0))
    assert first is again and type(first) is EditionDatetime
    assert first == datetime.datetime(2020, 12, 30, tzinfo=zone) and first.tzinfo is zone
    other = make((2020, 12, 31, 8, 30, 0, 0))
    assert other == EditionDatetime(2020, 12, 31, 8, 30, tzinfo=zone) and other is not first
    third = make((2021, 1, 1, 0, 0, 0, 0))  # the third date: the two before are forgotten
    assert third == EditionDatetime(2021, 1, 1, tzinfo=zone)
    assert make((2020, 12, 30, 0, 0, 0, 0)) == first


def kept_in_table(tmp_path, items):
    """The items read, kept in Pelican's cache table as a build keeps them (a row per folder, each
    report's light values in it and its other values in the heavy row beside it), and loaded again."""
    from build_cache.cache import ARTICLES_VERSION, StoredArticle, article_codec, rows_codec
    from build_cache.rows import read_rows, write_rows
    from site_build.state import build_of

    articles, _ = read_articles(tmp_path, items)
    build = build_of(articles[0].settings)
    build.articles = article_codec(build)
    table = tmp_path / "cache" / "articles.sqlite"
    rows = {article.get_relative_source_path(): (article.source_digest, stored(article, StoredArticle)) for article in articles}
    twin = stored(articles[0], StoredArticle)  # another report of the same shape in the same folder
    twin._relative_source_path, twin.source_path = "2020-12-30/a01-9.md", str(items / "2020-12-30" / "a01-9.md")
    rows[twin._relative_source_path] = (twin.source_digest, twin)
    write_rows(table, ARTICLES_VERSION, rows_codec(build), rows, list(rows))

    def load():
        build.articles = article_codec(build)  # a build of its own: what it loads shares nothing with the last
        return read_rows(table, ARTICLES_VERSION, rows_codec(build))

    return articles, rows, table, load


def test_a_report_loaded_from_the_table_holds_only_its_light_fields_and_reads_the_rest_when_asked(tmp_path, items):
    """A new day loads every report of the archive: each holds what every build asks of it, and not
    its other fields' bytes (they stay in the table, read for the few reports a day shows), nor what is
    made from its other fields (its file's path, its translations), nor its own copy of what many
    reports have alike (their roles) or of its row's name."""
    articles, rows, _, load = kept_in_table(tmp_path, items)
    loaded = load()
    assert list(loaded) == list(rows)
    backs = [loaded[name][1] for name in rows][: len(articles)]
    for back, article in zip(backs, articles, strict=True):
        state = back.__dict__
        assert not any(isinstance(part, bytes) for part in state["_kept"]), "no bytes of its other fields are held"
        assert "source_path" not in state and "translations" not in state and "people" not in state
        assert back.source_path == article.source_path and back.translations == [] and "people" not in state, "made from its others when asked for"
    assert loaded["2020-12-30/a01-1.md"][1].__dict__["_kept"] is loaded["2020-12-30/a01-9.md"][1].__dict__["_kept"], (
        "the reports of one row and shape keep one tuple"
    )
    assert all(back.__dict__["_relative_source_path"] is name for name, (_, back) in loaded.items()), "a report's path is its row's name, one string"
    assert loaded["2020-12-30/a02-1.md"][1].roles == {"zhang-san": "记者", "wang-wu": "通讯员"}
    for name, (_, kept) in rows.items():
        back = loaded[name][1]
        assert back.people == kept.people and back.metadata == kept.metadata, "the rest read from the table when asked for"
        assert attributes(back) == kept.__dict__
        assert {key: type(value) for key, value in attributes(back).items()} == {key: type(value) for key, value in kept.__dict__.items()}


def test_reports_with_the_same_roles_share_one_dict_and_each_keeps_its_own_translations(tmp_path, items):
    from build_cache.cache import StoredArticle

    articles, ARTICLE_CODEC = read_articles(tmp_path, items)
    twin = stored(articles[2], StoredArticle)
    other = stored(articles[2], StoredArticle)
    other.roles = {"zhang-san": "摄影"}
    back = ARTICLE_CODEC.loads(ARTICLE_CODEC.dumps({"a": ("d", stored(articles[2], StoredArticle)), "b": ("d", twin), "c": ("d", other)}))
    assert back["a"][1].roles is back["b"][1].roles and back["a"][1].roles == articles[2].roles
    assert back["c"][1].roles == {"zhang-san": "摄影"}, "other roles, another dict"
    back["a"][1].translations.append("译文")
    assert back["a"][1].translations == ["译文"] and back["b"][1].translations == [], "a report's translations are its own list"


def test_a_report_whose_path_is_not_made_from_its_relative_path_keeps_it(tmp_path, items):
    from build_cache.cache import StoredArticle

    articles, ARTICLE_CODEC = read_articles(tmp_path, items)
    moved = stored(articles[0], StoredArticle)
    moved.source_path = str(tmp_path / "elsewhere" / "a01-1.md")
    moved.translations = [articles[1]]
    back = ARTICLE_CODEC.loads(ARTICLE_CODEC.dumps({"x": ("d", moved)}))["x"][1]
    assert back.__dict__["source_path"] == moved.source_path, "kept as it is"
    assert back.translations[0].title == articles[1].title, "translations it has are kept"


def test_rows_written_again_keep_the_fields_of_reports_loaded_light(tmp_path, items):
    """A new day writes its folder's row again with the reports loaded from it (their fields still in the
    table): their other fields are read before the row is written over, and kept as they were."""
    from build_cache.cache import ARTICLES_VERSION, rows_codec, save_rows
    from build_cache.rows import write_rows
    from site_build.state import build_of

    articles, rows, table, load = kept_in_table(tmp_path, items)
    loaded = load()
    build = build_of(articles[0].settings)
    assert not any("people" in article.__dict__ for _, article in loaded.values()), "loaded light"

    loaded_rows = type("Rows", (dict,), {})(loaded)
    loaded_rows.asked, loaded_rows.stored = set(loaded), {next(iter(loaded))}  # one report read again: its folder is written
    save_rows(str(table), rows_codec(build), loaded_rows)
    again = load()
    for article in articles:
        back = again[article.get_relative_source_path()][1]
        assert back.people == article.people and back.metadata == article.metadata
    write_rows(table, ARTICLES_VERSION, rows_codec(build), {}, [], list(rows))
    assert load() == {}, "a folder gone takes its heavy row with it"


def test_a_report_whose_fields_left_the_table_during_the_build_says_so(tmp_path, items):
    import sqlite3

    _, rows, table, load = kept_in_table(tmp_path, items)
    loaded = load()
    with sqlite3.connect(table) as db:
        db.execute("DELETE FROM heavy")
    _, back = next(iter(loaded.values()))
    with pytest.raises(RuntimeError, match=re.escape(str(table)) + ".*2020-12-30.*build again"):
        back.people  # noqa: B018


def test_a_day_the_check_settled_is_kept_whole_when_its_seal_is_its_rows(tmp_path, items):
    """The reports of a folder whose files the check vouches for by their seal are kept from the cache at
    once when the seal is the one their row was written with; a folder whose row has another seal
    (a file changed since the row was written) is left to Pelican, which asks its cache file by file."""
    from build_cache.cache import CachedRows, keep_unchanged, row_seal
    from content_schema.settled import seal_of
    from content_schema.source import file_digest

    _, rows, _, load = kept_in_table(tmp_path, items)
    build = rows["2020-12-30/a01-1.md"][1].settings["_build"]
    loaded = load()
    names = list(loaded)
    folder_row = {name: (stamp, article) for name, (stamp, article) in loaded.items()}
    seal = row_seal("2020-12-30", folder_row)
    assert seal == seal_of((name[len("2020-12-30/") :], stamp) for name, (stamp, _) in folder_row.items())

    def kept_with(seals, row_seals):
        build.article_rows = CachedRows(loaded, {"2020-12-30": names}, row_seals)
        build.digests, build.sealed = {}, seals
        left = keep_unchanged(build, str(items), {"".join(list(name)) for name in names})  # Pelican's listing: other strings
        return sorted(left), sorted(article.get_relative_source_path() for article in build.kept)

    assert kept_with({str(items / "2020-12-30"): (seal, len(names))}, {"2020-12-30": seal}) == ([], sorted(names)), "kept whole"
    row_names = {id(name) for name in loaded}
    asked = build.article_rows.asked
    assert asked == set(names) and all(id(name) in row_names for name in asked), "the files listed, named by their rows' own strings"
    assert kept_with({str(items / "2020-12-30"): ("another", len(names))}, {"2020-12-30": seal}) == (sorted(names), []), "another seal: each file asked"
    assert kept_with({str(items / "2020-12-30"): (seal, len(names))}, {}) == (sorted(names), []), "a row without a seal: each file asked"
    build.article_rows = CachedRows(loaded, {"2020-12-30": names}, {"2020-12-30": seal})
    build.digests = {str(items / name): file_digest(str(items / name)) for name in names[:2]}
    build.sealed = {}
    assert sorted(keep_unchanged(build, str(items), set(names))) == sorted(names[2:]), "or each file by its digest, those the check read"


def test_a_file_read_from_a_sealed_folder_that_changed_during_the_build_stops_it(tmp_path, items):
    """The check vouches for a settled folder by its seal alone: a file Pelican reads from one anyway (its
    cached report is not the file's) is read with its folder's files, which must still be the seal's."""
    from content_schema.reader import ContentError
    from content_schema.settled import seal_of
    from content_schema.source import file_digest

    articles, _ = read_articles(tmp_path, items)
    settings = articles[0].settings
    build = settings["_build"]
    folder = items / "2020-12-30"
    files = sorted(folder.glob("*.md"))
    build.sealed = {str(folder): (seal_of((path.name, file_digest(str(path))) for path in files), len(files))}
    read = reader_of(settings, items, articles[0]._context)

    assert read(ITEMS[0][0]).title == ITEMS[0][1], "its folder still the seal's"
    assert str(folder) in build.unsealed
    build.unsealed.clear()
    with open(files[1], "a", encoding="utf-8") as handle:
        handle.write("\n编辑在检查之后加的一句。\n")
    with pytest.raises(ContentError, match=re.escape(str(folder)) + ".*changed while the edition was being built"):
        read(ITEMS[0][0])


def test_the_build_names_the_checks_new_people_and_tags_by_the_slugs_the_check_kept_without_pypinyin(tmp_path, items, monkeypatch, request):
    """The check beside the build works out the slug of every new name and keeps it: the Pelican process, which
    reads the same files, takes those slugs and never loads pypinyin (some 50 MB) for them."""
    from build_cache.checked_codec import CheckedSources
    from content_schema import refuse_bad_content, slugs
    from content_schema.check import checked_content

    settings, build, read = news_build(tmp_path, items)
    cache = CheckedSources(str(tmp_path / "cache" / "checked.sqlite"))
    monkeypatch.setattr(slugs, "_KNOWN", {})
    monkeypatch.setattr(slugs, "_MADE", set())
    monkeypatch.setattr(slugs, "_UNREAD", [])
    slugs.pinyin_slug.cache_clear()  # names other tests slugged: worked out again, as by a check in a process of its own
    request.addfinalizer(slugs.pinyin_slug.cache_clear)  # none of the names this test's patches slugged stay cached
    result = checked_content(str(items), settings, "changed", 1, cache)  # as beside the build, in its own process
    made = dict(slugs._KNOWN)
    assert {"招商引资", "项目建设", "张三", "湛河区"} <= made.keys()

    monkeypatch.setattr(slugs, "_KNOWN", {})  # the Pelican process: it did not run the check
    slugs.pinyin_slug.cache_clear()

    def no_pypinyin():
        raise AssertionError("pypinyin loaded in the build's process")

    monkeypatch.setattr(slugs, "_pinyin", no_pypinyin)
    build.check_cache, build.check = cache, lambda: result
    refuse_bad_content(type("Generator", (), {"settings": settings})())
    first, second = read("2020-12-30/a01-1.md"), read("2020-12-30/a02-1.md")
    assert [(tag.name, tag.slug) for tag in first.tags] == [("招商引资", made["招商引资"]), ("项目建设", made["项目建设"])]
    assert [tag.slug for tag in first.tags] == ["zhao-shang-yin-zi", "xiang-mu-jian-she"]
    assert {(author.name, author.slug) for author in second.authors} >= {("张三", "zhang-san"), ("王五", "wang-wu")}
