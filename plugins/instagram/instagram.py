"""instagram: posts a story's lead image with a caption to the city's Instagram account.

API (Instagram Graph API, content publishing): 1) POST /{ig-user-id}/media with
`image_url` (Meta fetches it, so it must be public: the image on the live site),
`caption`, `alt_text` → a container id; 2) GET /{container}?fields=status_code until
FINISHED (IN_PROGRESS, ERROR, EXPIRED after 24 h, PUBLISHED); 3) POST
/{ig-user-id}/media_publish with `creation_id` → the media id, its address from
GET /{media}?fields=permalink. Before that, GET /{ig-user-id}/content_publishing_limit:
a used-up daily quota (50 posts per 24 h) is a retry for the next run, not an error.
The container id is recorded (checkpoint) before publishing, so a retry publishes the
same container instead of making a second one. Not idempotent; lookup: the account's
latest media, matched by the story's address in the caption.
Corrections and withdrawal are manual tasks for the desk, with the post's address: the API
cannot change a published caption (POST /{ig-media-id} takes only `comment_enabled`) and the
IG Media reference documents no deletion. A comment by the account (POST
/{ig-media-id}/comments, instagram_manage_comments) was left aside on purpose: it ends up
among the readers' comments, its link cannot be followed, and the caption would go on saying
what is wrong; the caption edited in the app puts the correction where the post is read.
Environment: NEWSROOM_INSTAGRAM_USER_ID, NEWSROOM_INSTAGRAM_TOKEN (instagram_basic,
instagram_content_publish), NEWSROOM_INSTAGRAM_BASE_URL (default https://graph.facebook.com;
https://graph.instagram.com for Instagram Login; version: META_GRAPH_API_VERSION).
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import TYPE_CHECKING

from newsroom.errors import ManualTask, SendError
from newsroom.publishing import graph
from newsroom.publishing.channel import (
    PUBLISH,
    Channel,
    Delivery,
    Post,
    Release,
    SendContext,
    TextLimit,
    channel_adapters,
    original_url,
)
from newsroom.publishing.text import count_hashtags, german_number

from .images import read_image

if TYPE_CHECKING:
    from datetime import datetime

MENTION = re.compile(r"(?:^|(?<=\s))@[\w.]+")


class InstagramChannel(Channel):
    name = "instagram"
    label = "Instagram"
    idempotent = False
    can_look_up = True
    required_env = ("USER_ID", "TOKEN")
    default_base_url = "https://graph.facebook.com"

    def __init__(self, settings, urls, environ=None):
        super().__init__(settings, urls, environ)
        self._containers: dict[str, str] = {}  # idempotency key → container made in this run

    def text_limit(self) -> TextLimit:
        return TextLimit(self.settings["INSTAGRAM_CAPTION_MAX"])

    @property
    def graph_url(self) -> str:
        return graph.api_url(self.base_url, self.settings)

    def render(self, release: Release) -> Post:
        story = release.story
        caption = self.template_text(release)
        # The media portal's Instagram rendition (JPEG, cropped into the aspect range, without
        # EXIF) when there is one; else the lead image as it is, checked as it is.
        variant = release.image_renditions.get("instagram")
        image_url, image_file, shown = ((variant[0], variant[1], f"{story.image} (Instagram-Fassung)") if variant
                                        else (release.image_url, release.image_file, story.image))
        payload: dict = {"image_url": image_url, "caption": caption, "alt_text": release.image_alt or ""}
        if image_file is not None:
            payload["image"] = {"file": str(image_file), "path": shown}
        media = (image_url,) if image_url else ()
        return Post(self.name, story.id, caption, link=release.url, media=media, payload=payload)

    def validate(self, post: Post) -> list[str]:
        if post.action != PUBLISH:
            return []  # done by hand in the app: nothing is sent that Instagram could refuse
        problems = self._caption_problems(post.text)
        image = post.payload.get("image")
        if not image:
            return ["Instagram braucht ein Bild: Die Meldung hat kein Aufmacherbild (Feld image)."] + problems
        return self._image_problems(Path(image["file"]), image["path"]) + problems

    def _caption_problems(self, caption: str) -> list[str]:
        problems = []
        limit = self.settings["INSTAGRAM_CAPTION_MAX"]
        if len(caption) > limit:
            problems.append(f"Instagram: Die Bildunterschrift hat {german_number(len(caption))} Zeichen, erlaubt "
                            f"sind {german_number(limit)}. Bitte unter channels.instagram.text kürzen.")
        tags, most = count_hashtags(caption), self.settings["INSTAGRAM_MAX_HASHTAGS"]
        if tags > most:
            problems.append(f"Instagram: Die Bildunterschrift hat {tags} Hashtags, erlaubt sind {most}. "
                            "Bitte Schlagworte (tags) oder Hashtags unter channels.instagram.text streichen.")
        mentions, most = len(MENTION.findall(caption)), self.settings["INSTAGRAM_MAX_MENTIONS"]
        if mentions > most:
            problems.append(f"Instagram: Die Bildunterschrift erwähnt {mentions} Konten (@…), erlaubt sind {most}.")
        return problems

    def _image_problems(self, file: Path, shown: str) -> list[str]:
        try:
            facts = read_image(file)
        except OSError:
            return [f"Instagram: Das Bild {shown} lässt sich nicht lesen."]
        problems = []
        if facts.format != "JPEG":
            problems.append(f"Instagram: Das Bild {shown} ist im Format {facts.format}; Instagram nimmt nur JPEG. "
                            "Bitte eine JPEG-Fassung als Aufmacherbild verwenden.")
        elif facts.width is None or not facts.height:
            problems.append(f"Instagram: Die Bildgröße von {shown} lässt sich nicht lesen (beschädigte Datei?).")
        else:
            low, high = self.settings["INSTAGRAM_ASPECT_RATIO"]
            # width/height within [low, high], compared exactly in integers
            if facts.width * low[1] < facts.height * low[0] or facts.width * high[1] > facts.height * high[0]:
                ratio = german_number(facts.width / facts.height, 2)
                problems.append(
                    f"Instagram: Das Bild {shown} hat das Seitenverhältnis {ratio}:1 ({facts.width} × {facts.height} "
                    f"Pixel); erlaubt ist {low[0]}:{low[1]} (0,8:1, hoch) bis {german_number(high[0] / high[1], 2)}:1 "
                    "(quer). Bitte einen passenden Ausschnitt als Aufmacherbild verwenden.")
        limit = self.settings["INSTAGRAM_IMAGE_MAX_BYTES"]
        if facts.size > limit:
            problems.append(f"Instagram: Das Bild {shown} ist {german_number(facts.size / 1_000_000, 1)} MB groß; "
                            f"erlaubt sind höchstens {german_number(limit / 1_000_000, 0)} MB.")
        return problems

    def credential_expiry(self, client) -> datetime | None:
        return graph.token_expiry(client, self.graph_url, self.credentials.require("TOKEN"))

    def _auth(self) -> dict:
        return {"access_token": self.credentials.require("TOKEN")}

    def _get(self, client, node: str, **params) -> dict:
        return client.request("GET", f"{self.graph_url}/{node}", idempotent=True, limited=graph.limited,
                              params={**params, **self._auth()}).json()

    def send(self, post: Post, context: SendContext) -> Delivery:
        client, user = context.client, self.credentials.require("USER_ID", secret=False)
        self._check_quota(client, user)
        # The container of an earlier attempt: of this run (remembered here) or of a run before
        # (recorded in the claim's detail by the checkpoint).
        container = self._containers.get(context.key) or context.detail.get("container")
        status = self._status(client, container) if container else None
        if status == "PUBLISHED":  # published by an earlier attempt whose answer was lost
            found = self.lookup(post, context)
            if found:
                return found
            raise SendError("Instagram: Der Beitrag ist veröffentlicht, aber noch nicht in der Liste des Kontos; "
                            "nächster Versuch im nächsten Lauf.", retry=True)
        if status not in ("FINISHED", "IN_PROGRESS"):
            # Creating a container publishes nothing (unused ones expire), so it may be repeated.
            answer = client.request("POST", f"{self.graph_url}/{user}/media", idempotent=True,
                                    limited=graph.limited,
                                    data={k: post.payload[k] for k in ("image_url", "caption", "alt_text")}
                                    | self._auth()).json()
            container = str(answer.get("id") or "")
            if not container:
                raise SendError("Instagram: Container ohne id.")
            context.checkpoint({"container": container})
            self._containers[context.key] = container
            status = None
        self._wait_until_finished(client, container, status, context)
        published = client.request("POST", f"{self.graph_url}/{user}/media_publish", idempotent=False,
                                   limited=graph.limited, data={"creation_id": container, **self._auth()}).json()
        media_id = str(published.get("id") or "")
        if not media_id:
            raise SendError("Instagram: Veröffentlicht, aber die Antwort nennt keine id.")
        return Delivery(media_id, self._permalink(client, media_id), detail={"container": container})

    def _check_quota(self, client, user: str) -> None:
        try:
            answer = self._get(client, f"{user}/content_publishing_limit", fields="quota_usage,config")
        except SendError as exc:
            if exc.retry:
                raise
            return  # the limit cannot be read: media_publish will say so itself
        for item in answer.get("data") or []:
            used, total = item.get("quota_usage"), (item.get("config") or {}).get("quota_total")
            if isinstance(used, int) and isinstance(total, int) and used >= total:
                raise SendError(f"Instagram: {used} von {total} Beiträgen der letzten 24 Stunden sind "
                                "veröffentlicht (Tageslimit); nächster Versuch im nächsten Lauf.", retry=True)

    def _status(self, client, container: str) -> str:
        return self._container(client, container)[0]

    def _container(self, client, container: str) -> tuple[str, str]:
        """(status_code, status): the second explains an ERROR with Meta's subcode."""
        answer = self._get(client, container, fields="status_code,status")
        return str(answer.get("status_code") or ""), str(answer.get("status") or "")

    def _wait_until_finished(self, client, container: str, status: str | None, context: SendContext) -> None:
        pause = float(self.settings["INSTAGRAM_POLL_SECONDS"])
        explanation = ""
        for _ in range(self.settings["INSTAGRAM_POLL_ATTEMPTS"]):
            if status is None:
                status, explanation = self._container(client, container)
            if status == "FINISHED":
                return
            if status == "ERROR":
                raise SendError(f"Instagram: Das Bild wurde nicht angenommen ({explanation or 'ERROR'}). "
                                "Meta lädt es von der Website: ist sie erreichbar und das Bild ein JPEG?")
            if status == "EXPIRED":
                self._containers.pop(context.key, None)
                context.checkpoint({"container": ""})
                raise SendError("Instagram: Der Container ist abgelaufen (24 Stunden); der nächste Lauf legt einen "
                                "neuen an.", retry=True)
            if status == "PUBLISHED":
                raise SendError("Instagram: Der Container wurde inzwischen veröffentlicht; der nächste Lauf sieht "
                                "beim Konto nach.", retry=True)
            if time.monotonic() + pause > client.deadline:
                break
            time.sleep(pause)
            status = None
        raise SendError("Instagram: Das Bild wird noch verarbeitet; der nächste Lauf veröffentlicht es.", retry=True)

    def _permalink(self, client, media_id: str) -> str | None:
        try:
            return self._get(client, media_id, fields="permalink").get("permalink")
        except SendError:
            return None  # published anyway; the id is recorded

    def lookup(self, post: Post, context: SendContext) -> Delivery | None:
        user = self.credentials.require("USER_ID", secret=False)
        answer = self._get(context.client, f"{user}/media", fields="id,caption,permalink,timestamp", limit=25)
        for item in answer.get("data") or []:
            if post.link and post.link in (item.get("caption") or ""):
                return Delivery(str(item["id"]), item.get("permalink"))
        return None

    # -- corrections and withdrawal: by hand ---------------------------------------------------

    def correct(self, post: Post, context: SendContext) -> Delivery:
        raise ManualTask(f"Instagram: Die Bildunterschrift lässt sich über die Schnittstelle nicht ändern. Bitte in "
                         f"der Instagram-App den Beitrag {original_url(post.original)} öffnen, „Bearbeiten“ wählen "
                         f"und die Berichtigung an den Anfang der Bildunterschrift setzen: {post.text}")

    def withdraw(self, post: Post, context: SendContext) -> Delivery:
        raise ManualTask(f"Instagram: Beiträge lassen sich über die Schnittstelle nicht löschen. Bitte in der "
                         f"Instagram-App den Beitrag {original_url(post.original)} öffnen und über „…“ löschen "
                         "(oder archivieren, dann ist er nicht mehr öffentlich).")


def adapters(_sender):
    return InstagramChannel


def register() -> None:
    channel_adapters.connect(adapters)
