"""X: twitter-text counting, OAuth 1.0a signatures, and the publish run against an X-shaped server."""

from __future__ import annotations

import time

import pytest

from newsroom.errors import ContentErrors
from tests.fakes.api import Answer, Drop, Stall
from tests.fakes.x import TOKEN_SECRET, FakeX
from tests.social.support import STORY_ID, URL, adapter, due, publish, receipt, release, statuses

TWEETS = "/2/tweets"


@pytest.fixture
def x():
    with FakeX() as server:
        yield server


def weighted(text: str) -> int:
    from plugins.x.weighted import weighted_length  # the plugin as Pelican loads it

    return weighted_length(text, 23)


def test_weighted_length_counts_as_twitter_text_does():
    adapter("x")  # loads the plugins
    assert weighted("Straße über die Königsallee") == 27  # Latin with umlauts: 1 each
    assert weighted("Mehr: https://www.duesseldorf.de/aktuelles/2026/11/ein-sehr-langer-slug/") == 6 + 23
    assert weighted("Mehr: duesseldorf.de/radwege.") == 6 + 23 + 1  # bare domains are links too
    assert weighted("日本語") == 6  # CJK count 2
    assert weighted("👍") == 2 and weighted("👍🏽") == 2  # with skin tone still one emoji
    assert weighted("👨‍👩‍👧") == 2 and weighted("🇩🇪") == 2  # ZWJ family and flag: one emoji each
    assert weighted("„Zitat“ – Ende") == 14  # typographic quotes and dashes: 1 each
    assert weighted("…") == 2  # but the ellipsis (U+2026) lies outside twitter-text's light ranges
    assert weighted("e\u0301") == 1  # NFC: e + combining accent is é


def test_oauth_signature_matches_the_documented_example():
    adapter("x")
    from plugins.x.oauth1 import signature

    params = [("status", "Hello Ladies + Gentlemen, a signed OAuth request!"), ("include_entities", "true"),
              ("oauth_consumer_key", "xvz1evFS4wEEPTGEFPHBog"),
              ("oauth_nonce", "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg"), ("oauth_signature_method", "HMAC-SHA1"),
              ("oauth_timestamp", "1318622958"), ("oauth_token", "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb"),
              ("oauth_version", "1.0")]
    assert signature("POST", "https://api.twitter.com/1.1/statuses/update.json", params,
                     "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
                     "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE") == "hCtSmYh+iHYCEqBWrE7C7hYmtUk="


def test_an_own_text_over_280_weighted_characters_is_refused_with_the_numbers():
    channel = adapter("x")
    text = "Die Stadt baut neue Radwege. " * 9 + "🚲" * 10  # 261 + 10 × 2, line breaks 2, link 23: 306
    post = channel.render(release(own={"x": text}))
    assert post.text.endswith(URL)
    assert channel.validate(post) == [
        "X: Der Text zählt 306 gewichtete Zeichen, erlaubt sind 280 (jeder Link zählt 23, Emoji sowie chinesische, "
        "japanische und koreanische Schriftzeichen zählen doppelt). Bitte unter channels.x.text kürzen."]
    assert channel.validate(channel.render(release(own={"x": "Kurz und gut 🚲"}))) == []


def test_the_template_drops_hashtags_then_the_summary_until_it_fits():
    channel = adapter("x")
    summary = "Zwei Kilometer Radweg entlang des Rheinufers, mit neuer Beleuchtung und breiteren Wegen. " * 2
    summary += "Baubeginn ist im März 2027."  # 257 weighted with title and link: #Düsseldorf fits, #Mobilität not
    post = channel.render(release(summary=summary, tags=("Radverkehr",)))
    assert channel.count(post.text) <= 280 and channel.validate(post) == []
    assert post.text == f"Neue Radwege am Rheinufer\n\n{summary}\n\n{URL}\n\n#Düsseldorf"
    assert channel.count(post.text + " #Mobilität") > 280
    longer = channel.render(release(summary=summary * 2, tags=("Radverkehr",)))
    assert longer.text == f"Neue Radwege am Rheinufer\n\n{URL}\n\n#Düsseldorf #Mobilität"


def test_invoke_check_names_story_channel_and_numbers(site):
    site.story(channels='\n  x:\n    text: "' + "Radwege für alle! " * 16 + '"')
    with pytest.raises(ContentErrors) as caught:
        site.check()
    assert [str(e) for e in caught.value.errors] == [
        "content/stories/2026/radwege.md: Feld „channels.x“: X: Der Text zählt 312 gewichtete Zeichen, erlaubt "
        "sind 280 (jeder Link zählt 23, Emoji sowie chinesische, japanische und koreanische Schriftzeichen zählen "
        "doppelt). Bitte unter channels.x.text kürzen."]


