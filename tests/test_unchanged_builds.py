"""A build in which nothing changed does nothing and says so; any change to what a build reads builds."""

import datetime
import os
import shutil
import signal
import subprocess
import sys
import time
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from conftest import ROOT, Site, run_pelican, write_item, write_settings
from publishing import inputs
from publishing.build import BuildFailed, build_environment, build_into, pelican_command
from publishing.pelican_process import START_FD
from staging.trees import KILL_AT, Trees

BUILD = "import sys; from publishing.build import build_into; build_into(sys.argv[1], sys.argv[2], content=sys.argv[3], capture=True)"
SKIPPED = "Nothing changed since the last build"
SETTINGS = "SECTIONS = ['要闻']\nSEARCH_INDEX = False\nTHEME = {theme!r}\n"


def photo(path, colour):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (800, 600), colour).save(path, "JPEG", quality=90)


class Edition:
    """A small edition of our own, theme included (a test changes a template), and its builds."""

    def __init__(self, folder):
        self.folder, self.content, self.output = folder, folder / "content", folder / "output"
        self.theme = folder / "theme"
        shutil.copytree(ROOT / "theme", self.theme)
        photo(self.content / "images/2020-12-30/a01-01.jpg", "red")
        write_item(
            self.content, "2020-12-30/a01-01.md", "湛河区推进项目建设", Slug="tui-jin", Image="images/2020-12-30/a01-01.jpg", body="本报讯(记者张三)项目开工。"
        )
        write_item(self.content, "2020-12-30/a01-02.md", "社区开展志愿服务", position=2, Slug="zhi-yuan", body="本报讯(记者张三)志愿服务。")
        self.settings = write_settings(folder, SETTINGS.format(theme=str(self.theme)))

    def build(self, **options):
        return build_into(self.output, self.settings, content=str(self.content), capture=True, **options)

    def site(self):
        return Site(self.output)

    def files(self):
        """{name: inode} of every file of output/ and of cache/: a build that ran writes some of them anew."""
        return {path: os.stat(path).st_ino for folder in (self.output, self.folder / "cache") for path in folder.rglob("*") if path.is_file()}


@pytest.fixture
def edition(tmp_path):
    built = Edition(tmp_path)
    log = built.build()
    assert SKIPPED not in log
    return built


def test_a_build_with_nothing_changed_does_nothing_and_says_so(edition):
    before, folder = edition.files(), os.stat(edition.output).st_ino
    log = edition.build()
    assert log.startswith(SKIPPED) and "output/ kept" in log and log.count("\n") == 1
    assert "item(s) read" not in log, "Pelican did not run"
    assert os.stat(edition.output).st_ino == folder, "no commit: output/ is the same folder"
    assert edition.files() == before, "no file of output/ or cache/ was written again"
    assert SKIPPED in edition.build(), "and again"


def test_invoke_build_force_and_the_environment_variable_build_anyway(edition):
    assert SKIPPED not in edition.build(force=True)
    assert SKIPPED not in build_into(edition.output, edition.settings, content=str(edition.content), capture=True, env=os.environ | {inputs.FORCE: "1"})
    assert SKIPPED in edition.build()


def edit_in_place(edition):
    """A report's text changed, its size not (one character for another, three bytes each)."""
    report = edition.content / "2020-12-30/a01-02.md"
    text = report.read_text(encoding="utf-8")
    changed = text.replace("志愿服务。", "志愿活动。", 1)
    assert len(changed.encode()) == len(text.encode()) and changed != text
    report.write_text(changed, encoding="utf-8")
    return lambda site: "志愿活动" in site.page("/2020-12-30/a01/zhi-yuan/").select_one("article").get_text()


def add_report(edition):
    write_item(edition.content, "2020-12-30/a01-03.md", "新建成的口袋公园开放", position=3, Slug="gong-yuan", body="本报讯(记者张三)公园开放。")
    return lambda site: site.exists("/2020-12-30/a01/gong-yuan/")


def remove_report(edition):
    (edition.content / "2020-12-30/a01-02.md").unlink()
    return lambda site: not site.exists("/2020-12-30/a01/zhi-yuan/")


