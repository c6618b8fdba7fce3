"""LinkedIn against a server shaped like its REST API: the post as link card with its thumbnail,
little-text escaping, each send exactly once (lookup, kill -9, lost answers, daily limits),
corrections as comments, withdrawal by deletion, token expiry and refresh."""

from __future__ import annotations

from datetime import datetime, timedelta

import git
import pytest
import yaml

from newsroom.errors import ContentErrors
from newsroom.publishing.channel import Release
from newsroom.publishing.http import HttpClient
from tests.fakes.api import Answer, Drop
from tests.fakes.linkedin import DAY_LIMIT, ORGANIZATION, FakeLinkedIn
from tests.publishing_support import fresh_clone, publish_killed, start_publish
from tests.social.support import (
    CORRECTED,
    CORRECTION,
    MARKER,
    URL,
    WITHDRAWAL,
    WITHDRAWN,
    adapter,
    amend,
    due,
    first_send,
    follow_up,
    jpeg,
    publish,
    receipt,
    release,
    statuses,
)
from tests.support import seeded_origin, story_text

POSTS = "/rest/posts"
CHANNEL = "\n  linkedin: true"


@pytest.fixture
def linkedin():
    with FakeLinkedIn() as server:
        yield server


def own(text: str) -> str:
    return f'\n  linkedin:\n    text: "{text}"'


# -- render and validate ------------------------------------------------------------------------

def test_reserved_characters_are_escaped_and_hashtags_stay_hashtags():
    channel = adapter("linkedin")
    post = channel.render(release(title="Radwege (Rheinufer) für_alle", tags=("Radverkehr",)))
    commentary = post.payload["post"]["commentary"]
    assert commentary == ("Radwege \\(Rheinufer\\) für\\_alle\n\nDie Stadt baut zwei Kilometer Radweg entlang des "
                          "Rheinufers.\n\nText\n\nThema: Verkehr · Amt für Verkehrsmanagement\n\n"
                          f"Mehr erfahren: {URL}\n\n#Düsseldorf #Mobilität #Radverkehr")
    assert post.text == commentary.replace("\\", "")  # what readers see
    assert post.payload["post"]["content"] == {"article": {
        "source": URL, "title": "Radwege (Rheinufer) für_alle",
        "description": "Die Stadt baut zwei Kilometer Radweg entlang des Rheinufers."}}
    assert (post.image, post.alt, post.media) == (None, "", ())  # no picture: a card without thumbnail


def test_the_card_crop_is_the_thumbnail_with_its_alt_text(tmp_path):
    lead, card = tmp_path / "rhein.jpg", tmp_path / "rhein-card.jpg"
    lead.write_bytes(jpeg(1600, 900))
    card.write_bytes(jpeg(1200, 628))
    base = release(image="fotos/rhein.jpg", image_file=lead)
    cropped = Release(**{**base.__dict__, "image_renditions": {"card": ("https://www.duesseldorf.de/card.jpg", card)}})
    channel = adapter("linkedin")
    post = channel.render(cropped)
    assert (post.image, post.media, post.alt) == (card, ("https://www.duesseldorf.de/card.jpg",), "Blick über den Rhein")
    assert post.payload["thumbnail"] == str(card)
    assert post.payload["post"]["content"]["article"]["thumbnailAltText"] == "Blick über den Rhein"
    lead_only = channel.render(base)  # without the media portal's crop: the lead image
    assert (lead_only.image, lead_only.payload["thumbnail"]) == (lead, str(lead))


def test_a_text_over_the_limit_is_refused_counting_the_escapes():
    channel = adapter("linkedin")
    text = "Radwege (neu). " * 196  # 2,939 characters with the link 3,012, and 392 backslashes
    post = channel.render(release(own={"linkedin": text}))
    assert channel.validate(post) == [
        "LinkedIn: Der Text hat 3.404 Zeichen (davon 392 umgekehrte Schrägstriche, die LinkedIn vor Klammern und "
        "ähnlichen Zeichen verlangt), erlaubt sind 3.000. Bitte unter channels.linkedin.text kürzen."]
    assert channel.validate(channel.render(release(own={"linkedin": "Neue Radwege. " * 200}))) == []
    assert channel.validate(channel.render(release(own={"linkedin": "Neue Radwege. " * 230}))) == [
        "LinkedIn: Der Text hat 3.292 Zeichen, erlaubt sind 3.000. Bitte unter channels.linkedin.text kürzen."]


