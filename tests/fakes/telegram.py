"""A Telegram Bot API server as documented (core.telegram.org/bots/api), for one channel.

POST /bot<token>/<method> with parameters as JSON, form or multipart (a photo uploaded as a
file), answers `{"ok": true, "result": …}` or `{"ok": false, "error_code", "description",
"parameters"}`. Methods: getMe, sendMessage, sendPhoto (parse_mode HTML parsed as Telegram
does: only its tags, only &lt; &gt; &amp; &quot; and numeric entities, anything else refused
with "can't parse entities"; the limits counted on the parsed text in UTF-16 code units),
`reply_parameters`, deleteMessage ("message to delete not found", "message can't be deleted"
for messages marked too old). A 429 carries `parameters.retry_after` and the server refuses
that method until the time is up (recorded in `too_early`). Faults are queued with `fail()`.
"""

from __future__ import annotations

import itertools
import json
import re
import time
from html.parser import HTMLParser

from .api import Answer, FakeApi, Request, Response

TOKEN = "7712345678:AAF-telegram-test-token-9c4e2b"
CHANNEL = {"id": -1001987654321, "title": "Landeshauptstadt Düsseldorf", "username": "duesseldorf_stadt",
           "type": "channel"}
SEND = r"/bot[^/]+/(?i:sendMessage|sendPhoto)"
TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "tg-spoiler", "span",
        "blockquote", "tg-emoji"}
NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def error(code: int, description: str, **parameters) -> dict:
    return {"ok": False, "error_code": code, "description": description,
            **({"parameters": parameters} if parameters else {})}


def flood(seconds: int) -> Answer:
    """Telegram's flood control: 429 with the wait in the body, no header."""
    return Answer(429, error(429, f"Too Many Requests: retry after {seconds}", retry_after=seconds))


class Unparsable(ValueError):
    pass


