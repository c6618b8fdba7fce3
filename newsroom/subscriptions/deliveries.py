"""Citizen alerts for the publish run: who gets a story or a digest, each exactly once.

The publish run never touches the database; it calls these routes over HTTPS with the API
token (NEWSROOM_SUBSCRIPTIONS_API_TOKEN), below SUBSCRIPTIONS_PATH + `api/zustellung/`:

- `beginnen` {item, run}: a run starts on an item (`story:<key>`, `digest:taeglich:2026-12-06`, the
  Pressedienst's digest `digest:presse:taeglich:2026-12-06`, or a crisis message's send
  `alle:krise-<id>`, `alle:krise-<id>.update-<YYYYMMDDHHMM>`, `alle:krise-<id>.entwarnung`).
  Rows another run left `sending` (it died mid-batch) become `uncertain`: they may have been
  mailed, so no automatic run mails them again. Answers the counts per status.
- `beanspruchen` {item, run, frequency, stories, limit[, unclear]}: claims the next batch. In one
  transaction it inserts a `delivery` row (`sending`, this run) for each active, confirmed citizen
  subscriber of that frequency whose selections match one of the stories and who has no row for
  the item yet, or whose row an earlier run left `deferred`; the primary key (subscriber, item) is
  the guard, so two runs never claim the same person (insert-if-absent on PostgreSQL and SQLite
  alike). A run's batch still `sending` is answered again instead (a lost answer is repeated
  safely). With `unclear` it claims the `uncertain` rows instead (not those this run already
  tried): sent on purpose, once.
  Answers each recipient's id, address, X-Newsroom-Abo value (`ref`), manage and unsubscribe
  links and the stories they match.
- `ergebnis` {item, run, results: {sent|refused|deferred|uncertain: [ids]}}: what became of the
  batch; only rows this run holds as `sending` change.
- `stand` {item, run}: the counts per status.
- `geprueft` {item, run}: the `uncertain` rows were checked by hand: `checked`, nobody mailed.

The item names the audience: citizen subscribers for `story:` and `digest:<frequency>:`, the
Pressedienst's journalists of that frequency for `digest:presse:` (those with `sofort` get each
release from the press list, api.py), and every active, confirmed citizen subscriber for `alle:`
(a crisis message: whatever they chose, and at once whatever their frequency, never in a digest;
`frequency` and `stories` are not matched, each recipient gets every story sent). A citizen matches a story by Thema, Amt or Stadtbezirk, or by
a selection `alle`; a story without Stadtbezirke concerns the whole city and matches by Thema and
Amt only. A journalist matches an entry (a release or an appointment) by its Thema or by `alle`.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone

from sqlalchemy import and_, exists, func, literal, or_, select, update
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from newsroom.errors import RequestInvalid
from newsroom.subscriptions.api import NO_STORE, refusal
from newsroom.subscriptions.bounces import HARD, SOFT, mail_ref, record_refusal
from newsroom.subscriptions.config import ServiceConfig
from newsroom.subscriptions.links import manage_url, unsubscribe_url
from newsroom.subscriptions.models import (
    ACTIVE,
    ALL,
    AMT,
    BEZIRK,
    CITIZEN,
    FREQUENCIES,
    PRESS,
    THEMA,
    Delivery,
    Selection,
    Subscriber,
)

SENDING, SENT, REFUSED, DEFERRED, UNCERTAIN, CHECKED = "sending", "sent", "refused", "deferred", "uncertain", "checked"
RESULTS = (SENT, REFUSED, DEFERRED, UNCERTAIN)
STATUSES = (SENDING, *RESULTS, CHECKED)
ITEM = re.compile(r"story:[A-Za-z0-9_-]{1,100}|digest:(presse:)?(taeglich|woechentlich):\d{4}-(\d{2}-\d{2}|W\d{2})"
                  r"|alle:krise-[a-z0-9-]{1,100}(\.update-\d{12}|\.entwarnung)?")
PRESS_DIGEST = "digest:presse:"
EVERYONE = "alle:"  # a crisis message's send: every citizen subscriber
MAX_BATCH = 1000
_CLAIM_TRIES = 20  # lost races in a row before a claim answers with what it has
MAX_STORIES = 2000
MAX_BODY = 1_000_000


def _now() -> datetime:
    return datetime.now(timezone.utc)


# -- matching --------------------------------------------------------------------------------

def _values(stories: list[dict]) -> tuple[set[str], set[str], set[str]]:
    themen = {s["thema"] for s in stories if s.get("thema")}
    aemter = {s["amt"] for s in stories if s.get("amt")}
    bezirke = {str(b) for s in stories for b in s.get("bezirke") or ()}
    return themen, aemter, bezirke


def _selected(stories: list[dict]):
    """SQL: the subscriber has a selection matching at least one of the stories."""
    themen, aemter, bezirke = _values(stories)
    wanted = [Selection.value == ALL]
    for dimension, values in ((THEMA, themen), (AMT, aemter), (BEZIRK, bezirke)):
        if values:
            wanted.append(and_(Selection.dimension == dimension, Selection.value.in_(sorted(values))))
    return exists().where(Selection.subscriber_id == Subscriber.id, or_(*wanted))


def audience(item: str) -> str:
    """Whom an item is for: the Pressedienst's journalists or the citizen subscribers."""
    return PRESS if item.startswith(PRESS_DIGEST) else CITIZEN


