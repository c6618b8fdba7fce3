"""The press channel's SMTP set-up against real servers on loopback: STARTTLS and implicit TLS
with AUTH, and the set-up mistakes that must stop a send with a German message."""

from __future__ import annotations

import pytest

from tests.fakes.smtp import CERT, PASSWORD, USER, FakeSMTP, free_port, server_tls
from tests.press_support import (
    RECIPIENTS,
    VERKEHR,
    origin_history,
    press_env,
    press_record,
    press_story,
    publish,
    write_list,
)
from tests.publishing_support import commit_and_push

pytestmark = [pytest.mark.filterwarnings("ignore:Session.login_data is deprecated"),  # inside aiosmtpd
              pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")]  # implicit TLS


def secured(monkeypatch, server: FakeSMTP, tmp_path, security: str, *, password: str = PASSWORD,
            ca_file: bool = True) -> None:
    press_env(monkeypatch, server, write_list(tmp_path / "presse.csv", RECIPIENTS))
    monkeypatch.setenv("NEWSROOM_PRESS_SMTP_SECURITY", security)
    monkeypatch.setenv("NEWSROOM_PRESS_SMTP_USER", USER)
    monkeypatch.setenv("NEWSROOM_PRESS_SMTP_PASSWORD", password)
    if ca_file:
        monkeypatch.setenv("NEWSROOM_PRESS_SMTP_CA_FILE", str(CERT))


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_encrypted_and_authenticated_with_one_connection_for_the_list(site, tmp_path, monkeypatch, security):
    with FakeSMTP(tls=server_tls(), implicit=security == "tls", auth=True) as server:
        secured(monkeypatch, server, tmp_path, security)
        press_story(site)
        commit_and_push(site)
        report = publish(site)
    assert [o.status for o in report.outcomes] == ["sent"]
    assert server.delivered_to() == VERKEHR
    assert server.logins == [USER] and len(server.connections) == 1
    assert PASSWORD not in origin_history(site) and PASSWORD not in report.outcomes[0].message


def test_a_wrong_password_fails_without_showing_it(site, tmp_path, monkeypatch):
    with FakeSMTP(tls=server_tls(), auth=True) as server:
        secured(monkeypatch, server, tmp_path, "starttls", password="falsches-passwort-1")
        press_story(site)
        commit_and_push(site)
        outcome = publish(site).outcomes[0]
    assert outcome.status == "failed"
    assert outcome.message == (f"Pressemitteilung: SMTP-Server 127.0.0.1:{server.port}: Anmeldung abgelehnt "
                               "(535 5.7.8 Authentication credentials invalid).")
    assert server.received == [] and "falsches-passwort-1" not in origin_history(site)
    assert press_record(site)["status"] == "failed"


def test_an_untrusted_certificate_fails(site, tmp_path, monkeypatch):
    with FakeSMTP(tls=server_tls(), auth=True) as server:
        secured(monkeypatch, server, tmp_path, "starttls", ca_file=False)
        press_story(site)
        commit_and_push(site)
        outcome = publish(site).outcomes[0]
    assert outcome.status == "failed"
    assert outcome.message.startswith(f"Pressemitteilung: SMTP-Server 127.0.0.1:{server.port}: Zertifikat nicht "
                                      "vertrauenswürdig (")
    assert server.received == []


def test_starttls_is_required_when_asked_for(site, tmp_path, monkeypatch):
    with FakeSMTP() as server:  # offers no STARTTLS
        secured(monkeypatch, server, tmp_path, "starttls")
        press_story(site)
        commit_and_push(site)
        outcome = publish(site).outcomes[0]
    assert (outcome.status, outcome.message) == (
        "failed", f"Pressemitteilung: SMTP-Server 127.0.0.1:{server.port} bietet kein STARTTLS an; ohne "
                  "Verschlüsselung wird nicht gesendet.")
    assert server.received == []


def test_a_password_is_never_sent_unencrypted(site, tmp_path, monkeypatch):
    with FakeSMTP() as server:
        secured(monkeypatch, server, tmp_path, "none")
        press_story(site)
        commit_and_push(site)
        outcome = publish(site).outcomes[0]
    assert (outcome.status, outcome.message) == (
        "failed", "Pressemitteilung: Ein Passwort wird nie unverschlüsselt gesendet; NEWSROOM_PRESS_SMTP_SECURITY "
                  "auf starttls oder tls setzen.")
    assert server.received == []


def test_an_unreachable_server_is_tried_again_by_the_next_run(site, tmp_path, monkeypatch):
    with FakeSMTP() as server:
        press_env(monkeypatch, server, write_list(tmp_path / "presse.csv", RECIPIENTS))
    port = free_port()  # nobody listens there
    monkeypatch.setenv("NEWSROOM_PRESS_SMTP_PORT", str(port))
    press_story(site)
    commit_and_push(site)
    outcome = publish(site).outcomes[0]
    assert outcome.status == "retry"
    assert outcome.message.startswith(f"Pressemitteilung: SMTP-Server 127.0.0.1:{port} nicht erreichbar "
                                      "(ConnectionRefusedError")
    assert outcome.message.endswith("Gesendet bis hier ist protokolliert; der nächste Lauf sendet den Rest.")
    assert press_record(site)["status"] == "retry"