class _Entities(HTMLParser):
    """Telegram's HTML mode, strict enough to refuse what Telegram refuses."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.text, self.open = [], []

    def handle_starttag(self, tag, attrs):
        if tag not in TAGS:
            raise Unparsable(f'Unsupported start tag "{tag}"')
        self.open.append(tag)

    def handle_endtag(self, tag):
        if not self.open or self.open.pop() != tag:
            raise Unparsable(f'Unmatched end tag "{tag}"')

    def handle_data(self, data):
        if "<" in data or ">" in data or "&" in data:
            raise Unparsable("Unescaped character")
        self.text.append(data)

    def handle_entityref(self, name):
        if name not in NAMED:
            raise Unparsable(f'Unsupported HTML entity "&{name};"')
        self.text.append(NAMED[name])

    def handle_charref(self, name):
        self.text.append(chr(int(name[1:], 16) if name.lower().startswith("x") else int(name)))


def parse_html(markup: str) -> str:
    if re.search(r"&(?![a-zA-Z]+;|#\d+;|#[xX][0-9a-fA-F]+;)", markup) or re.search(r"<(?![a-z/])", markup):
        raise Unparsable("Unescaped character")
    parser = _Entities()
    parser.feed(markup)
    parser.close()
    if parser.open or parser.rawdata:
        raise Unparsable(f'Can\'t find end tag corresponding to start tag "{parser.open[-1] if parser.open else ""}"')
    return "".join(parser.text)


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class FakeTelegram(FakeApi):
    def __init__(self, token: str = TOKEN, chat: str = "@duesseldorf_stadt"):
        super().__init__()
        self.token, self.chat = token, chat
        self.messages: dict[int, dict] = {}
        self.deleted: list[int] = []
        self.too_old: set[int] = set()  # messages deleteMessage refuses ("message can't be deleted")
        self.ids = itertools.count(4711)
        self.on_write = None  # called with the number of messages after each one is posted
        self.route("POST", r"/bot(?P<token>[^/]+)/(?P<method>[A-Za-z]+)", self.dispatch)
        self.route("GET", r"/bot(?P<token>[^/]+)/(?P<method>[A-Za-z]+)", self.dispatch)

    @property
    def env(self) -> dict:
        return {"NEWSROOM_TELEGRAM_TOKEN": self.token, "NEWSROOM_TELEGRAM_CHAT": self.chat,
                "NEWSROOM_TELEGRAM_BASE_URL": self.url}

    def not_found(self, request: Request):
        return error(404, "Not Found")

    def close_until(self, request: Request, fault: Answer) -> None:
        seconds = (fault.body or {}).get("parameters", {}).get("retry_after")
        if seconds is not None:
            with self.lock:
                self._closed[(request.method, request.path)] = (time.time() + seconds, fault)

    # -- requests ------------------------------------------------------------------------------

    @staticmethod
    def params(request: Request) -> dict:
        kind = request.header("content-type")
        if kind.startswith("application/json"):
            return request.json()
        if kind.startswith("multipart/form-data"):
            fields = request.multipart()
            return {k: v if k == "photo" else v.decode("utf-8") for k, v in fields.items()}
        if kind.startswith("application/x-www-form-urlencoded"):
            return request.form()
        return dict(request.query)

    def dispatch(self, request: Request) -> Response:
        if request.params["token"] != self.token:
            return Response(401, error(401, "Unauthorized"))
        method = request.params["method"].lower()
        handler = {"getme": self.get_me, "sendmessage": self.send_message, "sendphoto": self.send_photo,
                   "deletemessage": self.delete_message}.get(method)
        if handler is None:
            return Response(404, error(404, "Not Found"))
        return handler(self.params(request))

    def _chat_ok(self, params: dict) -> bool:
        return str(params.get("chat_id")) in (self.chat, str(CHANNEL["id"]), f"@{CHANNEL['username']}")

    def get_me(self, params: dict) -> Response:
        return Response(200, {"ok": True, "result": {"id": int(self.token.split(":")[0]), "is_bot": True,
                                                     "first_name": "Newsroom", "username": "newsroom_dus_bot"}})

    def _post(self, params: dict, field: str, limit: int, too_long: str, extra: dict) -> Response:
        if not self._chat_ok(params):
            return Response(400, error(400, "Bad Request: chat not found"))
        markup = params.get(field) or ""
        if params.get("parse_mode") == "HTML":
            try:
                text = parse_html(markup)
            except Unparsable as exc:
                return Response(400, error(400, f"Bad Request: can't parse entities: {exc}"))
        else:
            text = markup
        text = text.strip()
        if field == "text" and not text:
            return Response(400, error(400, "Bad Request: message text is empty"))
        if utf16(text) > limit:
            return Response(400, error(400, too_long))
        reply = params.get("reply_parameters")
        reply = json.loads(reply) if isinstance(reply, str) else reply
        with self.lock:
            if reply and int(reply["message_id"]) not in self.messages:
                return Response(400, error(400, "Bad Request: message to be replied not found"))
            number = next(self.ids)
            message = {"message_id": number, "sender_chat": CHANNEL, "chat": CHANNEL, "date": int(time.time()),
                       field: text, **extra}
            if reply:
                message["reply_to_message"] = {"message_id": int(reply["message_id"]), "chat": CHANNEL}
            self.messages[number] = message
            count = len(self.messages) + len(self.deleted)
        if self.on_write:
            self.on_write(count)
        return Response(200, {"ok": True, "result": message})

    def send_message(self, params: dict) -> Response:
        preview = params.get("link_preview_options")
        preview = json.loads(preview) if isinstance(preview, str) else preview
        return self._post(params, "text", 4096, "Bad Request: message is too long",
                          {"link_preview_options": preview} if preview else {})

    def send_photo(self, params: dict) -> Response:
        photo = params.get("photo")
        if not isinstance(photo, bytes) or not photo:
            return Response(400, error(400, "Bad Request: there is no photo in the request"))
        sizes = [{"file_id": f"AgAC{n}", "file_unique_id": f"AQAD{n}", "width": w, "height": h}
                 for n, (w, h) in enumerate(((320, 180), (800, 450), (1280, 720)))]
        return self._post(params, "caption", 1024, "Bad Request: message caption is too long",
                          {"photo": sizes, "uploaded_bytes": len(photo)})

    def delete_message(self, params: dict) -> Response:
        if not self._chat_ok(params):
            return Response(400, error(400, "Bad Request: chat not found"))
        number = int(params.get("message_id") or 0)
        with self.lock:
            if number not in self.messages:
                return Response(400, error(400, "Bad Request: message to delete not found"))
            if number in self.too_old:
                return Response(400, error(400, "Bad Request: message can't be deleted"))
            del self.messages[number]
            self.deleted.append(number)
        return Response(200, {"ok": True, "result": True})

    # -- for the tests ---------------------------------------------------------------------------

    def posts_for(self, url: str) -> list[dict]:
        """The messages that carry the story's address (text, caption or link preview)."""
        return [m for m in self.messages.values() if url in (m.get("text") or m.get("caption") or "")
                and "reply_to_message" not in m]

    def replies_to(self, message_id: int) -> list[dict]:
        return [m for m in self.messages.values() if (m.get("reply_to_message") or {}).get("message_id") == message_id]