def replace_photo(edition):
    page = edition.site().page("/2020-12-30/a01/tui-jin/")
    before = edition.site().file(page.select_one("article picture img")["src"]).read_bytes()
    photo(edition.content / "images/2020-12-30/a01-01.jpg", "blue")

    def shows_new_photo(site):
        picture = site.file(site.page("/2020-12-30/a01/tui-jin/").select_one("article picture img")["src"])
        with Image.open(picture) as image:
            return picture.read_bytes() != before and image.getpixel((10, 10))[2] > 200

    return shows_new_photo


def change_setting(edition):
    edition.settings.write_text(edition.settings.read_text(encoding="utf-8") + "SITENAME = '平顶山晚报'\n", encoding="utf-8")
    return lambda site: "平顶山晚报" in site.page("/").title.get_text()


def change_template(edition):
    base = edition.theme / "templates/base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("</body>", "<p id='marker'>模板已改</p></body>"), encoding="utf-8")
    return lambda site: site.page("/2020-12-30/a01/tui-jin/").select_one("#marker") is not None


@pytest.mark.parametrize("change", [edit_in_place, add_report, remove_report, replace_photo, change_setting, change_template])
def test_a_build_after_any_change_builds_and_the_change_shows(edition, change):
    shows = change(edition)
    assert not shows(edition.site())
    log = edition.build()
    assert SKIPPED not in log and "item(s) read" in log
    assert shows(edition.site())
    assert SKIPPED in edition.build(), "and the build after it has nothing to do"


def test_output_deleted_or_changed_by_hand_is_built_again(edition):
    shutil.rmtree(edition.output)
    assert SKIPPED not in edition.build()
    assert edition.site().exists("/2020-12-30/a01/tui-jin/")

    (edition.output / "index.html").unlink()
    assert SKIPPED not in edition.build()
    assert edition.site().exists("/")

    shutil.rmtree(edition.output / "2020-12-30/a01/tui-jin")
    assert SKIPPED not in edition.build()
    assert edition.site().exists("/2020-12-30/a01/tui-jin/")

    (edition.output / "tags/index.html").unlink()
    assert SKIPPED not in edition.build()
    assert edition.site().exists("/tags/")


def test_a_plain_pelican_run_into_output_is_not_taken_for_the_last_build(edition):
    result = run_pelican(edition.content, edition.output, edition.settings)
    assert result.returncode == 0, result.stderr
    assert SKIPPED not in edition.build()
    assert SKIPPED in edition.build()


def test_a_build_after_a_failed_or_killed_one_is_not_skipped(edition):
    # Killed once Pelican has run (it kills itself there: tests/test_staging.py), output/ left as it was.
    env = os.environ | {"PYTHONPATH": str(ROOT / "plugins"), KILL_AT: "pelican"}
    killed = subprocess.run([sys.executable, "-c", BUILD, str(edition.output), str(edition.settings), str(edition.content)], env=env, check=False)
    assert killed.returncode == -signal.SIGKILL
    assert SKIPPED not in edition.build(), "the record went when the killed build began"

    report = edition.content / "2020-12-30/a01-02.md"
    text = report.read_text(encoding="utf-8")
    report.write_text(text.replace("Date: 2020-12-30", "Date: 2020-13-30"), encoding="utf-8")
    with pytest.raises(BuildFailed):
        edition.build()
    report.write_text(text, encoding="utf-8")
    assert SKIPPED not in edition.build()
    assert SKIPPED in edition.build()


def test_a_build_is_made_again_once_the_news_sitemap_would_list_other_reports(tmp_path):
    """The news sitemap lists the reports of the last two days: the time alone changes it."""
    edition = Edition(tmp_path)
    now = datetime.datetime.now(ZoneInfo("Asia/Shanghai"))
    published = now - datetime.timedelta(hours=1)
    write_item(edition.content, f"{published:%Y-%m-%d}/a01-01.md", "今日要闻", date=f"{published:%Y-%m-%d %H:%M}", Slug="jin-ri")
    edition.build()
    assert "jin-ri" in (edition.output / "news-sitemap.xml").read_text(encoding="utf-8")
    record = inputs.read_record(Trees(edition.output).inputs)
    leaves = published.replace(second=0, microsecond=0) + datetime.timedelta(days=2)
    assert record["expires"] == leaves.timestamp()
    found = inputs.Inputs.of(edition.settings, edition.content, build_environment())
    assert inputs.unchanged(found, record, edition.output, now=leaves.timestamp() - 1)
    assert not inputs.unchanged(found, record, edition.output, now=leaves.timestamp())
    assert SKIPPED in edition.build()