def test_invoke_check_names_story_channel_and_count(site):
    site.story(channels=own("Radwege. " * 340))
    with pytest.raises(ContentErrors) as caught:
        site.check()
    assert [str(e) for e in caught.value.errors] == [
        "content/stories/2026/radwege.md: Feld „channels.linkedin“: LinkedIn: Der Text hat 3.127 Zeichen, erlaubt "
        "sind 3.000. Bitte unter channels.linkedin.text kürzen."]


# -- sending ------------------------------------------------------------------------------------

def test_a_due_story_goes_out_as_link_card_with_its_uploaded_thumbnail(site, linkedin):
    due(site, CHANNEL, image="fotos/rhein.jpg")
    report = publish(site, linkedin.env)
    assert statuses(report) == ["sent"], report.outcomes[0].message
    [post] = linkedin.posts_for(URL)
    article = post["content"]["article"]
    assert post["author"] == ORGANIZATION and post["lifecycleState"] == "PUBLISHED"
    assert article["thumbnailAltText"] == "Blick über den Rhein"
    [card] = (site.root / ".cache/renditions").glob("*/card.jpg")  # the link card crop, 1.91:1 (CHANNEL_CROPS)
    assert linkedin.images[article["thumbnail"]]["data"] == card.read_bytes()
    assert linkedin.images[article["thumbnail"]]["owner"] == ORGANIZATION
    [create] = linkedin.calls("POST", POSTS)
    assert (create.header("linkedin-version"), create.header("x-restli-protocol-version")) == ("202611", "2.0.0")
    record = receipt(site)["channels"]["linkedin"]
    assert (record["remote_id"], record["url"]) == (post["id"], f"https://www.linkedin.com/feed/update/{post['id']}/")
    assert record["detail"]["image"] == article["thumbnail"]


def test_a_version_linkedin_no_longer_serves_fails_with_the_setting_to_change(site, linkedin):
    due(site, CHANNEL)
    report = publish(site, linkedin.env, settings={"LINKEDIN_VERSION": "202401"})
    assert statuses(report) == ["failed"] and linkedin.posts == []
    assert report.outcomes[0].message == ("LinkedIn: Die API-Version 202401 ist nicht (mehr) aktiv (HTTP 426). Bitte "
                                          "LINKEDIN_VERSION auf eine aktuelle Version (JJJJMM) setzen.")


def test_the_daily_limit_leaves_the_send_to_the_next_run_which_sends_it_once(site, linkedin):
    due(site, CHANNEL, image="fotos/rhein.jpg")
    linkedin.fail("POST", POSTS, DAY_LIMIT)
    report = publish(site, linkedin.env)
    assert statuses(report) == ["retry"] and linkedin.posts == []
    assert report.outcomes[0].message == ("LinkedIn: Tageslimit erreicht (HTTP 429). LinkedIn setzt seine Limits um "
                                          "0 Uhr UTC zurück; der nächste Lauf danach versucht es wieder.")
    assert len(linkedin.calls("POST", POSTS)) == 1  # not hammered within the run
    assert statuses(publish(site, linkedin.env)) == ["sent"]
    assert len(linkedin.posts_for(URL)) == 1
    assert len(linkedin.images) == 1  # the image the first run uploaded and recorded, not a second one


def test_a_429_with_retry_after_is_waited_out(site, linkedin):
    due(site, CHANNEL)
    linkedin.fail("POST", POSTS, Answer(429, DAY_LIMIT.body, {"Retry-After": "1"}))
    assert statuses(publish(site, linkedin.env)) == ["sent"]
    assert linkedin.too_early == [] and len(linkedin.posts_for(URL)) == 1


