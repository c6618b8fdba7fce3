"""The press release's parts: the mail builder (and its refusal of header injection), the
text version of a body, the distribution list, the numbers and the progress line."""

from __future__ import annotations

import threading
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from newsroom.content.markup import BodyRenderer
from newsroom.dates import BERLIN
from newsroom.errors import PublishError, SendError
from newsroom.mail.addresses import mask_addresses
from newsroom.mail.smtp import Connection, Result, SmtpConfig
from newsroom.publishing.channel import ClaimFiles
from newsroom.settings import with_defaults
from plugins.press.delivery import RecipientState
from plugins.press.message import MailFactory, compose, one_line, parse_address, sperrfrist
from plugins.press.numbers import assign
from plugins.press.plaintext import html_to_text
from plugins.press.recipients import ALL, Recipient, load, parse, recipient_key
from tests.fakes.smtp import FakeSMTP
from tests.support import REPO

THEMEN = ["Verkehr", "Umwelt & Klima", "Kultur"]
SETTINGS = with_defaults({"THEME": str(REPO / "theme"), "PRESS_SENDER": "Landeshauptstadt Düsseldorf",
                          "PRESS_PLACE": "Düsseldorf", "PRESS_FOOTER": "Abmelden: {unsubscribe}"})
ISSUED = datetime(2026, 11, 30, 8, 0, tzinfo=BERLIN)
ANNA = Recipient("anna@rp.example", "Anna Adler", "Rheinische Post", frozenset({"Verkehr"}), 2)


def payload(**fields) -> dict:
    return {"title": "Neue Radwege am Rheinufer", "summary": "Zwei Kilometer Radweg.",
            "body_html": "<p>Die Arbeiten beginnen im Frühjahr.</p>", "thema": "Verkehr", "amt": "Amt",
            "url": "https://www.duesseldorf.de/aktuelles/2026/11/radwege/", "date": "2026-11-30T10:00:00+01:00",
            "embargo": "2026-11-30T08:00:00+01:00", "note": "", "media": [], "attachment": None,
            "contact": {"name": "Presse", "phone": "0211 89-93131", "email": "presse@duesseldorf.de"}, **fields}


def factory(title: str = "Neue Radwege am Rheinufer", number: str = "PM 7/2026") -> MailFactory:
    composed = compose(payload(title=title), number, ISSUED, SETTINGS, unsubscribe="mailto:presse@duesseldorf.de")
    return MailFactory(composed, sender=parse_address("Presse <presse@duesseldorf.de>", "FROM"), reply_to=None,
                       list_id="Presseverteiler <presse.duesseldorf.de>", unsubscribe="mailto:presse@duesseldorf.de",
                       story_id="a1b2c3d4e5f6")


def parsed(data: bytes) -> EmailMessage:
    return message_from_bytes(data, policy=policy.default)


# -- the mail --------------------------------------------------------------------------------

def test_a_title_that_tries_to_add_bcc_stays_in_the_subject():
    mails = factory(title="Radwege\r\nBcc: spion@example.org\nX-Falle: 1")
    message = parsed(mails.data(ANNA, "0123456789ab"))
    assert message["Bcc"] is None and message["X-Falle"] is None
    assert message["Subject"] == ("Sperrfrist: 30.11.2026, 10:00 Uhr – PM 7/2026: Radwege Bcc: spion@example.org "
                                  "X-Falle: 1")
    assert [name for name, _ in message.items()] == ["Subject", "From", "List-Id", "MIME-Version", "Content-Type",
                                                     "Content-Language", "To", "Date", "Message-ID",
                                                     "List-Unsubscribe"]


def test_the_trapped_mail_reaches_only_its_recipient_over_smtp():
    data = factory(title="Radwege\nBcc: spion@example.org").data(ANNA, "0123456789ab")
    with FakeSMTP() as server:
        config = SmtpConfig("127.0.0.1", server.port, "none", None, None, 10.0, None)
        connection = Connection(config)
        reply = connection.deliver("presse@duesseldorf.de", ANNA.address, data)
        connection.close()
    assert reply.result is Result.ACCEPTED
    assert server.rcpts == ["anna@rp.example"] and server.delivered_to() == ["anna@rp.example"]
    assert server.received[0].message["Bcc"] is None


