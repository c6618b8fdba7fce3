"""Telegram against a Bot-API-shaped server: photo or message in HTML mode, limits counted as
Telegram counts them, and exactly once without idempotency key or lookup: what may have gone out
is the desk's decision, never a second message."""

from __future__ import annotations

import html
import logging

import git
import pytest
import yaml

from newsroom.errors import ContentErrors
from newsroom.secrets import install_log_filter
from tests.fakes.api import Answer, Drop
from tests.fakes.telegram import CHANNEL, SEND, TOKEN, FakeTelegram, error, flood, parse_html
from tests.publishing_support import commit_and_push, due_story, fresh_clone, publish_killed, start_publish
from tests.publishing_support import publish as publish_run
from tests.social.support import (
    CORRECTED,
    CORRECTION,
    MARKER,
    STORY_ID,
    URL,
    WITHDRAWAL,
    WITHDRAWN,
    adapter,
    amend,
    due,
    first_send,
    follow_up,
    publish,
    receipt,
    release,
    statuses,
)
from tests.support import seeded_origin, story_text

CHANNEL_ON = "\n  telegram: true"
PHOTO = r"/bot[^/]+/sendPhoto"
MESSAGE = r"/bot[^/]+/sendMessage"
DELETE = r"/bot[^/]+/deleteMessage"
HINT = (f"Nicht angekommen: „invoke publish --story {STORY_ID} --channel telegram“ sendet einmal. Angekommen: "
        f"„invoke publish --story {STORY_ID} --channel telegram --done“ trägt es als gesendet ein, ohne zu senden.")


@pytest.fixture
def bot():
    with FakeTelegram() as server:
        yield server


def own(text: str) -> str:
    return f'\n  telegram:\n    text: "{text}"'


# -- render and validate: no network, no credentials ---------------------------------------------

def test_hostile_markup_is_escaped_and_telegram_reads_back_the_plain_text():
    channel = adapter("telegram")
    post = channel.render(release(title='<b>Fett</b> & <a href="x">Link</a> &amp; 1 < 2 > 0'))
    sent = post.payload["text"]
    assert sent.startswith("&lt;b&gt;Fett&lt;/b&gt; &amp; &lt;a href=\"x\"&gt;Link&lt;/a&gt; &amp;amp; 1 &lt; 2 &gt; 0")
    assert parse_html(sent) == post.text  # what the channel shows is exactly the editor's text
    assert post.payload["parse_mode"] == "HTML" and channel.validate(post) == []


def test_direction_characters_are_refused_naming_the_channel():
    channel = adapter("telegram")
    post = channel.render(release(title="Rechnung\u202efdp.exe"))
    assert channel.validate(post) == [
        "Telegram: Unsichtbares Zeichen U+202E RIGHT-TO-LEFT OVERRIDE an Position 9 (nach „Rechnung“). Es ändert "
        "die Schreibrichtung und kann so einen anderen Text vortäuschen. Bitte entfernen, am sichersten durch "
        "Neutippen der Stelle."]


def test_a_story_with_a_lead_image_goes_as_photo_with_caption_and_no_alt_text(tmp_path):
    picture = tmp_path / "rhein.jpg"
    picture.write_bytes(b"\xff\xd8 jpeg \xff\xd9")
    channel = adapter("telegram")
    post = channel.render(release(image="fotos/rhein.jpg", image_file=picture))
    assert post.payload["method"] == "sendPhoto" and post.payload["photo"] == str(picture)
    assert (post.image, post.alt) == (picture, "")  # Telegram has no alternative text for photos


