"""The site's security headers, made from the settings: one Content-Security-Policy for every
public page, one for the admin (Decap CMS), one for the local channel previews, and the other
headers the web server adds (HSTS, X-Content-Type-Options, Referrer-Policy, Permissions-Policy).

Pages carry their policy in a <meta> element, so even a server that adds nothing (S3) keeps it;
a <meta> policy cannot say frame-ancestors, report-uri or sandbox, so the server configurations
(newsroom/deploy/server_config.py) send the whole policy as a header too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from newsroom.errors import ConfigurationError

SELF = "'self'"
NONE = "'none'"
YOUTUBE_PLAYER = "https://www.youtube-nocookie.com"
DECAP_LOCAL_BACKEND = "http://localhost:8081/api/v1"  # Decap's own default (decap-server)
LOOPBACK = {"localhost", "127.0.0.1", "::1"}
# Directives a <meta> policy may not carry (the browser ignores them there, with a console error).
HEADER_ONLY = ("frame-ancestors", "report-uri", "report-to", "sandbox")
# A source: a scheme ("mailto:"), or a scheme and host with an optional port and path; no wildcards
# beyond a leading "*." and nothing that could end the directive or the attribute.
_SOURCE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|https?://(?:\*\.)?[a-z0-9.-]+(?::\d+)?(?:/[\w./~-]*)?)$", re.I)


@dataclass(frozen=True)
class Policy:
    """A Content-Security-Policy as (directive, sources) pairs, in the order written."""

    directives: tuple[tuple[str, tuple[str, ...]], ...]

    def header(self) -> str:
        return "; ".join(" ".join((name, *sources)) for name, sources in self.directives)

    def meta(self) -> str:
        """The policy for <meta http-equiv>: without the directives only a header may carry."""
        return Policy(tuple(d for d in self.directives if d[0] not in HEADER_ONLY)).header()

    def sources(self, name: str) -> tuple[str, ...]:
        return dict(self.directives).get(name, ())


def _sources(settings: dict, key: str) -> tuple[str, ...]:
    values = settings[key]
    if isinstance(values, str):
        values = (values,)
    for value in values:
        if not isinstance(value, str) or not _SOURCE.match(value):
            raise ConfigurationError(
                f"Einstellung {key}: „{value}“ ist keine gültige Quelle für die Content-Security-Policy. "
                "Erlaubt sind Adressen wie https://dienst.example.org oder ein Schema wie mailto:.")
    return tuple(values)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def site_policy(settings: dict) -> Policy:
    """Every public page: only the site itself; Pagefind's WebAssembly; the YouTube player as a
    frame (medien.js creates it only after consent); forms to the site, the feedback form's
    mail program, the subscription service (the page "Abonnieren") and CSP_FORM_ACTION."""
    mailto = ("mailto:",) if settings["ACCESSIBILITY_FEEDBACK_EMAIL"] else ()
    service = _subscription_origin(settings)
    frames = _sources(settings, "CSP_FRAME_SOURCES")
    return Policy((
        ("default-src", (SELF,)),
        ("script-src", (SELF, "'wasm-unsafe-eval'")),
        ("style-src", (SELF,)),
        ("img-src", (SELF,)),
        ("frame-src", frames or (NONE,)),
        ("object-src", (NONE,)),
        ("base-uri", (SELF,)),
        ("form-action", (SELF, *mailto, *service, *_sources(settings, "CSP_FORM_ACTION"))),
        ("frame-ancestors", (settings["CSP_FRAME_ANCESTORS"],)),  # 'none' or 'self' (the schema checks)
    ))


def _subscription_origin(settings: dict) -> tuple[str, ...]:
    """SUBSCRIPTIONS_URL's origin, unless it is the site's own ('self' covers that)."""
    url = settings.get("SUBSCRIPTIONS_URL")
    if not url or _origin(url) == _origin(settings["SITEURL"]):
        return ()
    origin = _origin(url)
    if not _SOURCE.match(origin):
        raise ConfigurationError(f"Einstellung SUBSCRIPTIONS_URL: „{url}“ ist keine gültige Adresse "
                                 "(zum Beispiel https://abo.duesseldorf.de/abo/).")
    return (origin,)


def admin_policy(settings: dict) -> Policy:
    """The admin: Decap's bundle from the site only. Decap needs two things the public pages are
    refused: eval (ajv compiles the config's validators into functions) and inline styles (emotion
    writes them at run time). Uploads are shown as blob: and data: images; it talks only to
    decap-server (local) or the GitLab instance (live); only the site itself may frame it."""
    backend = settings["ADMIN_BACKEND"]
    remote = [_origin(backend[key]) for key in ("base_url", "api_root") if backend.get(key)]
    # decap-server is asked only where the admin runs on this machine (Decap tries it on localhost only).
    local = settings["ADMIN_LOCAL_BACKEND_URL"]
    if not local and urlsplit(settings["SITEURL"]).hostname in LOOPBACK:
        local = DECAP_LOCAL_BACKEND
    # blob:: Decap reads an upload back (fetch) to send it as base64.
    connect = tuple(dict.fromkeys([SELF, "blob:", *remote, *([_origin(local)] if local else [])]))
    return Policy((
        ("default-src", (SELF,)),
        ("script-src", (SELF, "'unsafe-eval'")),  # Decap checks its config with ajv's compiled validators
        ("style-src", (SELF, "'unsafe-inline'")),
        ("img-src", (SELF, "data:", "blob:", *remote[:1])),  # the editor's avatar from GitLab
        ("media-src", (SELF, "blob:")),
        ("connect-src", connect),
        ("frame-src", (SELF, "blob:")),
        ("object-src", (NONE,)),
        ("base-uri", (SELF,)),
        ("form-action", (SELF,)),
        ("frame-ancestors", (SELF,)),
    ))


def desk_policy() -> Policy:
    """The desk: as the previews, its forms post to the local desk server (`invoke desk`), and its one
    script beside it (kopieren.js) copies a manual task's text to the clipboard."""
    return Policy((*preview_policy(form_action=SELF).directives, ("script-src", (SELF,))))


def preview_policy(form_action: str = NONE) -> Policy:
    """The channel previews and the overview, opened from disk: their stylesheet and links only."""
    return Policy((
        ("default-src", (NONE,)),
        ("style-src", (SELF,)),
        ("img-src", (SELF,)),
        ("base-uri", (NONE,)),
        ("form-action", (form_action,)),
    ))


def server_headers(settings: dict) -> dict[str, str]:
    """The headers besides the policy that every response of the site carries."""
    headers = {
        "Strict-Transport-Security": settings["SERVER_HSTS"],
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": settings["SERVER_REFERRER_POLICY"],
        "Permissions-Policy": settings["SERVER_PERMISSIONS_POLICY"],
    }
    for name, value in headers.items():
        if any(ord(c) < 32 or c in "\\$" for c in value):
            raise ConfigurationError(f"Einstellung für {name}: „{value!r}“ enthält ein Steuerzeichen, "
                                     "einen Backslash oder ein $; so lässt sich der Header nicht sicher schreiben.")
    return {name: value for name, value in headers.items() if value}
