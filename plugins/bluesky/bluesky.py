"""bluesky: posts a story to Bluesky (AT Protocol) with link facets and a link card.

API (XRPC on the account's PDS): com.atproto.server.createSession once per process
(the limit is 30 per 5 minutes and 300 per day per account), refreshSession when the
access token expired; com.atproto.repo.uploadBlob for the card's thumbnail (at most
1,000,000 bytes; larger images leave the card without picture);
com.atproto.repo.createRecord of an app.bsky.feed.post with `text`, `createdAt`,
`langs: ["de"]`, link and hashtag facets (UTF-8 byte offsets, richtext.py) and an
app.bsky.embed.external card (address, title, summary) – the server builds no card itself.
Idempotent: the record key is a TID derived from the send's idempotency key, so a
retry with the same key lands on the same record instead of posting twice (the PDS
answers an existing key with an error, today often a 500). Lookup: getRecord of that
key, then the account's latest posts matched by the story's address. The record's CID
is kept in the send's detail (`cid`): a reply needs it.
Correction: a reply post whose `reply.root` and `reply.parent` are the first post's
{uri, cid} (a thread is answered at its first post), with a link facet, under a record
key derived from its own idempotency key like a first send and looked up by getRecord of
that key; for a first send recorded without `cid` the CID is read with getRecord.
Withdrawal: com.atproto.repo.deleteRecord for every post; the lexicon makes it "delete,
or ensure it does not exist", so a record already gone succeeds too (then without `commit`).
Rate limits: 429 with `ratelimit-reset` (Unix time).
Environment: NEWSROOM_BLUESKY_HANDLE (e.g. duesseldorf.de), NEWSROOM_BLUESKY_APP_PASSWORD
(an app password, not the account's), NEWSROOM_BLUESKY_BASE_URL (default https://bsky.social).
"""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

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
from newsroom.publishing.text import fitted_post, german_number
from newsroom.secrets import REDACTOR


def _richtext():
    """richtext.py needs the `regex` module (graphemes): loaded when a post is drawn, not on every build."""
    from . import richtext

    return richtext


COLLECTION = "app.bsky.feed.post"
THUMB_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}


class Sessions:
    """Sessions shared by every adapter in this process, one per PDS and account."""

    def __init__(self):
        self.lock = threading.Lock()
        self.by_account: dict[tuple[str, str], dict] = {}


SESSIONS = Sessions()


