"""Press mails to subscribers of the service: their own List-Unsubscribe (RFC 8058 one-click) and a
footer with their own manage page, while the message is still serialised once per release."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from email import message_from_bytes, policy

import pytest

from newsroom.dates import BERLIN
from newsroom.settings import with_defaults
from plugins.press.message import MANAGE_LINK, MailFactory, compose, compose_follow_up, parse_address
from plugins.press.recipients import Recipient, parse
from tests.support import REPO

SETTINGS = with_defaults({"THEME": str(REPO / "theme"), "PRESS_SENDER": "Landeshauptstadt Düsseldorf",
                          "PRESS_PLACE": "Düsseldorf"})
ISSUED = datetime(2026, 11, 30, 8, 0, tzinfo=BERLIN)
MAILTO = "mailto:presse@duesseldorf.de?subject=Abmelden%20vom%20Presseverteiler"
LEAVE = "https://abo.example/abo/abmelden/eyJwIjoiYWJtZWxkZW4ifQ.c2lnbmF0dXI"
MANAGE = "https://abo.example/abo/verwalten/" + "eyJwIjoidmVyd2FsdGVuIiwicyI6N30" * 5 + ".c2ln"
ANNA = Recipient("anna@rp.example", "Anna Adler", "Rheinische Post", frozenset({"Verkehr"}), 2)
SUBSCRIBED = replace(ANNA, unsubscribe=LEAVE, manage=MANAGE, abo="7.0123456789abcdef01234567")


def payload(**fields) -> dict:
    return {"title": "Neue Radwege am Rheinufer", "summary": "Zwei Kilometer Radweg.",
            "body_html": "<p>Die Arbeiten beginnen im Frühjahr.</p>", "thema": "Verkehr", "amt": "Amt",
            "url": "https://www.duesseldorf.de/aktuelles/2026/11/radwege/", "date": "2026-11-30T10:00:00+01:00",
            "embargo": "2026-11-30T08:00:00+01:00", "note": "", "media": [], "attachment": None,
            "contact": {"name": "Presse", "phone": "0211 89-93131", "email": "presse@duesseldorf.de"}, **fields}


def factory(settings=SETTINGS, unsubscribe: str = MAILTO, personal: bool = True) -> MailFactory:
    def make(manage=None):
        return compose(payload(), "PM 7/2026", ISSUED, settings, unsubscribe=unsubscribe, manage=manage)

    return MailFactory(make(), sender=parse_address("Presse <presse@duesseldorf.de>", "FROM"), reply_to=None,
                       list_id="Presseverteiler <presse.duesseldorf.de>", unsubscribe=unsubscribe,
                       story_id="a1b2c3d4e5f6", personal=make(MANAGE_LINK) if personal else None)


def parsed(data: bytes):
    return message_from_bytes(data, policy=policy.default)


def parts(message) -> tuple[str, str]:
    return (message.get_body(("plain",)).get_content().replace("\r\n", "\n"),
            message.get_body(("html",)).get_content().replace("\r\n", "\n"))


def test_a_subscriber_gets_their_own_one_click_unsubscribe_and_manage_link():
    data = factory().data(SUBSCRIBED, "0123456789ab")
    message = parsed(data)
    assert message["List-Unsubscribe"] == f"<{LEAVE}>, <{MAILTO}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["X-Newsroom-Abo"] == "7.0123456789abcdef01234567"
    assert f"List-Unsubscribe: <{LEAVE}>, <{MAILTO}>\r\n".encode() in data  # one line, no encoded word
    text, html = parts(message)
    assert text.endswith("\n-- \nSie erhalten diese Pressemitteilung über den Presseverteiler der\n"
                         f"Landeshauptstadt Düsseldorf. Abmelden:\n{MANAGE}\n")
    assert f'Abmelden: <a href="{MANAGE}" style="color:#a30016;">{MANAGE}</a></td>' in html
    assert MANAGE_LINK not in text + html and max(len(line) for line in data.split(b"\r\n")) <= 998
    assert all(len(line) <= 78 for line in data.split(b"\r\n\r\n", 1)[1].split(b"\r\n"))


@pytest.mark.parametrize("shift", range(0, 80, 7))
@pytest.mark.parametrize("link", [MANAGE, "https://abo.example/abo/verwalten/x?a=1&b=2", "https://a.example/v"])
def test_the_link_put_in_reads_exactly_as_if_the_mail_were_made_for_the_person(shift, link):
    """Wherever quoted-printable broke the stand-in over lines, the decoded mail is the one made directly."""
    settings = {**SETTINGS, "PRESS_FOOTER": "x" * shift + " Abmelden: {unsubscribe}"}
    message = parsed(factory(settings).data(replace(SUBSCRIBED, manage=link), "0123456789ab"))
    direct = compose(payload(), "PM 7/2026", ISSUED, settings, unsubscribe=MAILTO, manage=link)
    assert parts(message) == (direct.text, direct.html.replace("\r\n", "\n"))


def test_an_http_link_is_named_but_not_one_click_and_a_web_page_is_no_second_way():
    web = "https://www.duesseldorf.de/presse/abmelden"
    message = parsed(factory(unsubscribe=web).data(replace(SUBSCRIBED, unsubscribe="http://abo.example/a/b"), "k"))
    assert message["List-Unsubscribe"] == "<http://abo.example/a/b>"
    assert message["List-Unsubscribe-Post"] is None


def test_a_recipient_without_links_gets_todays_mail_even_beside_subscribers():
    now = datetime(2026, 11, 30, 8, 1, tzinfo=BERLIN)
    mixed, plain = factory().data(ANNA, "0123456789ab", now), factory(personal=False).data(ANNA, "0123456789ab", now)
    first, second = parsed(mixed), parsed(plain)
    assert first["List-Unsubscribe"] == second["List-Unsubscribe"] == f"<{MAILTO}>"
    assert first["List-Unsubscribe-Post"] is None and first["X-Newsroom-Abo"] is None
    assert parts(first) == parts(second)
    assert "Abmelden: presse@duesseldorf.de" in parts(first)[0]


def test_a_correction_links_the_manage_page_too():
    composed = compose_follow_up({"kind": "correction", "number": "PM 7/2026", "title": "Radwege",
                                  "date": "2026-12-01T09:00:00+01:00", "issued": "2026-11-30T08:00:00+01:00",
                                  "wrong": "zwei", "right": "drei", "url": "https://www.duesseldorf.de/x/",
                                  "contact": {"name": "Presse", "phone": "", "email": ""}},
                                 SETTINGS, unsubscribe=MAILTO, manage=MANAGE)
    assert MANAGE in composed.text and f'<a href="{MANAGE}"' in composed.html


def test_the_list_keeps_the_services_links_per_recipient_and_ignores_unusable_ones():
    text = ("address,name,medium,themen,unsubscribe,manage,abo\n"
            f"anna@rp.example,Anna,RP,Verkehr,{LEAVE},{MANAGE},7.0123456789abcdef01234567\n"
            "ben@wdr.example,Ben,WDR,alle,javascript:alert(1),https://abo.example/a b,7.zz\n"
            "cem@kultur.example,Cem,Kultur,Kultur,,,\n"
            "ANNA@rp.example,Anna,RP,Kultur,,,\n")
    listing = parse(text, "csv", ["Verkehr", "Kultur"])
    anna, ben, cem = listing.recipients
    assert (anna.unsubscribe, anna.manage, set(anna.themen)) == (LEAVE, MANAGE, {"Verkehr", "Kultur"})
    assert anna.abo == "7.0123456789abcdef01234567"
    assert (ben.unsubscribe, ben.manage, ben.abo, cem.unsubscribe, cem.manage, cem.abo) == (None,) * 6
    assert listing.problems == ["Zeile 3: Spalte „unsubscribe“ ist kein brauchbarer http(s)-Link; ignoriert.",
                                "Zeile 3: Spalte „manage“ ist kein brauchbarer http(s)-Link; ignoriert.",
                                "Zeile 3: Spalte „abo“ ist ungültig; ignoriert.",
                                "Zeile 5: dieselbe Adresse wie in Zeile 2; Themen zusammengeführt, nur eine Mail."]
    assert listing.skipped == []