def test_a_file_changed_within_the_clock_s_step_of_the_walk_is_known_by_its_bytes(tmp_path):
    content = tmp_path / "content"
    report = write_item(content, "2020-12-30/a01-01.md", "标题", body="正文一。")
    settings = write_settings(tmp_path, "")
    found = inputs.Inputs.of(settings, content, os.environ)
    assert list(found.racy) == [str(report)], "written just now: its time may not change with its next change"
    record = {"digest": found.digest, "racy": found.racy}
    assert found.same_as(record)
    report.write_text(report.read_text(encoding="utf-8").replace("正文一", "正文二"), encoding="utf-8")
    assert not found.same_as(record), "same stamps, other bytes"


def test_the_fingerprint_covers_plugins_packages_settings_and_the_environment(tmp_path):
    content, plugins = tmp_path / "content", tmp_path / "more_plugins"
    write_item(content, "2020-12-30/a01-01.md", "标题")
    (plugins / "extra").mkdir(parents=True)
    (plugins / "extra/__init__.py").write_text("def register(): pass\n")
    settings = write_settings(tmp_path, f"PLUGIN_PATHS = [{str(ROOT / 'plugins')!r}, {str(plugins)!r}]\n")
    first = inputs.Inputs.of(settings, content, os.environ)
    assert first.digest == inputs.Inputs.of(settings, content, os.environ).digest
    (plugins / "extra/__init__.py").write_text("def register(): return\n")
    second = inputs.Inputs.of(settings, content, os.environ)
    assert second.digest != first.digest
    assert inputs.Inputs.of(settings, content, os.environ | {"TZ": "Test/Nowhere"}).digest != second.digest
    settings.write_text(settings.read_text(encoding="utf-8") + "FEED_MAX_ITEMS = 20\n", encoding="utf-8")
    assert inputs.Inputs.of(settings, content, os.environ).digest != second.digest
    settings.write_text(settings.read_text(encoding="utf-8") + "JINJA_FILTERS = {'f': lambda value: value}\n", encoding="utf-8")
    assert inputs.Inputs.of(settings, content, os.environ).digest != inputs.Inputs.of(settings, content, os.environ).digest, (
        "a value with no stable repr never matches"
    )


