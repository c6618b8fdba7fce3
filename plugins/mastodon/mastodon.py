"""mastodon: posts a story as a Mastodon status (with its lead image and alt text).

API: POST /api/v1/statuses with an `Idempotency-Key` header (the server answers a
repeated key with the first status for an hour), POST /api/v2/media for the image.
Lookup after a crash: the account's recent statuses, matched by the story's address.
Length: `invoke check` counts against MASTODON_MAX_CHARACTERS (no network there); the
send reads the instance's own limit (GET /api/v2/instance → configuration.statuses.
max_characters, characters_reserved_per_url) once per run and refuses a text that
does not fit before posting anything; when the instance cannot say, the setting stands.
Correction: a reply to the first post (`in_reply_to_id`; a thread is answered at its first
post) with the same Idempotency-Key rule; looked up among the account's statuses by that
reply and the correction's opening words. Withdrawal: DELETE /api/v1/statuses/:id for every
post; 404 means it is gone already. Environment: NEWSROOM_MASTODON_TOKEN (access token with
write:statuses and write:media), NEWSROOM_MASTODON_BASE_URL (the instance, e.g. https://social.bund.de).
"""

from __future__ import annotations

import html
import logging
import re
from pathlib import Path
from urllib.parse import urlsplit

from newsroom.errors import SendError
from newsroom.publishing.channel import (
    Channel,
    Delivery,
    Post,
    Release,
    SendContext,
    TextLimit,
    channel_adapters,
    original_posts,
)
from newsroom.publishing.text import weighted_length

URL_LENGTH = 23  # Mastodon counts every link as 23 characters
_TAGS = re.compile(r"<[^>]+>")

logger = logging.getLogger("newsroom.publishing")