def test_the_email_package_itself_refuses_a_line_break_in_a_header():
    message = EmailMessage(policy=policy.default)
    with pytest.raises(ValueError):
        message["Subject"] = "Radwege\nBcc: spion@example.org"
    assert one_line("Radwege\r\n\tBcc:\x00 spion") == "Radwege Bcc: spion"


def test_a_sender_with_an_injected_header_is_refused():
    with pytest.raises(SendError) as raised:
        parse_address("Presse <presse@duesseldorf.de>\r\nBcc: spion@example.org", "NEWSROOM_PRESS_FROM")
    assert str(raised.value) == ("Pressemitteilung: NEWSROOM_PRESS_FROM „Presse <presse@duesseldorf.de> Bcc: "
                                 "spion@example.org“ ist keine gültige Adresse (Form: Name <adresse@domain.de>).")


def test_message_ids_are_stable_per_release_and_recipient():
    first, again = factory(), factory()
    assert first.message_id("0123456789ab") == again.message_id("0123456789ab") \
        == "<pm-7-2026.a1b2c3d4e5f6.0123456789ab@duesseldorf.de>"
    assert first.message_id("ba9876543210") != first.message_id("0123456789ab")
    assert factory(number="PM 8/2026").message_id("0123456789ab") != first.message_id("0123456789ab")


def test_text_and_html_parts_and_the_sperrfrist_first():
    message = parsed(factory().data(ANNA, "0123456789ab"))
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = message.get_body(("html",)).get_content()
    assert text.startswith("Sperrfrist: 30.11.2026, 10:00 Uhr\nBitte nicht vor diesem Zeitpunkt veröffentlichen.\n\n"
                           "PRESSEMITTEILUNG PM 7/2026\nLandeshauptstadt Düsseldorf\nDüsseldorf, 30. November 2026\n")
    assert "Abmelden: presse@duesseldorf.de" in text
    assert "<title>Sperrfrist: 30.11.2026, 10:00 Uhr – PM 7/2026: Neue Radwege am Rheinufer</title>" in html
    assert "<p>Die Arbeiten beginnen im Frühjahr.</p>" in html


def test_html_in_a_title_is_escaped_in_the_html_part():
    message = parsed(factory(title="Radwege <script>alert(1)</script>").data(ANNA, "0123456789ab"))
    html = message.get_body(("html",)).get_content()
    assert "<script>" not in html and "Radwege &lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(("issued", "expected"), [
    (datetime(2026, 11, 30, 8, 0, tzinfo=BERLIN), "30.11.2026, 10:00 Uhr"),  # ahead: the public time is stated
    (datetime(2026, 11, 30, 10, 0, tzinfo=BERLIN), None),  # at or after the public time: no Sperrfrist
])
def test_sperrfrist_is_the_public_time_when_sent_ahead(issued, expected):
    assert sperrfrist(payload(), issued) == expected
    assert sperrfrist(payload(embargo=None), issued) is None
    summer = payload(date="2026-07-01T10:00:00+02:00")
    assert sperrfrist(summer, datetime(2026, 7, 1, 8, 0, tzinfo=BERLIN)) == "01.07.2026, 10:00 Uhr"


# -- the text version of a body -------------------------------------------------------------

def test_a_body_as_plain_text():
    html = BodyRenderer().render(
        "Die Stadt baut einen Radweg, der sehr lang ist und über die ganze Strecke zwischen zwei Brücken "
        "führt, mehr im [Plan](https://www.duesseldorf.de/plan/).\n\n## Ablauf\n\n1. Fräsen\n2. Asphaltieren\n\n"
        "- Nord\n- Süd\n\n| Abschnitt | Beginn |\n|---|---|\n| Nord | März |\n\nMit Fußnote[^1].\n\n"
        "[^1]: Die Fußnote.\n").html
    assert html_to_text(html) == (
        "Die Stadt baut einen Radweg, der sehr lang ist und über die ganze\n"
        "Strecke zwischen zwei Brücken führt, mehr im Plan\n"
        "<https://www.duesseldorf.de/plan/>.\n\n"
        "Ablauf\n\n"
        "1. Fräsen\n2. Asphaltieren\n\n"
        "– Nord\n– Süd\n\n"
        "Abschnitt | Beginn\nNord | März\n\n"
        "Mit Fußnote[1].\n\n"
        "1. Die Fußnote.")


