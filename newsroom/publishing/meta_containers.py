"""Meta's container publishing, as Instagram (graph.facebook.com) and Threads (graph.threads.net)
share it: the same three steps on edges of other names (`Edges`).

1) POST /{user-id}/{container edge} makes a container of the fields given; Meta fetches a picture
or video from its address, so it must be on the live site. A carousel's items are containers of
their own, made first with `is_carousel_item=true`, their ids then given as `children`.
2) GET /{container}?fields={status fields} until FINISHED (IN_PROGRESS while Meta fetches and
converts, ERROR with the reason in the second field, EXPIRED when not published within 24 hours,
PUBLISHED once published). 3) POST /{user-id}/{publish edge} with `creation_id` → the post's id;
its address from GET /{id}?fields=permalink.

Exactly once: making a container publishes nothing (unused ones expire), so it may be repeated;
publishing may not. The container id is recorded (checkpoint, with the time it was made) before
anything is published, so a retry publishes the same container, and a container that says
PUBLISHED was published by an earlier attempt: the channel then looks the post up instead.
Before that, GET /{user-id}/{limit edge}: a used-up quota is a retry for the next run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from newsroom.errors import SendError
from newsroom.publishing import graph
from newsroom.publishing.channel import Delivery, SendContext
from newsroom.secrets import Credentials


@dataclass(frozen=True)
class Edges:
    """What one Meta API calls the steps of container publishing."""

    container: str  # "media", "threads"
    publish: str  # "media_publish", "threads_publish"
    limit: str  # "content_publishing_limit", "threads_publishing_limit"
    status: tuple[str, str]  # the status and its explanation: ("status_code", "status"), ("status", "error_message")
    account: str  # what the editors call the account in messages: "Konto", "Profil"


@dataclass(frozen=True)
class Quota:
    """Which of the limit edge's quotas a send counts against."""

    usage: str  # "quota_usage"
    config: str  # "config": holds quota_total
    counted: str  # what is counted, for the message: "Beiträgen"


POSTS = Quota("quota_usage", "config", "Beiträgen")
REPLIES = Quota("reply_quota_usage", "reply_config", "Antworten")  # Threads' replies


@dataclass(frozen=True)
class Medium:
    """What a container carries, for the messages an editor reads and how long Meta may take."""

    subject: str  # "Das Bild", "Der Beitrag"
    pronoun: str  # the subject as an object: "es", "ihn"
    check: str  # what to check when Meta refuses it, a whole sentence
    attempts: int  # status questions within one run
    pause: float  # seconds between them


