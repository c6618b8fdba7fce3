"""`invoke credentials`: when each channel's credentials run out, and their refresh into the publish
service's environment file (NEWSROOM_SECRETS_FILE): mode 0600, other lines kept, replaced at once,
the token in no output; without the file or when the platform refuses, a German message and the old
file untouched. The desk warns at least a week ahead. Meta's Graph API on loopback."""

from __future__ import annotations

import os
import stat
import time
from datetime import datetime

import pytest

from newsroom.dates import BERLIN
from newsroom.errors import PublishError
from newsroom.secrets import update_secrets_file
from tests.fakes.api import Answer
from tests.fakes.meta import IG_TOKEN, FakeGraph, error
from tests.publishing_support import commit_and_push, due_story, publish
from tests.social.support import adapter
from tests.support import REPO, invoke

DAY = 86400
OTHER_LINES = ["# Zugangsdaten des Versands", "NEWSROOM_MASTODON_BASE_URL=https://social.example", "",
               f"NEWSROOM_INSTAGRAM_TOKEN={IG_TOKEN}", "NEWSROOM_ALERT_TO=cvd@example.org"]


@pytest.fixture
def graph(monkeypatch):
    for key in [k for k in os.environ if k.startswith("NEWSROOM_")]:
        monkeypatch.delenv(key)
    with FakeGraph() as server:
        for key, value in server.instagram_env.items():
            monkeypatch.setenv(key, value)
        yield server


@pytest.fixture
def secrets_file(tmp_path, monkeypatch):
    path = tmp_path / "versand.env"
    path.write_text("\n".join(OTHER_LINES) + "\n", encoding="utf-8")
    path.chmod(0o600)
    monkeypatch.setenv("NEWSROOM_SECRETS_FILE", str(path))
    return path


def run(*args):
    result = invoke(REPO, "credentials", *args)
    return result.returncode, result.stdout + result.stderr


def expires_in(graph, days: float) -> None:
    graph.token_expires_at = int(time.time() + days * DAY)


def test_the_list_names_when_credentials_run_out_and_shows_no_secret(graph):
    expires_in(graph, 30.5)
    code, output = run()
    assert code == 0
    assert "Instagram: Zugangsdaten laufen am " in output and "(in 30 Tagen)" in output
    assert "Facebook: nicht eingerichtet (fehlt: NEWSROOM_FACEBOOK_PAGE_ID, NEWSROOM_FACEBOOK_PAGE_TOKEN)." in output
    assert IG_TOKEN not in output and graph.calls("GET", r"/refresh_access_token") == []


def test_refresh_writes_the_new_token_with_mode_0600_and_keeps_every_other_line(graph, secrets_file):
    expires_in(graph, 5)
    before = secrets_file.stat().st_ino
    code, output = run("--refresh")
    assert code == 0, output
    (new_token,) = graph.refreshed
    (request,) = graph.calls("GET", r"/refresh_access_token")
    assert request.query == {"grant_type": "ig_refresh_token", "access_token": IG_TOKEN}
    lines = secrets_file.read_text(encoding="utf-8").splitlines()
    assert lines == [*OTHER_LINES[:3], f"NEWSROOM_INSTAGRAM_TOKEN={new_token}", OTHER_LINES[4]]
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
    assert secrets_file.stat().st_ino != before  # a new file renamed over the old one: never half written
    assert [p.name for p in secrets_file.parent.iterdir()] == [secrets_file.name]  # no temporary file left
    assert f"Instagram: erneuert; neu in {secrets_file}: NEWSROOM_INSTAGRAM_TOKEN" in output
    assert new_token not in output and IG_TOKEN not in output


def test_credentials_far_from_running_out_are_left_alone(graph, secrets_file):
    expires_in(graph, 40)
    before = secrets_file.read_bytes()
    code, output = run("--refresh")
    assert code == 0 and "Nichts zu erneuern" in output
    assert graph.calls("GET", r"/refresh_access_token") == [] and secrets_file.read_bytes() == before


def test_without_the_secrets_file_the_refresh_is_refused_in_german_naming_the_variable(graph):
    expires_in(graph, 5)
    code, output = run("--refresh")
    assert code == 1
    assert "NEWSROOM_SECRETS_FILE ist nicht gesetzt" in output and "Nichts erneuert." in output
    assert "Geheimnisspeicher der CI" in output and "NEWSROOM_INSTAGRAM_TOKEN" in output
    assert IG_TOKEN not in output and graph.calls("GET", r"/refresh_access_token") == []