# -- the distribution list ------------------------------------------------------------------

def test_csv_with_semicolons_and_byte_order_mark_as_spreadsheets_export_it():
    text = ("\ufeffaddress;name;medium;themen\n"
            "anna@rp.example;Anna Adler;Rheinische Post;Verkehr, Kultur\n"
            "ben@wdr.example;Ben Berg;WDR;alle\n"
            "kein-at-zeichen;X;Y;Verkehr\n"
            "cem@kultur.example;Cem;Magazin;Kultur, Wetter\n"
            "ANNA@rp.example;Anna A.;RP;Umwelt & Klima\n"
            "dora@express.example;Dora;Express;\n")
    listing = parse(text, "csv", THEMEN)
    assert [(r.address, sorted(r.themen), r.line) for r in listing.recipients] == [
        ("anna@rp.example", ["Kultur", "Umwelt & Klima", "Verkehr"], 2),
        ("ben@wdr.example", [ALL], 3),
        ("cem@kultur.example", ["Kultur"], 5)]
    assert listing.problems == [
        "Zeile 4: keine gültige E-Mail-Adresse; übersprungen.",
        "Zeile 5: Thema „Wetter“ gibt es nicht; ignoriert.",
        "Zeile 6: dieselbe Adresse wie in Zeile 2; Themen zusammengeführt, nur eine Mail.",
        "Zeile 7: keine Themen (oder „alle“) angegeben; übersprungen."]
    assert [r.address for r in listing.for_thema("Verkehr")] == ["anna@rp.example", "ben@wdr.example"]
    assert [r.address for r in listing.for_thema("Bildung")] == ["ben@wdr.example"]


def test_a_csv_without_header_is_refused():
    with pytest.raises(SendError, match="braucht eine Kopfzeile mit den Spalten address, name, medium, themen"):
        parse("anna@rp.example,Anna,RP,alle\n", "csv", THEMEN)


def test_yaml_list_with_lines_for_messages():
    text = ("recipients:\n"
            "  - address: anna@rp.example\n    name: Anna\n    themen: [Verkehr]\n"
            "  - address: ben@wdr\n    themen: alle\n")
    listing = parse(text, "yaml", THEMEN)
    assert [r.address for r in listing.recipients] == ["anna@rp.example"]
    assert listing.problems == ["Zeile 5: keine gültige E-Mail-Adresse; übersprungen."]


