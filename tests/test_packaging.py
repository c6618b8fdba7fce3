"""The project's packaging: pyproject.toml names what the newsroom needs at run time and for its tests,
requirements.txt pins all of it, and the wheel holds the newsroom and plugins packages and nothing else."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.support import REPO

PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
# What only the tests and the benchmarks use: never something a build or a deploy installs.
TEST_ONLY = {"pytest", "feedparser", "aiosmtpd", "playwright", "moto", "flask", "flask-cors", "pyvips",
             "pyvips-binary", "setuptools"}


def requirements(group: str = "") -> list[Requirement]:
    project = PROJECT["project"]
    listed = project["optional-dependencies"][group] if group else project["dependencies"]
    return [Requirement(text) for text in listed]


def names(group: str = "") -> set[str]:
    return {canonicalize_name(r.name) for r in requirements(group)}


def lock() -> dict[str, str]:
    pins = {}
    for line in (REPO / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"requirements.txt: {line} ist nicht fest gepinnt"
            pins[canonicalize_name(name)] = version
    return pins


@pytest.mark.parametrize("group", ["", "test", "bench"])
def test_every_dependency_is_pinned_in_the_lock(group):
    pins = lock()
    assert requirements(group)
    for requirement in requirements(group):
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement} fehlt in requirements.txt"
        assert requirement.specifier.contains(pins[name], prereleases=True), f"{requirement} ≠ {pins[name]}"


def test_the_lock_pins_the_extras_packages_too():
    pins = lock()
    assert "pagefind-bin-extended" in pins  # pagefind[extended]
    assert {"flask", "flask-cors", "werkzeug"} <= set(pins)  # moto's server mode


def test_test_only_packages_are_no_runtime_dependencies():
    assert names() & TEST_ONLY == set()
    assert names() & (names("test") | names("bench")) == set()
    assert TEST_ONLY <= names("test") | names("bench")


def _third_party_imports(folders: list[Path]) -> set[str]:
    found = set()
    for folder in folders:
        for path in folder.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    found |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                    found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"newsroom", "plugins", "__future__"}


def _with_their_dependencies(wanted: set[str]) -> set[str]:
    """The installed distributions `wanted` pulls in (extras named in pyproject.toml included)."""
    extras = {canonicalize_name(r.name): r.extras for r in requirements()}
    seen, todo = set(), list(wanted)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for text in metadata.requires(name) or ():
            requirement = Requirement(text)
            marker = requirement.marker
            if marker is None or any(marker.evaluate({"extra": e}) for e in (extras.get(name) or {""})):
                todo.append(canonicalize_name(requirement.name))
    return seen


def test_the_code_imports_only_runtime_dependencies():
    """newsroom/ and plugins/ import nothing that `dependencies` (with what they pull in) leaves out."""
    provided = metadata.packages_distributions()
    runtime = _with_their_dependencies(names())
    for module in sorted(_third_party_imports([REPO / "newsroom", REPO / "plugins"])):
        distributions = {canonicalize_name(d) for d in provided.get(module, [])}
        assert distributions, f"{module}: kein installiertes Paket liefert es"
        assert distributions & runtime, f"{module} ({', '.join(distributions)}) fehlt in dependencies"
        assert not distributions & TEST_ONLY, f"{module} ist nur für Tests installiert"


def test_the_package_list_is_newsroom_and_plugins():
    assert PROJECT["tool"]["setuptools"]["packages"]["find"]["include"] == ["newsroom*", "plugins*"]
    assert "plugins" not in PROJECT["tool"]["pytest"]["ini_options"]["pythonpath"]
    # A folder of code without __init__.py would be left out of the wheel without a word.
    for root in (REPO / "newsroom", REPO / "plugins"):
        for folder in [root, *(p for p in root.rglob("*") if p.is_dir() and p.name != "__pycache__")]:
            if any(folder.glob("*.py")):
                assert (folder / "__init__.py").is_file(), f"{folder.relative_to(REPO)} ohne __init__.py"
    setuptools = pytest.importorskip("setuptools")
    found = set(setuptools.find_packages(str(REPO), include=["newsroom*", "plugins*"]))
    plugins = {f"plugins.{p.parent.name}" for p in (REPO / "plugins").glob("*/__init__.py")}
    assert {"newsroom", "newsroom.build", "plugins", "plugins.stories"} | plugins <= found
    assert all(name.split(".")[0] in ("newsroom", "plugins") for name in found)


def test_the_build_fingerprint_covers_the_plugins_package(monkeypatch):
    from newsroom.build.runner import build_fingerprint, load_settings

    read = []
    original = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(self) or original(self))
    build_fingerprint(load_settings(REPO / "pelicanconf.py"))
    assert REPO / "plugins" / "stories" / "generator.py" in read
    assert REPO / "plugins" / "__init__.py" in read


def _setuptools_builds_wheels() -> bool:
    try:
        version = metadata.version("setuptools")
    except metadata.PackageNotFoundError:
        return False
    return tuple(int(part) for part in re.findall(r"\d+", version)[:2]) >= (70, 1)


@pytest.mark.skipif(not _setuptools_builds_wheels(), reason="setuptools ≥ 70.1 fehlt in der venv (make installiert es)")
def test_the_wheel_holds_newsroom_and_plugins_and_no_tests(tmp_path):
    # A copy: setuptools leaves build/ and *.egg-info in the folder it builds.
    source = tmp_path / "source"
    source.mkdir()
    shutil.copy2(REPO / "pyproject.toml", source)
    skip = shutil.ignore_patterns("__pycache__", "node_modules", "*.pyc")
    for folder in ("newsroom", "plugins", "tests", "benchmarks"):
        shutil.copytree(REPO / folder, source / folder, ignore=skip, symlinks=True)
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                             "--no-index", "-w", str(tmp_path / "dist"), str(source)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    [wheel] = (tmp_path / "dist").glob("duesseldorf_newsroom-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        files = set(archive.namelist())
        info = next(name for name in files if name.endswith(".dist-info/METADATA"))
        meta = archive.read(info).decode()
    assert {"newsroom/build/runner.py", "plugins/__init__.py", "plugins/stories/generator.py"} <= files
    assert {name.split("/")[0] for name in files} == {"newsroom", "plugins", info.split("/")[0]}
    assert not any(name.startswith(("tests/", "benchmarks/")) for name in files)
    assert "Requires-Dist: pelican==4.12.0" in meta
    assert "Provides-Extra: test" in meta and "Requires-Dist: pytest; extra == \"test\"" in meta