def test_the_caption_limit_counts_utf16_code_units(tmp_path):
    picture = tmp_path / "rhein.jpg"
    picture.write_bytes(b"\xff\xd8 jpeg \xff\xd9")
    channel = adapter("telegram")
    link = len(URL) + 2
    fits = "🚲" * ((1024 - link) // 2)  # 2 code units each: exactly within 1,024 with the link
    over = fits + "🚲"
    photo = channel.render(release(image="fotos/rhein.jpg", image_file=picture, own={"telegram": fits}))
    assert channel.count(photo.text) <= 1024 and photo.payload["method"] == "sendPhoto"
    # 1,026 units though only 549 code points: too long for a caption, so a message with link preview.
    message = channel.render(release(image="fotos/rhein.jpg", image_file=picture, own={"telegram": over}))
    assert len(message.text) < 1024 < channel.count(message.text)
    assert message.payload["method"] == "sendMessage" and message.payload["link_preview_options"] == {
        "url": URL, "prefer_large_media": True}
    assert channel.validate(message) == []


def test_the_message_limit_is_4096_utf16_code_units():
    channel = adapter("telegram")
    text = ("Radweg 🚲 " * 410).strip()  # 3,689 code points; 4,099 code units, as the emoji count 2
    post = channel.render(release(own={"telegram": text}))
    assert len(post.text) == 3689 + 2 + len(URL) < 4096
    assert channel.validate(post) == [
        "Telegram: Der Text hat 4.172 Zeichen, erlaubt sind 4.096 (gezählt wie Telegram: ein Emoji zählt 2). "
        "Bitte unter channels.telegram.text kürzen."]
    shorter = channel.render(release(own={"telegram": text[:-9 * 9]}))
    assert channel.count(shorter.text) == 4172 - 90 and channel.validate(shorter) == []


def test_invoke_check_names_story_channel_and_count(site):
    site.story(channels=own("🚲" * 2100))  # 2,100 characters for the reader, 4,200 code units, the link (66)
    with pytest.raises(ContentErrors) as caught:
        site.check()
    assert [str(e) for e in caught.value.errors] == [
        "content/stories/2026/radwege.md: Feld „channels.telegram“: Telegram: Der Text hat 4.268 Zeichen, erlaubt "
        "sind 4.096 (gezählt wie Telegram: ein Emoji zählt 2). Bitte unter channels.telegram.text kürzen."]


# -- sending -------------------------------------------------------------------------------------

def test_a_story_with_lead_image_is_uploaded_as_photo(site, bot):
    due(site, CHANNEL_ON, image="fotos/rhein.jpg")
    report = publish(site, bot.env)
    assert statuses(report) == ["sent"]
    [message] = bot.messages.values()
    upload = bot.calls("POST", PHOTO)[0].multipart()
    [wide] = (site.root / ".cache/renditions").glob("*/wide.jpg")  # the 16:9 crop (CHANNEL_CROPS)
    assert upload["photo"] == wide.read_bytes()  # uploaded: no public address needed
    assert message["caption"].startswith("Neue Radwege am Rheinufer\n\n") and URL in message["caption"]
    record = receipt(site)["channels"]["telegram"]
    assert (record["status"], record["remote_id"], record["url"]) == (
        "sent", str(message["message_id"]), f"https://t.me/duesseldorf_stadt/{message['message_id']}")
    assert record["detail"]["chat"] == CHANNEL["id"]


def test_a_story_without_image_goes_as_message_with_link_preview(site, bot):
    due(site, CHANNEL_ON)
    assert statuses(publish(site, bot.env)) == ["sent"]
    [message] = bot.messages.values()
    assert message["link_preview_options"] == {"url": URL, "prefer_large_media": True}
    assert bot.calls("POST", PHOTO) == []


def test_a_private_channel_by_number_gets_its_t_me_c_address(site):
    with FakeTelegram(chat=str(CHANNEL["id"])) as bot:
        due(site, CHANNEL_ON)
        assert statuses(publish(site, bot.env)) == ["sent"]
        number = next(iter(bot.messages))
        # The answer names the channel's public name: its address is the public one.
        assert receipt(site)["channels"]["telegram"]["url"] == f"https://t.me/duesseldorf_stadt/{number}"


def test_a_429_is_waited_out_as_retry_after_says(site, bot):
    due(site, CHANNEL_ON)
    bot.fail("POST", MESSAGE, flood(2))
    assert statuses(publish(site, bot.env)) == ["sent"]
    assert bot.too_early == [] and len(bot.calls("POST", MESSAGE)) == 2 and len(bot.messages) == 1


def test_a_wait_beyond_the_run_is_a_retry_and_nothing_is_sent(site, bot):
    due(site, CHANNEL_ON)
    bot.fail("POST", MESSAGE, flood(600))
    report = publish(site, bot.env)
    assert statuses(report) == ["retry"] and bot.messages == {}
    bot._closed.clear()
    assert statuses(publish(site, bot.env)) == ["sent"] and len(bot.messages) == 1  # the next run sends it once


def test_a_refusal_is_a_failure_in_german_with_telegrams_words(site, bot):
    due(site, CHANNEL_ON)
    bot.fail("POST", MESSAGE, Answer(403, error(403, "Forbidden: bot is not a member of the channel chat")))
    report = publish(site, bot.env)
    assert statuses(report) == ["failed"] and bot.messages == {}
    assert report.outcomes[0].message == (
        "Telegram: Der Bot darf in den Kanal nicht schreiben (Telegram: „Forbidden: bot is not a member of the channel "
        "chat“). Bitte den Bot im Kanal als Administrator mit dem Recht „Nachrichten veröffentlichen“ eintragen.")


def test_a_typo_fixed_after_sending_sends_nothing_again(site, bot):
    due(site, CHANNEL_ON)
    assert statuses(publish(site, bot.env)) == ["sent"]
    due(site, CHANNEL_ON, title="Neue Radwege am Rheinufer (korrigiert)")
    assert publish(site, bot.env).outcomes == [] and len(bot.messages) == 1


@pytest.mark.parametrize("fault", [Drop(), Answer(502, error(502, "Bad Gateway"))], ids=["lost", "502"])
def test_an_unknown_outcome_goes_to_the_desk_never_sent_again(site, bot, fault):
    due(site, CHANNEL_ON)
    bot.fail("POST", MESSAGE, fault)
    report = publish(site, bot.env)
    assert statuses(report) == ["unknown"] and len(bot.calls("POST", MESSAGE)) == 1
    assert report.outcomes[0].message.endswith(f"Bitte beim Kanal prüfen. {HINT}")
    assert receipt(site)["channels"]["telegram"]["status"] == "unknown"
    assert publish(site, bot.env).outcomes == [] and len(bot.calls("POST", MESSAGE)) == 1


def test_an_answer_that_names_no_message_is_unknown_not_a_failure(site, bot):
    due(site, CHANNEL_ON)
    bot.fail("POST", MESSAGE, Answer(200, {"ok": True, "result": True}))
    report = publish(site, bot.env)
    # A failure could be sent again on purpose; what Telegram accepted may be in the channel.
    assert statuses(report) == ["unknown"] and "message_id fehlt" in report.outcomes[0].message


def test_the_desk_records_it_as_sent_and_nothing_goes_out(site, bot):
    due(site, CHANNEL_ON)
    bot.fail("POST", MESSAGE, Drop())
    publish(site, bot.env)
    assert len(bot.messages) == 1  # it did arrive: an editor sees it in the channel
    done = publish_run(site, environ=bot.env, story=STORY_ID, channel="telegram", done=True)
    assert [(o.status, o.message) for o in done.outcomes] == [
        ("sent", "beim Kanal geprüft: angekommen (eingetragen auf Anweisung); nichts gesendet.")]
    record = receipt(site)["channels"]["telegram"]
    assert record["status"] == "sent" and "error" not in record
    assert publish(site, bot.env).outcomes == [] and len(bot.calls("POST", MESSAGE)) == 1


def test_the_desk_sends_on_purpose_what_did_not_arrive(site, bot):
    due(site, CHANNEL_ON)
    bot.fail("POST", MESSAGE, Answer(502, error(502, "Bad Gateway")))
    publish(site, bot.env)
    assert bot.messages == {}
    again = publish_run(site, environ=bot.env, story=STORY_ID, channel="telegram")
    assert statuses(again) == ["sent"] and len(bot.messages) == 1


def test_the_token_appears_in_no_record_report_or_log(site, bot, caplog):
    due(site, CHANNEL_ON)
    # A refusal that repeats the request's path, as a proxy might: the token stands in it.
    bot.fail("POST", MESSAGE, Answer(400, error(400, f"Bad Request: no such method /bot{TOKEN}/sendMessage")))
    install_log_filter()  # as `invoke publish` does: on every handler, here pytest's too
    with caplog.at_level(logging.DEBUG):  # urllib3 logs each request's path at this level
        report = publish(site, bot.env)
    assert statuses(report) == ["failed"] and "***" in report.outcomes[0].message
    texts = [o.message for o in report.outcomes] + [r.getMessage() for r in caplog.records]
    texts.append(site.repo.git.log("-p", "--all"))
    texts.append(str(receipt(site)))
    assert [text for text in texts if TOKEN in text or TOKEN.split(":")[1] in text] == []
    assert any("/bot***/sendMessage" in record.getMessage() for record in caplog.records)  # it was logged, masked


# -- corrections and withdrawal -----------------------------------------------------------------

def published(site, bot, **fields) -> dict:
    first_send(site, CHANNEL_ON, bot.env)
    amend(site, CHANNEL_ON, **fields)
    return next(iter(bot.messages.values()))


def test_a_correction_is_a_reply_to_the_first_message_sent_once(site, bot):
    first = published(site, bot, corrections=CORRECTION)
    report = follow_up(site, bot.env)
    assert [(o.story_id, o.status) for o in report.outcomes] == [(CORRECTED, "sent")]
    [reply] = bot.replies_to(first["message_id"])
    assert reply["text"].startswith(MARKER)
    assert follow_up(site, bot.env, "2026-11-26 13:20").outcomes == []
    assert len(bot.replies_to(first["message_id"])) == 1


def test_a_correction_whose_answer_was_lost_goes_to_the_desk(site, bot):
    first = published(site, bot, corrections=CORRECTION)
    bot.fail("POST", MESSAGE, Drop())
    report = follow_up(site, bot.env)
    assert [(o.story_id, o.status) for o in report.outcomes] == [(CORRECTED, "unknown")]
    assert follow_up(site, bot.env, "2026-11-26 13:20").outcomes == []
    assert len(bot.replies_to(first["message_id"])) == 1


def test_a_withdrawal_deletes_every_message_and_a_gone_one_counts(site, bot):
    first = published(site, bot, corrections=CORRECTION)
    follow_up(site, bot.env)
    [reply] = bot.replies_to(first["message_id"])
    due(site, CHANNEL_ON, corrections=CORRECTION, status="withdrawn", withdrawal=WITHDRAWAL)
    bot.messages.pop(reply["message_id"])  # deleted by hand in the app already
    report = follow_up(site, bot.env, "2026-11-26 13:20")
    assert [(o.story_id, o.status) for o in report.outcomes] == [(WITHDRAWN, "sent")]
    assert bot.messages == {} and bot.deleted == [first["message_id"]]
    record = receipt(site, WITHDRAWN)["channels"]["telegram"]
    assert record["detail"]["deleted"] == {str(reply["message_id"]): "schon gelöscht",
                                           str(first["message_id"]): "gelöscht"}


def test_a_message_telegram_will_not_delete_becomes_a_manual_task(site, bot):
    first = published(site, bot, status="withdrawn", withdrawal=WITHDRAWAL)
    bot.too_old.add(first["message_id"])
    report = follow_up(site, bot.env)
    assert [(o.story_id, o.status) for o in report.outcomes] == [(WITHDRAWN, "manual")]
    assert report.outcomes[0].message == (
        "Telegram: 1 Nachricht(en) lassen sich über die Schnittstelle nicht löschen (ein Bot darf eigene Nachrichten "
        "nur in den ersten 48 Stunden löschen, es sei denn, er hat im Kanal das Recht „Nachrichten löschen“). Bitte "
        "in der Telegram-App im Kanal öffnen und über „Löschen“ entfernen: "
        f"https://t.me/duesseldorf_stadt/{first['message_id']}. Danach eintragen.")
    assert follow_up(site, bot.env, "2026-11-26 13:20").outcomes == []
    assert len(bot.calls("POST", DELETE)) == 1


def test_a_message_recorded_as_sent_by_the_desk_is_deleted_by_hand(site, bot):
    due_story(site, channels=CHANNEL_ON)
    commit_and_push(site)
    bot.fail("POST", MESSAGE, Drop())
    publish_run(site, environ=bot.env)
    publish_run(site, environ=bot.env, story=STORY_ID, channel="telegram", done=True)
    amend(site, CHANNEL_ON, status="withdrawn", withdrawal=WITHDRAWAL)
    report = follow_up(site, bot.env)
    # The record has no message number: nothing to delete by the API, so the desk gets the task.
    assert [(o.story_id, o.status) for o in report.outcomes] == [(WITHDRAWN, "manual")]
    assert report.outcomes[0].message.startswith("Telegram: Im Versandprotokoll steht keine Nummer der Nachricht")
    assert bot.calls("POST", DELETE) == [] and len(bot.messages) == 1


def test_html_escaping_survives_the_fake_parser_for_every_send(site, bot):
    due(site, CHANNEL_ON, title='"Radwege <am> Rhein & Co."')
    assert statuses(publish(site, bot.env)) == ["sent"]
    [message] = bot.messages.values()
    assert message["text"].startswith("Radwege <am> Rhein & Co.")
    assert html.escape("<am>", quote=False) in bot.calls("POST", SEND)[0].json()["text"]


# -- kill -9 in the middle of a run, then a fresh clone runs again (as CI does) -------------------

RUN_STORIES = {f"t{n}00000000{n}": f"2026-11-26 0{n + 5}:00" for n in range(1, 4)}


@pytest.fixture
def origin(tmp_path):
    return seeded_origin(tmp_path, {f"2026/{story_id}.md": story_text(
        id=story_id, title=f"Meldung {story_id}", date=date, channels=CHANNEL_ON)
        for story_id, date in RUN_STORIES.items()})


def run_states(origin) -> dict[str, str]:
    repo = git.Repo(origin)
    return {story_id: yaml.safe_load(repo.git.show(f"main:content/receipts/{story_id}.yml"))["channels"]
            ["telegram"]["status"] for story_id in RUN_STORIES}


def messages_per_story(server) -> dict[str, int]:
    return {story_id: sum(f"meldung-{story_id}" in m.get("text", "") for m in server.messages.values())
            for story_id in RUN_STORIES}


@pytest.mark.parametrize("k", [1, 3])
def test_kill_9_mid_send_then_a_fresh_clone_never_sends_a_second_message(origin, k):
    with FakeTelegram() as server:
        # The k-th message is posted, then the run dies before it hears the answer.
        publish_killed(fresh_clone(origin, "runner-1"), server.env, server=server, hook="on_write", at=k)
        assert len(server.messages) == k
        again = start_publish(fresh_clone(origin, "runner-2"), server.env)
        out, err = again.communicate(timeout=300)
        assert again.returncode == 1, out + err  # not everything is settled: one send is unclear
        assert messages_per_story(server) == {story_id: 1 for story_id in RUN_STORIES}
        # The k-th had started: the desk decides. The ones after it never started: sent now.
        posted = sorted(RUN_STORIES, key=RUN_STORIES.get, reverse=True)  # newest first, as the run sends
        assert run_states(origin) == {story_id: "unknown" if story_id == posted[k - 1] else "sent"
                                      for story_id in RUN_STORIES}
        assert "UNKLAR" in out and "--done" in out
        # The desk finds the message in the channel and records it; nothing is sent.
        done = start_publish(fresh_clone(origin, "desk"), server.env, "--story", posted[k - 1], "--channel", "telegram",
                             "--done")
        out, err = done.communicate(timeout=300)
        assert done.returncode == 0, out + err
        assert run_states(origin) == {story_id: "sent" for story_id in RUN_STORIES}
        assert len(server.messages) == 3
        history = git.Repo(origin).git.log("-p", "--all")
        assert TOKEN.split(":")[1] not in out + err + history