def test_a_lost_answer_is_looked_up_and_never_posted_again(site, linkedin):
    due(site, CHANNEL, image="fotos/rhein.jpg")
    linkedin.fail("POST", POSTS, Drop())
    report = publish(site, linkedin.env)
    assert statuses(report) == ["sent"] and report.outcomes[0].message == "nach verlorener Antwort beim Kanal gefunden"
    assert len(linkedin.posts) == 1 and len(linkedin.calls("POST", POSTS)) == 1
    assert receipt(site)["channels"]["linkedin"]["remote_id"] == linkedin.posts[0]["id"]


def test_a_server_error_is_looked_up_then_sent_once_with_the_same_thumbnail(site, linkedin):
    due(site, CHANNEL, image="fotos/rhein.jpg")
    linkedin.fail("POST", POSTS, Answer(500, {"status": 500, "message": "Internal Server Error"}))
    assert statuses(publish(site, linkedin.env)) == ["sent"]
    assert len(linkedin.posts) == 1 and len(linkedin.calls("POST", POSTS)) == 2
    assert len(linkedin.images) == 1  # uploaded once, taken again by the second attempt


def test_a_duplicate_refusal_records_the_post_linkedin_names(site, linkedin):
    """The lookup may not see a post yet: LinkedIn's own duplicate check names it."""
    due(site, CHANNEL)
    linkedin.fail("GET", POSTS, Answer(200, {"paging": {}, "elements": []}))
    linkedin.fail("POST", POSTS, Drop())
    linkedin.fail("GET", POSTS, Answer(200, {"paging": {}, "elements": []}))
    report = publish(site, linkedin.env)
    assert statuses(report) == ["sent"] and len(linkedin.posts) == 1
    assert receipt(site)["channels"]["linkedin"]["remote_id"] == linkedin.posts[0]["id"]


def test_a_typo_fixed_after_sending_posts_nothing_again(site, linkedin):
    due(site, CHANNEL)
    assert statuses(publish(site, linkedin.env)) == ["sent"]
    due(site, CHANNEL, summary="Die Stadt baut zwei Kilometer Radweg entlang des Rheinufers (korrigiert).")
    assert publish(site, linkedin.env).outcomes == []
    assert len(linkedin.posts) == 1 and len(linkedin.calls("POST", POSTS)) == 1


# -- kill -9 and a fresh clone -----------------------------------------------------------------

STORIES = {f"s{n}00000000{n}": f"2026-11-26 0{n + 5}:00" for n in range(1, 4)}


def test_kill_9_after_a_post_then_a_fresh_clone_posts_each_story_exactly_once(tmp_path, linkedin):
    origin = seeded_origin(tmp_path, {f"2026/{story_id}.md": story_text(
        id=story_id, title=f"Meldung {story_id}", date=date, channels=CHANNEL) for story_id, date in STORIES.items()})
    # The second post is made on LinkedIn, then the run dies before it hears the answer.
    publish_killed(fresh_clone(origin, "runner-1"), linkedin.env, server=linkedin, hook="on_write", at=2)
    assert len(linkedin.posts) == 2
    second = start_publish(fresh_clone(origin, "runner-2"), linkedin.env)
    out, err = second.communicate(timeout=300)
    assert second.returncode == 0, out + err
    sources = [p["content"]["article"]["source"] for p in linkedin.posts]
    assert {story_id: sum(f"meldung-{story_id}" in s for s in sources) for story_id in STORIES} == {
        story_id: 1 for story_id in STORIES}
    records = git.Repo(origin)
    assert {story_id: yaml.safe_load(records.git.show(f"main:content/receipts/{story_id}.yml"))["channels"]
            ["linkedin"]["status"] for story_id in STORIES} == {story_id: "sent" for story_id in STORIES}


# -- corrections and withdrawal ------------------------------------------------------------------

def published(site, linkedin, **fields) -> dict:
    first_send(site, CHANNEL, linkedin.env)
    amend(site, CHANNEL, **fields)
    return linkedin.posts[0]