class ListHandler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802
        if self.headers.get("Authorization") != "Bearer listen-token-77":
            self.send_response(403)
            self.end_headers()
            return
        data = "address,name,medium,themen\nanna@rp.example,Anna,RP,alle\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/csv; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def test_the_list_from_a_url_with_a_token():
    server = ThreadingHTTPServer(("127.0.0.1", 0), ListHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/verteiler?key=geheim"
    try:
        assert [r.address for r in load(url, THEMEN, token="listen-token-77").recipients] == ["anna@rp.example"]
        with pytest.raises(SendError) as refused:
            load(url, THEMEN, token="falsch")
    finally:
        server.shutdown()
        server.server_close()
    assert str(refused.value) == (f"Pressemitteilung: Verteilerliste http://127.0.0.1:{server.server_address[1]}"
                                  "/verteiler: HTTP 403.")  # without the query, which may hold a key
    assert refused.value.retry is False


def test_an_unreadable_list_is_retried_later(tmp_path):
    with pytest.raises(SendError) as missing:
        load(str(tmp_path / "fehlt.csv"), THEMEN)
    assert missing.value.retry is True and "nicht lesbar" in str(missing.value)


def test_recipient_keys_are_keyed_per_release_and_ignore_case():
    key = recipient_key("geheim", "a1b2c3d4e5f6", "Anna@RP.example")
    assert key == recipient_key("geheim", "a1b2c3d4e5f6", "anna@rp.example") and len(key) == 12
    assert key != recipient_key("geheim", "b1b2b3b4b5b6", "anna@rp.example")
    assert key != recipient_key("anderes", "a1b2c3d4e5f6", "anna@rp.example")
    assert "anna" not in key


def test_server_replies_lose_their_addresses():
    assert mask_addresses("550 5.1.1 <anna@rp.example>: unknown, also ben@wdr.example") == \
        "550 5.1.1 <Adresse>: unknown, also <Adresse>"


# -- numbers ------------------------------------------------------------------------------------

def test_numbers_count_per_year_and_a_story_keeps_its_own():
    record: dict[str, str] = {}
    files = ClaimFiles(record.get)
    assert assign(files, "a1b2c3d4e5f6", 2026) == 1
    assert assign(files, "b1b2b3b4b5b6", 2026) == 2  # in the same claim commit
    assert assign(files, "a1b2c3d4e5f6", 2026) == 1
    assert files.changed == {"press/numbers-2026.yml": files.changed["press/numbers-2026.yml"]}
    record.update(files.changed)  # committed
    later = ClaimFiles(record.get)
    assert assign(later, "c1c2c3c4c5c6", 2026) == 3 and assign(later, "d1d2d3d4d5d6", 2027) == 1
    assert later.changed["press/numbers-2026.yml"].endswith("1: a1b2c3d4e5f6\n2: b1b2b3b4b5b6\n3: c1c2c3c4c5c6\n")


def test_ids_of_digits_only_stay_ids_in_the_register():
    """YAML would read 123456789012 as a number and 012345670123 as an octal one."""
    record: dict[str, str] = {}
    files = ClaimFiles(record.get)
    assert [assign(files, key, 2026) for key in ("123456789012", "012345670123", "a1b2c3d4e5f6")] == [1, 2, 3]
    record.update(files.changed)
    later = ClaimFiles(record.get)
    assert assign(later, "012345670123", 2026) == 2 and assign(later, "b1b2b3b4b5b6", 2026) == 4


def test_a_damaged_register_stops_the_claim():
    files = ClaimFiles({"press/numbers-2026.yml": "1: a1b2c3d4e5f6\nzwei: b1b2b3b4b5b6\n"}.get)
    with pytest.raises(PublishError, match="Nummernregister der Pressemitteilungen ist beschädigt"):
        assign(files, "c1c2c3c4c5c6", 2026)


# -- the record of recipients and the progress line ----------------------------------------------

def test_a_batch_announced_but_never_settled_counts_as_possibly_mailed():
    state = RecipientState({"accepted": "a", "refused": "e:550", "deferred": "d:451", "sending": "a b c"})
    assert state.uncertain == {"b", "c"} and state.refused == {"e": 550}
    assert [state.finished(k) for k in "abcde"] == [True, True, True, False, True]
    state.announce(["d"])
    assert state.detail() == {"accepted": "a", "refused": "e:550", "deferred": "", "uncertain": "b c",
                              "checked": "", "sending": "d"}


def test_an_uncertain_recipient_mailed_on_purpose_stays_uncertain_until_its_answer_and_checked_ones_are_done():
    state = RecipientState({"accepted": "a", "uncertain": "b c"})
    state.announce(["b"])  # recorded as sending before it is mailed: a crash now leaves it uncertain again
    assert state.detail()["uncertain"] == "c" and state.detail()["sending"] == "b"
    assert RecipientState(state.detail()).uncertain == {"b", "c"}
    state.check()
    assert state.detail()["uncertain"] == "" and state.detail()["checked"] == "c"
    again = RecipientState(state.detail())
    assert again.uncertain == {"b"} and again.finished("c")