class ContainerPublishing:
    """One account's containers and posts, for one channel (`label` begins its messages)."""

    def __init__(self, label: str, api_url: str, credentials: Credentials, edges: Edges):
        self.label = label
        self.api_url = api_url
        self.credentials = credentials
        self.edges = edges
        self._made: dict[str, dict] = {}  # idempotency key → {"container", "container_at"} made in this run

    @property
    def user(self) -> str:
        return self.credentials.require("USER_ID", secret=False)

    def auth(self) -> dict:
        return {"access_token": self.credentials.require("TOKEN")}

    def get(self, client, node: str, **params) -> dict:
        return client.request("GET", f"{self.api_url}/{node}", idempotent=True, limited=graph.limited,
                              params={**params, **self.auth()}).json()

    def send(self, context: SendContext, fields: dict, medium: Medium, found: Callable[[], Delivery | None], *,
             children: Sequence[dict] = (), quota: Quota = POSTS) -> Delivery:
        """Publish a container made of `fields` (with `children`, a carousel of item containers made of
        them) once; `found` looks up a post published by an earlier attempt whose answer was lost
        (asked when its container says PUBLISHED)."""
        client = context.client
        self.check_quota(client, quota)
        container = self.recorded(context).get("container")
        status = self.status(client, container)[0] if container else None
        if status == "PUBLISHED":  # published by an earlier attempt whose answer was lost
            delivery = found()
            if delivery:
                return delivery
            raise SendError(f"{self.label}: Der Beitrag ist veröffentlicht, aber noch nicht in der Liste des "
                            f"{self.edges.account}s; nächster Versuch im nächsten Lauf.", retry=True)
        if status not in ("FINISHED", "IN_PROGRESS"):
            made_at = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
            if children:
                items = [self._container(client, {**child, "is_carousel_item": "true"}) for child in children]
                fields = {**fields, "children": ",".join(items)}
            container = self._container(client, fields)
            made = {"container": container, "container_at": made_at}
            context.checkpoint(made)
            self._made[context.key] = made
            status = None
        self._wait_until_finished(client, container, status, medium, context)
        published = client.request("POST", f"{self.api_url}/{self.user}/{self.edges.publish}", idempotent=False,
                                   limited=graph.limited, data={"creation_id": container, **self.auth()}).json()
        media_id = str(published.get("id") or "")
        if not media_id:
            raise SendError(f"{self.label}: Veröffentlicht, aber die Antwort nennt keine id.")
        return Delivery(media_id, self.permalink(client, media_id), detail={"container": container})

    def _container(self, client, fields: dict) -> str:
        answer = client.request("POST", f"{self.api_url}/{self.user}/{self.edges.container}", idempotent=True,
                                limited=graph.limited, data={**fields, **self.auth()}).json()
        container = str(answer.get("id") or "")
        if not container:
            raise SendError(f"{self.label}: Container ohne id.")
        return container

    def recorded(self, context: SendContext) -> dict:
        """The container of an earlier attempt and when it was made: of this run (remembered here,
        as the context's detail is what the claim held) or of a run before (the claim's detail)."""
        if context.key in self._made:
            return self._made[context.key]
        return {k: context.detail[k] for k in ("container", "container_at") if context.detail.get(k)}

    def check_quota(self, client, quota: Quota = POSTS) -> None:
        try:
            answer = self.get(client, f"{self.user}/{self.edges.limit}", fields=f"{quota.usage},{quota.config}")
        except SendError as exc:
            if exc.retry:
                raise
            return  # the limit cannot be read: publishing will say so itself
        for item in answer.get("data") or []:
            used, total = item.get(quota.usage), (item.get(quota.config) or {}).get("quota_total")
            if isinstance(used, int) and isinstance(total, int) and used >= total:
                raise SendError(f"{self.label}: {used} von {total} {quota.counted} der letzten 24 Stunden sind "
                                "veröffentlicht (Tageslimit); nächster Versuch im nächsten Lauf.", retry=True)

    def status(self, client, container: str) -> tuple[str, str]:
        """(status, explanation): the second explains an ERROR."""
        code, explanation = self.edges.status
        answer = self.get(client, container, fields=f"{code},{explanation}")
        return str(answer.get(code) or ""), str(answer.get(explanation) or "")

    def _wait_until_finished(self, client, container: str, status: str | None, medium: Medium,
                             context: SendContext) -> None:
        explanation = ""
        for _ in range(medium.attempts):
            if status is None:
                status, explanation = self.status(client, container)
            if status == "FINISHED":
                return
            if status == "ERROR":
                raise SendError(f"{self.label}: {medium.subject} wurde nicht angenommen ({explanation or 'ERROR'}). "
                                f"{medium.check}")
            if status == "EXPIRED":
                self._made[context.key] = {}  # forgotten here as in the record
                context.checkpoint({"container": ""})
                raise SendError(f"{self.label}: Der Container ist abgelaufen (24 Stunden); der nächste Lauf legt "
                                "einen neuen an.", retry=True)
            if status == "PUBLISHED":
                raise SendError(f"{self.label}: Der Container wurde inzwischen veröffentlicht; der nächste Lauf "
                                f"sieht beim {self.edges.account} nach.", retry=True)
            if time.monotonic() + medium.pause > client.deadline:
                break
            time.sleep(medium.pause)
            status = None
        raise SendError(f"{self.label}: {medium.subject} wird noch verarbeitet; der nächste Lauf veröffentlicht "
                        f"{medium.pronoun}.", retry=True)

    def permalink(self, client, media_id: str) -> str | None:
        try:
            return self.get(client, media_id, fields="permalink").get("permalink")
        except SendError:
            return None  # published anyway; the id is recorded