def test_a_correction_is_a_comment_by_the_page_on_the_first_post(site, linkedin):
    post = published(site, linkedin, corrections=CORRECTION)
    report = follow_up(site, linkedin.env)
    assert [(o.story_id, o.status) for o in report.outcomes] == [(CORRECTED, "sent")]
    [comment] = linkedin.comments[post["id"]]
    assert comment["actor"] == ORGANIZATION and comment["object"] == post["id"]
    assert comment["message"]["text"] == (
        f"{MARKER} zu unserer Meldung „Neue Radwege am Rheinufer“: Falsch war: Die Sperrung dauert bis Freitag. "
        f"Richtig ist: Die Sperrung dauert bis Sonntag.\n\n{URL}")  # plain text: comments are not little text
    assert receipt(site, CORRECTED)["channels"]["linkedin"]["remote_id"] == comment["commentUrn"]
    assert follow_up(site, linkedin.env, "2026-11-26 13:20").outcomes == []
    assert len(linkedin.posts) == 1


def test_a_correction_whose_answer_was_lost_is_found_by_its_marker(site, linkedin):
    post = published(site, linkedin, corrections=CORRECTION)
    linkedin.fail("POST", r"/rest/socialActions/[^/]+/comments", Drop())
    report = follow_up(site, linkedin.env)
    assert [o.status for o in report.outcomes] == ["sent"] and len(linkedin.comments[post["id"]]) == 1


def test_a_withdrawal_deletes_the_correction_and_the_post(site, linkedin):
    post = published(site, linkedin, corrections=CORRECTION)
    follow_up(site, linkedin.env)
    comment = linkedin.comments[post["id"]][0]
    amend(site, CHANNEL, corrections=CORRECTION, status="withdrawn", withdrawal=WITHDRAWAL)
    report = follow_up(site, linkedin.env, "2026-11-26 13:20")
    assert [(o.story_id, o.status) for o in report.outcomes] == [(WITHDRAWN, "sent")]
    assert linkedin.posts == [] and linkedin.deleted == [comment["commentUrn"], post["id"]]
    assert receipt(site, WITHDRAWN)["channels"]["linkedin"]["detail"]["deleted"] == {
        comment["commentUrn"]: "gelöscht (204)", post["id"]: "gelöscht (204)"}


def test_a_post_already_deleted_counts_as_deleted(site, linkedin):
    post = published(site, linkedin, status="withdrawn", withdrawal=WITHDRAWAL)
    linkedin.posts.clear()  # deleted by hand on the page
    report = follow_up(site, linkedin.env)
    assert [o.status for o in report.outcomes] == ["sent"]
    assert receipt(site, WITHDRAWN)["channels"]["linkedin"]["detail"]["deleted"] == {
        post["id"]: "schon gelöscht (404)"}


# -- tokens -------------------------------------------------------------------------------------

def _channel(environ: dict):
    channel = adapter("linkedin")
    return type(channel)(channel.settings, channel.urls, environ=environ)


def test_the_token_expiry_comes_from_linkedins_introspection(linkedin):
    expires = _channel(linkedin.oauth_env).credential_expiry(HttpClient("LinkedIn", deadline=5))
    assert expires is not None and expires.timestamp() == linkedin.expires_at
    assert datetime.now(expires.tzinfo) + timedelta(days=49) < expires
    assert _channel(linkedin.env).credential_expiry(HttpClient("LinkedIn")) is None  # no client id and secret
    assert [r.path for r in linkedin.log] == ["/oauth/v2/introspectToken"]


def test_a_refresh_gives_the_new_token_that_then_posts(site, linkedin):
    environ = linkedin.oauth_env
    renewed = _channel(environ).refresh_credentials(HttpClient("LinkedIn", deadline=5))
    assert renewed == {"TOKEN": linkedin.token, "REFRESH_TOKEN": environ["NEWSROOM_LINKEDIN_REFRESH_TOKEN"]}
    assert renewed["TOKEN"] != environ["NEWSROOM_LINKEDIN_TOKEN"]
    assert _channel(linkedin.env).refresh_credentials(HttpClient("LinkedIn")) is None  # nothing to refresh with
    due(site, CHANNEL)
    report = publish(site, {**environ, "NEWSROOM_LINKEDIN_TOKEN": renewed["TOKEN"]})
    assert statuses(report) == ["sent"] and len(linkedin.posts) == 1
