"""YouTube Data API v3 as documented (developers.google.com/youtube/v3): the OAuth token
endpoint, the resumable upload protocol (session via POST with `Location`, PUT of the
bytes, `Content-Range: bytes */N` status queries answered 308 with `Range`), the
channel's uploads playlist, videos.list and videos.update (part snippet or status: every
mutable property of the part is replaced, snippet needs title and categoryId; scope youtube,
else 403 insufficientPermissions; an unknown video 404 videoNotFound), and Google's error
bodies (`quotaExceeded` …)."""

from __future__ import annotations

import itertools
import re

from .api import FakeApi, Request, Response

CLIENT_ID, CLIENT_SECRET = "1234-abc.apps.googleusercontent.com", "GOCSPX-client-secret-4e5f"
REFRESH_TOKEN = "1//refresh-token-9c8b7a"
UPLOADS = "UUduesseldorf0001"


def google_error(code: int, reason: str, message: str, domain: str = "youtube.video") -> dict:
    return {"error": {"code": code, "message": message,
                      "errors": [{"message": message, "domain": domain, "reason": reason}]}}


QUOTA = google_error(403, "quotaExceeded", "The request cannot be completed because you have exceeded your "
                     '<a href="/youtube/v3/getting-started#quota">quota</a>.', "youtube.quota")