class MastodonChannel(Channel):
    name = "mastodon"
    label = "Mastodon"
    idempotent = True
    can_look_up = True
    correction_idempotent = True
    correction_lookup = True
    required_env = ("TOKEN", "BASE_URL")
    default_base_url = ""
    _instance_limits: tuple[int, int] | None = None  # read once per run, see instance_limits

    @property
    def max_characters(self) -> int:
        return self.settings["MASTODON_MAX_CHARACTERS"]

    def text_limit(self) -> TextLimit:
        return TextLimit(self.max_characters, url_length=URL_LENGTH)

    def render(self, release: Release) -> Post:
        story = release.story
        text = self.template_text(release)
        image_url, image_file = release.image_for(self.settings["CHANNEL_CROPS"].get(self.name))
        media = (image_url,) if image_url else ()
        payload = {"status": text, "visibility": "public", "language": "de"}
        if image_url:
            payload["media"] = [{"file": str(image_file), "description": release.image_alt or ""}]
        return Post(self.name, story.id, text, link=release.url, media=media, payload=payload,
                    image=Path(image_file) if payload.get("media") else None, alt=payload["media"][0]["description"] if payload.get("media") else "")

    def validate(self, post: Post) -> list[str]:
        length = weighted_length(post.text, URL_LENGTH)
        if length > self.max_characters:
            return [f"Mastodon: Der Text hat {length} Zeichen (Links zählen {URL_LENGTH}), erlaubt sind "
                    f"{self.max_characters}. Bitte unter channels.mastodon.text kürzen."]
        return []

    def _headers(self, **extra) -> dict:
        return {"Authorization": f"Bearer {self.credentials.require('TOKEN')}", **extra}

    def instance_limits(self, client) -> tuple[int, int]:
        """(max characters, characters per link) as the instance states them; the setting and
        23 when it cannot say. Asked once per publish run (one adapter object serves a run)."""
        if self._instance_limits:
            return self._instance_limits
        try:
            answer = client.request("GET", f"{self.base_url}/api/v2/instance", idempotent=True).json()
            statuses = answer["configuration"]["statuses"]
            limits = (int(statuses["max_characters"]), int(statuses.get("characters_reserved_per_url", URL_LENGTH)))
        except SendError as exc:
            if exc.retry:
                raise
            logger.warning("Mastodon: Zeichenlimit der Instanz nicht lesbar (%s); es gilt "
                           "MASTODON_MAX_CHARACTERS = %s.", exc, self.max_characters)
            return self.max_characters, URL_LENGTH
        except (ValueError, KeyError, TypeError):
            logger.warning("Mastodon: /api/v2/instance nennt kein Zeichenlimit; es gilt MASTODON_MAX_CHARACTERS = %s.",
                           self.max_characters)
            return self.max_characters, URL_LENGTH
        self._instance_limits = limits
        return limits

    def send(self, post: Post, context: SendContext) -> Delivery:
        client = context.client
        limit, per_link = self.instance_limits(client)
        length = weighted_length(post.text, per_link)
        if length > limit:
            raise SendError(f"Mastodon: Der Text hat {length} Zeichen (Links zählen {per_link}), die Instanz "
                            f"{urlsplit(self.base_url).hostname} erlaubt {limit}. Bitte unter channels.mastodon.text "
                            "kürzen oder MASTODON_MAX_CHARACTERS anpassen.")
        # The marker stays ours (a correction's lookup finds it in the text); media go up first.
        data = {k: v for k, v in post.payload.items() if k not in ("media", "marker")}
        media_ids = []
        for item in post.payload.get("media", []):
            with open(item["file"], "rb") as handle:
                # An upload that is repeated only leaves an unattached file, which the server cleans up.
                response = client.request("POST", f"{self.base_url}/api/v2/media", idempotent=True,
                                          headers=self._headers(), files={"file": handle},
                                          data={"description": item["description"]})
            media_ids.append(response.json()["id"])
        if media_ids:
            data["media_ids[]"] = media_ids
        response = client.request("POST", f"{self.base_url}/api/v1/statuses", idempotent=True,
                                  headers=self._headers(**{"Idempotency-Key": context.key}), data=data)
        status = response.json()
        if "id" not in status:
            raise SendError("Mastodon: Antwort ohne id.")
        return Delivery(str(status["id"]), status.get("url") or status.get("uri"))

    def lookup(self, post: Post, context: SendContext) -> Delivery | None:
        for status in self._recent(context):
            if post.link and post.link in (status.get("content") or "") and not status.get("in_reply_to_id"):
                return Delivery(str(status["id"]), status.get("url") or status.get("uri"))
        return None

    def _recent(self, context: SendContext) -> list[dict]:
        client = context.client
        account = client.request("GET", f"{self.base_url}/api/v1/accounts/verify_credentials", idempotent=True,
                                 headers=self._headers()).json()
        return client.request("GET", f"{self.base_url}/api/v1/accounts/{account['id']}/statuses",
                              idempotent=True, headers=self._headers(), params={"limit": 40}).json()

    # -- corrections and withdrawal ------------------------------------------------------------

    def render_correction(self, release, correction, original) -> Post:
        post = super().render_correction(release, correction, original)
        root = original_posts(original)[:1]
        payload = {"status": post.text, "visibility": "public", "language": "de", "marker": post.payload["marker"],
                   **({"in_reply_to_id": root[0]} if root else {})}
        return Post(post.channel, post.story_id, post.text, link=post.link, payload=payload, action=post.action,
                    original=original)

    def correct(self, post: Post, context: SendContext) -> Delivery:
        if not post.payload.get("in_reply_to_id"):
            raise SendError("Mastodon: Die erste Sendung hat keine id im Versandprotokoll; keine Antwort möglich.")
        return self.send(post, context)

    def lookup_correction(self, post: Post, context: SendContext) -> Delivery | None:
        marker = post.payload["marker"]
        for status in self._recent(context):
            text = html.unescape(_TAGS.sub("", status.get("content") or ""))
            if str(status.get("in_reply_to_id")) == post.payload.get("in_reply_to_id") and marker in text:
                return Delivery(str(status["id"]), status.get("url") or status.get("uri"))
        return None

    def withdraw(self, post: Post, context: SendContext) -> Delivery:
        def delete(remote_id: str) -> str:
            response = context.client.request("DELETE", f"{self.base_url}/api/v1/statuses/{remote_id}",
                                               idempotent=True, headers=self._headers(), accept=(404,))
            return "schon gelöscht (404)" if response.status_code == 404 else f"gelöscht ({response.status_code})"

        return self.delete_each(post, context, delete)


def adapters(_sender):
    return MastodonChannel


def register() -> None:
    channel_adapters.connect(adapters)
