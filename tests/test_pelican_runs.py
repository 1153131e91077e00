"""Every run of Pelican is checked, and the plugins build the same site in whatever order PLUGINS lists them."""

import subprocess
import sys
import textwrap

import pytest
from pelican.settings import read_settings
from test_incremental import files, write_day

from conftest import ROOT, write_item, write_settings
from publishing.build import BuildFailed, build_into

BAD = ROOT / "tests" / "bad_reports"


@pytest.mark.parametrize(
    ("case", "line"), [("unknown-section", ":4: Section: unknown page name “体育”"), ("future-date", ":2: Date: 2099-01-01 is in the future")]
)
def test_pelican_r_builds_each_change_and_refuses_a_bad_report_saved_after_its_first_build(tmp_path, case, line):
    """`pelican -r` runs Pelican again in the same process at each change: each run is checked, not only the first."""
    content, output = tmp_path / "content", tmp_path / "output"
    good = write_item(content, "2020-12-30/a01-1.md", "好的报道", section="要闻", Slug="good-one")
    settings = write_settings(tmp_path, "SECTIONS = ['要闻']\nSEARCH_INDEX = False\n")
    bad = content / "2020-12-30" / "bad.md"
    # Pelican's own autoreload loop. Each of its waits for a change makes one: the good report
    # edited, then a bad report saved; a third wait would mean the bad one was built.
    script = textwrap.dedent(
        f"""
        import pathlib, shutil
        import pelican

        changes = [
            lambda: pathlib.Path({str(good)!r}).write_text(pathlib.Path({str(good)!r}).read_text(encoding="utf-8").replace("好的报道", "改过的报道"), encoding="utf-8"),
            lambda: shutil.copy({str(BAD / f"{case}.md")!r}, {str(bad)!r}),
        ]

        def wait_for_changes(settings_file, settings):
            if not changes:
                raise SystemExit("the loop went on: the bad report was built")
            changes.pop(0)()
            return {{("modified", "content")}}

        pelican.wait_for_changes = wait_for_changes
        pelican.main([{str(content)!r}, "-s", {str(settings)!r}, "-o", {str(output)!r}, "-r", "--log-handler", "plain"])
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    page = output / "2020-12-30/a01/good-one/index.html"
    assert "改过的报道" in page.read_text(encoding="utf-8"), "the second run built the edited report"
    assert result.returncode == 1
    assert f"bad.md{line}" in result.stderr, result.stderr
    assert "problem(s) in content; nothing was built" in result.stderr
    assert "the loop went on" not in result.stderr
    assert not [path for path in output.rglob("*") if "bad" in path.name or "2099" in str(path)]


SITE_PLUGINS = read_settings(str(ROOT / "pelicanconf.py"))["PLUGINS"]


def plugins_settings(folder, plugins):
    return write_settings(folder, f"SECTIONS = []\nDEFAULT_PAGINATION = 2\nPLUGINS = {plugins!r}\n")


def test_plugins_listed_in_another_order_build_the_same_site(tmp_path):
    content = tmp_path / "content"
    write_day(content, "2020-12-29")
    write_day(content, "2020-12-30", pages=1)
    built = {}
    for name, plugins in (
        ("listed", SITE_PLUGINS),
        ("reversed", [*reversed([name for name in SITE_PLUGINS if name != "edition_search"]), "edition_search"]),
    ):
        folder = tmp_path / name
        folder.mkdir()
        for again in (False, True):  # a first build, then one from its cache (forced: nothing changed)
            log = build_into(folder / "output", plugins_settings(folder, plugins), content=str(content), capture=True, force=again)
        assert "0 item(s) read, 9 kept from the last build" in log
        # The pages: the build's own record of their digests names PLUGINS, a setting like any other.
        built[name] = {page: text for page, text in files(folder / "output").items() if not page.startswith(".")}
    assert len(built["listed"]) > 50
    assert built["listed"].keys() == built["reversed"].keys()
    assert [name for name in built["listed"] if built["listed"][name] != built["reversed"][name]] == []


def test_search_listed_before_incremental_is_refused_with_how_to_right_it(tmp_path):
    content = tmp_path / "content"
    write_day(content, "2020-12-30", pages=1)
    plugins = ["edition_search", "content_schema", "build_cache", "incremental", "edition", "news_meta", "listings"]
    with pytest.raises(BuildFailed) as failure:
        build_into(tmp_path / "output", plugins_settings(tmp_path, plugins), content=str(content), capture=True)
    assert (
        "PLUGINS: edition_search handles Pelican's finalized signal before incremental has written the pages — list incremental before edition_search in PLUGINS"
        in failure.value.output
    )
    assert not (tmp_path / "output").exists()


def test_a_plain_pelican_run_loads_the_plugins_in_any_order(tmp_path):
    """Pelican puts only each plugin's own folder in reach: the plugins import one another all the same."""
    from conftest import run_pelican

    content = tmp_path / "content"
    write_day(content, "2020-12-30", pages=1)
    plugins = sorted(name for name in SITE_PLUGINS if name != "edition_search")
    result = run_pelican(content, tmp_path / "output", plugins_settings(tmp_path, plugins))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "output/2020-12-30/a01/index.html").is_file()
