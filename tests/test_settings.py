"""The settings schema (newsroom/settings.py): every setting the code reads or a settings file sets
is in it, its documentation is what the generator makes, and loading reports every problem at once."""

from __future__ import annotations

import ast
import re
import shutil

import pytest
from pelican.settings import DEFAULT_CONFIG

from newsroom.build.runner import load_settings
from newsroom.errors import ConfigurationError, SettingsErrors
from newsroom.settings import BY_NAME, README_END, README_START, SCHEMA, readme_with_table, reference, with_defaults
from tests.support import REPO

READ = re.compile(r"""settings(?:\.get\(|\[)\s*["']([A-Z][A-Z0-9_]*)["']""")
NOW = {"BUILD_NOW": "2026-11-26 12:00", "BUILD_WORKERS": 2}


def code_files():
    yield REPO / "tasks.py"
    for package in ("newsroom", "plugins"):
        yield from sorted((REPO / package).rglob("*.py"))


def assigned_names(path) -> set[str]:
    names = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        names |= {t.id for t in targets if isinstance(t, ast.Name) and t.id.isupper()}
    return names


def settings_file(folder, text: str):
    (folder / "content").mkdir(exist_ok=True)
    path = folder / "einstellungen.py"
    path.write_text(text, encoding="utf-8")
    return path


def test_docs_and_readme_table_are_what_the_schema_makes():
    assert (REPO / "docs/settings.md").read_text(encoding="utf-8") == reference(), "run `invoke settings-doc`"
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert README_START in readme and README_END in readme
    assert readme_with_table(readme) == readme, "run `invoke settings-doc`"


def test_every_setting_the_code_reads_is_in_the_schema():
    read = {name: path for path in code_files() for name in READ.findall(path.read_text(encoding="utf-8"))}
    assert len(read) > 50
    missing = {name: str(path.relative_to(REPO)) for name, path in read.items()
               if name not in BY_NAME and name not in DEFAULT_CONFIG}
    assert not missing


def test_no_literal_fallback_for_a_schema_setting():
    fallback = re.compile(r"""settings\.get\(\s*["']([A-Z][A-Z0-9_]*)["']\s*,""")
    found = [f"{path.relative_to(REPO)}: {name}" for path in code_files()
             for name in fallback.findall(path.read_text(encoding="utf-8")) if name in BY_NAME]
    assert not found


def test_every_name_in_the_settings_files_is_in_the_schema():
    for name in ("pelicanconf.py", "publishconf.py"):
        names = assigned_names(REPO / name)
        assert names, name
        assert names <= set(BY_NAME), (name, names - set(BY_NAME))


def test_every_entry_is_complete():
    assert len(BY_NAME) == len(SCHEMA)
    for setting in SCHEMA:
        assert setting.group and setting.description and setting.kind.label, setting.name
        assert "\n" not in setting.description, setting.name
        assert setting.kind.problem(setting.default) is None, setting.name


def test_the_defaults_are_the_development_settings(tmp_path):
    """pelicanconf.py sets nothing that differs from the defaults: the schema alone gives the
    development site, Pelican's own defaults included (THEME, PATH, JINJA_ENVIRONMENT …)."""
    empty = load_settings(settings_file(tmp_path, '"""No settings: the defaults."""\n'), NOW)
    shutil.copy(REPO / "pelicanconf.py", tmp_path / "pelicanconf.py")
    development = load_settings(tmp_path / "pelicanconf.py", NOW)
    for setting in SCHEMA:
        assert empty[setting.name] == development[setting.name], setting.name
        assert repr(empty[setting.name]) == repr(development[setting.name]), setting.name
    assert empty["PATH"] == str(tmp_path / "content") and empty["JINJA_ENVIRONMENT"]["autoescape"] is True


