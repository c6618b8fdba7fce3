"""telegram: posts a story to a Telegram channel through the Bot API.

API (POST https://api.telegram.org/bot<token>/<method>, answers `{ok, result}` or `{ok: false,
error_code, description, parameters}`): `sendPhoto` with the picture uploaded as multipart
(Telegram needs no public address; the media portal's 16:9 crop `wide`, else the lead image) and
the text as caption, when the text fits a caption (TELEGRAM_CAPTION_MAX, 1,024); otherwise, and
without a usable picture, `sendMessage` (TELEGRAM_MESSAGE_MAX, 4,096) with a link preview of the
story's page (its og:image shows the picture). Both with `parse_mode: HTML`: the house text is
plain, so only & < > are escaped (no attributes are written, so quotes stay). Telegram counts
its limits on the text after entity parsing, which is the plain text; counted here in UTF-16 code
units (an emoji counts 2), the stricter of the counts reported for the Bot API.
Telegram has no alternative text for photos.

Exactly once: the Bot API has no idempotency key and cannot list a channel's earlier posts, so
this channel is neither idempotent nor able to look up. Before each request that may post, the
claim is marked `started` (a checkpoint): a claim left by a dead run without that mark never
reached Telegram and is sent; one with it, and a lost answer or 5xx, goes to the Chef vom Dienst
(`unknown`), who checks the channel and either sends on purpose or records it as sent (`--done`).
429 answers name their wait in `parameters.retry_after`, which is waited out.
Correction: a reply to the first message (`reply_parameters`), not idempotent either.
Withdrawal: `deleteMessage` for every message; "message to delete not found" counts as deleted,
"message can't be deleted" (older than 48 hours without the right to delete) becomes a manual task.
Environment: NEWSROOM_TELEGRAM_TOKEN (the bot's token from @BotFather; it stands in the request
path and is masked like every secret), NEWSROOM_TELEGRAM_CHAT (the channel: @name or its numeric
id), NEWSROOM_TELEGRAM_BASE_URL (default https://api.telegram.org).
"""

from __future__ import annotations

import html
import json
from dataclasses import replace
from pathlib import Path

from newsroom.content.characters import find_invisible, invisible_message
from newsroom.errors import ManualTask, OutcomeUnknown, SendError
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
from newsroom.publishing.text import german_number
from newsroom.secrets import redact

PHOTO_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}
PHOTO_MAX_BYTES = 10 * 1024 * 1024  # sendPhoto: "The photo must be at most 10 MB in size."
GONE = "message to delete not found"
TOO_OLD = "message can't be deleted"
CANNOT_DELETE = "nicht löschbar"


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def as_html(text: str) -> str:
    """Plain text for parse_mode HTML: what is not a tag or entity must have & < > escaped."""
    return html.escape(text, quote=False)


