"""youtube: uploads the video of a story (news clips, the weekly video review) to YouTube.

The video is the first one the story's text links from the media folder, e.g.
`[Video ansehen](media:videos/wochenrueckblick.mp4)`; its title is the `title` of the
video's description file (`wochenrueckblick.mp4.yml`) or else the story's title; the
description is the editor's own text (channels.youtube.text) or the house template
(theme/templates/channels/youtube.txt: summary, the story's address, hashtags). Limits (YouTube Data API v3, video resource): title at most
100 characters, description at most 5,000 bytes, neither with `<` or `>`; tags 500
characters together.

API: resumable upload. POST /upload/youtube/v3/videos?uploadType=resumable&part=snippet,status
with the metadata opens a session (its address comes back in `Location`); PUT sends the
bytes. A lost answer or a 5xx during the PUT is followed by a status query on the same
session (`Content-Range: bytes */<size>`): 200/201 means it is done (with the video),
308 says how much arrived (`Range`), and the upload resumes from there, so a video is
never uploaded twice in one send. Quota: `403 quotaExceeded` (resets at midnight Pacific
time) and `400 uploadLimitExceeded` are retries for a later run. Not idempotent across
runs; lookup: the channel's uploads playlist, matched by the story's address in the
description. Uploads from API projects that Google has not audited stay private.

Correction: the video's description gets the correction at its start. videos.update replaces
every property of the parts it is sent, so the video is read first (GET /youtube/v3/videos
?part=snippet, 1 quota unit) and its snippet sent back whole (title and categoryId are
required) with the new description (PUT /youtube/v3/videos?part=snippet, 50 units). It is
idempotent: a description that already carries the correction's marker ("Berichtigung vom …")
is left as it is, so a repeated or recovered send changes nothing; the lookup reads the same.
Where the description would exceed its limit, the short form (marker and link) is used; if
even that does not fit, it is a manual task. Withdrawal: the video is made private
(videos.update part=status, the other status properties sent back as read, `publishAt`
dropped so that a scheduled video cannot go public later). Private rather than
videos.delete: it is undone with one click if the withdrawal was a mistake, and the video,
its comments and figures stay with the channel; the desk deletes it by hand where it must go.
A video already private or gone counts as done.
Environment: NEWSROOM_YOUTUBE_CLIENT_ID, NEWSROOM_YOUTUBE_CLIENT_SECRET,
NEWSROOM_YOUTUBE_REFRESH_TOKEN (OAuth 2.0 with scope youtube.upload, plus youtube.readonly
for the lookup; corrections and withdrawal need youtube, which covers reading and
videos.update), NEWSROOM_YOUTUBE_TOKEN_URL (default https://oauth2.googleapis.com/token),
NEWSROOM_YOUTUBE_BASE_URL (default https://www.googleapis.com).
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from newsroom.errors import ContentError, ContentErrors, ManualTask, OutcomeUnknown, SendError
from newsroom.media.library import MediaLibrary
from newsroom.publishing.channel import (
    CORRECT,
    PUBLISH,
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
from newsroom.publishing.text import correction_text, german_number
from newsroom.secrets import REDACTOR

if TYPE_CHECKING:  # requests is imported where a request is made: builds need not load it
    import requests

VIDEO_TYPES = {".mp4": "video/mp4", ".m4v": "video/x-m4v", ".mov": "video/quicktime", ".webm": "video/webm",
               ".mpeg": "video/mpeg", ".mpg": "video/mpeg", ".avi": "video/x-msvideo", ".wmv": "video/x-ms-wmv",
               ".3gp": "video/3gpp", ".flv": "video/x-flv"}
PACIFIC = ZoneInfo("America/Los_Angeles")
MAX_RESUMES = 5
# What videos.update takes back of what videos.list returns (the rest is read-only).
SNIPPET_FIELDS = ("title", "description", "tags", "categoryId", "defaultLanguage", "defaultAudioLanguage")
STATUS_FIELDS = ("privacyStatus", "embeddable", "license", "publicStatsViewable", "selfDeclaredMadeForKids",
                 "containsSyntheticMedia")


def quota_limited(response: requests.Response) -> bool | float:
    """YouTube's quota answers: the daily quota resets at midnight Pacific time; the upload
    limit per channel after about a day; short-term rate limits just back off."""
    try:
        reasons = {e.get("reason") for e in response.json()["error"].get("errors", [])}
    except (ValueError, KeyError, TypeError, AttributeError):
        return False
    if "quotaExceeded" in reasons:
        now = datetime.now(PACIFIC)
        midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        return (midnight - now).total_seconds()
    if "uploadLimitExceeded" in reasons:
        return 24 * 3600.0
    return bool(reasons & {"rateLimitExceeded", "userRateLimitExceeded"})


class YouTubeChannel(Channel):
    name = "youtube"
    label = "YouTube"
    idempotent = False
    can_look_up = True
    correction_idempotent = True
    correction_lookup = True
    required_env = ("CLIENT_ID", "CLIENT_SECRET", "REFRESH_TOKEN")
    default_base_url = "https://www.googleapis.com"

    def __init__(self, settings, urls, environ=None):
        super().__init__(settings, urls, environ)
        self.media_root = Path(settings["PATH"]) / settings["MEDIA_DIR"]
        self.library = MediaLibrary(self.media_root, Path(settings["PATH"]).parent)
        self._token: tuple[str, float] | None = None

    def text_limit(self) -> TextLimit:
        # The own text is the video's description.
        return TextLimit(self.settings["YOUTUBE_DESCRIPTION_MAX_BYTES"], unit="bytes")

    def _video(self, release: Release) -> tuple[str, str | None] | None:
        """(media path, title from its description file) of the first video the story links."""
        for ref in release.story.media_refs:
            if Path(ref).suffix.lower() in VIDEO_TYPES:
                try:
                    item = self.library.get(ref, source=release.story.source, line=None, field=None)
                except (ContentError, ContentErrors):
                    return ref, None  # the story's own check reports the broken description
                return ref, item.title
        return None

    def render(self, release: Release) -> Post:
        story = release.story
        description = self.template_text(release)
        video = self._video(release)
        title = (video[1] if video and video[1] else story.title).strip()
        payload: dict = {
            "snippet": {"title": title, "description": description, "tags": list(story.tags),
                        "categoryId": self.settings["YOUTUBE_CATEGORY_ID"], "defaultLanguage": "de",
                        "defaultAudioLanguage": "de"},
            "status": {"privacyStatus": self.settings["YOUTUBE_PRIVACY"], "selfDeclaredMadeForKids": False,
                       "embeddable": True},
        }
        media: tuple[str, ...] = ()
        if video:
            path = video[0]
            payload["video"] = {"file": str(self.media_root / path), "path": path,
                                "type": VIDEO_TYPES[Path(path).suffix.lower()]}
            media = (self.urls.absolute(self.urls.media(path)),)
        return Post(self.name, story.id, description, link=release.url, title=title, media=media, payload=payload)

    def validate(self, post: Post) -> list[str]:
        if post.action == CORRECT:
            found = sorted({c for c in post.text if c in "<>"})
            return ["YouTube: Die Berichtigung enthält " + " und ".join(f"„{c}“" for c in found)
                    + ", das erlaubt YouTube in der Beschreibung nicht."] if found else []
        if post.action != PUBLISH:
            return []
        problems = []
        video = post.payload.get("video")
        if not video:
            problems.append("YouTube braucht ein Video: Die Meldung bindet keines ein. Bitte das Video unter "
                            "content/media/ ablegen und im Text verlinken, z. B. [Video ansehen]"
                            "(media:videos/clip.mp4); Formate: " + ", ".join(sorted(VIDEO_TYPES)) + ".")
        title, description = post.payload["snippet"]["title"], post.payload["snippet"]["description"]
        limit = self.settings["YOUTUBE_TITLE_MAX"]
        if len(title) > limit:
            where = f"in {Path(video['path']).name}.yml" if video else "der Meldung"
            problems.append(f"YouTube: Der Titel hat {len(title)} Zeichen, erlaubt sind {limit}. Bitte einen "
                            f"kürzeren Titel angeben (Feld title {where}).")
        size, limit = len(description.encode("utf-8")), self.settings["YOUTUBE_DESCRIPTION_MAX_BYTES"]
        if size > limit:
            problems.append(f"YouTube: Die Beschreibung hat {german_number(size)} Bytes (UTF-8: Umlaute zählen 2, "
                            f"Emoji 4), erlaubt sind {german_number(limit)}. "
                            "Bitte unter channels.youtube.text kürzen.")
        for label, text in (("Titel", title), ("Beschreibung", description)):
            found = sorted({c for c in text if c in "<>"})
            if found:
                problems.append(f"YouTube: {'Der' if label == 'Titel' else 'Die'} {label} enthält "
                                + " und ".join(f"„{c}“" for c in found) + ", das erlaubt YouTube nicht.")
        tags = post.payload["snippet"]["tags"]
        length = sum(len(t) + (2 if " " in t else 0) for t in tags) + max(0, len(tags) - 1)
        if length > 500:
            problems.append(f"YouTube: Die Schlagworte (tags) ergeben zusammen {length} Zeichen, erlaubt sind 500.")
        return problems

    def _access_token(self, client) -> str:
        """A fresh access token from the refresh token (Google's access tokens live an hour)."""
        if self._token and self._token[1] > time.monotonic() + 60:
            return self._token[0]
        require = self.credentials.require
        url = self.credentials.get("TOKEN_URL", "https://oauth2.googleapis.com/token", secret=False)
        answer = client.request("POST", url, idempotent=True,
                                data={"client_id": require("CLIENT_ID"), "client_secret": require("CLIENT_SECRET"),
                                      "refresh_token": require("REFRESH_TOKEN"), "grant_type": "refresh_token"}).json()
        token = answer.get("access_token")
        if not token:
            raise SendError("YouTube: Der Token-Dienst gab kein access_token zurück.")
        REDACTOR.add(token)  # kept out of every log and record like the configured secrets
        self._token = (token, time.monotonic() + float(answer.get("expires_in", 3600)))
        return token

    def _headers(self, client, **extra) -> dict:
        return {"Authorization": f"Bearer {self._access_token(client)}", **extra}

    def send(self, post: Post, context: SendContext) -> Delivery:
        client, video = context.client, post.payload["video"]
        path, kind = Path(video["file"]), video["type"]
        total = path.stat().st_size
        metadata = {"snippet": post.payload["snippet"], "status": post.payload["status"]}
        # Opening a session uploads nothing: repeating it is harmless.
        opened = client.request("POST", f"{self.base_url}/upload/youtube/v3/videos", idempotent=True,
                                limited=quota_limited, params={"uploadType": "resumable", "part": "snippet,status"},
                                headers=self._headers(client, **{"X-Upload-Content-Length": str(total),
                                                                 "X-Upload-Content-Type": kind}),
                                json=metadata)
        session = opened.headers.get("Location")
        if not session:
            raise SendError("YouTube: Die Upload-Sitzung kam ohne Adresse (Location) zurück.")
        offset, answer = 0, None
        for _ in range(MAX_RESUMES + 1):
            try:
                answer = self._put(client, session, path, offset, total, kind)
            except OutcomeUnknown:
                answer = None
            if answer is not None and answer.status_code in (200, 201):
                break
            answer, offset = self._upload_status(client, session, total)
            if answer is not None:
                break
        else:
            raise SendError("YouTube: Das Hochladen brach wiederholt ab; nächster Versuch im nächsten Lauf.",
                            retry=True)
        resource = answer.json()
        if "id" not in resource:
            raise SendError("YouTube: Hochgeladen, aber die Antwort nennt keine Video-id.")
        privacy = (resource.get("status") or {}).get("privacyStatus")
        note = ""
        if privacy and privacy != post.payload["status"]["privacyStatus"]:
            note = (f"YouTube hat das Video als „{privacy}“ gespeichert (Uploads aus ungeprüften API-Projekten "
                    "bleiben privat); bitte in YouTube Studio freigeben.")
        return Delivery(str(resource["id"]), f"https://www.youtube.com/watch?v={resource['id']}",
                        detail={"privacy": privacy} if privacy else {}, note=note)

    def _put(self, client, session: str, path: Path, offset: int, total: int, kind: str) -> requests.Response:
        headers = self._headers(client, **{"Content-Type": kind, "Content-Length": str(total - offset)})
        if offset:
            headers["Content-Range"] = f"bytes {offset}-{total - 1}/{total}"
        with open(path, "rb") as handle:
            return client.request("PUT", session, idempotent=False, limited=quota_limited, headers=headers,
                                  data=_Remaining(handle, offset, total - offset), allow_redirects=False)

    def _upload_status(self, client, session: str, total: int) -> tuple[requests.Response | None, int]:
        """Ask the session how far it got: (the finished answer, 0) or (None, next offset)."""
        answer = client.request("PUT", session, idempotent=True, allow_redirects=False,
                                headers=self._headers(client, **{"Content-Range": f"bytes */{total}",
                                                                 "Content-Length": "0"}))
        if answer.status_code in (200, 201):
            return answer, 0
        received = answer.headers.get("Range", "")  # "bytes=0-524287"
        try:
            return None, int(received.rsplit("-", 1)[1]) + 1 if received else 0
        except (IndexError, ValueError):
            return None, 0

    def lookup(self, post: Post, context: SendContext) -> Delivery | None:
        client = context.client
        channels = client.request("GET", f"{self.base_url}/youtube/v3/channels", idempotent=True,
                                  limited=quota_limited, headers=self._headers(client),
                                  params={"part": "contentDetails", "mine": "true"}).json()
        for channel in channels.get("items") or []:
            uploads = ((channel.get("contentDetails") or {}).get("relatedPlaylists") or {}).get("uploads")
            if not uploads:
                continue
            items = client.request("GET", f"{self.base_url}/youtube/v3/playlistItems", idempotent=True,
                                   limited=quota_limited, headers=self._headers(client),
                                   params={"part": "snippet", "playlistId": uploads, "maxResults": 25}).json()
            for item in items.get("items") or []:
                snippet = item.get("snippet") or {}
                video_id = (snippet.get("resourceId") or {}).get("videoId")
                if video_id and post.link and post.link in (snippet.get("description") or ""):
                    return Delivery(str(video_id), f"https://www.youtube.com/watch?v={video_id}")
        return None

    # -- corrections and withdrawal ------------------------------------------------------------

    def render_correction(self, release, correction, original) -> Post:
        post = super().render_correction(release, correction, original)
        video = original_posts(original)[:1]
        payload = {**post.payload, "short": correction_text(release, correction, fits=lambda text: False),
                   **({"video": video[0]} if video else {})}
        return Post(post.channel, post.story_id, post.text, link=post.link, payload=payload, action=post.action,
                    original=original)

    def render_withdrawal(self, release, withdrawal, original) -> Post:
        video = original_posts(original)[:1]
        text = (f"Auf privat gestellt wird: {', '.join(_watch(v) for v in video)} "
                f"(zurückgezogen: {withdrawal.reason})")
        return Post(self.name, release.story.id, text, link=release.url,
                    payload={"video": video[0] if video else "", "privacyStatus": "private"}, action=WITHDRAW,
                    original=original)

    def _video_id(self, post: Post) -> str:
        video = post.payload.get("video")
        if not video:
            raise SendError("YouTube: Die erste Sendung hat keine Video-id im Versandprotokoll.")
        return video

    def _read(self, client, video: str, part: str) -> dict | None:
        """The video's `part` as videos.list returns it; None when the channel has no such video."""
        answer = client.request("GET", f"{self.base_url}/youtube/v3/videos", idempotent=True, limited=quota_limited,
                                headers=self._headers(client), params={"part": part, "id": video}).json()
        items = answer.get("items") or []
        return (items[0].get(part) or {}) if items else None

    def _update(self, client, video: str, part: str, values: dict) -> None:
        # The same body twice leaves the same video: safe to repeat after a lost answer.
        client.request("PUT", f"{self.base_url}/youtube/v3/videos", idempotent=True, limited=quota_limited,
                       headers=self._headers(client), params={"part": part}, json={"id": video, part: values})

    def lookup_correction(self, post: Post, context: SendContext) -> Delivery | None:
        video = self._video_id(post)
        snippet = self._read(context.client, video, "snippet")
        if snippet is not None and post.payload["marker"] in (snippet.get("description") or ""):
            return Delivery(video, _watch(video), {"description": "Berichtigung steht am Anfang"})
        return None

    def correct(self, post: Post, context: SendContext) -> Delivery:
        client, video = context.client, self._video_id(post)
        snippet = self._read(client, video, "snippet")
        if snippet is None:
            raise SendError(f"YouTube: Das Video {video} ist nicht mehr auf dem Kanal; nichts zu berichtigen.")
        old = snippet.get("description") or ""
        if post.payload["marker"] in old:
            return Delivery(video, _watch(video), {"description": "Berichtigung steht am Anfang"})
        limit = self.settings["YOUTUBE_DESCRIPTION_MAX_BYTES"]
        for text in (post.text, post.payload["short"]):
            description = f"{text}\n\n{old}" if old else text
            if len(description.encode("utf-8")) <= limit:
                break
        else:
            raise ManualTask(f"YouTube: Mit der Berichtigung wäre die Beschreibung von {_watch(video)} länger als "
                             f"{german_number(limit)} Bytes. Bitte in YouTube Studio die Beschreibung kürzen und die "
                             f"Berichtigung an den Anfang setzen: {post.text}")
        values = {k: snippet[k] for k in SNIPPET_FIELDS if k in snippet} | {"description": description}
        self._update(client, video, "snippet", values)
        return Delivery(video, _watch(video), {"description": "Berichtigung vorangestellt"})

    def withdraw(self, post: Post, context: SendContext) -> Delivery:
        client, video = context.client, self._video_id(post)
        status = self._read(client, video, "status")
        if status is None:
            answer = "nicht mehr vorhanden (schon gelöscht)"
        elif status.get("privacyStatus") == "private" and not status.get("publishAt"):
            answer = "war schon privat"
        else:
            # Without publishAt: a scheduled video must not go public after its withdrawal.
            values = {k: status[k] for k in STATUS_FIELDS if k in status} | {"privacyStatus": "private"}
            self._update(client, video, "status", values)
            answer = f"auf privat gestellt (vorher: {status.get('privacyStatus') or 'unbekannt'})"
        return Delivery(video, _watch(video), {"hidden": {video: answer}}, note=f"YouTube-Video {video}: {answer}.")


def _watch(video: str) -> str:
    return f"https://www.youtube.com/watch?v={video}"


class _Remaining:
    """An open file from `offset` on, streamed in chunks; each iteration starts there again,
    so a request that is repeated (after a 429) sends the same bytes."""

    def __init__(self, handle, offset: int, length: int):
        self.handle, self.offset, self.length = handle, offset, length

    def __len__(self) -> int:
        return self.length

    def __iter__(self):
        self.handle.seek(self.offset)
        while chunk := self.handle.read(1 << 20):
            yield chunk


def adapters(_sender):
    return YouTubeChannel


def register() -> None:
    channel_adapters.connect(adapters)
