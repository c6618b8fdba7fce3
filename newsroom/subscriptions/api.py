"""The API of the publish run: token-authenticated, never cached.

`GET api/presse/verteiler.csv` (below the service's path) gives the Pressedienst as the press
channel reads a distribution list (newsroom/mail/recipients.py): `address,name,medium,themen`
for every confirmed, active journalist, Themen joined by `;` ("alle" for everything), plus each
person's one-click `unsubscribe` and `manage` links (links.py), which the mail puts into
List-Unsubscribe and the footer, and `abo`, its X-Newsroom-Abo header (bounces.mail_ref). The
publish run sets NEWSROOM_PRESS_RECIPIENTS to this URL and NEWSROOM_PRESS_RECIPIENTS_TOKEN to
NEWSROOM_SUBSCRIPTIONS_API_TOKEN: it reaches the service, never its database.
"""

from __future__ import annotations

import csv
import hmac
import io

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from newsroom.subscriptions.bounces import mail_ref
from newsroom.subscriptions.config import ServiceConfig
from newsroom.subscriptions.links import manage_url, unsubscribe_url
from newsroom.subscriptions.models import ACTIVE, ALL, PRESS, THEMA, Subscriber

PRESS_COLUMNS = ("address", "name", "medium", "themen", "unsubscribe", "manage", "abo")
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
    """Confirmed, active Pressedienst subscribers with at least one Thema, as CSV rows."""
    query = (select(Subscriber).where(Subscriber.kind == PRESS, Subscriber.status == ACTIVE,
                                      Subscriber.confirmed_at.is_not(None))
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


def routes(config: ServiceConfig) -> list:
    return [Route("/api/presse/verteiler.csv", press_list, methods=["GET"])]