def test_the_news_sitemap_changes_when_a_report_enters_or_leaves_its_two_days():
    from types import SimpleNamespace

    from news_meta.sitemaps import news_sitemap_changes

    now = datetime.datetime(2026, 12, 6, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    at = [now - datetime.timedelta(days=3), now - datetime.timedelta(hours=47), now + datetime.timedelta(hours=30)]
    reports = [SimpleNamespace(date=date) for date in at]
    assert news_sitemap_changes(reports, now) == now + datetime.timedelta(hours=1), "the report of 47 hours ago leaves first"
    assert news_sitemap_changes(reports[::2], now) == now + datetime.timedelta(hours=30), "the report dated ahead enters"
    assert news_sitemap_changes(reports[:1], now) is None, "nothing left to enter or leave"


def started_pelicans(monkeypatch, then=None):
    """The Pelican processes build_into starts from now on (publishing.build.Waiting), in the order started;
    then(waiting, how many so far) is called as each is started."""
    from publishing import build

    started, start = [], build.Waiting.start.__func__

    def counted(cls, command, env, capture):
        waiting = start(cls, command, env, capture)
        started.append(waiting.process)
        if then is not None:
            then(waiting, len(started))
        return waiting

    monkeypatch.setattr(build.Waiting, "start", classmethod(counted))
    return started


def test_pelican_loads_while_the_fingerprint_is_taken_and_ends_unused_when_nothing_changed(edition, monkeypatch):
    # The theme's copy, Python included (draw_icons.py), old enough not to count as code changed just now.
    copied = max(path.stat().st_ctime for path in edition.theme.rglob("*.py"))
    time.sleep(max(0.0, copied + inputs.RACY_NS / 1e9 + 0.1 - time.time()))
    started = started_pelicans(monkeypatch)
    assert SKIPPED in edition.build()
    [unused] = started
    assert unused.returncode == -signal.SIGKILL, "killed: it had only loaded"
    assert not list(edition.folder.glob(".output.new-*")), "no staged folder left"

    write_item(edition.content, "2020-12-31/a01-01.md", "新的一天", date="2020-12-31", Slug="xin-de", body="本报讯(记者张三)新的一天。")
    started.clear()
    log = edition.build()
    [used] = started
    assert used.returncode == 0 and "item(s) read" in log
    assert edition.site().exists("/2020-12-31/a01/xin-de/")


def test_pelican_is_loaded_again_when_its_code_changes_while_it_loads(tmp_path, monkeypatch):
    """The Pelican process loads its plugins while the fingerprint's walk runs. A plugin edited after it
    was loaded and before the walk reads its stamp would be recorded as built and was not: the walk
    finds it changed within its racy window, and the build runs a Pelican process started anew."""
    plugins, marker = tmp_path / "more_plugins", tmp_path / "loaded"
    plugin = plugins / "masthead" / "__init__.py"
    plugin.parent.mkdir(parents=True)
    source = (
        "import pathlib\nNAME = {name!r}\n"
        "def named(pelican):\n    pelican.settings['SITENAME'] = NAME\n    pathlib.Path({marker!r}).write_text(NAME)\n"
        "def register():\n    from pelican import signals\n    signals.initialized.connect(named)\n"
    )
    plugin.write_text(source.format(name="早报", marker=str(marker)))
    content = tmp_path / "content"
    write_item(content, "2020-12-30/a01-01.md", "湛河区推进项目建设", Slug="tui-jin")
    settings = write_settings(
        tmp_path,
        f"SECTIONS = ['要闻']\nSEARCH_INDEX = False\nPLUGIN_PATHS = [{str(ROOT / 'plugins')!r}, {str(plugins)!r}]\nPLUGINS = [*PLUGINS, 'masthead']\n",
    )
    output = tmp_path / "output"
    build_into(output, settings, content=str(content), capture=True)
    assert "早报" in Site(output).page("/").get_text()

    def edited_once_loaded(waiting, count):
        if count == 1:  # the plugin edited once the first has loaded it, before the walk reads it
            while not marker.exists():
                assert waiting.process.poll() is None, "it waits to be told to run"
                time.sleep(0.01)
            plugin.write_text(source.format(name="晚报", marker=str(marker)))

    marker.unlink()
    write_item(content, "2020-12-31/a01-01.md", "新的一天", date="2020-12-31", Slug="xin-de")
    started = started_pelicans(monkeypatch, then=edited_once_loaded)
    build_into(output, settings, content=str(content), capture=True)
    first, second = started
    assert first.returncode == -signal.SIGKILL and second.returncode == 0
    assert "晚报" in Site(output).page("/").get_text(), "built with the plugin the fingerprint recorded"
    assert SKIPPED in build_into(output, settings, content=str(content), capture=True)


def test_the_pelican_process_told_nothing_ends_without_building(tmp_path):
    content = tmp_path / "content"
    write_item(content, "2020-12-30/a01-01.md", "标题")
    settings = write_settings(tmp_path, "SECTIONS = ['要闻']\nSEARCH_INDEX = False\n")
    readable, writable = os.pipe()
    env = build_environment() | {START_FD: str(readable)}
    command = pelican_command(settings, tmp_path / "output", str(content))
    process = subprocess.Popen(command, env=env, pass_fds=(readable,), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    os.close(readable)
    os.close(writable)
    printed, errors = process.communicate(timeout=60)
    assert process.returncode == 0 and printed + errors == ""
    assert not (tmp_path / "output").exists(), "nothing read, nothing written"


def test_settings_that_do_not_load_fail_the_build_and_leave_the_output(edition):
    """The Pelican process started beside the fingerprint fails on them before it waits: the build says
    why (Pelican's own error), and output/ stays the last build's, file for file."""
    before = edition.files()
    text = edition.settings.read_text(encoding="utf-8")
    edition.settings.write_text(text + "SECTIONS = [\n", encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        edition.build()
    assert "SyntaxError" in failed.value.output or "was never closed" in failed.value.output
    assert {path: inode for path, inode in edition.files().items() if "cache" not in str(path)} == {
        path: inode for path, inode in before.items() if "cache" not in str(path)
    }
    edition.settings.write_text(text, encoding="utf-8")
    assert SKIPPED not in edition.build(), "a failed build leaves no record: the next one builds"
    assert SKIPPED in edition.build()