def matched_by(item: str, stories: list[dict]) -> list[dict]:
    """What a subscriber of the item's audience is matched by: a journalist chose Themen only."""
    if audience(item) == PRESS:
        return [{"thema": story.get("thema", "")} for story in stories]
    return stories


def for_everyone(item: str) -> bool:
    return item.startswith(EVERYONE)


def _eligible(item: str, frequency: str, stories: list[dict]):
    consented = (Subscriber.kind == audience(item), Subscriber.status == ACTIVE,
                 Subscriber.confirmed_at.is_not(None))
    if for_everyone(item):
        return and_(*consented)
    return and_(*consented, Subscriber.frequency == frequency, _selected(matched_by(item, stories)))


def matches(selections: list[tuple[str, str]], story: dict) -> bool:
    """The same rule in Python, per story: which of a digest's stories one subscriber gets."""
    bezirke = {str(b) for b in story.get("bezirke") or ()}
    for dimension, value in selections:
        if value == ALL or (dimension == THEMA and value == story.get("thema")) \
                or (dimension == AMT and value == story.get("amt")) or (dimension == BEZIRK and value in bezirke):
            return True
    return False


# -- the operations (each one transaction) ---------------------------------------------------

def counts(session: Session, item: str) -> dict[str, int]:
    rows = session.execute(select(Delivery.status, func.count()).where(Delivery.item == item)
                           .group_by(Delivery.status)).all()
    found = dict.fromkeys(STATUSES, 0)
    found.update({status: number for status, number in rows})
    return found


def begin(session: Session, item: str, run: str) -> dict[str, int]:
    """Another run's `sending` rows are what a run that died left: uncertain from now on."""
    session.execute(update(Delivery).where(Delivery.item == item, Delivery.status == SENDING, Delivery.run != run)
                    .values(status=UNCERTAIN, at=_now()))
    return counts(session, item)


def _insert_absent(session: Session, item: str, run: str, frequency: str, stories: list[dict], limit: int) -> int:
    """Rows for up to `limit` eligible subscribers without one; the primary key decides between runs."""
    now = _now()
    candidates = (select(Subscriber.id, literal(item, Delivery.item.type), literal(SENDING, Delivery.status.type),
                         literal(run, Delivery.run.type), literal(now, Delivery.at.type))
                  .where(_eligible(item, frequency, stories),
                         ~exists().where(Delivery.subscriber_id == Subscriber.id, Delivery.item == item))
                  .order_by(Subscriber.id).limit(limit))
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(Delivery).from_select(["subscriber_id", "item", "status", "run", "at"], candidates)
    return session.execute(statement.on_conflict_do_nothing()).rowcount or 0


def _anyone_absent(session: Session, item: str, frequency: str, stories: list[dict]) -> bool:
    return session.scalar(select(exists().where(
        _eligible(item, frequency, stories),
        ~exists().where(Delivery.subscriber_id == Subscriber.id, Delivery.item == item)))) or False


