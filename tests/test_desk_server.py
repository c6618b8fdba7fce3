"""The desk server (`invoke desk`) takes an approval only from its own pages: loopback Host, its
own Origin, this run's key, and the version the desk showed. Forged and replayed requests fail."""

from __future__ import annotations

import hashlib
import http.client
import urllib.parse

import pytest

from tests.desk_support import approvals_on_origin, desk_server, desk_site
from tests.publishing_support import STORY_ID


@pytest.fixture
def desk(site):
    server = desk_server(desk_site(site))
    yield site, server
    server.shutdown()
    server.server_close()


def post(server, form: dict, *, host=None, origin="own"):
    port = server.server_address[1]
    host = host or f"localhost:{port}"
    body = urllib.parse.urlencode(form)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Host": host, "Content-Type": "application/x-www-form-urlencoded"}
    if origin:
        headers["Origin"] = f"http://{host}" if origin == "own" else origin
    connection.request("POST", "/freigeben", body, headers)
    response = connection.getresponse()
    return response.status, response.read().decode("utf-8")


def version_of(site) -> str:
    return hashlib.sha256((site.content / "stories/2026/radwege.md").read_bytes()).hexdigest()


def test_the_served_desk_carries_the_key_and_the_built_one_does_not(desk):
    site, server = desk
    built = (site.root / "preview/desk/index.html").read_text(encoding="utf-8")
    assert 'name="schluessel" value="__DESK_KEY__"' in built and server.key not in built
    connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=30)
    connection.request("GET", "/desk/index.html", headers={"Host": f"localhost:{server.server_address[1]}"})
    served = connection.getresponse().read().decode("utf-8")
    assert f'name="schluessel" value="{server.key}"' in served


@pytest.mark.parametrize("change, reason", [
    ({"schluessel": "gefaelscht"}, "Der Schlüssel dieser Sitzung fehlt oder stimmt nicht"),
    ({"schluessel": ""}, "Der Schlüssel dieser Sitzung fehlt oder stimmt nicht"),
    ({"origin": "http://evil.example"}, "nur von seinen eigenen Seiten"),
    ({"origin": None}, "nur von seinen eigenen Seiten"),
    ({"host": "rebinding.example:80"}, "nur unter localhost"),
    ({"version": "0" * 64}, "wurde geändert, seit der Desk sie zeigte"),
])
def test_forged_requests_are_refused_and_approve_nothing(desk, change, reason):
    site, server = desk
    form = {"schluessel": server.key, "story": STORY_ID, "version": version_of(site)}
    options = {k: change.pop(k) for k in ("origin", "host") if k in change}
    status, text = post(server, {**form, **change}, **options)
    assert status == 403 and reason in text
    assert approvals_on_origin(site) == []


def test_a_replayed_approval_changes_nothing(desk):
    site, server = desk
    form = {"schluessel": server.key, "story": STORY_ID, "version": version_of(site)}
    status, text = post(server, form)
    assert status == 200 and "Freigegeben von cvd-b (lokal): content/stories/2026/radwege.md." in text
    assert len(approvals_on_origin(site)) == 1
    status, _text = post(server, form)  # the same request again
    assert status == 200 and len(approvals_on_origin(site)) == 1
