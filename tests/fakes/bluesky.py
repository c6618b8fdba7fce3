"""A Bluesky PDS as documented (docs.bsky.app, atproto.com/specs): XRPC createSession and
refreshSession, uploadBlob, createRecord / getRecord / listRecords / deleteRecord of
app.bsky.feed.post with the lexicon's checks (TID record keys, 300 graphemes, facets inside
the text, reply refs as strong refs {uri, cid}), `ratelimit-*` headers and `{"error",
"message"}` bodies. An existing record key is answered with a 500, as PDSes do today, or
with 409 RecordAlreadyExists (`explicit`). deleteRecord is "delete, or ensure it does not
exist": a record already gone is answered 200 without `commit`."""

from __future__ import annotations

import hashlib
import itertools
import re

import regex

from .api import FakeApi, Request, Response

HANDLE, PASSWORD = "duesseldorf.de", "abcd-efgh-ijkl-mnop"
DID = "did:plc:duesseldorf4711test"
LIMITS = {"ratelimit-limit": "5000", "ratelimit-remaining": "4999", "ratelimit-reset": "1796212800",
          "ratelimit-policy": "5000;w=3600"}
TID = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")


def xrpc_error(status: int, name: str, message: str) -> Response:
    return Response(status, {"error": name, "message": message}, LIMITS)