def claim(session: Session, item: str, run: str, frequency: str, stories: list[dict], limit: int, *,
          unclear: bool = False) -> list[int]:
    """The ids of this run's batch (module docstring)."""
    held = select(Delivery.subscriber_id).where(Delivery.item == item, Delivery.run == run, Delivery.status == SENDING)
    batch = list(session.scalars(held))
    if batch:
        return batch  # the answer to an earlier call was lost: the same batch again
    if unclear:
        # An uncertain row is taken only for a subscriber who still wants mail.
        chosen = (select(Delivery.subscriber_id).join(Subscriber, Subscriber.id == Delivery.subscriber_id)
                  .where(Delivery.item == item, Delivery.status == UNCERTAIN, Delivery.run != run,
                         Subscriber.status == ACTIVE)
                  .order_by(Delivery.subscriber_id).limit(limit))
        session.execute(update(Delivery).where(Delivery.item == item, Delivery.status == UNCERTAIN,
                                               Delivery.run != run, Delivery.subscriber_id.in_(chosen)).values(status=SENDING, run=run,
                                                                                           at=_now()))
        return list(session.scalars(held))
    # Refused for now (4xx) by an earlier run: tried again, if still wanted. The status in the WHERE
    # makes a second run that picked the same rows update none of them.
    chosen = (select(Delivery.subscriber_id).join(Subscriber, Subscriber.id == Delivery.subscriber_id)
              .where(Delivery.item == item, Delivery.status == DEFERRED, Delivery.run != run,
                     _eligible(item, frequency, stories)).order_by(Delivery.subscriber_id).limit(limit))
    session.execute(update(Delivery).where(Delivery.item == item, Delivery.status == DEFERRED, Delivery.run != run,
                                           Delivery.subscriber_id.in_(chosen)).values(status=SENDING, run=run,
                                                                                      at=_now()))
    taken = len(list(session.scalars(held)))
    # A run racing this one may insert the same candidates first; ours then conflict and insert
    # nothing. Each try sees the rows the other committed, so the next picks the next subscribers;
    # an empty answer must mean "nobody left", never "someone else was quicker".
    for _ in range(_CLAIM_TRIES):
        if taken >= limit or not _insert_absent(session, item, run, frequency, stories, limit - taken) \
                and not _anyone_absent(session, item, frequency, stories):
            break
        taken = len(list(session.scalars(held)))
    return list(session.scalars(held))


def report(session: Session, item: str, run: str, results: dict[str, list[int]]) -> int:
    changed = 0
    for status in RESULTS:
        ids = results.get(status) or []
        if ids:
            done = session.execute(update(Delivery).where(Delivery.item == item, Delivery.run == run,
                                                          Delivery.status == SENDING,
                                                          Delivery.subscriber_id.in_(ids))
                                   .values(status=status, at=_now()))
            changed += done.rowcount or 0
    return changed


def check(session: Session, item: str) -> dict[str, int]:
    session.execute(update(Delivery).where(Delivery.item == item, Delivery.status == UNCERTAIN)
                    .values(status=CHECKED, at=_now()))
    return counts(session, item)


def recipients(session: Session, config: ServiceConfig, ids: list[int], stories: list[dict], *,
               everyone: bool = False) -> list[dict]:
    """What the run needs to mail each one: address, links, the stories (by index) they match
    (`stories` as matched_by gives them for the item; all of them for `everyone`)."""
    people = session.scalars(select(Subscriber).where(Subscriber.id.in_(ids)).order_by(Subscriber.id)).all()
    chosen: dict[int, list[tuple[str, str]]] = {person.id: [] for person in people}
    for subscriber_id, dimension, value in session.execute(
            select(Selection.subscriber_id, Selection.dimension, Selection.value)
            .where(Selection.subscriber_id.in_(ids))):
        chosen[subscriber_id].append((dimension, value))
    return [{"id": person.id, "address": person.email, "ref": mail_ref(person.id, person.key),
             "manage_url": manage_url(config, person), "unsubscribe_url": unsubscribe_url(config, person),
             "stories": [n for n, story in enumerate(stories) if everyone or matches(chosen[person.id], story)]}
            for person in people]