class FakeYouTube(FakeApi):
    def __init__(self):
        super().__init__()
        self.ids = itertools.count(1)
        self.tokens: set[str] = set()
        self.sessions: dict[str, dict] = {}
        self.videos: list[dict] = []
        self.unaudited = False  # uploads of unaudited API projects are locked to private
        self.cut_next_upload = 0  # keep only this many bytes of the next PUT, then break off
        # The refresh token's scopes; videos.update needs youtube (youtube.upload does not allow it).
        self.scopes = ("https://www.googleapis.com/auth/youtube.upload", "https://www.googleapis.com/auth/youtube")
        self.updates: list[dict] = []
        self.route("POST", "/token", self.token)
        self.route("POST", "/upload/youtube/v3/videos", self.open_session)
        self.route("PUT", "/upload/youtube/v3/videos", self.upload)
        self.route("GET", "/youtube/v3/channels", self.channels)
        self.route("GET", "/youtube/v3/playlistItems", self.playlist_items)
        self.route("GET", "/youtube/v3/videos", self.videos_list)
        self.route("PUT", "/youtube/v3/videos", self.videos_update)

    @property
    def env(self) -> dict:
        return {"NEWSROOM_YOUTUBE_CLIENT_ID": CLIENT_ID, "NEWSROOM_YOUTUBE_CLIENT_SECRET": CLIENT_SECRET,
                "NEWSROOM_YOUTUBE_REFRESH_TOKEN": REFRESH_TOKEN, "NEWSROOM_YOUTUBE_TOKEN_URL": f"{self.url}/token",
                "NEWSROOM_YOUTUBE_BASE_URL": self.url}

    def token(self, request: Request) -> Response:
        form = request.form()
        if (form.get("grant_type"), form.get("client_id"), form.get("client_secret"), form.get("refresh_token")) != (
                "refresh_token", CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN):
            return Response(400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."})
        token = f"ya29.access-{next(self.ids)}"
        with self.lock:
            self.tokens.add(token)
        return Response(200, {"access_token": token, "expires_in": 3599, "token_type": "Bearer",
                              "scope": " ".join(self.scopes)})

    def _refused(self, request: Request) -> Response | None:
        header = request.header("authorization")
        if not header.startswith("Bearer ") or header[7:] not in self.tokens:
            return Response(401, google_error(401, "authError", "Invalid Credentials", "global"),
                            {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'})
        return None

    def open_session(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused:
            return refused
        if request.query.get("uploadType") != "resumable" or request.query.get("part") != "snippet,status":
            return Response(400, google_error(400, "badRequest", "uploadType=resumable and part are required"))
        metadata = request.json()
        title, description = metadata["snippet"]["title"], metadata["snippet"]["description"]
        if len(title) > 100 or "<" in title or ">" in title:
            return Response(400, google_error(400, "invalidTitle", "The request metadata specifies an invalid "
                                                                   "video title."))
        if len(description.encode()) > 5000 or re.search("[<>]", description):
            return Response(400, google_error(400, "invalidDescription", "The request metadata specifies an "
                                                                         "invalid video description."))
        upload_id = f"UP{next(self.ids)}"
        with self.lock:
            self.sessions[upload_id] = {"metadata": metadata, "total": int(request.header("x-upload-content-length")),
                                        "type": request.header("x-upload-content-type"), "bytes": b"",
                                        "video": None}
        return Response(200, None, {"Location": f"{self.url}/upload/youtube/v3/videos?uploadType=resumable"
                                                f"&upload_id={upload_id}"})

    def upload(self, request: Request) -> Response | None:
        refused = self._refused(request)
        if refused:
            return refused
        with self.lock:
            session = self.sessions.get(request.query.get("upload_id", ""))
            if session is None:
                return Response(404, google_error(404, "notFound", "Upload session not found"))
            span = request.header("content-range")
            if span.startswith("bytes */"):  # a status query
                return self._progress(session)
            start = int(re.match(r"bytes (\d+)-", span).group(1)) if span else 0
            if start != len(session["bytes"]):
                return Response(400, google_error(400, "badRequest", "Content-Range does not continue the upload"))
            data = request.body
            if self.cut_next_upload:
                data, self.cut_next_upload = data[:self.cut_next_upload], 0
                session["bytes"] += data
                return None  # the connection breaks in the middle of the upload
            session["bytes"] += data
            return self._progress(session)

    def _progress(self, session: dict) -> Response:
        received, total = len(session["bytes"]), session["total"]
        if received < total:
            return Response(308, None, {"Range": f"bytes=0-{received - 1}"} if received else {})
        if session["video"] is None:
            metadata = session["metadata"]
            privacy = "private" if self.unaudited else metadata["status"]["privacyStatus"]
            video = {"kind": "youtube#video", "id": f"vid{next(self.ids):08d}", "snippet": metadata["snippet"],
                     "status": {**metadata["status"], "privacyStatus": privacy, "uploadStatus": "uploaded"},
                     "bytes": session["bytes"], "type": session["type"]}
            session["video"] = video
            self.videos.append(video)
        return Response(200, {k: v for k, v in session["video"].items() if k not in ("bytes", "type")})

    def channels(self, request: Request) -> Response:
        return self._refused(request) or Response(200, {"items": [
            {"id": "UCduesseldorf", "contentDetails": {"relatedPlaylists": {"uploads": UPLOADS}}}]})

    def playlist_items(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused:
            return refused
        if request.query.get("playlistId") != UPLOADS:
            return Response(404, google_error(404, "playlistNotFound", "The playlist cannot be found."))
        with self.lock:
            items = [{"snippet": {"title": v["snippet"]["title"], "description": v["snippet"]["description"],
                                  "resourceId": {"kind": "youtube#video", "videoId": v["id"]}}}
                     for v in reversed(self.videos)]
        return Response(200, {"items": items[:int(request.query.get("maxResults", 5))]})

    def _video(self, video_id: str) -> dict | None:
        return next((v for v in self.videos if v["id"] == video_id), None)

    def videos_list(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused:
            return refused
        parts = request.query.get("part", "").split(",")
        with self.lock:
            video = self._video(request.query.get("id", ""))
            items = [] if video is None else [{"kind": "youtube#video", "id": video["id"], **{
                part: {**video[part], **({"publishedAt": "2026-11-26T08:00:00Z", "channelId": "UCduesseldorf",
                                          "thumbnails": {}, "localized": {"title": video["snippet"]["title"]}}
                                         if part == "snippet" else {"uploadStatus": "processed"})}
                for part in parts if part in ("snippet", "status")}}]
        return Response(200, {"kind": "youtube#videoListResponse", "items": items,
                              "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)}})

    def videos_update(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused:
            return refused
        if "https://www.googleapis.com/auth/youtube" not in self.scopes:
            return Response(403, google_error(403, "insufficientPermissions",
                                              "Request had insufficient authentication scopes.", "global"))
        part, body = request.query.get("part", ""), request.json()
        if part not in ("snippet", "status") or part not in body:
            return Response(400, google_error(400, "invalidPart", "The part parameter is invalid."))
        values = body[part]
        if part == "snippet":
            if not values.get("title"):
                return Response(400, google_error(400, "invalidTitle", "The request metadata specifies an invalid "
                                                                       "or empty video title."))
            if not values.get("categoryId"):
                return Response(400, google_error(400, "invalidCategoryId", "The snippet.categoryId property "
                                                                            "specifies an invalid category ID."))
            if len(values.get("description", "").encode()) > 5000 or re.search("[<>]", values.get("description", "")):
                return Response(400, google_error(400, "invalidDescription", "The request metadata specifies an "
                                                                             "invalid video description."))
        with self.lock:
            video = self._video(body.get("id", ""))
            if video is None:
                return Response(404, google_error(404, "videoNotFound", "The video that you are trying to update "
                                                                        "cannot be found."))
            if part == "status":  # read-only properties stay, the mutable ones are replaced
                values = {"uploadStatus": video["status"].get("uploadStatus"), **values}
            video[part] = {k: v for k, v in values.items() if k not in ("publishedAt", "channelId", "thumbnails",
                                                                        "localized")}
            self.updates.append({"id": video["id"], "part": part, "values": values})
            answer = {"kind": "youtube#video", "id": video["id"], part: video[part]}
        return Response(200, answer)

    def videos_for(self, url: str) -> list[dict]:
        return [v for v in self.videos if url in v["snippet"]["description"]]
