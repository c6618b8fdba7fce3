"""content/desk/approvers.yml and the verdict on a story version (newsroom/desk)."""

from __future__ import annotations

import pytest

from newsroom.desk.approvals import Approval, status
from newsroom.desk.approvers import Approvers
from newsroom.errors import ContentError, ContentErrors

PATH = "content/desk/approvers.yml"
V1, V2 = "1" * 64, "2" * 64


def errors_of(text: str) -> list[str]:
    with pytest.raises(ContentErrors) as caught:
        Approvers.parse(text, PATH)
    return [str(e) for e in caught.value.errors]


def test_handles_and_addresses_are_read_without_case():
    approvers = Approvers.parse("approvers:\n  cvd-a:\n    emails: [Cora.Vogt@Example.org]\n"
                                "  cvd-b:\n    emails: ben@example.org\n", PATH)
    assert sorted(approvers.by_handle) == ["cvd-a", "cvd-b"]
    assert approvers.handle_of("cora.vogt@example.org ") == "cvd-a" and approvers.handle_of("x@example.org") is None
    assert approvers.wrote("cvd-b", "BEN@example.org") and not approvers.wrote("cvd-a", "ben@example.org")


def test_every_problem_is_named_with_its_line():
    assert errors_of("approvers:\n  CvD A:\n    emails: [a@example.org]\n  cvd-b:\n    emails: []\n"
                     "  cvd-c:\n    emails: [a@example.org]\n    ssh_key: kein-schluessel\n    rolle: chef\n") == [
        f"{PATH}:2: Feld „approvers“: „CvD A“ ist kein Kurzzeichen: nur Kleinbuchstaben, Ziffern, - _ . (z. B. cvd-ab).",
        f"{PATH}:5: Feld „approvers.cvd-b.emails“: Mindestens eine Git-E-Mail-Adresse angeben (Liste).",
        f"{PATH}:7: Feld „approvers.cvd-c“: Unbekanntes Feld „rolle“ (erlaubt: emails, ssh_key).",
        f"{PATH}:8: Feld „approvers.cvd-c.ssh_key“: Kein öffentlicher SSH-Schlüssel (beginnt mit ssh-ed25519, "
        "ssh-rsa …).",
    ]
    assert errors_of("approvers:\n  cvd-a:\n    emails: [a@example.org]\n  cvd-b:\n    emails: [A@example.org]\n") == [
        f"{PATH}:5: Feld „approvers.cvd-b.emails“: Die Adresse gehört schon zu „cvd-a“."]
    assert errors_of("wer: niemand\n") == [
        f"{PATH}:1: Feld „approvers“: Es fehlt die Liste „approvers:“ (Kurzzeichen → Angaben)."]
    with pytest.raises(ContentError, match=f"{PATH}:3: YAML kann diese Stelle nicht lesen"):
        Approvers.parse("approvers:\n  - [\n", PATH)


APPROVERS = Approvers.parse("approvers:\n  cvd-a:\n    emails: [a@example.org]\n"
                            "  cvd-b:\n    emails: [b@example.org]\n", PATH)


def approval(by: str, version: str = V1, urgent: str | None = None) -> Approval:
    return Approval("a1b2c3d4e5f6", "content/stories/2026/x.md", version, by, "2026-11-26T08:00:00+01:00",
                    urgent=urgent)


@pytest.mark.parametrize("approvals, author, expected", [
    ([approval("cvd-b")], "a@example.org", "approved"),
    ([approval("cvd-a")], "a@example.org", "own"),
    ([approval("cvd-a")], "redaktion@example.org", "approved"),
    ([approval("cvd-b", V2)], "a@example.org", "stale"),
    ([approval("cvd-x")], "a@example.org", "missing"),  # not listed
    ([approval("cvd-a", urgent="Unwetter")], "a@example.org", "urgent"),
    ([approval("cvd-a", urgent="Unwetter"), approval("cvd-b")], "a@example.org", "approved"),
    ([], "a@example.org", "missing"),
])
def test_the_verdict_on_a_version(approvals, author, expected):
    assert status(V1, approvals, APPROVERS, author).status == expected


def test_an_approval_whose_identity_does_not_hold_counts_for_nothing():
    verdict = status(V1, [approval("cvd-b")], APPROVERS, "a@example.org", trusted=lambda a: False)
    assert verdict.status == "missing" and verdict.label == ("nicht freigegeben: Freigabe von cvd-b nicht anerkannt "
                                                             "(nicht in approvers.yml oder ohne gültige Signatur)")


def test_an_approval_file_round_trips_and_refuses_a_bad_version():
    made = approval("cvd-b", urgent="Eilt")
    assert Approval.parse(made.dumps(), "x.yml") == made
    with pytest.raises(ContentError, match="keine SHA-256-Prüfsumme"):
        Approval.parse(made.dumps().replace(V1, "abc"), "x.yml")
    with pytest.raises(ContentError, match="Freigabe unvollständig"):
        Approval.parse("story: x\n", "x.yml")