# -- HTTP ------------------------------------------------------------------------------------

async def _body(request: Request) -> dict:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise RequestInvalid("Anfrage zu groß.")
    try:
        data = json.loads(raw)
    except ValueError:
        raise RequestInvalid("Kein JSON.") from None
    if not isinstance(data, dict):
        raise RequestInvalid("Erwartet wird ein JSON-Objekt.")
    item, run = data.get("item"), data.get("run")
    if not isinstance(item, str) or not ITEM.fullmatch(item):
        raise RequestInvalid("„item“ fehlt oder ist ungültig.")
    if not isinstance(run, str) or not 0 < len(run) <= 120:
        raise RequestInvalid("„run“ fehlt oder ist ungültig.")
    return data


def _stories(data: dict) -> list[dict]:
    stories = data.get("stories")
    if not isinstance(stories, list) or not 0 < len(stories) <= MAX_STORIES:
        raise RequestInvalid("„stories“ fehlt oder ist zu lang.")
    for story in stories:
        if not isinstance(story, dict) or not all(isinstance(story.get(k, ""), str) for k in ("thema", "amt")) \
                or not isinstance(story.get("bezirke", []), list):
            raise RequestInvalid("Eine Meldung in „stories“ ist ungültig.")
    return stories


def _endpoint(handler):
    async def endpoint(request: Request):
        config = request.app.state.config
        refused = refusal(config, request)  # the same token check as the press list (api.py)
        if refused is not None:
            return refused
        try:
            data = await _body(request)
            answer = await run_in_threadpool(handler, request.app.state.database, config, data)
            return JSONResponse(answer, headers=NO_STORE)  # addresses must not rest in any cache on the way
        except RequestInvalid as exc:
            return JSONResponse({"fehler": str(exc)}, status_code=400, headers=NO_STORE)

    return endpoint


def _begin(database, config, data) -> dict:
    with database.session() as session:
        return {"counts": begin(session, data["item"], data["run"])}


def _claim(database, config, data) -> dict:
    frequency, limit = data.get("frequency"), data.get("limit")
    if frequency not in FREQUENCIES:
        raise RequestInvalid("„frequency“ ist ungültig.")
    if not isinstance(limit, int) or not 0 < limit <= MAX_BATCH:
        raise RequestInvalid(f"„limit“ muss zwischen 1 und {MAX_BATCH} liegen.")
    stories = _stories(data)
    with database.session() as session:
        ids = claim(session, data["item"], data["run"], frequency, stories, limit, unclear=bool(data.get("unclear")))
    with database.session() as session:
        return {"recipients": recipients(session, config, ids, matched_by(data["item"], stories),
                                         everyone=for_everyone(data["item"]))}


def _report(database, config, data) -> dict:
    results = data.get("results")
    if not isinstance(results, dict) or set(results) - set(RESULTS) or not all(
            isinstance(ids, list) and all(isinstance(i, int) for i in ids) for ids in results.values()):
        raise RequestInvalid("„results“ ist ungültig.")
    with database.session() as session:
        updated = report(session, data["item"], data["run"], results)
        refusals = [(person.id, mail_ref(person.id, person.key), kind) for kind, status in ((HARD, REFUSED),
                                                                                           (SOFT, DEFERRED))
                    for person in session.scalars(select(Subscriber).where(
                        Subscriber.id.in_(results.get(status) or [])))]
    # A refusal in the SMTP dialogue is a bounce the relay will not report later (bounces.py counts it once).
    for _id, ref, kind in refusals:
        record_refusal(database, config.settings, ref, data["item"], kind)
    return {"updated": updated}


def _counts(database, config, data) -> dict:
    with database.session() as session:
        return {"counts": counts(session, data["item"])}


def _checked(database, config, data) -> dict:
    with database.session() as session:
        return {"counts": check(session, data["item"])}


def routes(config: ServiceConfig) -> list[Route]:
    return [Route(f"/api/zustellung/{name}", _endpoint(handler), methods=["POST"])
            for name, handler in (("beginnen", _begin), ("beanspruchen", _claim), ("ergebnis", _report),
                                  ("stand", _counts), ("geprueft", _checked))]