def test_a_platform_error_is_said_in_german_and_the_file_stays_as_it_was(graph, secrets_file):
    expires_in(graph, 5)
    graph.fail("GET", r"/refresh_access_token",
               Answer(400, error(190, "Error validating access token: Session has expired")))
    before, inode = secrets_file.read_bytes(), secrets_file.stat().st_ino
    code, output = run("--refresh")
    assert code == 1
    assert "Instagram: Erneuerung fehlgeschlagen:" in output and f"{secrets_file} bleibt unverändert." in output
    assert secrets_file.read_bytes() == before and secrets_file.stat().st_ino == inode
    assert IG_TOKEN not in output


def test_a_facebook_login_token_has_nothing_to_refresh():
    # A Page token made from a long-lived user token does not expire: no request, nothing to store.
    assert adapter("instagram").refresh_credentials(client=None) is None


def test_a_write_that_fails_half_way_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "versand.env"
    path.write_text("NEWSROOM_X_API_KEY=abc\nNEWSROOM_INSTAGRAM_TOKEN=alt-1234\n", encoding="utf-8")
    before = path.read_bytes()

    def broken_replace(source, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        update_secrets_file(path, {"NEWSROOM_INSTAGRAM_TOKEN": "neu-5678"})
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["versand.env"]


def test_a_value_that_is_no_line_of_its_own_is_refused(tmp_path):
    path = tmp_path / "versand.env"
    path.write_text("NEWSROOM_INSTAGRAM_TOKEN=alt-1234\n", encoding="utf-8")
    with pytest.raises(PublishError, match="lässt sich nicht als Zeile KEY=Wert schreiben; nichts geändert"):
        update_secrets_file(path, {"NEWSROOM_INSTAGRAM_TOKEN": "neu\nNEWSROOM_EVIL=1"})
    assert path.read_text(encoding="utf-8") == "NEWSROOM_INSTAGRAM_TOKEN=alt-1234\n"


@pytest.mark.parametrize("days, warn_days, shown", [(6, 3, True), (6, 14, True), (12, 14, True), (12, 3, False),
                                                    (20, 14, False)])
def test_the_desk_warns_of_expiring_credentials_at_least_a_week_ahead(site, days, warn_days, shown):
    due_story(site)
    commit_and_push(site)
    with FakeGraph() as graph:
        now = datetime(2026, 11, 26, 12, 0, tzinfo=BERLIN)
        graph.token_expires_at = int(now.timestamp() + days * DAY)
        publish(site, environ=graph.facebook_env, settings={"PUBLISH_CREDENTIALS_WARN_DAYS": warn_days})
    site.repo.git.pull("--ff-only", "origin", "main")
    site.build(PUBLISH_CREDENTIALS_WARN_DAYS=warn_days)
    page = (site.root / "preview/desk/index.html").read_text(encoding="utf-8")
    assert ("Zugangsdaten laufen ab" in page) == shown
    if shown:
        assert "<strong>Facebook</strong>: laufen ab am" in page and f"(in {days} Tagen)" in page
        assert "NEWSROOM_FACEBOOK_…" in page and "invoke credentials --refresh" in page


def test_the_timer_refreshes_daily_into_the_file_the_publishing_service_reads():
    units = {name: (REPO / "deploy" / name).read_text(encoding="utf-8")
             for name in ("zugangsdaten.service", "zugangsdaten.timer")}
    lines = units["zugangsdaten.service"].splitlines()
    values = {line.split("=", 1)[0]: line.split("=", 1)[1] for line in lines if "=" in line and line[0] != "#"}
    assert values["ExecStart"].split()[1:] == ["credentials", "--refresh", "--settings", "publishconf.py"]
    environment_file = values["EnvironmentFile"]
    assert f"Environment=NEWSROOM_SECRETS_FILE={environment_file}" in lines
    assert any(line == f"ReadWritePaths={os.path.dirname(environment_file)}" for line in lines)
    assert "OnCalendar=*-*-* 04:30" in units["zugangsdaten.timer"] and "Persistent=true" in units["zugangsdaten.timer"]
