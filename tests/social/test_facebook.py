"""Facebook Page posts against a Graph-API-shaped server: message and link, Meta's rate-limit
error codes and usage headers, lost answers found in the Page feed."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from tests.fakes.api import Answer, Drop, Stall
from tests.fakes.meta import PAGE_ID, FakeGraph, error, usage
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
    publish,
    receipt,
    release,
    statuses,
)

FEED = rf"/v26.0/{PAGE_ID}/feed"
CHANNEL = "\n  facebook: true"


@pytest.fixture
def graph():
    with FakeGraph() as server:
        yield server


def test_the_message_carries_title_summary_lead_address_and_hashtags_and_the_link_goes_along():
    channel = adapter("facebook")
    post = channel.render(release())
    assert post.payload == {"message": "Neue Radwege am Rheinufer\n\nDie Stadt baut zwei Kilometer Radweg entlang "
                                       "des Rheinufers.\n\nText\n\nAlle Einzelheiten lesen Sie auf unserer Website: "
                                       f"{URL}\n\n#Düsseldorf #Mobilität #Radverkehr",
                            "link": URL}
    assert channel.validate(post) == []


def test_a_text_longer_than_the_page_limit_is_refused_with_the_numbers():
    channel = adapter("facebook", FACEBOOK_MAX_CHARACTERS=1000)
    post = channel.render(release(own={"facebook": "Sehr ausführlich. " * 60}))  # 1,079 + 2 + the address (71)
    assert channel.validate(post) == [
        "Facebook: Der Text hat 1.152 Zeichen, erlaubt sind 1.000. Bitte unter channels.facebook.text kürzen."]


def test_a_due_story_is_posted_to_the_page_and_recorded_with_its_permalink(site, graph):
    due(site, "\n  facebook: true")
    env = {**graph.facebook_env, "NEWSROOM_FACEBOOK_APP_SECRET": "app-secret-0f1e2d"}
    report = publish(site, env)
    assert statuses(report) == ["sent"]
    [post] = graph.page_posts_for(URL)
    assert post["link"] == URL
    assert post["proof"] == hmac.new(b"app-secret-0f1e2d", b"EAAGpage-token-3f9c1d", hashlib.sha256).hexdigest()
    record = receipt(site)["channels"]["facebook"]
    assert (record["status"], record["remote_id"], record["url"]) == ("sent", post["id"], post["permalink_url"])


def test_a_429_with_retry_after_is_waited_out(site, graph):
    due(site, "\n  facebook: true")
    graph.fail("POST", FEED, Answer(429, error(4, "(#4) Application request limit reached"), {"Retry-After": "1"}))
    assert statuses(publish(site, graph.facebook_env)) == ["sent"]
    assert graph.too_early == [] and len(graph.calls("POST", FEED)) == 2 and len(graph.page_posts) == 1


def test_a_page_throttling_error_code_is_a_rate_limit_not_a_failure(site, graph):
    due(site, "\n  facebook: true")
    graph.fail("POST", FEED, Answer(400, error(32, "(#32) Page request limit reached"), usage(0)))
    assert statuses(publish(site, graph.facebook_env)) == ["sent"]
    assert len(graph.calls("POST", FEED)) == 2 and len(graph.page_posts) == 1


def test_a_throttled_page_that_needs_half_an_hour_is_left_to_a_later_run(site, graph):
    due(site, "\n  facebook: true")
    graph.fail("POST", FEED, Answer(403, error(80001, "There have been too many calls to this Page account. "
                                                      "Wait a bit and try again."), usage(30)))
    report = publish(site, graph.facebook_env)
    assert statuses(report) == ["retry"] and graph.page_posts == []
    assert report.outcomes[0].message.startswith("Facebook: HTTP 403: Ratenlimit erreicht; die Wartezeit von 1800 s")


@pytest.mark.parametrize("fault", [Answer(500, error(2, "An unexpected error has occurred. Please retry your "
                                                        "request later.", "OAuthException")), Stall(2.5)],
                         ids=["500", "timeout"])
def test_a_failure_before_posting_is_looked_up_then_posted_once(site, graph, fault):
    due(site, "\n  facebook: true")
    graph.fail("POST", FEED, fault)
    assert statuses(publish(site, graph.facebook_env)) == ["sent"]
    assert len(graph.page_posts_for(URL)) == 1 and len(graph.calls("GET", FEED)) == 2


def test_a_post_whose_answer_was_lost_is_found_in_the_feed(site, graph):
    due(site, "\n  facebook: true")
    graph.fail("POST", FEED, Drop())
    report = publish(site, graph.facebook_env)
    assert statuses(report) == ["sent"] and len(graph.page_posts) == 1
    assert receipt(site)["channels"]["facebook"]["remote_id"] == graph.page_posts[0]["id"]


def test_an_unreadable_permalink_falls_back_to_the_known_address(site, graph):
    due(site, "\n  facebook: true")
    graph.fail("GET", rf"/v26.0/{PAGE_ID}_\d+", Answer(400, error(10, "(#10) Requires pages_read_engagement "
                                                                      "permission")))
    assert statuses(publish(site, graph.facebook_env)) == ["sent"]
    [post] = graph.page_posts
    assert receipt(site)["channels"]["facebook"]["url"] == f"https://www.facebook.com/{post['id']}"


def test_a_bad_token_is_recorded_as_failed_with_metas_words(site, graph):
    due(site, "\n  facebook: true")
    report = publish(site, {**graph.facebook_env, "NEWSROOM_FACEBOOK_PAGE_TOKEN": "abgelaufen-1234"})
    assert statuses(report) == ["failed"] and graph.page_posts == []
    assert report.outcomes[0].message == ("Facebook: HTTP 400: Invalid OAuth access token - Cannot parse access "
                                          "token")


# -- corrections (a comment by the Page) and withdrawal (the post deleted) ----------------------

COMMENTS = rf"/v26.0/{PAGE_ID}_\d+/comments"
POST = rf"/v26.0/{PAGE_ID}_\d+"


def corrected(site, graph) -> dict:
    """The story posted, then corrected; the first post as the Page has it."""
    first_send(site, CHANNEL, graph.facebook_env)
    amend(site, CHANNEL, corrections=CORRECTION)
    return graph.page_posts[0]


def test_a_correction_is_a_comment_by_the_page_on_the_post_once(site, graph):
    post = corrected(site, graph)
    report = follow_up(site, graph.facebook_env)
    assert [(o.story_id, o.channel, o.status) for o in report.outcomes] == [(CORRECTED, "facebook", "sent")]
    [comment] = graph.comments_on(post["id"])
    assert comment["message"].startswith(f"{MARKER} zu unserer Meldung „Neue Radwege am Rheinufer“: Falsch war: "
                                         "Die Sperrung dauert bis Freitag. Richtig ist: Die Sperrung dauert bis "
                                         "Sonntag.")
    assert comment["message"].endswith(URL) and comment["from"]["id"] == PAGE_ID
    record = receipt(site, CORRECTED)["channels"]["facebook"]
    assert (record["status"], record["remote_id"], record["url"]) == ("sent", comment["id"],
                                                                      comment["permalink_url"])
    assert record["detail"]["post"] == post["id"]
    assert follow_up(site, graph.facebook_env, "2026-11-26 13:20").outcomes == []
    assert len(graph.comments) == 1 and len(graph.calls("POST", COMMENTS)) == 1


def test_a_comment_whose_answer_was_lost_is_found_among_the_comments_not_posted_again(site, graph):
    post = corrected(site, graph)
    graph.fail("POST", COMMENTS, Drop())  # commented, then the connection closes without an answer
    report = follow_up(site, graph.facebook_env)
    assert statuses(report) == ["sent"] and report.outcomes[0].message == "nach verlorener Antwort beim Kanal gefunden"
    [comment] = graph.comments_on(post["id"])
    assert receipt(site, CORRECTED)["channels"]["facebook"]["remote_id"] == comment["id"]
    assert follow_up(site, graph.facebook_env, "2026-11-26 13:20").outcomes == []
    assert len(graph.comments) == 1


@pytest.mark.parametrize("fault", [
    Answer(429, error(4, "(#4) Application request limit reached"), {"Retry-After": "1"}),
    Answer(400, error(32, "(#32) Page request limit reached"), usage(0)),
], ids=["429", "graph-32"])
def test_a_rate_limited_comment_waits_and_comments_once(site, graph, fault):
    post = corrected(site, graph)
    graph.fail("POST", COMMENTS, fault)
    assert statuses(follow_up(site, graph.facebook_env)) == ["sent"]
    assert len(graph.comments_on(post["id"])) == 1 and len(graph.calls("POST", COMMENTS)) == 2
    assert graph.too_early == []


def test_a_page_token_without_the_engagement_permission_fails_with_metas_words(site, graph):
    post = corrected(site, graph)
    graph.page_permissions.discard("pages_manage_engagement")
    report = follow_up(site, graph.facebook_env)
    assert statuses(report) == ["failed"] and graph.comments_on(post["id"]) == []
    assert report.outcomes[0].message == ("Facebook: HTTP 403: (#200) This endpoint requires the "
                                          "'pages_manage_engagement' permission")


def withdrawn(site, graph) -> dict:
    first_send(site, CHANNEL, graph.facebook_env)
    amend(site, CHANNEL, status="withdrawn", withdrawal=WITHDRAWAL)
    return graph.page_posts[0]


def test_a_withdrawal_deletes_the_post_once(site, graph):
    post = withdrawn(site, graph)
    graph.fail("DELETE", POST, Answer(400, error(32, "(#32) Page request limit reached"), usage(0)))
    report = follow_up(site, graph.facebook_env)
    assert [(o.story_id, o.status) for o in report.outcomes] == [(WITHDRAWN, "sent")]
    assert graph.page_posts == [] and graph.deleted == [post["id"]]
    assert len(graph.calls("DELETE", POST)) == 2  # the rate limit waited out, not taken as "gone"
    record = receipt(site, WITHDRAWN)["channels"]["facebook"]
    assert record["detail"]["deleted"] == {post["id"]: "gelöscht (200)"} and record["finished"]
    assert "EAAG" not in str(record)  # the token travels as a parameter, never into the record
    assert follow_up(site, graph.facebook_env, "2026-11-26 13:20").outcomes == []
    assert len(graph.calls("DELETE", POST)) == 2


def test_a_post_already_gone_counts_as_deleted(site, graph):
    post = withdrawn(site, graph)
    graph.page_posts.clear()  # deleted by hand on Facebook
    report = follow_up(site, graph.facebook_env)
    assert statuses(report) == ["sent"]
    assert receipt(site, WITHDRAWN)["channels"]["facebook"]["detail"]["deleted"] == {
        post["id"]: "schon gelöscht (400, nicht mehr vorhanden)"}


def test_a_refused_delete_is_a_failure_not_a_deletion(site, graph):
    post = withdrawn(site, graph)
    graph.page_permissions.discard("pages_manage_posts")
    report = follow_up(site, graph.facebook_env)
    assert statuses(report) == ["failed"] and graph.page_posts == [post]
    assert report.outcomes[0].message == ("Facebook: HTTP 403: (#200) This endpoint requires the "
                                          "'pages_manage_posts' permission")