class TelegramChannel(Channel):
    name = "telegram"
    label = "Telegram"
    idempotent = False
    can_look_up = False
    correction_idempotent = False
    correction_lookup = False
    marks_start = True
    required_env = ("TOKEN", "CHAT")
    default_base_url = "https://api.telegram.org"

    @property
    def caption_max(self) -> int:
        return self.settings["TELEGRAM_CAPTION_MAX"]

    @property
    def message_max(self) -> int:
        return self.settings["TELEGRAM_MESSAGE_MAX"]

    def text_limit(self) -> TextLimit:
        # A text too long for a caption goes as a message, so the message's limit is the hard one.
        return TextLimit(self.message_max, unit="utf16")

    def count(self, text: str) -> int:
        return utf16_length(text)

    # -- rendering -------------------------------------------------------------------------------

    def render(self, release: Release) -> Post:
        story = release.story
        text = self.template_text(release)
        photo = self._photo(release)
        if photo is not None and self.count(text) <= self.caption_max:
            url, file = photo
            payload = {"method": "sendPhoto", "caption": as_html(text), "parse_mode": "HTML", "photo": str(file)}
            return Post(self.name, story.id, text, link=release.url, media=(url,), payload=payload, alt="",
                        image=file)
        # The link preview shows the page's og:image: the story's picture where it has one.
        preview = {"url": release.url, "prefer_large_media": True}
        payload = {"method": "sendMessage", "text": as_html(text), "parse_mode": "HTML",
                   "link_preview_options": preview}
        url, file = release.image_for("card")  # the page's og:image
        media = (url,) if url and file is not None else ()
        return Post(self.name, story.id, text, link=release.url, media=media, payload=payload, alt="",
                    image=Path(file) if media else None)

    def _photo(self, release: Release) -> tuple[str, Path] | None:
        """The picture to upload: the 16:9 crop, else the lead image; None when Telegram would refuse it."""
        url, file = self.picture(release)
        if not url or file is None:
            return None
        file = Path(file)
        if file.suffix.lower() not in PHOTO_TYPES or not file.is_file() or file.stat().st_size > PHOTO_MAX_BYTES:
            return None
        return url, file

    def validate(self, post: Post) -> list[str]:
        if post.action == WITHDRAW:  # nothing is posted: the text only says what is deleted
            return []
        problems = []
        found = find_invisible(post.text, emoji_joiner=True)
        if found:
            problems.append(f"Telegram: {invisible_message(post.text, *found)}")
        count = self.count(post.text)
        limit = self.caption_max if post.payload.get("method") == "sendPhoto" else self.message_max
        if count > limit:
            problems.append(f"Telegram: Der Text hat {german_number(count)} Zeichen, erlaubt sind "
                            f"{german_number(limit)} (gezählt wie Telegram: ein Emoji zählt 2). Bitte unter "
                            "channels.telegram.text kürzen.")
        return problems

    # -- the Bot API -----------------------------------------------------------------------------

    def _chat(self, post: Post | None = None) -> str:
        """The channel: the one the first send went to (for a reply or deletion), else the configured one."""
        recorded = ((post.original.get("detail") or {}).get("chat") if post is not None else None)
        return str(recorded) if recorded else self.credentials.require("CHAT", secret=False)

    def _answer(self, client, method: str, *, idempotent: bool, **kwargs) -> tuple[int, dict]:
        """(HTTP status, Telegram's answer) of one call; refusals are answers too, for the caller to read."""
        url = f"{self.base_url}/bot{self.credentials.require('TOKEN')}/{method}"
        response = client.request("POST", url, idempotent=idempotent, limited=retry_after,
                                  accept=(400, 401, 403, 404), **kwargs)
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            if response.status_code < 400:  # accepted, but which message it made cannot be told
                raise OutcomeUnknown(f"Telegram: {method} wurde angenommen, die Antwort ist aber nicht lesbar; ob "
                                     "der Beitrag angekommen ist, ist offen.")
            raise SendError(f"Telegram: {method} antwortete ohne lesbares Ergebnis (HTTP {response.status_code}).",
                            status=response.status_code)
        return response.status_code, answer

    def _call(self, client, method: str, *, idempotent: bool = False, **kwargs) -> dict:
        status, answer = self._answer(client, method, idempotent=idempotent, **kwargs)
        if status < 400 and answer.get("ok"):
            return answer.get("result")
        raise SendError(refusal(method, status, answer, self.caption_max, self.message_max), status=status)

    def _delivery(self, message: dict, chat: str) -> Delivery:
        if not isinstance(message, dict) or "message_id" not in message:
            raise OutcomeUnknown("Telegram: Die Antwort nennt keine Nachricht (message_id fehlt); ob der Beitrag "
                                 "angekommen ist, ist offen.")
        about = message.get("chat") or {}
        return Delivery(str(message["message_id"]), message_url(about, chat, message["message_id"]),
                        {"chat": about.get("id", chat)})

    def send(self, post: Post, context: SendContext) -> Delivery:
        client, chat, payload = context.client, self._chat(), post.payload
        if payload["method"] == "sendPhoto":
            file = Path(payload["photo"])
            data = {"chat_id": chat, "caption": payload["caption"], "parse_mode": "HTML"}
            # Bytes, not an open file: a request repeated after a 429 uploads the whole picture again.
            photo = (file.name, file.read_bytes(), PHOTO_TYPES[file.suffix.lower()])
            self.mark_start(context)
            message = self._call(client, "sendPhoto", data=data, files={"photo": photo})
        else:
            body = {"chat_id": chat, **{k: v for k, v in payload.items() if k not in ("method", "marker", "reply_to")}}
            self.mark_start(context)
            message = self._call(client, "sendMessage", json=body)
        return self._delivery(message, chat)

    # -- corrections and withdrawal ----------------------------------------------------------------

    def render_correction(self, release, correction, original) -> Post:
        post = super().render_correction(release, correction, original)
        first = original.get("remote_id")
        payload = {"method": "sendMessage", "text": as_html(post.text), "parse_mode": "HTML",
                   "link_preview_options": {"is_disabled": True}, "marker": post.payload["marker"],
                   "reply_to": str(first) if first else ""}
        return replace(post, payload=payload)

    def correct(self, post: Post, context: SendContext) -> Delivery:
        first = post.payload.get("reply_to")
        if not first:
            raise ManualTask("Telegram: Im Versandprotokoll steht keine Nummer der ersten Nachricht (sie wurde von "
                             "Hand als gesendet eingetragen). Bitte im Kanal auf die Nachricht zur Meldung antworten "
                             f"und die Berichtigung einfügen: {post.text}")
        chat = self._chat(post)
        body = {"chat_id": chat, **{k: v for k, v in post.payload.items() if k not in ("method", "marker", "reply_to")},
                "reply_parameters": {"message_id": int(first)}}
        self.mark_start(context)
        return self._delivery(self._call(context.client, "sendMessage", json=body), chat)

    def withdraw(self, post: Post, context: SendContext) -> Delivery:
        if not original_posts(post.original):
            raise ManualTask("Telegram: Im Versandprotokoll steht keine Nummer der Nachricht (sie wurde von Hand als "
                             "gesendet eingetragen). Bitte im Kanal die Nachricht zur Meldung und ihre Antworten von "
                             "Hand löschen.")
        chat = self._chat(post)

        def delete(remote_id: str) -> str:
            # Safe to repeat: a message already gone answers "message to delete not found".
            status, answer = self._answer(context.client, "deleteMessage", idempotent=True,
                                          json={"chat_id": chat, "message_id": int(remote_id)})
            description = str(answer.get("description") or "")
            if status < 400 and answer.get("ok"):
                return "gelöscht"
            if GONE in description:
                return "schon gelöscht"
            if TOO_OLD in description:
                return CANNOT_DELETE
            raise SendError(refusal("deleteMessage", status, answer, self.caption_max, self.message_max),
                            status=status)

        delivery = self.delete_each(post, context, delete)
        left = [remote_id for remote_id, answer in delivery.detail["deleted"].items() if answer == CANNOT_DELETE]
        if left:
            # The first message's address names the channel as readers know it; the others share it.
            first = str(post.original.get("url") or "")
            base = first.rsplit("/", 1)[0] if first.startswith("https://t.me/") else None
            where = ", ".join(f"{base}/{remote_id}" if base else str(message_url({}, chat, remote_id))
                              for remote_id in left)
            raise ManualTask(f"Telegram: {len(left)} Nachricht(en) lassen sich über die Schnittstelle nicht löschen "
                             "(ein Bot darf eigene Nachrichten nur in den ersten 48 Stunden löschen, es sei denn, er "
                             "hat im Kanal das Recht „Nachrichten löschen“). Bitte in der Telegram-App im Kanal "
                             f"öffnen und über „Löschen“ entfernen: {where}. Danach eintragen.")
        return delivery


