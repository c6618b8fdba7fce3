"""linkedin: posts a story to the city's LinkedIn page (organization) as a link card.

API (LinkedIn Marketing API, Community Management; every call to /rest/ carries
`LinkedIn-Version: YYYYMM` from the setting LINKEDIN_VERSION and `X-Restli-Protocol-Version:
2.0.0`; a version LinkedIn no longer serves is answered 426 NONEXISTENT_VERSION):
POST /rest/posts with the organization as `author`, the text as `commentary` in the "little"
text format (little.py), PUBLIC to the main feed and an `article` card (address, title,
summary, thumbnail); LinkedIn draws no card itself. The answer is 201 with the post's URN in
the `x-restli-id` header. The thumbnail is the media portal's `card` crop (1.91:1), else the
lead image: POST /rest/images?action=initializeUpload gives an upload address and an image
URN, then PUT the bytes there. An upload repeated leaves only an unused image, so it is
repeated freely; its URN is recorded (checkpoint) and taken again by a later attempt.
Not idempotent (no idempotency key); lookup: the organization's latest posts (GET
/rest/posts?q=author, r_organization_social), matched by the card's address or the address
in the text. LinkedIn refuses a post identical to one it has (422 DUPLICATE_POST naming the
post's URN): that post is taken as the one sent.
Correction: a comment by the organization on the first post, POST /rest/socialActions/{post
URN}/comments (plain text, not little text), looked up among the post's comments by the
organization and the correction's marker. Withdrawal: DELETE /rest/posts/{URN} for the post,
DELETE /rest/socialActions/{post URN}/comments/{id} for each correction; 404 counts as deleted.
Rate limits are daily per application and per member, reset at midnight UTC; a 429 says
nothing more, so without `Retry-After` the next run tries again (after midnight UTC).
Tokens live 60 days, refresh tokens 365 (tokens.py).
Environment: NEWSROOM_LINKEDIN_ORGANIZATION (the page's organization id or URN),
NEWSROOM_LINKEDIN_TOKEN (a member's access token with w_organization_social and
r_organization_social; the member is an administrator or content administrator of the page),
optionally NEWSROOM_LINKEDIN_REFRESH_TOKEN, NEWSROOM_LINKEDIN_CLIENT_ID,
NEWSROOM_LINKEDIN_CLIENT_SECRET (token expiry and refresh), NEWSROOM_LINKEDIN_BASE_URL
(default https://api.linkedin.com), NEWSROOM_LINKEDIN_OAUTH_URL (default https://www.linkedin.com).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from newsroom.errors import SendError
from newsroom.publishing.channel import (
    CORRECT,
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

from . import little, tokens

if TYPE_CHECKING:
    from newsroom.publishing.http import HttpClient

LOOKUP_COUNT = 50  # the organization's latest posts a lookup reads
_DUPLICATE = re.compile(r"duplicate of (urn:li:(?:share|ugcPost):[0-9]+)", re.IGNORECASE)


class LinkedInChannel(Channel):
    name = "linkedin"
    label = "LinkedIn"
    idempotent = False
    can_look_up = True
    correction_idempotent = False
    correction_lookup = True
    required_env = ("ORGANIZATION", "TOKEN")
    default_base_url = "https://api.linkedin.com"

    def __init__(self, settings: dict, urls, environ=None):
        super().__init__(settings, urls, environ)
        # Images uploaded in this run, by send key and file: a send repeated within the run reuses them.
        self._uploaded: dict[tuple[str, str], str] = {}

    @property
    def max_characters(self) -> int:
        return self.settings["LINKEDIN_MAX_CHARACTERS"]

    def text_limit(self) -> TextLimit:
        return TextLimit(self.max_characters)

    def count(self, text: str) -> int:
        """The commentary as sent: each reserved character with its backslash."""
        return len(little.escape(text))

    @property
    def organization(self) -> str:
        value = self.credentials.require("ORGANIZATION", secret=False)
        return value if value.startswith("urn:li:organization:") else f"urn:li:organization:{value}"

    # -- the post ---------------------------------------------------------------------------

    def render(self, release: Release) -> Post:
        story = release.story
        text = self.template_text(release)
        article = {"source": release.url, "title": story.title}
        if story.summary:
            article["description"] = story.summary
        image_url, image_file = self.picture(release)
        has_image = bool(image_url and image_file and Path(image_file).is_file())
        alt = (release.image_alt or "") if has_image else ""
        if alt:
            article["thumbnailAltText"] = alt
        body = {"commentary": little.escape(text), "visibility": "PUBLIC",
                "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [],
                                 "thirdPartyDistributionChannels": []},
                "content": {"article": article}, "lifecycleState": "PUBLISHED", "isReshareDisabledByAuthor": False}
        payload = {"post": body, **({"thumbnail": str(image_file)} if has_image else {})}
        return Post(self.name, story.id, text, link=release.url, title=story.title,
                    media=(image_url,) if has_image else (), payload=payload, alt=alt,
                    image=Path(image_file) if has_image else None)

    def validate(self, post: Post) -> list[str]:
        if post.action == WITHDRAW:  # nothing is posted: the text only says what is deleted
            return []
        length = len(post.text) if post.action == CORRECT else self.count(post.text)
        if length <= self.max_characters:
            return []
        escapes = length - len(post.text)
        why = f" (davon {german_number(escapes)} umgekehrte Schrägstriche, die LinkedIn vor " \
              "Klammern und ähnlichen Zeichen verlangt)" if escapes else ""
        return [f"LinkedIn: Der Text hat {german_number(length)} Zeichen{why}, erlaubt sind "
                f"{german_number(self.max_characters)}. Bitte unter channels.linkedin.text kürzen."]

    def send(self, post: Post, context: SendContext) -> Delivery:
        body = {**post.payload["post"], "author": self.organization}
        if post.payload.get("thumbnail"):
            article = {**body["content"]["article"], "thumbnail": self._image(post.payload["thumbnail"], context)}
            body["content"] = {"article": article}
        try:
            response = self._call(context.client, "POST", "/rest/posts", idempotent=False, json=body)
        except SendError as exc:
            duplicate = _DUPLICATE.search(str(exc)) if exc.status == 422 else None
            if duplicate:  # LinkedIn has this very post: an earlier attempt got through
                return Delivery(duplicate.group(1), post_url(duplicate.group(1)),
                                note="LinkedIn kannte den Beitrag schon (früher gesendet).")
            raise
        urn = response.headers.get("x-restli-id", "")
        if not urn:
            raise SendError("LinkedIn: Beitrag angelegt, aber die Antwort nennt keine URN (x-restli-id).")
        return Delivery(urn, post_url(urn))

    def _image(self, file: str, context: SendContext) -> str:
        """The thumbnail's image URN: the one an earlier attempt uploaded for the same file, else a new upload."""
        data = Path(file).read_bytes()
        digest = hashlib.sha256(data).hexdigest()[:16]
        known = self._uploaded.get((context.key, digest))
        if known:
            return known
        if context.detail.get("image") and context.detail.get("image_digest") == digest:
            return context.detail["image"]
        answer = self._call(context.client, "POST", "/rest/images", idempotent=True,
                            params={"action": "initializeUpload"},
                            json={"initializeUploadRequest": {"owner": self.organization}}).json().get("value") or {}
        if not answer.get("uploadUrl") or not answer.get("image"):
            raise SendError("LinkedIn: initializeUpload nennt keine Upload-Adresse oder kein Bild.")
        context.client.request("PUT", answer["uploadUrl"], idempotent=True, data=data,
                               headers={**self._auth(), "Content-Type": "application/octet-stream"})
        self._uploaded[(context.key, digest)] = answer["image"]
        context.checkpoint({"image": answer["image"], "image_digest": digest})
        return answer["image"]

    def lookup(self, post: Post, context: SendContext) -> Delivery | None:
        for item in self._latest(context.client):
            article = ((item.get("content") or {}).get("article") or {})
            text = little.unescape(item.get("commentary") or "")
            if post.link and (article.get("source") == post.link or post.link in text):
                return Delivery(str(item["id"]), post_url(str(item["id"])))
        return None

    def _latest(self, client: HttpClient) -> list[dict]:
        answer = self._call(client, "GET", "/rest/posts", idempotent=True, headers={"X-RestLi-Method": "FINDER"},
                            params={"q": "author", "author": self.organization, "count": LOOKUP_COUNT,
                                    "sortBy": "CREATED"}).json()
        return [item for item in answer.get("elements") or [] if item.get("id")]

    # -- corrections and withdrawal ------------------------------------------------------------

    def render_correction(self, release, correction, original) -> Post:
        post = super().render_correction(release, correction, original)
        root = original_posts(original)[-1:]  # the post itself, after any comments
        return replace(post, payload={**post.payload, **({"post": root[0]} if root else {})})

    def _commented_post(self, post: Post) -> str:
        target = post.payload.get("post")
        if not target:
            raise SendError("LinkedIn: Die erste Sendung hat keine URN im Versandprotokoll; kein Kommentar möglich.")
        return target

    def correct(self, post: Post, context: SendContext) -> Delivery:
        target = self._commented_post(post)
        response = self._call(context.client, "POST", f"/rest/socialActions/{quote(target, safe='')}/comments",
                              idempotent=False, json={"actor": self.organization, "object": target,
                                                      "message": {"text": post.payload["text"]}})
        answer = response.json() if response.content else {}
        urn = answer.get("commentUrn") or answer.get("$URN") or ""
        if not urn and (answer.get("id") or response.headers.get("x-restli-id")):
            urn = comment_urn(target, str(answer.get("id") or response.headers["x-restli-id"]))
        if not urn:
            raise SendError("LinkedIn: Kommentar angelegt, aber die Antwort nennt keine id.")
        return Delivery(urn, post_url(target), {"post": target})

    def lookup_correction(self, post: Post, context: SendContext) -> Delivery | None:
        target = self._commented_post(post)
        answer = self._call(context.client, "GET", f"/rest/socialActions/{quote(target, safe='')}/comments",
                            idempotent=True, params={"count": 100}).json()
        for item in answer.get("elements") or []:
            text = ((item.get("message") or {}).get("text") or "")
            if item.get("actor") == self.organization and post.payload["marker"] in text:
                urn = item.get("commentUrn") or item.get("$URN") or comment_urn(target, str(item.get("id")))
                return Delivery(urn, post_url(target), {"post": target})
        return None

    def withdraw(self, post: Post, context: SendContext) -> Delivery:
        posts = [urn for urn in original_posts(post.original) if not urn.startswith("urn:li:comment:")]

        def delete(urn: str) -> str:
            if urn.startswith("urn:li:comment:"):
                if not posts:
                    return "mit dem Beitrag gelöscht"
                path = f"/rest/socialActions/{quote(posts[0], safe='')}/comments/{quote(comment_id(urn), safe='')}"
                params = {"actor": self.organization}
            else:
                path, params = f"/rest/posts/{quote(urn, safe='')}", {}
            response = self._call(context.client, "DELETE", path, idempotent=True, accept=(404,), params=params,
                                  headers={"X-RestLi-Method": "DELETE"})
            return "schon gelöscht (404)" if response.status_code == 404 else f"gelöscht ({response.status_code})"

        return self.delete_each(post, context, delete)

    # -- HTTP and credentials ----------------------------------------------------------------

    def _auth(self) -> dict:
        return {"Authorization": f"Bearer {self.credentials.require('TOKEN')}"}

    def _call(self, client: HttpClient, method: str, path: str, *, idempotent: bool, headers: dict | None = None,
              **kwargs):
        """A versioned REST call; LinkedIn's own refusals said in German."""
        headers = {**self._auth(), "LinkedIn-Version": str(self.settings["LINKEDIN_VERSION"]),
                   "X-Restli-Protocol-Version": "2.0.0", **(headers or {})}
        try:
            return client.request(method, f"{self.base_url}{path}", idempotent=idempotent, limited=limited,
                                  headers=headers, **kwargs)
        except SendError as exc:
            raise self._explained(exc) from None

    def _explained(self, exc: SendError) -> SendError:
        if exc.status == 426:
            return SendError(f"LinkedIn: Die API-Version {self.settings['LINKEDIN_VERSION']} ist nicht (mehr) aktiv "
                             "(HTTP 426). Bitte LINKEDIN_VERSION auf eine aktuelle Version (JJJJMM) setzen.",
                             status=426)
        if exc.status == 401:
            return SendError(f"{exc} – Der Zugangsschlüssel (NEWSROOM_LINKEDIN_TOKEN) ist abgelaufen oder "
                             "widerrufen; bitte erneuern (docs/operations.md).", status=401)
        if exc.status == 403:
            return SendError(f"{exc} – Dem Schlüssel fehlt ein Recht (w_organization_social, r_organization_social) "
                             "oder der Person die Rolle als Administrator der Seite.", status=403)
        if exc.retry and "HTTP 429" in str(exc):
            return SendError("LinkedIn: Tageslimit erreicht (HTTP 429). LinkedIn setzt seine Limits um 0 Uhr UTC "
                             "zurück; der nächste Lauf danach versucht es wieder.", retry=True, status=429)
        return exc

    def credential_expiry(self, client: HttpClient) -> datetime | None:
        return tokens.expiry(client, self.credentials)

    def refresh_credentials(self, client: HttpClient) -> dict[str, str] | None:
        """New tokens from the refresh token, for `invoke credentials` to store; None without one."""
        return tokens.refresh(client, self.credentials)


def limited(response) -> bool | float:
    """LinkedIn's 429 names no reset time unless it is a short protection (Retry-After):
    its daily limits end at midnight UTC, so that is how long the client would wait."""
    if response.status_code != 429 or "Retry-After" in response.headers:
        return False
    now = datetime.now(timezone.utc)
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return (midnight - now).total_seconds()


def post_url(urn: str) -> str:
    return f"https://www.linkedin.com/feed/update/{urn}/"


def comment_urn(post: str, comment: str) -> str:
    return comment if comment.startswith("urn:li:comment:") else f"urn:li:comment:({post},{comment})"


def comment_id(urn: str) -> str:
    """urn:li:comment:(urn:li:activity:1,2) → 2."""
    return urn.rstrip(")").rsplit(",", 1)[-1]


def adapters(_sender):
    return LinkedInChannel


def register() -> None:
    channel_adapters.connect(adapters)

