"""bluesky: posts a story to Bluesky (AT Protocol) with link facets, its picture or a link card.

API (XRPC on the account's PDS): com.atproto.server.createSession once per process
(the limit is 30 per 5 minutes and 300 per day per account), refreshSession when the
access token expired; com.atproto.repo.uploadBlob for the picture (at most
BLUESKY_THUMB_MAX_BYTES; a larger one is left out);
com.atproto.repo.createRecord of an app.bsky.feed.post with `text`, `createdAt`,
`langs` (["de"]; a translation's own code), link and hashtag facets (UTF-8 byte offsets,
richtext.py) and either the picture with its alt text (app.bsky.embed.images; validate refuses a
picture without one) or, without a picture, an app.bsky.embed.external card (address, title, summary) – the server
builds no card itself. A story whose Thema BLUESKY_SELF_LABELS names carries that self-label
(`labels`, com.atproto.label.defs#selfLabels), Bluesky's only kind of content warning.
Thread: an editor's own text longer than one post goes out as numbered replies (`reply.root`:
the first, `reply.parent`: the one before), each under a record key derived from the send's key
and its number; each part's at:// address and CID are recorded as it is posted (detail `thread`,
`cids`), and a run that died half-way goes on after the last recorded one, reading a part it
posted without recording it by its record key.
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

from newsroom.errors import OutcomeUnknown, SendError
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
from newsroom.publishing.thread import part_key, recorded_parts, thread_parts, thread_problems
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._threads: dict[str, dict] = {}  # send key → the thread's parts posted so far (this run)

    @property
    def max_graphemes(self) -> int:
        return self.settings["BLUESKY_MAX_GRAPHEMES"]

    def text_limit(self) -> TextLimit:
        return TextLimit(self.max_graphemes, unit="graphemes", thread=self.settings["SOCIAL_THREAD_MAX_POSTS"])

    def count(self, text: str) -> int:
        return _richtext().graphemes(text)

    def render(self, release: Release) -> Post:
        story = release.story
        text = self.template_text(release)
        own = self.own_text(story)
        parts = thread_parts(own, release.url, count=self.count, limit=self.max_graphemes) if own else ()
        text = parts[0] if parts else text
        labels = self.self_labels(story)
        langs = [release.language or "de"]
        record = {"$type": COLLECTION, "text": text, "langs": langs, "facets": _richtext().facets(text), **labels,
                  "embed": {"$type": "app.bsky.embed.external",
                            "external": {"uri": release.url, "title": story.title, "description": story.summary}}}
        payload: dict = {"record": record, "published": story.date.timestamp()}
        media: tuple[str, ...] = ()
        image, alt = None, ""
        image_url, image_file = self.picture(release)
        if self._thumb_fits(image_file):
            image, alt = Path(image_file), release.image_alt or ""
            # `source`: the medium below content/media, which a missing alt text is named by.
            payload["image"] = {"file": str(image), "mimeType": THUMB_TYPES[image.suffix.lower()],
                                "source": story.image or image.name}
            # The blob is uploaded when sending; the picture replaces the card (a post has one embed).
            record["embed"] = {"$type": "app.bsky.embed.images", "images": [{"alt": alt}]}
            media = (image_url,)
        if parts:
            payload["replies"] = [{"$type": COLLECTION, "text": part, "langs": langs,
                                   "facets": _richtext().facets(part), **labels} for part in parts[1:]]
        return Post(self.name, story.id, text, link=release.url, media=media, payload=payload, parts=parts,
                    alt=alt, image=image)

    def self_labels(self, story) -> dict:
        """The record's `labels` for the self-label BLUESKY_SELF_LABELS gives the story's Thema; empty for none."""
        value = self.settings["BLUESKY_SELF_LABELS"].get(story.category)
        return {"labels": {"$type": "com.atproto.label.defs#selfLabels", "values": [{"val": value}]}} if value else {}

    def _thumb_fits(self, file: Path | None) -> bool:
        limit = self.settings["BLUESKY_THUMB_MAX_BYTES"]
        return (file is not None and Path(file).suffix.lower() in THUMB_TYPES and Path(file).is_file()
                and Path(file).stat().st_size <= limit)

    def validate(self, post: Post) -> list[str]:
        if post.action == WITHDRAW:  # nothing is posted: the text only says what is deleted
            return []
        problems = []
        records = [post.payload["record"], *post.payload.get("replies", ())]
        for number, (text, record) in enumerate(zip(post.posts, records), 1):
            which = f"Beitrag {number} von {len(post.parts)} hat" if post.parts else "Der Text hat"
            count = self.count(text)
            if count > self.max_graphemes:
                problems.append(f"Bluesky: {which} {count} Zeichen, erlaubt sind {self.max_graphemes} (gezählt "
                                "wie Bluesky: jedes sichtbare Zeichen einmal, auch ein zusammengesetztes Emoji; Links "
                                "zählen voll). Bitte unter channels.bluesky.text kürzen.")
            size = len(text.encode("utf-8"))
            if size > 3000:
                problems.append(f"Bluesky: {which} {german_number(size)} Bytes (UTF-8), erlaubt sind 3.000.")
            problems += _richtext().facet_problems(text, record["facets"])
        problems += thread_problems(self.label, self.name, post, self.settings["SOCIAL_THREAD_MAX_POSTS"],
                                    self.max_graphemes)
        if post.image is not None and not post.alt.strip():
            problems.append(f"Bluesky: Das Aufmacherbild „{post.payload['image']['source']}“ hat keinen "
                            "Alternativtext; ohne ihn wird es nicht gesendet. Bitte in der Beschreibung des Bildes "
                            "(alt) ergänzen.")
        return problems

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
        if post.parts:
            return self._send_thread(post, context, did)
        return self._create(client, did, self._rkey(post, context), self._first_record(client, post))

    def _first_record(self, client, post: Post) -> dict:
        """The (first) post's record as sent: its time, and its picture uploaded."""
        record = {**post.payload["record"], "createdAt": _now()}
        image = post.payload.get("image")
        if image:
            # Blobs are stored by content hash: uploading twice is harmless.
            blob = self._call(client, "POST", "com.atproto.repo.uploadBlob", idempotent=True,
                              headers={"Content-Type": image["mimeType"]}, data=Path(image["file"]).read_bytes())
            [picture] = record["embed"]["images"]
            record["embed"] = {**record["embed"], "images": [{**picture, "image": blob.json()["blob"]}]}
        return record

    def _part_rkey(self, post: Post, context: SendContext, number: int) -> str:
        return _richtext().record_key(part_key(context.key, number), float(post.payload["published"]))

    def _send_thread(self, post: Post, context: SendContext, did: str) -> Delivery:
        """Every part not yet posted, each a reply to the one before; each recorded as it comes."""
        client = context.client
        known = self._thread_so_far(post, context, did)
        if known["thread"] != recorded_parts(context.detail):
            context.checkpoint(_copy(known))  # found, not yet recorded: recorded before the next part
        for number in range(len(known["thread"]) + 1, len(post.parts) + 1):
            if number == 1:
                record = self._first_record(client, post)
            else:
                root = {"uri": known["thread"][0], "cid": known["cids"][0]}
                parent = {"uri": known["thread"][-1], "cid": known["cids"][-1]}
                record = {**post.payload["replies"][number - 2], "createdAt": _now(),
                          "reply": {"root": root, "parent": parent}}
            rkey = self._part_rkey(post, context, number)
            made = self._create(client, did, rkey, record)
            cid = made.detail.get("cid") or self._readable_cid(client, did, rkey)
            known["thread"].append(made.remote_id)
            known["cids"].append(cid)
            context.checkpoint(_copy(known))
        return self._thread_delivery(did, post, context, known)

    def _readable_cid(self, client, did: str, rkey: str) -> str:
        """The CID of a part whose key was taken (an earlier attempt made it) but whose read lags."""
        found = self._get_record(client, did, rkey)
        if found is None or not found.detail.get("cid"):
            raise OutcomeUnknown(f"Bluesky: Der Beitrag {rkey} ist angelegt, aber noch nicht lesbar.")
        return found.detail["cid"]

    def _thread_delivery(self, did: str, post: Post, context: SendContext, known: dict) -> Delivery:
        first = self._delivery(did, known["thread"][0].rsplit("/", 1)[-1], known["thread"][0], known["cids"][0])
        return replace(first, detail={**first.detail, **_copy(known)})

    def _thread_so_far(self, post: Post, context: SendContext, did: str) -> dict:
        """The parts already posted, in order (at:// address and CID): those recorded (or posted by
        this run), then those found under their record keys (posted by a run that died before
        recording them)."""
        client = context.client
        known = self._threads.setdefault(context.key, {
            "thread": recorded_parts(context.detail),
            "cids": [str(item) for item in context.detail.get("cids") or ()]})
        while len(known["cids"]) < len(known["thread"]):  # recorded without CIDs: read them once
            known["cids"].append(self._cid_of(client, known["thread"][len(known["cids"])]))
        latest = None
        while len(known["thread"]) < len(post.parts):
            number = len(known["thread"]) + 1
            found = self._get_record(client, did, self._part_rkey(post, context, number))
            if found is None or not found.detail.get("cid"):
                # Posted under another key (a lost record): the latest posts, by address or as the reply.
                latest = self._latest(client, did) if latest is None else latest
                item = next((item for item in latest if _is_part(item, post, number, known["thread"])), None)
                if item is None or not item.get("cid"):
                    break
                found = Delivery(item["uri"], detail={"cid": item["cid"]})
            known["thread"].append(found.remote_id)
            known["cids"].append(found.detail["cid"])
        return known

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

    def sent_so_far(self, post: Post, context: SendContext) -> Delivery | None:
        if not post.parts:
            return None
        did = self._session(context.client)["did"]
        known = self._thread_so_far(post, context, did)  # the recorded parts and one posted unrecorded
        return self._thread_delivery(did, post, context, known) if known["thread"] else None

    def lookup(self, post: Post, context: SendContext) -> Delivery | None:
        client = context.client
        did = self._session(client)["did"]
        if post.parts:  # a thread counts as sent once every part is there; else the send goes on
            known = self._thread_so_far(post, context, did)
            done = len(known["thread"]) == len(post.parts)
            return self._thread_delivery(did, post, context, known) if done else None
        found = self._get_record(client, did, self._rkey(post, context))
        if found or not post.link:
            return found
        # A send under another key (a lost record, a changed date): the latest posts by address.
        item = next((item for item in self._latest(client, did) if _is_part(item, post, 1, [])), None)
        return self._delivery(did, item["uri"].rsplit("/", 1)[-1], item["uri"], item.get("cid")) if item else None

    def _latest(self, client, did: str) -> list[dict]:
        answer = self._call(client, "GET", "com.atproto.repo.listRecords", idempotent=True,
                            params={"repo": did, "collection": COLLECTION, "limit": 50}).json()
        return answer.get("records") or []

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


def _is_part(item: dict, post: Post, number: int, before: list[str]) -> bool:
    """Whether a listed record is the post's `number`th post: the first links the story and answers
    nothing (a correction links it too, but is a reply); a later one answers the part before it."""
    value = item.get("value") or {}
    if number > 1:
        parent = ((value.get("reply") or {}).get("parent") or {}).get("uri")
        return parent == before[-1] and f"({number}/{len(post.parts)})" in (value.get("text") or "")
    if value.get("reply"):
        return False
    external = (value.get("embed") or {}).get("external") or {}
    links = {f["uri"] for facet in value.get("facets") or [] for f in facet.get("features", []) if "uri" in f}
    return post.link == external.get("uri") or post.link in links


def _copy(known: dict) -> dict:
    return {"thread": list(known["thread"]), "cids": list(known["cids"])}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def adapters(_sender):
    return BlueskyChannel


def register() -> None:
    channel_adapters.connect(adapters)