def test_a_due_story_is_posted_with_image_and_alt_text_signed_and_recorded(site, x):
    due(site, "\n  x: true", image="fotos/rhein.jpg")
    report = publish(site, x.env)
    assert statuses(report) == ["sent"]
    [tweet] = x.posts_for(URL)
    assert tweet["original"] == (f"Neue Radwege am Rheinufer\n\nDie Stadt baut zwei Kilometer Radweg entlang des "
                                 f"Rheinufers.\n\n{URL}\n\n#Düsseldorf #Mobilität")
    [media] = tweet["media"]
    assert x.media[media]["alt"] == "Blick über den Rhein" and x.media[media]["bytes"].startswith(b"\xff\xd8")
    [wide] = (site.root / ".cache/renditions").glob("*/wide.jpg")  # X's crop, 16:9 (CHANNEL_CROPS)
    assert x.media[media]["bytes"] == wide.read_bytes()
    record = receipt(site)["channels"]["x"]
    assert record["status"] == "sent" and record["remote_id"] == tweet["id"]
    assert record["url"] == f"https://x.com/i/web/status/{tweet['id']}"
    assert publish(site, x.env).outcomes == [] and len(x.tweets) == 1  # sent is final


def test_a_429_is_waited_out_until_the_reset_header(site, x):
    due(site, "\n  x: true")
    reset = str(int(time.time()) + 2)
    x.fail("POST", TWEETS, Answer(429, {"title": "Too Many Requests", "detail": "Too Many Requests",
                                        "type": "about:blank", "status": 429},
                                  {"x-rate-limit-limit": "100", "x-rate-limit-remaining": "0",
                                   "x-rate-limit-reset": reset}))
    report = publish(site, x.env)
    assert statuses(report) == ["sent"] and len(x.posts_for(URL)) == 1
    assert x.too_early == [] and len(x.calls("POST", TWEETS)) == 2


def test_a_used_up_daily_cap_is_left_to_a_later_run_without_waiting_for_it(site, x):
    due(site, "\n  x: true")
    tomorrow = str(int(time.time()) + 20 * 3600)
    x.fail("POST", TWEETS, Answer(429, {"title": "Too Many Requests", "status": 429, "type": "about:blank",
                                        "detail": "Too Many Requests"},
                                  {"x-rate-limit-remaining": "99", "x-rate-limit-reset": str(int(time.time())),
                                   "x-user-limit-24hour-limit": "17", "x-user-limit-24hour-remaining": "0",
                                   "x-user-limit-24hour-reset": tomorrow}))
    report = publish(site, x.env)
    assert statuses(report) == ["retry"] and x.tweets == []
    assert "überschreitet die Frist" in report.outcomes[0].message
    assert receipt(site)["channels"]["x"]["status"] == "retry"


@pytest.mark.parametrize("fault", [Answer(503, {"title": "Service Unavailable", "status": 503}), Stall(2.5)],
                         ids=["503", "timeout"])
def test_a_failure_before_posting_is_looked_up_then_sent_once(site, x, fault):
    due(site, "\n  x: true")
    x.fail("POST", TWEETS, fault)
    report = publish(site, x.env)
    assert statuses(report) == ["sent"] and len(x.posts_for(URL)) == 1
    assert len(x.calls("GET", r"/2/users/\d+/tweets")) == 2  # before the first send, and after the failure


def test_a_post_whose_answer_is_lost_is_found_and_not_posted_again(site, x):
    due(site, "\n  x: true")
    x.fail("POST", TWEETS, Drop())
    report = publish(site, x.env)
    assert statuses(report) == ["sent"] and report.outcomes[0].message.startswith("nach verlorener Antwort")
    [tweet] = x.tweets
    assert receipt(site)["channels"]["x"]["remote_id"] == tweet["id"]
    assert len(x.calls("POST", TWEETS)) == 1


def test_a_duplicate_refusal_after_a_lagging_lookup_finds_the_first_post(site, x):
    due(site, "\n  x: true")
    x.fail("POST", TWEETS, Drop())
    x.lagging = 2  # the lookups before the send and right after the lost answer do not see it yet
    report = publish(site, x.env)
    assert statuses(report) == ["sent"] and len(x.tweets) == 1
    assert receipt(site)["channels"]["x"]["remote_id"] == x.tweets[0]["id"]
    assert len(x.calls("POST", TWEETS)) == 2  # the second was refused as duplicate content


def test_a_400_is_recorded_as_failed_and_not_repeated(site, x):
    due(site, "\n  x: true")
    x.fail("POST", TWEETS, Answer(400, {"errors": [{"message": "Reply to unavailable tweet"}],
                                        "title": "Invalid Request", "type": "about:blank",
                                        "detail": "One or more parameters to your request was invalid."}))
    report = publish(site, x.env)
    assert statuses(report) == ["failed"] and x.tweets == [] and len(x.calls("POST", TWEETS)) == 1
    assert report.outcomes[0].message == "X: HTTP 400: One or more parameters to your request was invalid."
    assert receipt(site)["channels"]["x"]["status"] == "failed"


def test_wrong_credentials_fail_and_no_secret_reaches_the_record(site, x):
    due(site, "\n  x: true")
    env = {**x.env, "NEWSROOM_X_ACCESS_TOKEN_SECRET": "falsches-geheimnis-123"}
    report = publish(site, env)
    assert statuses(report) == ["failed"] and x.tweets == []
    assert report.outcomes[0].message == "X: HTTP 401: Unauthorized"
    origin = site.root.parent / f"{site.root.name}-origin.git"
    import git

    text = git.Repo(origin).git.show(f"main:content/receipts/{STORY_ID}.yml")
    assert "falsches-geheimnis-123" not in text and "x-consumer-secret" not in text and TOKEN_SECRET not in text