class FakeBluesky(FakeApi):
    def __init__(self):
        super().__init__()
        self.numbers = itertools.count(1)
        self.access: dict[str, bool] = {}  # accessJwt → still valid
        self.refresh: set[str] = set()
        self.sessions_created = 0
        self.records: dict[str, dict] = {}  # rkey → {uri, cid, value}
        self.written: list[str] = []  # record keys in the order they were created
        self.blobs: dict[str, bytes] = {}
        self.explicit = False
        self.hidden_reads = 0  # the next n reads do not see the newest record yet
        self.deleted: list[str] = []  # record keys deleted, in order
        self.on_write = None  # called with the number of records after each one is created
        for name, handler in (("com.atproto.server.createSession", self.create_session),
                              ("com.atproto.server.refreshSession", self.refresh_session),
                              ("com.atproto.repo.uploadBlob", self.upload_blob),
                              ("com.atproto.repo.createRecord", self.create_record),
                              ("com.atproto.repo.deleteRecord", self.delete_record)):
            self.route("POST", f"/xrpc/{name}", handler)
        self.route("GET", "/xrpc/com.atproto.repo.getRecord", self.get_record)
        self.route("GET", "/xrpc/com.atproto.repo.listRecords", self.list_records)

    @property
    def env(self) -> dict:
        return {"NEWSROOM_BLUESKY_HANDLE": HANDLE, "NEWSROOM_BLUESKY_APP_PASSWORD": PASSWORD,
                "NEWSROOM_BLUESKY_BASE_URL": self.url}

    def _tokens(self) -> dict:
        number = next(self.numbers)
        access, refresh = f"eyJhbGciOiJFUzI1NksifQ.access{number}.sig", f"eyJhbGciOiJFUzI1NksifQ.refresh{number}.sig"
        self.access[access] = True
        self.refresh.add(refresh)
        return {"did": DID, "handle": HANDLE, "accessJwt": access, "refreshJwt": refresh, "active": True}

    def expire_access_tokens(self) -> None:
        with self.lock:
            self.access = {token: False for token in self.access}

    def create_session(self, request: Request) -> Response:
        body = request.json()
        if (body.get("identifier"), body.get("password")) != (HANDLE, PASSWORD):
            return xrpc_error(401, "AuthenticationRequired", "Invalid identifier or password")
        with self.lock:
            self.sessions_created += 1
            return Response(200, self._tokens(), LIMITS)

    def refresh_session(self, request: Request) -> Response:
        token = request.header("authorization").removeprefix("Bearer ")
        with self.lock:
            if token not in self.refresh:
                return xrpc_error(400, "ExpiredToken", "Token has expired")
            self.refresh.discard(token)  # refresh tokens are single use
            return Response(200, self._tokens(), LIMITS)

    def _refused(self, request: Request) -> Response | None:
        token = request.header("authorization").removeprefix("Bearer ")
        valid = self.access.get(token)
        if valid is None:
            return xrpc_error(401, "AuthenticationRequired", "Authentication Required")
        if not valid:
            return xrpc_error(400, "ExpiredToken", "Token has expired")
        return None

    def upload_blob(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused:
            return refused
        if len(request.body) > 1_000_000:
            return xrpc_error(400, "BlobTooLarge", "This file is too large. It is 1.2MB but the maximum size is 1MB.")
        link = "bafkrei" + hashlib.sha256(request.body).hexdigest()[:52]
        with self.lock:
            self.blobs[link] = request.body
        return Response(200, {"blob": {"$type": "blob", "ref": {"$link": link},
                                       "mimeType": request.header("content-type"), "size": len(request.body)}}, LIMITS)

    def create_record(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused:
            return refused
        body = request.json()
        record, rkey = body.get("record") or {}, body.get("rkey", "")
        if body.get("repo") != DID or body.get("collection") != "app.bsky.feed.post":
            return xrpc_error(400, "InvalidRequest", "Invalid repo or collection")
        if not TID.match(rkey):
            return xrpc_error(400, "InvalidRequest", f"Invalid record key for app.bsky.feed.post: {rkey}")
        problem = self._invalid(record)
        if problem:
            return xrpc_error(400, "InvalidRequest", f"Invalid app.bsky.feed.post record: {problem}")
        with self.lock:
            if rkey in self.records:
                if self.explicit:
                    return xrpc_error(409, "RecordAlreadyExists", f"Record already exists: {rkey}")
                return xrpc_error(500, "InternalServerError", "Internal Server Error")
            uri = f"at://{DID}/app.bsky.feed.post/{rkey}"
            cid = "bafyrei" + hashlib.sha256(request.body).hexdigest()[:52]
            self.records[rkey] = {"uri": uri, "cid": cid, "value": record}
            self.written.append(rkey)
            count = len(self.written)
        if self.on_write:
            self.on_write(count)
        return Response(200, {"uri": uri, "cid": cid, "validationStatus": "valid"}, LIMITS)

    @staticmethod
    def _invalid(record: dict) -> str | None:
        text = record.get("text", "")
        if record.get("$type") != "app.bsky.feed.post" or "createdAt" not in record:
            return "Record must have $type and createdAt"
        if len(regex.findall(r"\X", text)) > 300 or len(text.encode()) > 3000:
            return "Record/text must not be longer than 300 graphemes"
        data = text.encode()
        for facet in record.get("facets", []):
            index = facet["index"]
            if not 0 <= index["byteStart"] < index["byteEnd"] <= len(data):
                return "facet index out of range"
        if len(record.get("langs", [])) > 3:
            return "Record/langs must not have more than 3 elements"
        embed = record.get("embed") or {}
        if embed.get("$type") == "app.bsky.embed.images":
            images = embed.get("images") or []
            if not 1 <= len(images) <= 4:
                return "Record/embed/images must not have more than 4 elements"
            for image in images:
                if not isinstance(image.get("alt"), str) or (image.get("image") or {}).get("$type") != "blob":
                    return 'Record/embed/images/0 must have the properties "image" and "alt"'
        labels = record.get("labels")
        if labels is not None:
            values = labels.get("values")
            if labels.get("$type") != "com.atproto.label.defs#selfLabels" or not isinstance(values, list) \
                    or len(values) > 10 or not all(isinstance(v.get("val"), str) and v["val"] for v in values):
                return "Record/labels must be a com.atproto.label.defs#selfLabels with at most 10 values"
        if "reply" in record:
            for name in ("root", "parent"):
                ref = record["reply"].get(name) or {}
                for key in ("uri", "cid"):
                    if not isinstance(ref.get(key), str) or not ref[key]:
                        return f'Record/reply/{name} must have the property "{key}"'
        return None

    def _visible(self) -> list[str]:
        """Record keys a read sees, newest key first; a lagging read misses the latest write."""
        keys = sorted(self.records, reverse=True)
        if self.hidden_reads and self.written:
            self.hidden_reads -= 1
            return [k for k in keys if k != self.written[-1]]
        return keys

    def get_record(self, request: Request) -> Response:
        rkey = request.query.get("rkey", "")
        with self.lock:
            visible = self._visible()
            record = self.records.get(rkey) if rkey in visible else None
        if record is None or request.query.get("repo") != DID:
            return xrpc_error(400, "RecordNotFound", f"Could not locate record: at://{DID}/app.bsky.feed.post/{rkey}")
        return Response(200, record, LIMITS)

    def list_records(self, request: Request) -> Response:
        with self.lock:
            keys = self._visible()[:int(request.query.get("limit", 50))]
            return Response(200, {"records": [self.records[k] for k in keys]}, LIMITS)

    def delete_record(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused:
            return refused
        body = request.json()
        if body.get("repo") != DID:
            return xrpc_error(401, "AuthRequiredError", "Authentication Required")
        if body.get("collection") != "app.bsky.feed.post" or not body.get("rkey"):
            return xrpc_error(400, "InvalidRequest", "Invalid collection or rkey")
        with self.lock:
            record = self.records.pop(body["rkey"], None)
            if record is None:
                return Response(200, {}, LIMITS)  # ensured not to exist: no commit
            self.deleted.append(body["rkey"])
            rev = f"3l{next(self.numbers):011d}"
        return Response(200, {"commit": {"cid": "bafyrei" + hashlib.sha256(rev.encode()).hexdigest()[:52],
                                         "rev": rev}}, LIMITS)

    def posts_for(self, url: str) -> list[dict]:
        """The story's posts: records with its link card or its link in a facet that are no reply."""
        def links(value: dict) -> set[str]:
            card = ((value.get("embed") or {}).get("external") or {}).get("uri")
            return {card} | {f.get("uri") for facet in value.get("facets", []) for f in facet["features"]}

        return [r for r in self.records.values() if "reply" not in r["value"] and url in links(r["value"])]

    def thread_of(self, uri: str) -> list[dict]:
        """The post at `uri` and the replies that follow it one after another (a thread), in order."""
        found = [self.records[uri.rsplit("/", 1)[-1]]]
        while True:
            after = [r for r in self.records.values()
                     if (r["value"].get("reply") or {}).get("parent", {}).get("uri") == found[-1]["uri"]]
            if not after:
                return found
            found.append(after[0])

    def replies_to(self, uri: str) -> list[dict]:
        return [r for r in self.records.values() if (r["value"].get("reply") or {}).get("parent", {}).get("uri") == uri]
