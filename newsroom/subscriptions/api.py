"""The API of the publish run: token-authenticated, never cached.

`GET api/presse/verteiler.csv` (below the service's path) gives the Pressedienst as the press
channel reads a distribution list (newsroom/mail/recipients.py): `address,name,medium,themen`
for every confirmed, active journalist who gets each release at once (frequency `sofort`; the
daily and weekly digests are claimed through deliveries.py instead), Themen joined by `;` ("alle"
for everything), plus each
person's one-click `unsubscribe` and `manage` links (links.py), which the mail puts into
List-Unsubscribe and the footer, and `abo`, its X-Newsroom-Abo header (bounces.mail_ref). The
publish run sets NEWSROOM_PRESS_RECIPIENTS to this URL and NEWSROOM_PRESS_RECIPIENTS_TOKEN to
NEWSROOM_SUBSCRIPTIONS_API_TOKEN: it reaches the service, never its database.

`POST api/presse/rueckmeldungen` takes the refusals of the SMTP dialogue of one release
(`{"item": "press:<key>", "refusals": [{"abo": <X-Newsroom-Abo>, "kind": "hard"|"soft"}]}`), which
count as bounces (bounces.record_refusal: once per release, kind and subscriber, so a re-run
reporting them again counts nothing twice).
"""

from __future__ import annotations

import csv
import hmac
import io
import json
import re

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from newsroom.subscriptions.bounces import HARD, SOFT, mail_ref, record_refusal
from newsroom.subscriptions.config import ServiceConfig
from newsroom.subscriptions.links import manage_url, unsubscribe_url
from newsroom.subscriptions.models import ACTIVE, ALL, IMMEDIATE, PRESS, THEMA, Subscriber

PRESS_COLUMNS = ("address", "name", "medium", "themen", "unsubscribe", "manage", "abo")
REFUSALS_MAX = 10_000  # one release's list at most; a larger body is not ours
_ITEM = re.compile(r"press:[a-z0-9][a-z0-9.-]{0,150}")
_ABO = re.compile(r"\d{1,12}\.[0-9a-f]{24}")
NO_STORE = {"Cache-Control": "no-store"}  # addresses must not rest in any cache on the way


def refusal(config: ServiceConfig, request: Request) -> Response | None:
    """None when the request carries the API token; else the answer that refuses it."""
    if not config.api_token:
        return PlainTextResponse("Die Schnittstelle ist nicht eingerichtet: NEWSROOM_SUBSCRIPTIONS_API_TOKEN fehlt.",
                                 status_code=503, headers=NO_STORE)
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    # Compared in constant time, so the answer's timing tells nothing about the token.
    if scheme.casefold() != "bearer" or not hmac.compare_digest(given.strip().encode(), config.api_token.encode()):
        return PlainTextResponse("Nicht berechtigt.", status_code=401,
                                 headers={**NO_STORE, "WWW-Authenticate": 'Bearer realm="abo"'})
    return None


def press_rows(config: ServiceConfig, session) -> list[list[str]]:
    """Confirmed, active Pressedienst subscribers of every release at once with at least one Thema, as CSV rows."""
    query = (select(Subscriber).where(Subscriber.kind == PRESS, Subscriber.status == ACTIVE,
                                      Subscriber.frequency == IMMEDIATE, Subscriber.confirmed_at.is_not(None))
             .options(selectinload(Subscriber.selections)).order_by(Subscriber.id))
    rows = []
    for person in session.scalars(query):
        themen = sorted({s.value for s in person.selections if s.dimension == THEMA})
        if not themen:
            continue  # nothing chosen gets nothing; the press loader would only warn about the line
        themen = [ALL] if ALL in themen else themen
        rows.append([person.email, person.name or "", person.medium or "", ";".join(themen),
                     unsubscribe_url(config, person), manage_url(config, person),
                     mail_ref(person.id, person.key)])
    return rows


def press_list(request: Request) -> Response:
    config: ServiceConfig = request.app.state.config
    refused = refusal(config, request)
    if refused is not None:
        return refused
    with request.app.state.database.session() as session:
        rows = press_rows(config, session)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(PRESS_COLUMNS)
    writer.writerows(rows)
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=NO_STORE)


async def press_refusals(request: Request) -> Response:
    config: ServiceConfig = request.app.state.config
    refused = refusal(config, request)
    if refused is not None:
        return refused
    body = await request.body()
    try:
        data = json.loads(body) if len(body) <= 2_000_000 else None
        item, entries = data["item"], data["refusals"]
        if not (isinstance(item, str) and _ITEM.fullmatch(item) and isinstance(entries, list)
                and len(entries) <= REFUSALS_MAX and all(
                    isinstance(e, dict) and isinstance(e.get("abo"), str) and _ABO.fullmatch(e["abo"])
                    and e.get("kind") in (HARD, SOFT) for e in entries)):
            raise ValueError
    except (ValueError, TypeError, KeyError):
        return PlainTextResponse("Ungültige Rückmeldung.", status_code=400, headers=NO_STORE)
    outcomes: dict[str, int] = {}
    for entry in entries:
        outcome = record_refusal(request.app.state.database, config.settings, entry["abo"], item, entry["kind"])
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return Response(json.dumps(outcomes, sort_keys=True), media_type="application/json", headers=NO_STORE)


def routes(config: ServiceConfig) -> list:
    return [Route("/api/presse/verteiler.csv", press_list, methods=["GET"]),
            Route("/api/presse/rueckmeldungen", press_refusals, methods=["POST"])]