def retry_after(response) -> float | bool:
    """A 429's wait as Telegram names it (`parameters.retry_after`, seconds); False when it does not."""
    if response.status_code != 429:
        return False
    try:
        seconds = response.json()["parameters"]["retry_after"]
    except (ValueError, KeyError, TypeError):
        return False
    return float(seconds) if isinstance(seconds, (int, float)) and not isinstance(seconds, bool) else False


def message_url(chat: dict, configured: str, message_id) -> str | None:
    """t.me/<name>/<id> for a public channel, t.me/c/<id>/<id> for a private one (its id without -100)."""
    name = chat.get("username") or (configured[1:] if str(configured).startswith("@") else None)
    if name:
        return f"https://t.me/{name}/{message_id}"
    number = str(chat.get("id") or configured)
    return f"https://t.me/c/{number[4:]}/{message_id}" if number.startswith("-100") else None


def refusal(method: str, status: int, answer: dict, caption_max: int, message_max: int) -> str:
    """Telegram's refusal in German, with its own words; never the request's address (it holds the token)."""
    description = redact(str(answer.get("description") or json.dumps(answer, ensure_ascii=False)))[:300]
    said = f"(Telegram: „{description}“)"
    if status == 401:
        return f"Telegram: Der Bot-Token wird nicht angenommen {said}. Bitte NEWSROOM_TELEGRAM_TOKEN prüfen."
    if status == 403:
        return (f"Telegram: Der Bot darf in den Kanal nicht schreiben {said}. Bitte den Bot im Kanal als Administrator "
                "mit dem Recht „Nachrichten veröffentlichen“ eintragen.")
    if "chat not found" in description:
        return f"Telegram: Den Kanal gibt es nicht {said}. Bitte NEWSROOM_TELEGRAM_CHAT prüfen (@name oder Nummer)."
    if "caption is too long" in description:
        return (f"Telegram: Die Bildunterschrift ist zu lang {said}; erlaubt sind {german_number(caption_max)} "
                "Zeichen. Bitte unter channels.telegram.text kürzen.")
    if "message is too long" in description:
        return (f"Telegram: Der Text ist zu lang {said}; erlaubt sind {german_number(message_max)} Zeichen. Bitte "
                "unter channels.telegram.text kürzen.")
    if "can't parse entities" in description:
        return f"Telegram: Der Text ließ sich als HTML nicht lesen {said}; nichts gesendet."
    if "replied not found" in description:
        return (f"Telegram: Die erste Nachricht ist im Kanal nicht mehr da {said}; die Berichtigung wurde nicht "
                "gesendet.")
    return f"Telegram: {method} abgelehnt (HTTP {status}) {said}."


def adapters(_sender):
    return TelegramChannel


def register() -> None:
    channel_adapters.connect(adapters)
