"""The packages in plugins/ import one another without a cycle: each can be read, and loaded, after those it uses."""

import ast

from conftest import ROOT

PLUGINS = ROOT / "plugins"


def package_imports(root):
    """{package: {the other packages of root it imports}}, from every import statement (at the top or in a function)."""
    packages = {path.name for path in root.iterdir() if (path / "__init__.py").is_file()} | {path.stem for path in root.glob("*.py")}
    graph = {name: set() for name in packages}
    for path in root.rglob("*.py"):
        importer = path.relative_to(root).parts[0].removesuffix(".py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            graph[importer].update(name.split(".")[0] for name in names if name.split(".")[0] in packages and name.split(".")[0] != importer)
    return graph


def cycle(graph):
    """A cycle of the graph ([a, b, a]), or None."""
    state = {}

    def visit(node, path):
        state[node] = "open"
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                return [*path[path.index(target) :], target]
            if target not in state and (found := visit(target, [*path, target])):
                return found
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node, [node])):
            return found
    return None


def test_the_cycle_finder_finds_a_cycle_and_no_other():
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_no_two_plugin_packages_import_each_other_even_by_a_longer_way():
    graph = package_imports(PLUGINS)
    assert {"content_schema", "build_cache", "incremental", "site_build"} <= graph.keys()
    assert cycle(graph) is None, f"import cycle: {' → '.join(cycle(graph))}"


def test_site_build_imports_no_plugin_and_the_schema_no_cache():
    """site_build is under every plugin; the content schema is read without the caches built on it."""
    graph = package_imports(PLUGINS)
    assert graph["site_build"] == set()
    assert not graph["content_schema"] & {"build_cache", "incremental"}
    assert "content_schema" in graph["build_cache"] and "build_cache" in graph["incremental"]