def test_production_changes_what_the_live_site_needs():
    production = load_settings(REPO / "publishconf.py", NOW)
    assert production["PUBLISH_SEND"] is True and production["ADMIN_LIVE"] is True
    assert production["SITEURL"] == "https://www.duesseldorf.de"
    assert production["FEED_ENTRIES"] == 50  # the default, as in development


def test_every_problem_is_reported_at_once(tmp_path):
    path = settings_file(tmp_path, 'FEED_ENTRIES = 0\nPUBLISH_SEND = "ja"\nPRESS_BATCH = -1\nTHEMEN = ["Verkehr"]\n')
    with pytest.raises(ConfigurationError) as caught:
        load_settings(path, NOW)
    error = caught.value
    assert isinstance(error, SettingsErrors)
    assert error.problems == [
        "PUBLISH_SEND: „ja“ ist nicht True oder False.",
        "FEED_ENTRIES: „0“ ist keine ganze Zahl ab 1.",
        "PRESS_BATCH: „-1“ ist keine ganze Zahl ab 1.",
    ]
    assert str(error).startswith(f"3 Fehler in den Einstellungen in {path}:\n")
    assert all(f"  {problem}" in str(error) for problem in error.problems)


def test_a_misspelt_newsroom_setting_is_refused_with_the_nearest_name(tmp_path):
    path = settings_file(tmp_path, "FEED_ENTRYS = 10\n")
    with pytest.raises(ConfigurationError) as caught:
        load_settings(path, NOW)
    assert str(caught.value) == "FEED_ENTRYS: unbekannte Einstellung. Gemeint ist wohl FEED_ENTRIES."
    with pytest.raises(ConfigurationError, match="PRESS_SENDR: unbekannte Einstellung. Gemeint ist wohl PRESS_SENDER."):
        load_settings(REPO / "pelicanconf.py", {**NOW, "PRESS_SENDR": "Stadt"})


def test_pelicans_own_and_unrelated_settings_pass(tmp_path):
    path = settings_file(tmp_path, 'FEED_ALL_ATOM = None\nTHEME_COLOR = "#c00"\n')
    settings = load_settings(path, NOW)
    assert settings["FEED_ALL_ATOM"] is None and settings["THEME_COLOR"] == "#c00"


@pytest.mark.parametrize("values, problem", [
    ({"CSP_FRAME_ANCESTORS": "*"}, "CSP_FRAME_ANCESTORS: „*“ ist nicht erlaubt (möglich: 'none', 'self')."),
    ({"FEED_FORMATS": ["rss", "rdf"]}, "FEED_FORMATS: unbekanntes Format rdf (möglich: rss, atom, json)."),
    ({"DEPLOY_KEEP_RELEASES": True}, "DEPLOY_KEEP_RELEASES: „True“ ist keine ganze Zahl ab 1."),
    ({"SERVER_NAME": 7}, "SERVER_NAME: „7“ ist kein Text und nicht None."),
    ({"MENU": [("Aktuelles",)]}, "MENU: Eintrag „('Aktuelles',)“ ist kein Paar der Form (str, str)."),
    ({"STADTBEZIRKE": {0: "Mitte"}}, "STADTBEZIRKE: Eintrag „0“: „0“ ist keine ganze Zahl ab 1."),
    ({"BUILD_NOW": "morgen"}, None),
])
def test_with_defaults_checks_like_a_settings_file(values, problem):
    if problem is None:  # the date parser's own German message
        with pytest.raises(ConfigurationError, match="^BUILD_NOW: "):
            with_defaults(values)
        return
    with pytest.raises(ConfigurationError) as caught:
        with_defaults(values)
    assert str(caught.value) == problem


def test_with_defaults_fills_every_setting_with_a_copy():
    first, second = with_defaults(), with_defaults({"FEED_ENTRIES": 5})
    assert set(first) == set(BY_NAME) and second["FEED_ENTRIES"] == 5
    first["THEMEN"].append("Neu")
    assert "Neu" not in second["THEMEN"] and "Neu" not in BY_NAME["THEMEN"].default
