"""The import rules of the package, read from the source: the newsroom package never imports a
plugin, no plugin imports another plugin or the build runner, there is no import cycle, every
exception class lives in newsroom/errors.py, and plugins exist only as plugins.<name>."""

from __future__ import annotations

import ast
import builtins
import importlib.machinery
from pathlib import Path

import pytest

from tests.support import REPO

PACKAGES = ("newsroom", "plugins")


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(root: Path) -> dict[str, Path]:
    return {module_name(p, root): p for package in PACKAGES for p in sorted((root / package).rglob("*.py"))}


def _type_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST):
    """Every import statement, at any depth, except those only for type checkers."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _type_only(node):
            yield from (n for branch in node.orelse for n in _imports(ast.Module([branch], [])))
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        yield from _imports(node)


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules `name` imports."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = package[:len(package) - node.level + 1] if node.level else []
            prefix = ".".join(base + ([node.module] if node.module else []))
            targets = [f"{prefix}.{alias.name}" if f"{prefix}.{alias.name}" in known else prefix
                       for alias in node.names]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph(root: Path) -> dict[str, set[str]]:
    known = modules(root)
    return {name: imports_of(name, path, known) for name, path in known.items()}


def plugin_of(name: str) -> str | None:
    parts = name.split(".")
    return ".".join(parts[:2]) if parts[0] == "plugins" and len(parts) > 1 else None


def broken_rules(graph: dict[str, set[str]]) -> list[str]:
    problems = []
    for name, targets in sorted(graph.items()):
        for target in sorted(targets):
            if name.startswith("newsroom") and target.startswith("plugins"):
                problems.append(f"{name} imports the plugin {target}")
            own, other = plugin_of(name), plugin_of(target)
            if own and other and own != other:
                problems.append(f"{name} imports another plugin's {target}")
            if own and target == "newsroom.build.runner":
                problems.append(f"{name} imports the build runner")
    return problems


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan, iteratively)."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def stray_exceptions(root: Path) -> list[str]:
    """Exception classes defined outside newsroom/errors.py (a class deriving from one counts)."""
    defined: dict[str, str] = {}
    bases: dict[str, list[str]] = {}
    for name, path in modules(root).items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                defined[node.name] = name
                bases[node.name] = [b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases]
    builtin = {name for name, value in vars(builtins).items()
               if isinstance(value, type) and issubclass(value, BaseException)}

    def is_exception(cls: str, seen=()) -> bool:
        return any(b in builtin or (b in bases and b not in seen and is_exception(b, (*seen, cls)))
                   for b in bases.get(cls, ()))

    return sorted(f"{defined[cls]}.{cls}" for cls in defined
                  if defined[cls] != "newsroom.errors" and is_exception(cls))


def plugin_names(root: Path) -> set[str]:
    """The plugins' bare names: the subpackages of plugins/."""
    return {p.parent.name for p in (root / "plugins").glob("*/__init__.py")}


def bare_plugin_imports(root: Path, places: list[Path]) -> list[str]:
    """Absolute imports of a plugin by its bare name (`import feeds`, `from x.oauth1 import …`)."""
    bare = plugin_names(root)
    found = []
    for place in places:
        for path in sorted(place.rglob("*.py")) if place.is_dir() else [place]:
            if "node_modules" in path.parts:
                continue
            for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.level:
                    continue
                names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module]
                found += [f"{path.relative_to(root).as_posix()} imports {name}"
                          for name in names if name.split(".")[0] in bare]
    return found


def test_the_import_rules_hold():
    graph = import_graph(REPO)
    assert broken_rules(graph) == []
    assert cycles(graph) == []
    assert stray_exceptions(REPO) == []


def test_no_plugin_is_imported_by_a_bare_name():
    places = [REPO / "newsroom", REPO / "plugins", REPO / "tests", REPO / "benchmarks", *REPO.glob("*.py")]
    assert bare_plugin_imports(REPO, places) == []


@pytest.mark.parametrize("settings_file", ["pelicanconf.py", "publishconf.py"])
def test_plugins_load_only_as_the_plugins_package(settings_file, monkeypatch):
    from newsroom.build.runner import load_settings

    monkeypatch.chdir(REPO)  # publishconf finds pelicanconf in the working folder
    settings = load_settings(REPO / settings_file)
    paths = [str(Path(p).resolve()) for p in settings["PLUGIN_PATHS"]]
    assert str(REPO / "plugins") not in paths  # no folder that makes `stories` a top-level module
    assert not any((Path(p) / f"{name}/__init__.py").exists() for p in paths for name in plugin_names(REPO))
    assert settings["PLUGINS"] and all(name.startswith("plugins.") for name in settings["PLUGINS"])
    assert {name.removeprefix("plugins.") for name in settings["PLUGINS"]} <= plugin_names(REPO)
    # As Pelican's load_legacy_plugin looks them up: the package from PLUGIN_PATHS, and no other
    # folder there stands in for one of its plugins.
    package = importlib.machinery.PathFinder.find_spec("plugins", paths)
    assert package is not None and Path(package.origin) == REPO / "plugins" / "__init__.py"
    assert [name for name in settings["PLUGINS"] if importlib.machinery.PathFinder.find_spec(name, paths)] == []


@pytest.fixture
def broken(tmp_path) -> Path:
    """A tree that breaks every rule once, to show the checks can fail."""
    files = {
        "newsroom/__init__.py": "",
        "newsroom/errors.py": "class NewsroomError(Exception):\n    pass\n",
        "newsroom/build/__init__.py": "",
        "newsroom/build/runner.py": "",
        "newsroom/a.py": "from .b import x\n",
        "newsroom/b.py": "def f():\n    from . import a\n",
        "newsroom/c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .d import D\n",
        "newsroom/d.py": "from .c import C\nfrom plugins.feeds import feeds\n",
        "newsroom/output.py": "from .errors import NewsroomError\nclass Clash(NewsroomError):\n    pass\n",
        "plugins/feeds/__init__.py": "",
        "plugins/feeds/feeds.py": "from newsroom.build.runner import live_prefix\n",
        "plugins/media/__init__.py": "",
        "plugins/media/media.py": "from plugins.feeds.feeds import x\nclass Broken(ValueError):\n    pass\n",
        "plugins/media/legacy.py": "import feeds.feeds\nfrom media import media\n",
    }
    for relative, text in files.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text, encoding="utf-8")
    return tmp_path


def test_each_rule_finds_its_break(broken):
    graph = import_graph(broken)
    assert broken_rules(graph) == [
        "newsroom.d imports the plugin plugins.feeds.feeds",
        "plugins.feeds.feeds imports the build runner",
        "plugins.media.media imports another plugin's plugins.feeds.feeds",
    ]
    assert cycles(graph) == [["newsroom.a", "newsroom.b"]]  # c → d only for type checkers: no cycle
    assert stray_exceptions(broken) == ["newsroom.output.Clash", "plugins.media.media.Broken"]
    assert bare_plugin_imports(broken, [broken / "plugins"]) == [
        "plugins/media/legacy.py imports feeds.feeds", "plugins/media/legacy.py imports media"]