class BlueskyChannel(Channel):
    name = "bluesky"
    label = "Bluesky"
    idempotent = True
    can_look_up = True
    correction_idempotent = True
    correction_lookup = True
    required_env = ("HANDLE", "APP_PASSWORD")
    default_base_url = "https://bsky.social"

    @property
    def max_graphemes(self) -> int:
        return self.settings["BLUESKY_MAX_GRAPHEMES"]

    def text_limit(self) -> TextLimit:
        return TextLimit(self.max_graphemes, unit="graphemes")

    def count(self, text: str) -> int:
        return _richtext().graphemes(text)

    def render(self, release: Release) -> Post:
        story = release.story
        tags = self.hashtags(story)
        text = fitted_post(release, own_text=self.own_text(story), tags=tags,
                           fits=lambda candidate: self.count(candidate) <= self.max_graphemes)
        record = {"$type": COLLECTION, "text": text, "langs": ["de"], "facets": _richtext().facets(text),
                  "embed": {"$type": "app.bsky.embed.external",
                            "external": {"uri": release.url, "title": story.title, "description": story.summary}}}
        payload: dict = {"record": record, "published": story.date.timestamp()}
        media: tuple[str, ...] = ()
        image_url, image_file = release.image_for(self.settings["CHANNEL_CROPS"].get(self.name))
        if self._thumb_fits(image_file):
            payload["thumb"] = {"file": str(image_file), "mimeType": THUMB_TYPES[Path(image_file).suffix.lower()]}
            media = (image_url,)
        return Post(self.name, story.id, text, link=release.url, media=media, payload=payload,
                    image=Path(image_file) if payload.get("thumb") else None)

    def _thumb_fits(self, file: Path | None) -> bool:
        limit = self.settings["BLUESKY_THUMB_MAX_BYTES"]
        return (file is not None and Path(file).suffix.lower() in THUMB_TYPES and Path(file).is_file()
                and Path(file).stat().st_size <= limit)

    def validate(self, post: Post) -> list[str]:
        if post.action == WITHDRAW:  # nothing is posted: the text only says what is deleted
            return []
        problems = []
        count = self.count(post.text)
        if count > self.max_graphemes:
            problems.append(f"Bluesky: Der Text hat {count} Zeichen, erlaubt sind {self.max_graphemes} (gezählt "
                            "wie Bluesky: jedes sichtbare Zeichen einmal, auch ein zusammengesetztes Emoji; Links "
                            "zählen voll). Bitte unter channels.bluesky.text kürzen.")
        size = len(post.text.encode("utf-8"))
        if size > 3000:
            problems.append(f"Bluesky: Der Text hat {german_number(size)} Bytes (UTF-8), erlaubt sind 3.000.")
        return problems + _richtext().facet_problems(post.text, post.payload["record"]["facets"])

    # -- XRPC --------------------------------------------------------------------------

    def _xrpc(self, nsid: str) -> str:
        return f"{self.base_url}/xrpc/{nsid}"

    def _account(self) -> tuple[str, str]:
        return self.base_url, self.credentials.require("HANDLE", secret=False)

    def _session(self, client, *, renew: bool = False) -> dict:
        """The shared session; refreshed when expired, created only when there is none."""
        account = self._account()
        with SESSIONS.lock:
            session = SESSIONS.by_account.get(account)
            if session is not None and not renew:
                return session
            if session is not None:
                try:
                    session = client.request("POST", self._xrpc("com.atproto.server.refreshSession"),
                                             idempotent=True,
                                             headers={"Authorization": f"Bearer {session['refreshJwt']}"}).json()
                except SendError as exc:
                    if exc.status is None:
                        raise
                    session = None  # refresh token expired or revoked as well: log in again
            if session is None:
                session = client.request("POST", self._xrpc("com.atproto.server.createSession"), idempotent=True,
                                         json={"identifier": account[1],
                                               "password": self.credentials.require("APP_PASSWORD")}).json()
            for token in ("accessJwt", "refreshJwt"):
                REDACTOR.add(session.get(token, ""))
            SESSIONS.by_account[account] = session
            return session

    def _call(self, client, method: str, nsid: str, *, idempotent: bool, **kwargs):
        """An authenticated XRPC call; an expired access token is refreshed once."""
        for attempt in (0, 1):
            session = self._session(client, renew=attempt == 1)
            headers = {**kwargs.pop("headers", {}), "Authorization": f"Bearer {session['accessJwt']}"}
            try:
                return client.request(method, self._xrpc(nsid), idempotent=idempotent, headers=headers, **kwargs)
            except SendError as exc:
                # An expired access token (400 ExpiredToken) is refreshed; a session the server no
                # longer knows (401) is replaced – both once.
                if attempt == 0 and (exc.status == 401 or (exc.status == 400 and "ExpiredToken" in str(exc))):
                    kwargs["headers"] = {k: v for k, v in headers.items() if k != "Authorization"}
                    continue
                raise
        raise AssertionError("unreachable")

    def _rkey(self, post: Post, context: SendContext) -> str:
        return _richtext().record_key(context.key, float(post.payload["published"]))

    def _delivery(self, did: str, rkey: str, uri: str, cid: str | None = None) -> Delivery:
        detail = {"rkey": rkey, **({"cid": cid} if cid else {})}
        return Delivery(uri, f"https://bsky.app/profile/{did}/post/{rkey}", detail=detail)

    def send(self, post: Post, context: SendContext) -> Delivery:
        client = context.client
        did = self._session(client)["did"]
        rkey = self._rkey(post, context)
        record = {**post.payload["record"], "createdAt": _now()}
        thumb = post.payload.get("thumb")
        if thumb:
            # Blobs are stored by content hash: uploading twice is harmless.
            blob = self._call(client, "POST", "com.atproto.repo.uploadBlob", idempotent=True,
                              headers={"Content-Type": thumb["mimeType"]}, data=Path(thumb["file"]).read_bytes())
            external = {**record["embed"]["external"], "thumb": blob.json()["blob"]}
            record["embed"] = {**record["embed"], "external": external}
        return self._create(client, did, rkey, record)

    def _create(self, client, did: str, rkey: str, record: dict) -> Delivery:
        try:
            # Not idempotent for HttpClient: an existing key answers with an error (often a 500),
            # and a lost answer must be looked up (getRecord) rather than blindly repeated.
            answer = self._call(client, "POST", "com.atproto.repo.createRecord", idempotent=False,
                                json={"repo": did, "collection": COLLECTION, "rkey": rkey, "record": record}).json()
        except SendError as exc:
            taken = "already exists" in str(exc).lower() or "RecordAlreadyExists" in str(exc)
            if exc.status in (400, 409) and taken:
                # The key is taken: an earlier attempt of this send got through, even if reads lag.
                found = self._get_record(client, did, rkey)
                return found or self._delivery(did, rkey, f"at://{did}/{COLLECTION}/{rkey}")
            raise
        return self._delivery(did, rkey, answer["uri"], answer.get("cid"))

    def _get_record(self, client, did: str, rkey: str) -> Delivery | None:
        try:
            answer = self._call(client, "GET", "com.atproto.repo.getRecord", idempotent=True,
                                params={"repo": did, "collection": COLLECTION, "rkey": rkey}).json()
        except SendError as exc:
            if exc.status in (400, 404):  # RecordNotFound
                return None
            raise
        return self._delivery(did, rkey, answer["uri"], answer.get("cid"))

    def lookup(self, post: Post, context: SendContext) -> Delivery | None:
        client = context.client
        did = self._session(client)["did"]
        found = self._get_record(client, did, self._rkey(post, context))
        if found or not post.link:
            return found
        # A send under another key (a lost record, a changed date): the latest posts by address.
        answer = self._call(client, "GET", "com.atproto.repo.listRecords", idempotent=True,
                            params={"repo": did, "collection": COLLECTION, "limit": 50}).json()
        for item in answer.get("records") or []:
            value = item.get("value") or {}
            if value.get("reply"):  # a correction links the story too, but is not its post
                continue
            external = (value.get("embed") or {}).get("external") or {}
            links = {f["uri"] for facet in value.get("facets") or [] for f in facet.get("features", []) if "uri" in f}
            if post.link == external.get("uri") or post.link in links:
                rkey = item["uri"].rsplit("/", 1)[-1]
                return self._delivery(did, rkey, item["uri"], item.get("cid"))
        return None

    # -- corrections and withdrawal ------------------------------------------------------------

    def render_correction(self, release, correction, original) -> Post:
        post = super().render_correction(release, correction, original)
        first = original_posts(original)[:1]
        # The recorded CID is the remote id's, which is the thread's first post.
        cid = (original.get("detail") or {}).get("cid") if first and first[0] == original.get("remote_id") else None
        record = {"$type": COLLECTION, "text": post.text, "langs": ["de"], "facets": _richtext().facets(post.text)}
        payload = {"record": record, "published": correction.date.timestamp(), "marker": post.payload["marker"],
                   "parent": {"uri": first[0] if first else None, "cid": cid}}
        return replace(post, payload=payload)

    def correct(self, post: Post, context: SendContext) -> Delivery:
        client = context.client
        parent = dict(post.payload["parent"])
        if not str(parent.get("uri") or "").startswith("at://"):
            raise SendError("Bluesky: Die erste Sendung hat keine at://-Adresse im Versandprotokoll; keine Antwort "
                            "möglich.")
        if not parent.get("cid"):
            parent["cid"] = self._cid_of(client, parent["uri"])
        did = self._session(client)["did"]
        record = {**post.payload["record"], "createdAt": _now(), "reply": {"root": parent, "parent": parent}}
        return self._create(client, did, self._rkey(post, context), record)

    def _cid_of(self, client, uri: str) -> str:
        """The CID of a first post whose send was recorded without one: read from the PDS."""
        repo, collection, rkey = at_uri(uri)
        try:
            answer = self._call(client, "GET", "com.atproto.repo.getRecord", idempotent=True,
                                params={"repo": repo, "collection": collection, "rkey": rkey}).json()
        except SendError as exc:
            if exc.status in (400, 404):  # RecordNotFound
                raise SendError(f"Bluesky: Der erste Beitrag ({uri}) ist nicht mehr da; eine Berichtigung als "
                                "Antwort ist nicht möglich.", status=exc.status) from None
            raise
        if not answer.get("cid"):
            raise SendError(f"Bluesky: getRecord nennt für {uri} keine CID.")
        return str(answer["cid"])

    def lookup_correction(self, post: Post, context: SendContext) -> Delivery | None:
        client = context.client
        return self._get_record(client, self._session(client)["did"], self._rkey(post, context))

    def withdraw(self, post: Post, context: SendContext) -> Delivery:
        client = context.client
        did = self._session(client)["did"]

        def delete(uri: str) -> str:
            repo, _collection, rkey = at_uri(uri)
            if repo != did:
                raise SendError(f"Bluesky: {uri} gehört nicht zum Konto {did}; bitte von Hand löschen.")
            # The lexicon's "delete, or ensure it does not exist": safe to repeat, and a post already
            # gone succeeds as well, then without a commit.
            response = self._call(client, "POST", "com.atproto.repo.deleteRecord", idempotent=True,
                                  json={"repo": did, "collection": COLLECTION, "rkey": rkey})
            answer = response.json() if response.content else {}
            return "gelöscht" if answer.get("commit") else "schon gelöscht"

        return self.delete_each(post, context, delete)


def at_uri(uri: str) -> tuple[str, str, str]:
    """at://<repo>/<collection>/<rkey> → (repo, collection, rkey)."""
    parts = uri.removeprefix("at://").split("/")
    if not uri.startswith("at://") or len(parts) != 3 or not all(parts):
        raise SendError(f"Bluesky: „{uri}“ ist keine at://-Adresse eines Beitrags.")
    return parts[0], parts[1], parts[2]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def adapters(_sender):
    return BlueskyChannel


def register() -> None:
    channel_adapters.connect(adapters)
