"""What a person does with the service: sign up, confirm, manage, unsubscribe, export, delete.

Pages in German from theme/templates/subscriptions/ (they extend the site's base.html and use
its stylesheet, served by the service itself), working without JavaScript. No account: the
signed link in a mail is the proof (links.py). A GET never changes anything (mail scanners
open links); every change is a POST of a button on the page the link shows, except the
one-click unsubscribe of RFC 8058, a POST straight to the link.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone
from functools import cache
from urllib.parse import parse_qs

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from newsroom.errors import TokenInvalid
from newsroom.languages.catalogues import Interface, install
from newsroom.subscriptions import abuse, keys, links, mails
from newsroom.subscriptions.models import (
    ACTIVE,
    AMT,
    BEZIRK,
    CITIZEN,
    FREQUENCIES,
    PAUSED,
    PENDING,
    PRESS,
    SUSPENDED,
    THEMA,
    UNSUBSCRIBED,
    Bounce,
    Consent,
    Delivery,
    Rate,
    Selection,
    Subscriber,
    UsedToken,
)
from newsroom.subscriptions.tokens import CONFIRM, MANAGE, UNSUBSCRIBE

OFFERS = {PRESS: "Pressedienst", CITIZEN: "Nachrichten für Bürgerinnen und Bürger"}
FREQUENCY_LABELS = {"sofort": "sofort bei jeder Meldung", "taeglich": "täglich als Zusammenfassung",
                    "woechentlich": "wöchentlich als Zusammenfassung"}
STATUS_LABELS = {PENDING: "noch nicht bestätigt", ACTIVE: "aktiv", PAUSED: "pausiert",
                 SUSPENDED: "gesperrt (Mails kamen nicht an)", UNSUBSCRIBED: "abgemeldet"}
ONE_CLICK = b"List-Unsubscribe=One-Click"


def now() -> datetime:
    return datetime.now(timezone.utc)


# -- rendering -----------------------------------------------------------------------------

@cache
def _environment(folder, site: str, service: str, languages: tuple[tuple[str, str], ...] = ()) -> Environment:
    environment = Environment(loader=FileSystemLoader(str(folder / "templates")),
                              autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
    # The site's frame (base.html) in German, its language switch leading to the site's other languages.
    install(environment, Interface(folder, ()), dict(languages))
    environment.filters["href"] = environment.filters["absolute"] = _site_href(site.rstrip("/"), service)
    return environment


def _site_href(site: str, service: str):
    def href(path: str) -> str:
        # The theme's stylesheet and images come from the service itself (no other origin to
        # allow); every other link leads to the site.
        if path.startswith(("http://", "https://", "mailto:", "#")):
            return path
        if path.startswith("theme/"):
            return service + path
        return f"{site}/{path.lstrip('/')}"
    return href


def choices(settings) -> dict:
    return {"themen": list(settings["THEMEN"]), "aemter": list(settings["AEMTER"]),
            "bezirke": [(str(number), places) for number, places in sorted(settings["STADTBEZIRKE"].items())]}


def render(config, template: str, status: int = 200, **context) -> HTMLResponse:
    environment = _environment(mails.theme_folder(config.settings), config.settings["SITEURL"], config.path,
                               tuple(config.settings["LANGUAGES"].items()))
    meta_policy = abuse.POLICY.replace("; frame-ancestors 'none'", "")
    page = environment.get_template(f"subscriptions/{template}.html").render(
        {**{k: v for k, v in config.settings.items() if k.isupper()}, "content_security_policy": meta_policy,
         "service": config.path, "offers": OFFERS, "frequencies": FREQUENCY_LABELS, "statuses": STATUS_LABELS,
         "lists": choices(config.settings), **context})
    return HTMLResponse(page, status_code=status)


def refused(config) -> HTMLResponse:
    """Expired, used, forged or of an erased person: one page, byte for byte the same."""
    return render(config, "ungueltig", 400)


# -- reading a request ---------------------------------------------------------------------

async def read_body(request) -> bytes | None:
    """The body, or None when it is larger than any form of the service."""
    declared = request.headers.get("content-length", "0")
    if not declared.isdigit() or int(declared) > abuse.FORM_MAX_BYTES:
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > abuse.FORM_MAX_BYTES:
            return None
    return body


def parse_form(body: bytes) -> dict[str, list[str]]:
    try:
        return parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=200, strict_parsing=False)
    except (UnicodeDecodeError, ValueError):
        return {}


def first(form: dict, name: str) -> str:
    values = form.get(name) or [""]
    return values[0]


def client_of(config, request) -> str:
    host = request.client.host if request.client else "unbekannt"
    return keys.client_hash(config.secret, host)


def allowed_origins(config) -> set[str]:
    return {abuse.origin_of(config.settings["SITEURL"]), abuse.origin_of(config.public_url)}


# -- choices: what a form asks, what a subscriber has ----------------------------------------

def read_choices(config, kind: str, form: dict, *, with_email: bool) -> tuple[dict, dict]:
    """(values, errors by field) of a sign-up or change form; values are checked and normalised."""
    settings = config.settings
    values: dict = {"kind": kind}
    errors: dict[str, str] = {}
    if with_email:
        values["email"], error = abuse.check_email(first(form, "email"))
        if error:
            errors["email"] = error
        if first(form, "einwilligung") != "ja":
            errors["einwilligung"] = "Ohne Ihre Einwilligung können wir Ihnen keine Mails senden."
    if kind == PRESS:
        for field, label in (("name", "Ihren Namen"), ("medium", "Ihr Medium oder Ihre Redaktion")):
            values[field], error = abuse.check_text(first(form, field), label, required=True)
            if error:
                errors[field] = error
    lists = {THEMA: list(settings["THEMEN"]), AMT: list(settings["AEMTER"]),
             BEZIRK: [str(n) for n in sorted(settings["STADTBEZIRKE"])]}
    dimensions = (THEMA,) if kind == PRESS else (THEMA, AMT, BEZIRK)
    selections: dict[str, list[str]] = {}
    for dimension in dimensions:
        chosen = abuse.check_choices(form.get(dimension, []), lists[dimension])
        if chosen is None:
            errors[dimension] = "Bitte wählen Sie nur aus der Liste."
        elif chosen:
            selections[dimension] = chosen
    if kind == PRESS and THEMA not in selections and THEMA not in errors:
        errors[THEMA] = "Bitte wählen Sie mindestens ein Thema oder „Alle Themen“."
    if kind == CITIZEN and not selections and not errors.keys() & {THEMA, AMT, BEZIRK}:
        errors[THEMA] = "Bitte wählen Sie mindestens ein Thema, ein Amt oder einen Stadtbezirk."
    values["selections"] = selections
    frequency = first(form, "haeufigkeit")
    if frequency not in FREQUENCIES:
        errors["haeufigkeit"] = "Bitte wählen Sie, wie oft Sie Post bekommen möchten."
    values["frequency"] = frequency
    return values, errors


def apply_choices(session, subscriber: Subscriber, values: dict) -> None:
    subscriber.kind = values["kind"]
    subscriber.frequency = values["frequency"]
    subscriber.name = values.get("name") if values["kind"] == PRESS else None
    subscriber.medium = values.get("medium") if values["kind"] == PRESS else None
    subscriber.selections = [Selection(dimension=d, value=v) for d, chosen in sorted(values["selections"].items())
                             for v in chosen]
    session.flush()


def values_of(subscriber: Subscriber) -> dict:
    scope = links.scope_of(subscriber)
    return {"kind": subscriber.kind, "name": subscriber.name or "", "medium": subscriber.medium or "",
            "selections": scope["selections"], "frequency": subscriber.frequency}


def record(session, config, subscriber: Subscriber, action: str, method: str, client: str | None) -> None:
    """One step of consent (DSGVO Art. 7 (1)): what, when, to which wording, how; keyed, no address."""
    session.add(Consent(subscriber_ref=keys.subscriber_ref(subscriber.key), at=now(), action=action,
                        scope=json.dumps(links.scope_of(subscriber), ensure_ascii=False, sort_keys=True),
                        wording_version=str(config.settings["SUBSCRIPTIONS_CONSENT_VERSION"]), method=method,
                        client=client))


# -- sign-up -------------------------------------------------------------------------------

def forget_unconfirmed(session, config) -> None:
    """Sign-ups never confirmed within SUBSCRIPTIONS_PENDING_DAYS are deleted, as the consent text
    promises; their consent rows stay, linked to nobody. Done with each sign-up: cheap (an index on
    status) and no scheduler to forget."""
    cutoff = now() - timedelta(days=int(config.settings["SUBSCRIPTIONS_PENDING_DAYS"]))
    session.execute(delete(Subscriber).where(Subscriber.status == PENDING, Subscriber.changed_at < cutoff))


def start(request):
    return render(request.app.state.config, "start")


def offer_of(request) -> str:
    """The offer a sign-up route is for: the last segment of its path (/abo/presse)."""
    kind = request.url.path.rstrip("/").rpartition("/")[2]
    assert kind in OFFERS
    return kind


def signup_form(request):
    config = request.app.state.config
    kind = offer_of(request)
    return render(config, "anmelden", kind=kind, values={"kind": kind, "selections": {}, "frequency": "sofort"},
                  errors={}, token=links.form_token(config))


async def signup(request):
    config = request.app.state.config
    kind = offer_of(request)
    body = await read_body(request)
    if body is None:
        return render(config, "abgelehnt", 413)
    return await run_in_threadpool(_signup, request, config, kind, parse_form(body))


def _signup(request, config, kind: str, form: dict):
    database = request.app.state.database
    client = client_of(config, request)
    token_text = first(form, "formular")
    issued = None
    if token_text:  # the service's own form: its signed token is the CSRF proof and the fill clock
        try:
            issued = links.read_form_token(config, token_text).issued
        except TokenInvalid:
            return render(config, "anmelden", 400, kind=kind, values={"kind": kind, "selections": {}},
                          errors={"formular": "Das Formular war zu lange geöffnet. Bitte füllen Sie es erneut aus."},
                          token=links.form_token(config))
        if not abuse.not_foreign(request.headers, allowed_origins(config)):
            return render(config, "abgelehnt", 403)
    elif not abuse.same_origin(request.headers, allowed_origins(config)):
        # The site's static form cannot hold a token: its browser must say it came from the site.
        return render(config, "abgelehnt", 403)
    with database.session() as session:
        if not abuse.hit(session, client, abuse.CLIENT_SIGNUPS):
            return render(config, "zu-viele", 429)
    values, errors = read_choices(config, kind, form, with_email=True)
    if errors:
        return render(config, "anmelden", 400, kind=kind, values=values | {field: abuse.shown(first(form, field))
                                                            for field in ("email", "name", "medium")},
                      errors=errors, token=links.form_token(config))
    answer = render(config, "postfach")
    robot = first(form, abuse.HONEYPOT) != "" or (issued is not None and time.time() - issued < abuse.MIN_FILL_SECONDS)
    if robot:
        return answer  # the same page; nothing stored, nothing sent
    method = "formular" if token_text else "website-formular"
    with database.session() as session:
        forget_unconfirmed(session, config)
        if not abuse.hit(session, keys.address_hash(config.secret, values["email"]), abuse.ADDRESS_MAILS):
            return answer
        subscriber = session.scalars(select(Subscriber).where(Subscriber.email == values["email"])).first()
        if subscriber is None:
            subscriber = Subscriber(email=values["email"], key=keys.new_key(), status=PENDING, created_at=now(),
                                    changed_at=now(), bounces=0, complaints=0)
            session.add(subscriber)
        if subscriber.status in (PENDING, UNSUBSCRIBED):
            apply_choices(session, subscriber, values)
            subscriber.status, subscriber.changed_at = PENDING, now()
            record(session, config, subscriber, "angefragt", method, client)
            session.flush()
            url, send = links.confirm_url(config, subscriber), mails.send_confirmation
        elif subscriber.status in (ACTIVE, PAUSED):
            url, send = links.manage_url(config, subscriber), mails.send_manage_link
        else:  # suspended: the address bounced or complained; it gets nothing from here
            return answer
        session.expunge_all()
    # Sent after the answer: the time a mail takes must not tell a known address from a new one.
    answer.background = BackgroundTask(send, config, subscriber, url, OFFERS[subscriber.kind])
    return answer


# -- confirmation --------------------------------------------------------------------------

def _confirmable(config, session, token: str) -> tuple[Subscriber, object]:
    subscriber, claims = links.subscriber_for(config, session, token, CONFIRM)
    if (subscriber.status != PENDING or claims.extra.get("v") != links.scope_digest(subscriber)
            or session.get(UsedToken, claims.jti) is not None):
        raise TokenInvalid("Der Link wurde schon benutzt.")
    return subscriber, claims


def confirm_page(request):
    config = request.app.state.config
    with request.app.state.database.session() as session:
        try:
            subscriber, _ = _confirmable(config, session, request.path_params["token"])
        except TokenInvalid:
            return refused(config)
        return render(config, "bestaetigen", subscriber=subscriber, values=values_of(subscriber),
                      action=request.url.path)


async def confirm(request):
    config = request.app.state.config
    if await read_body(request) is None:
        return render(config, "abgelehnt", 413)
    if not abuse.not_foreign(request.headers, allowed_origins(config)):
        return render(config, "abgelehnt", 403)
    return await run_in_threadpool(_confirm, request, config)


def _confirm(request, config):
    database = request.app.state.database
    try:
        with database.session() as session:
            subscriber, claims = _confirmable(config, session, request.path_params["token"])
            session.add(UsedToken(jti=claims.jti, used_at=now(),
                                  expires_at=datetime.fromtimestamp(claims.expires, timezone.utc)))
            session.flush()  # a second, simultaneous use fails here on the primary key
            session.execute(delete(UsedToken).where(UsedToken.expires_at < now()))
            subscriber.status, subscriber.confirmed_at, subscriber.changed_at = ACTIVE, now(), now()
            record(session, config, subscriber, "bestaetigt", "link", client_of(config, request))
            manage = links.manage_url(config, subscriber)
            return render(config, "bestaetigt", subscriber=subscriber, manage=manage,
                          values=values_of(subscriber))
    except (TokenInvalid, IntegrityError):
        return refused(config)


# -- manage --------------------------------------------------------------------------------

def manage_page(request):
    config = request.app.state.config
    token = request.path_params["token"]
    with request.app.state.database.session() as session:
        try:
            subscriber, _ = links.subscriber_for(config, session, token, MANAGE)
        except TokenInvalid:
            return refused(config)
        return render(config, "verwalten", subscriber=subscriber, values=values_of(subscriber), errors={},
                      token=token, message=None)


async def manage(request):
    config = request.app.state.config
    body = await read_body(request)
    if body is None:
        return render(config, "abgelehnt", 413)
    if not abuse.not_foreign(request.headers, allowed_origins(config)):
        return render(config, "abgelehnt", 403)
    return await run_in_threadpool(_manage, request, config, parse_form(body))


MESSAGES = {"speichern": "Ihre Auswahl ist gespeichert.", "pausieren": "Ihr Abonnement ist pausiert.",
            "fortsetzen": "Ihr Abonnement ist wieder aktiv.", "abmelden": "Sie sind abgemeldet."}


def _manage(request, config, form: dict):
    token = request.path_params["token"]
    action = first(form, "aktion")
    client = client_of(config, request)
    with request.app.state.database.session() as session:
        if not abuse.hit(session, client, abuse.CLIENT_ACTIONS):
            return render(config, "zu-viele", 429)
    with request.app.state.database.session() as session:
        try:
            subscriber, _ = links.subscriber_for(config, session, token, MANAGE)
        except TokenInvalid:
            return refused(config)
        errors: dict = {}
        values = values_of(subscriber)
        message = None
        if action == "speichern" and subscriber.status != UNSUBSCRIBED:
            values, errors = read_choices(config, subscriber.kind, form, with_email=False)
            if not errors:
                apply_choices(session, subscriber, values)
                subscriber.changed_at = now()
                record(session, config, subscriber, "geaendert", "formular", client)
                message = MESSAGES[action]
            else:
                values |= {field: abuse.shown(first(form, field)) for field in ("name", "medium")}
        elif action == "pausieren" and subscriber.status == ACTIVE:
            subscriber.status, subscriber.changed_at = PAUSED, now()
            record(session, config, subscriber, "pausiert", "formular", client)
            message = MESSAGES[action]
        elif action == "fortsetzen" and subscriber.status in (PAUSED, UNSUBSCRIBED):
            subscriber.status, subscriber.changed_at = ACTIVE, now()
            record(session, config, subscriber, "fortgesetzt", "formular", client)
            message = MESSAGES[action]
        elif action == "abmelden" and subscriber.status in (ACTIVE, PAUSED, SUSPENDED, PENDING):
            subscriber.status, subscriber.changed_at = UNSUBSCRIBED, now()
            record(session, config, subscriber, "abgemeldet", "formular", client)
            message = MESSAGES[action]
        elif action not in MESSAGES:
            return render(config, "abgelehnt", 400)
        return render(config, "verwalten", 400 if errors else 200, subscriber=subscriber, values=values,
                      errors=errors, token=token, message=message)


def export(request):
    """Art. 15 DSGVO: everything stored about the person, as JSON."""
    config = request.app.state.config
    with request.app.state.database.session() as session:
        try:
            subscriber, _ = links.subscriber_for(config, session, request.path_params["token"], MANAGE)
        except TokenInvalid:
            return refused(config)
        data = export_data(session, subscriber)
    body = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return Response(body, media_type="application/json; charset=utf-8",
                    headers={"content-disposition": 'attachment; filename="meine-daten-abonnement.json"'})


def _time(value: datetime | None) -> str | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).isoformat()


def export_data(session, subscriber: Subscriber) -> dict:
    ref = keys.subscriber_ref(subscriber.key)
    consents = session.scalars(select(Consent).where(Consent.subscriber_ref == ref).order_by(Consent.at, Consent.id))
    deliveries = session.scalars(select(Delivery).where(Delivery.subscriber_id == subscriber.id)
                                 .order_by(Delivery.at, Delivery.item))
    bounces = session.scalars(select(Bounce).where(Bounce.subscriber_id == subscriber.id).order_by(Bounce.at))
    return {
        "hinweis": "Alle Daten, die der Abonnement-Dienst der Landeshauptstadt Düsseldorf über Sie speichert "
                   "(Art. 15 DSGVO).",
        "abonnent": {"email": subscriber.email, "angebot": subscriber.kind, "name": subscriber.name,
                     "medium": subscriber.medium, "haeufigkeit": subscriber.frequency, "status": subscriber.status,
                     "angemeldet": _time(subscriber.created_at), "bestaetigt": _time(subscriber.confirmed_at),
                     "geaendert": _time(subscriber.changed_at), "unzustellbar": subscriber.bounces,
                     "beschwerden": subscriber.complaints},
        "auswahl": links.scope_of(subscriber)["selections"],
        "einwilligungen": [{"zeitpunkt": _time(c.at), "aktion": c.action, "umfang": json.loads(c.scope),
                            "fassung": c.wording_version, "weg": c.method, "verbindung_schluesselwert": c.client}
                           for c in consents],
        "zustellungen": [{"sendung": d.item, "status": d.status, "lauf": d.run, "zeitpunkt": _time(d.at)}
                         for d in deliveries],
        "rueckmeldungen": [{"art": b.kind, "zeitpunkt": _time(b.at)} for b in bounces],
    }


def erase_page(request):
    config = request.app.state.config
    token = request.path_params["token"]
    with request.app.state.database.session() as session:
        try:
            links.subscriber_for(config, session, token, MANAGE)
        except TokenInvalid:
            return refused(config)
    return render(config, "loeschen", token=token, action=request.url.path)


async def erase(request):
    config = request.app.state.config
    if await read_body(request) is None:
        return render(config, "abgelehnt", 413)
    if not abuse.not_foreign(request.headers, allowed_origins(config)):
        return render(config, "abgelehnt", 403)
    return await run_in_threadpool(_erase, request, config)


def _erase(request, config):
    """Art. 17 DSGVO: the subscriber row goes, and with it (cascade) every row of the person and the
    key; the consent rows stay as proof, keyed with that key and so linked to nobody."""
    with request.app.state.database.session() as session:
        try:
            subscriber, _ = links.subscriber_for(config, session, request.path_params["token"], MANAGE)
        except TokenInvalid:
            return refused(config)
        if subscriber.status in (ACTIVE, PAUSED, SUSPENDED):
            record(session, config, subscriber, "abgemeldet", "link", client_of(config, request))
        session.flush()
        # The rate limits keep a hash of the address (keyed with the service secret) for a while: gone too.
        session.execute(delete(Rate).where(Rate.bucket == abuse.bucket_key(
            abuse.ADDRESS_MAILS, keys.address_hash(config.secret, subscriber.email))))
        session.execute(delete(Subscriber).where(Subscriber.id == subscriber.id))
        session.expunge_all()
    return render(config, "geloescht")


# -- unsubscribe (RFC 8058) ------------------------------------------------------------------

def unsubscribe_page(request):
    config = request.app.state.config
    with request.app.state.database.session() as session:
        try:
            subscriber, _ = links.subscriber_for(config, session, request.path_params["token"], UNSUBSCRIBE)
        except TokenInvalid:
            return refused(config)
        return render(config, "abmelden", subscriber=subscriber, action=request.url.path)


async def unsubscribe(request):
    """A mail program's POST (`List-Unsubscribe=One-Click`, no cookie, no form token: the link's token
    is the authority) or the button of the page: unsubscribed at once."""
    config = request.app.state.config
    body = await read_body(request)
    if body is None:
        return render(config, "abgelehnt", 413)
    return await run_in_threadpool(_unsubscribe, request, config, ONE_CLICK in body)


def _unsubscribe(request, config, one_click: bool):
    with request.app.state.database.session() as session:
        try:
            subscriber, _ = links.subscriber_for(config, session, request.path_params["token"], UNSUBSCRIBE)
        except TokenInvalid:
            return refused(config)
        if subscriber.status != UNSUBSCRIBED:
            subscriber.status, subscriber.changed_at = UNSUBSCRIBED, now()
            record(session, config, subscriber, "abgemeldet", "one-click" if one_click else "link",
                   client_of(config, request))
        return render(config, "abgemeldet", manage=links.manage_url(config, subscriber))


def routes(config) -> list:
    static = mails.theme_folder(config.settings) / "static"
    return [
        Route("/", start, methods=["GET"]),
        Route("/bestaetigen/{token}", confirm_page, methods=["GET"]),
        Route("/bestaetigen/{token}", confirm, methods=["POST"]),
        Route("/verwalten/{token}", manage_page, methods=["GET"]),
        Route("/verwalten/{token}", manage, methods=["POST"]),
        Route("/verwalten/{token}/daten", export, methods=["GET"]),
        Route("/verwalten/{token}/loeschen", erase_page, methods=["GET"]),
        Route("/verwalten/{token}/loeschen", erase, methods=["POST"]),
        Route("/abmelden/{token}", unsubscribe_page, methods=["GET"]),
        Route("/abmelden/{token}", unsubscribe, methods=["POST"]),
        Mount("/theme/css", StaticFiles(directory=static / "css")),
        Mount("/theme/img", StaticFiles(directory=static / "img")),
        *(Route(f"/{kind}", signup_form, methods=["GET"]) for kind in OFFERS),
        *(Route(f"/{kind}", signup, methods=["POST"]) for kind in OFFERS),
    ]
