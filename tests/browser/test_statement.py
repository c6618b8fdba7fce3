"""The Erklärung zur Barrierefreiheit: complete per BITV NRW, with a feedback form that needs no server."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import expect


def test_statement_has_every_part_bitv_nrw_asks_for(page, demo_url):
    page.goto(demo_url + "barrierefreiheit/")
    headings = page.locator("main h2").all_inner_texts()
    for part in ("Geltungsbereich", "Stand der Vereinbarkeit mit den Anforderungen", "Nicht barrierefreie Inhalte",
                 "Erstellung dieser Erklärung", "Feedback und Kontaktangaben",
                 "Schlichtungsverfahren: die Ombudsstelle des Landes", "Barriere melden"):
        assert part in headings
    text = page.locator("main").inner_text()
    assert "zuletzt am 26. November 2026 überprüft" in text
    assert "Fürstenwall 25" in text and "ombudsstelle-barrierefreie-it@mags.nrw.de" in text
    assert page.locator("footer").get_by_role("link", name="Erklärung zur Barrierefreiheit").count() == 1


def test_feedback_form_hands_a_readable_mail_to_the_mail_program(page, demo_url, network):
    page.goto(demo_url + "barrierefreiheit/", wait_until="networkidle")
    network.clear()
    page.get_by_label("Auf welcher Seite ist die Barriere?").fill("/suche/")
    page.get_by_label("Was ist das Problem? (Pflichtfeld)").fill("Die Trefferliste wird nicht vorgelesen.")
    page.get_by_label("Ihr Name (freiwillig)").fill("Erika Mustermann")
    page.get_by_role("button", name="E-Mail-Programm öffnen").click()
    link = page.get_by_role("link", name="Nachricht im E-Mail-Programm öffnen")
    expect(link).to_be_visible()
    address = urlsplit(link.get_attribute("href"))
    assert (address.scheme, address.path) == ("mailto", "barrierefreiheit@duesseldorf.de")
    query = parse_qs(address.query)
    assert query["subject"] == ["Barriere melden: /suche/"]
    assert query["body"] == ["Auf welcher Seite ist die Barriere? (Adresse oder Titel):\n/suche/\n\n"
                             "Was ist das Problem? (Pflichtfeld):\nDie Trefferliste wird nicht vorgelesen.\n\n"
                             "Ihr Name (freiwillig):\nErika Mustermann\n"]
    assert [r for r in network.requests if r.url.startswith("http")] == []  # nothing went to any server


def test_feedback_form_asks_for_the_problem_first(page, demo_url):
    page.goto(demo_url + "barrierefreiheit/")
    page.get_by_role("button", name="E-Mail-Programm öffnen").click()
    assert page.evaluate("document.activeElement.id") == "barriere-beschreibung"
    assert page.get_by_role("link", name="Nachricht im E-Mail-Programm öffnen").count() == 0
