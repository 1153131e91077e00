"""The plugin packages: publishing apart from search, and every local plugin loaded by Pelican as
ours, not as an installed one of its name (no cycles between them: test_plugin_imports.py)."""

import ast
import importlib.util
import runpy

import pytest

from conftest import ROOT

PLUGINS = ROOT / "plugins"
# Namespace plugins of the pelican-plugins organisation and around it (pip install pelican-<name>):
# Pelican loads an installed pelican.plugins.<name> in place of a local plugin of the same name.
WELL_KNOWN = {
    "search", "sitemap", "seo", "neighbors", "related_posts", "jinja_filters", "precompress", "image_process",
    "render_math", "simple_footnotes", "statistics", "tag_cloud", "webassets", "granular_signals", "series",
    "share_post", "feed_filter", "liquid_tags", "pandoc_reader", "markdown_include", "photos", "thumbnailer",
    "readtime", "more_categories", "i18n_subsites", "deadlinks", "graphviz", "libravatar", "pdf", "read_more",
    "summary", "yaml_metadata", "obsidian", "bibliography", "footer_insert", "minify", "linkclass", "toc",
    "sass", "githubcards", "attribution", "myst_reader", "embed_tweet", "gzip_cache", "optimize_images",
}  # fmt: skip


def packages():
    return sorted(path.name for path in PLUGINS.iterdir() if (path / "__init__.py").is_file())


def import_graph():
    """{package: the other plugin packages its modules import}, every import counted (in functions too)."""
    names = set(packages())
    graph = {}
    for package in names:
        imported = set()
        for path in (PLUGINS / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    imported.update(alias.name.partition(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0:
                    imported.add(node.module.partition(".")[0])
        graph[package] = (imported & names) - {package}
    return graph


def reachable(graph, start):
    seen, todo = set(), [start]
    while todo:
        for name in graph[todo.pop()] - seen:
            seen.add(name)
            todo.append(name)
    return seen


def test_every_plugin_package_is_in_the_import_graph_and_publishing_reaches_no_search_code():
    graph = import_graph()
    assert {"staging", "publishing", "edition_search", "incremental"} <= graph.keys()
    assert "edition_search" not in reachable(graph, "publishing"), "publishing runs the search indexer as a command; it shares only staging's names"
    assert "edition_search" not in reachable(graph, "staging") and "publishing" not in reachable(graph, "edition_search")


def local_plugins():
    settings = runpy.run_path(str(ROOT / "pelicanconf.py"))
    return [name for name in settings["PLUGINS"] if (PLUGINS / name).is_dir()]


@pytest.mark.parametrize("name", local_plugins())
def test_a_local_plugin_is_named_apart_from_pelicans_namespace_plugins(name):
    assert name not in WELL_KNOWN
    assert importlib.util.find_spec(f"pelican.plugins.{name}") is None


def test_pelican_loads_every_local_plugin_from_plugins_even_beside_namespace_plugins_of_other_names(tmp_path, monkeypatch):
    """An installed namespace plugin named like one of ours would be loaded instead (as pelican-search's
    `search` was): beside installed ones (a stand-in pelican.plugins.search here), ours are ours."""
    import pelican.plugins
    from pelican.plugins._utils import load_plugins

    stand_in = tmp_path / "pelican" / "plugins" / "search"
    stand_in.mkdir(parents=True)
    (stand_in / "__init__.py").write_text("def register():\n    raise SystemExit('Stork is not installed')\n", encoding="utf-8")
    monkeypatch.setattr(pelican.plugins, "__path__", [*pelican.plugins.__path__, str(stand_in.parent)])
    loaded = load_plugins({"PLUGINS": local_plugins(), "PLUGIN_PATHS": [str(PLUGINS)]})
    assert [plugin.__name__ for plugin in loaded] == local_plugins()
    assert all(str(plugin.__file__).startswith(str(PLUGINS)) for plugin in loaded)
    assert load_plugins({"PLUGINS": ["search"], "PLUGIN_PATHS": [str(PLUGINS)]})[0].__name__ == "pelican.plugins.search", "the stand-in takes that name"
