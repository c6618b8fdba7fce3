"""mastodon: posts a story as a Mastodon status (with its lead image and alt text).

API: POST /api/v1/statuses with an `Idempotency-Key` header (the server answers a
repeated key with the first status for an hour), POST /api/v2/media for the image.
Lookup after a crash: the account's recent statuses, matched by the story's address.
Length: `invoke check` counts against MASTODON_MAX_CHARACTERS (no network there); the
send reads the instance's own limit (GET /api/v2/instance → configuration.statuses.
max_characters, characters_reserved_per_url) once per run and refuses a text that
does not fit before posting anything; when the instance cannot say, the setting stands.
Thread: an editor's own text longer than one status goes out as numbered replies, each chained to the
one before (`in_reply_to_id`), each under its own Idempotency-Key (the send's key, then `#2`, `#3` …);
every status's id is recorded as it is posted (detail `thread`), and a run that died half-way goes on
after the last recorded one, finding a status it posted without recording it among the account's
statuses (a reply to the part before, with its number). Alt text: the image's `description`, always
(validate refuses an image without one). Content warning: `spoiler_text` where the story's Thema has
one in MASTODON_CONTENT_WARNINGS (on every status of a thread; Mastodon counts it in the limit).
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
    WITHDRAW,
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
from newsroom.publishing.thread import part_key, recorded_parts, thread_parts, thread_problems

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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._threads: dict[str, dict] = {}  # send key → the thread's parts posted so far (this run)
        self._searched: set[str] = set()  # send keys whose unrecorded parts were looked for (this run)

    @property
    def max_characters(self) -> int:
        return self.settings["MASTODON_MAX_CHARACTERS"]

    def text_limit(self) -> TextLimit:
        return TextLimit(self.max_characters, url_length=URL_LENGTH, thread=self.settings["SOCIAL_THREAD_MAX_POSTS"])

    def render(self, release: Release) -> Post:
        story = release.story
        text = self.template_text(release)
        warning = self.content_warning(story)
        own = self.own_text(story)
        parts = thread_parts(own, release.url, count=lambda part: self._length(part, URL_LENGTH, warning),
                             limit=self.max_characters) if own else ()
        text = parts[0] if parts else text
        image_url, image_file = self.picture(release)
        media = (image_url,) if image_url else ()
        common = {"visibility": "public", "language": release.language or "de",
                  **({"spoiler_text": warning, "sensitive": "true"} if warning else {})}
        payload = {"status": text, **common}
        if image_url:
            # `source`: the medium below content/media, which a missing alt text is named by.
            payload["media"] = [{"file": str(image_file), "description": release.image_alt or "",
                                 "source": story.image or Path(image_file).name}]
        if parts:
            payload["replies"] = [{"status": part, **common} for part in parts[1:]]
        image = Path(image_file) if image_url else None
        return Post(self.name, story.id, text, link=release.url, media=media, payload=payload, parts=parts,
                    alt=(release.image_alt or "") if image else "", image=image)

    def content_warning(self, story) -> str:
        """The warning MASTODON_CONTENT_WARNINGS gives the story's Thema; empty for none."""
        return (self.settings["MASTODON_CONTENT_WARNINGS"].get(story.category) or "").strip()

    @staticmethod
    def _length(text: str, per_link: int, warning: str = "") -> int:
        """As Mastodon counts a status: its text with every link as `per_link`, and its warning."""
        return weighted_length(text, per_link) + len(warning)

    def validate(self, post: Post) -> list[str]:
        if post.action == WITHDRAW:  # nothing is posted: the text only says what is deleted
            return []
        warning = post.payload.get("spoiler_text") or ""
        problems = []
        for number, text in enumerate(post.posts, 1):
            length = self._length(text, URL_LENGTH, warning)
            if length > self.max_characters:
                which = f"Beitrag {number} von {len(post.parts)} hat" if post.parts else "Der Text hat"
                counted = "mit der Inhaltswarnung; " if warning else ""
                problems.append(f"Mastodon: {which} {length} Zeichen ({counted}Links zählen {URL_LENGTH}), erlaubt "
                                f"sind {self.max_characters}. Bitte unter channels.mastodon.text kürzen.")
        problems += thread_problems(self.label, self.name, post, self.settings["SOCIAL_THREAD_MAX_POSTS"],
                                    self.max_characters)
        if post.image is not None and not post.alt.strip():
            problems.append(f"Mastodon: Das Aufmacherbild „{post.payload['media'][0]['source']}“ hat keinen "
                            "Alternativtext; ohne ihn wird es nicht gesendet. Bitte in der Beschreibung des Bildes "
                            "(alt) ergänzen.")
        return problems

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
        warning = post.payload.get("spoiler_text") or ""
        for number, text in enumerate(post.posts, 1):
            length = self._length(text, per_link, warning)
            if length > limit:
                which = f"Beitrag {number} von {len(post.parts)} hat" if post.parts else "Der Text hat"
                raise SendError(f"Mastodon: {which} {length} Zeichen (Links zählen {per_link}), die Instanz "
                                f"{urlsplit(self.base_url).hostname} erlaubt {limit}. Bitte unter "
                                "channels.mastodon.text kürzen oder MASTODON_MAX_CHARACTERS anpassen.")
        # The marker stays ours (a correction's lookup finds it in the text); media go up first.
        data = {k: v for k, v in post.payload.items() if k not in ("media", "marker", "replies")}
        if not post.parts:
            status = self._create(client, {**data, **self._media_ids(client, post)}, context.key)
            return Delivery(str(status["id"]), status.get("url") or status.get("uri"))
        return self._send_thread(post, context, data)

    def _media_ids(self, client, post: Post) -> dict:
        media_ids = []
        for item in post.payload.get("media", []):
            with open(item["file"], "rb") as handle:
                # An upload that is repeated only leaves an unattached file, which the server cleans up.
                response = client.request("POST", f"{self.base_url}/api/v2/media", idempotent=True,
                                          headers=self._headers(), files={"file": handle},
                                          data={"description": item["description"]})
            media_ids.append(response.json()["id"])
        return {"media_ids[]": media_ids} if media_ids else {}

    def _create(self, client, data: dict, key: str) -> dict:
        response = client.request("POST", f"{self.base_url}/api/v1/statuses", idempotent=True,
                                  headers=self._headers(**{"Idempotency-Key": key}), data=data)
        status = response.json()
        if "id" not in status:
            raise SendError("Mastodon: Antwort ohne id.")
        return status

    def _send_thread(self, post: Post, context: SendContext, data: dict) -> Delivery:
        """Every part not yet posted, each a reply to the one before; each id recorded as it comes."""
        client = context.client
        known = self._thread_so_far(post, context)
        if known["thread"] != recorded_parts(context.detail):
            context.checkpoint(dict(known))  # found, not yet recorded: recorded before the next part
        for number in range(len(known["thread"]) + 1, len(post.parts) + 1):
            if number == 1:
                fields = {**data, **self._media_ids(client, post)}
            else:
                reply = post.payload["replies"][number - 2]
                fields = {**reply, "in_reply_to_id": known["thread"][-1]}
            status = self._create(client, fields, part_key(context.key, number))
            known["thread"].append(str(status["id"]))
            if number == 1:
                known["thread_url"] = status.get("url") or status.get("uri")
            context.checkpoint(dict(known, thread=list(known["thread"])))
        return self._thread_delivery(known)

    @staticmethod
    def _thread_delivery(known: dict) -> Delivery:
        ids = list(known["thread"])
        return Delivery(ids[0], known.get("thread_url"), {"thread": ids, "thread_url": known.get("thread_url")})

    def _thread_so_far(self, post: Post, context: SendContext) -> dict:
        """The ids of the thread's parts already posted, in order: those recorded (or posted by this
        run), then those the account's statuses show (a part posted by a run that died before
        recording it)."""
        known = self._threads.setdefault(context.key, {
            "thread": recorded_parts(context.detail),
            "thread_url": context.detail.get("thread_url")})
        if context.key in self._searched:  # what this run posts since, it knows
            return known
        self._searched.add(context.key)
        statuses = None
        while len(known["thread"]) < len(post.parts):
            number = len(known["thread"]) + 1
            statuses = self._recent(context) if statuses is None else statuses
            found = next((s for s in statuses if self._is_part(s, post, number, known["thread"])), None)
            if found is None:
                break
            known["thread"].append(str(found["id"]))
            if number == 1:
                known["thread_url"] = found.get("url") or found.get("uri")
        return known

    @staticmethod
    def _is_part(status: dict, post: Post, number: int, before: list[str]) -> bool:
        text = html.unescape(_TAGS.sub("", status.get("content") or ""))
        if number == 1:
            return bool(post.link) and post.link in (status.get("content") or "") and not status.get("in_reply_to_id")
        return str(status.get("in_reply_to_id")) == before[-1] and f"({number}/{len(post.parts)})" in text

    def sent_so_far(self, post: Post, context: SendContext) -> Delivery | None:
        if not post.parts:
            return None
        known = self._thread_so_far(post, context)  # the recorded parts and one posted unrecorded
        return self._thread_delivery(known) if known["thread"] else None

    def lookup(self, post: Post, context: SendContext) -> Delivery | None:
        if post.parts:  # a thread counts as sent once every part is there; else the send goes on
            known = self._thread_so_far(post, context)
            return self._thread_delivery(known) if len(known["thread"]) == len(post.parts) else None
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
