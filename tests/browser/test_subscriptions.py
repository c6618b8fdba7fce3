"""A citizen signs up on the site's page "Abonnieren" and goes through the service's pages in
Chromium: confirm, manage, a form with errors, unsubscribe and delete; axe finds no WCAG 2.1 A/AA
violation on any of them, and nothing is requested from a third host."""

from __future__ import annotations

from urllib.parse import urlsplit

from newsroom.subscriptions import abuse, links
from tests.browser.conftest import build_site, format_violations
from tests.subscriptions_support import link_in, running_service
from tests.support import REPO

SEEN: list[tuple[str, str]] = []  # (what, HTML) of every service page checked, for vnu


def no_violations(page, axe, what: str) -> None:
    violations = axe(page)
    assert not violations, f"{what}:\n{format_violations(violations)}"
    SEEN.append((what, page.content()))


def test_sign_up_through_the_site_and_use_the_service_pages(page, axe, vnu, serve_folder, network, tmp_path,
                                                            monkeypatch):
    monkeypatch.setattr(abuse, "MIN_FILL_SECONDS", 0)
    output = tmp_path / "site" / "output"
    output.mkdir(parents=True)
    site_url = serve_folder(output)
    with running_service(f"sqlite:///{tmp_path / 'abo.sqlite3'}", SITEURL=site_url.rstrip("/")) as service:
        build_site(REPO / "content", tmp_path / "site", SUBSCRIPTIONS_URL=service.url)

        page.goto(site_url + "abonnieren/")
        no_violations(page, axe, "the site's page Abonnieren")
        form = page.locator("#nachrichten form")
        form.get_by_label("Ihre E-Mail-Adresse").fill("buergerin@example.org")
        form.get_by_label("Stadtbezirk 3 (", exact=False).check()
        form.get_by_label("Täglich als Zusammenfassung").check()
        form.get_by_label("Ich willige ein", exact=False).check()
        form.get_by_role("button", name="Nachrichten abonnieren").click()
        page.wait_for_url(service.url + "buerger")
        assert page.locator("h1").inner_text() == "Bitte prüfen Sie Ihr Postfach"
        no_violations(page, axe, "check your mailbox")

        page.goto(link_in(service.mails(1)[0], "bestaetigen"))
        no_violations(page, axe, "confirm")
        page.get_by_role("button", name="Abonnement bestätigen").click()
        assert "bestätigt" in page.locator("h1").inner_text()
        no_violations(page, axe, "confirmed")

        page.get_by_role("link", name="Abonnement jetzt verwalten").click()
        assert page.locator("h1").inner_text() == "Ihr Abonnement"
        assert page.get_by_label("Stadtbezirk 3 (", exact=False).is_checked()
        no_violations(page, axe, "manage")
        page.get_by_role("button", name="Abonnement pausieren").click()
        assert page.get_by_role("status").inner_text() == "Ihr Abonnement ist pausiert."
        no_violations(page, axe, "manage after pausing")
        page.get_by_label("Alle Themen").check()
        page.get_by_label("Wöchentlich als Zusammenfassung").check()
        page.get_by_role("button", name="Auswahl speichern").click()
        assert page.get_by_role("status").inner_text() == "Ihre Auswahl ist gespeichert."

        page.get_by_role("link", name="Alle Daten löschen").click()
        no_violations(page, axe, "delete")

        with service.database.session() as session:
            from sqlalchemy import select

            from newsroom.subscriptions.models import Subscriber

            person = session.scalars(select(Subscriber)).one()
            unsubscribe = links.unsubscribe_url(service.config, person)
        page.goto(unsubscribe)
        no_violations(page, axe, "unsubscribe")
        page.get_by_role("button", name="Jetzt abmelden").click()
        assert page.locator("h1").inner_text() == "Sie sind abgemeldet"
        no_violations(page, axe, "unsubscribed")

        # The Pressedienst's form sent empty: every error at its field, the summary linking to them.
        page.goto(service.url + "presse")
        no_violations(page, axe, "Pressedienst form")
        page.get_by_role("button", name="Pressedienst abonnieren").click()
        assert page.get_by_role("alert").is_visible()
        email = page.get_by_label("Ihre E-Mail-Adresse")
        assert email.get_attribute("aria-invalid") == "true"
        assert "Bitte geben Sie Ihre E-Mail-Adresse ein." in page.locator(
            "#" + email.get_attribute("aria-describedby")).inner_text()
        no_violations(page, axe, "Pressedienst form with errors")
        page.get_by_role("alert").get_by_role("link").first.click()
        assert page.evaluate("document.activeElement.id") == "email"

        page.goto(service.url + "bestaetigen/abgelaufen")
        no_violations(page, axe, "refused link")

    hosts = {urlsplit(r.url).hostname for r in network.requests if r.url.startswith("http")}
    assert hosts == {"127.0.0.1"}, hosts
    folder = tmp_path / "seiten"
    folder.mkdir()
    for number, (_what, html) in enumerate(SEEN[1:]):  # the first is the site's page, checked with the site
        (folder / f"{number:02d}.html").write_text(html, encoding="utf-8")
    errors = vnu(folder)
    assert not errors, "\n".join(errors[:20])
