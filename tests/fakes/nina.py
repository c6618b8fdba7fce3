"""The NINA API of the BBK on loopback, in its documented shapes (github.com/bundesAPI/nina-api,
openapi.yaml): `GET /dashboard/{ARS}.json` (ARSOverviewResult) and `GET /warnings/{id}.json`
(Warning, CAP-like). Warnings are added per regional key; `mode` switches the whole service:

- "ok": answers as documented;
- "down": closes every connection without an answer;
- "500": Internal Server Error;
- "slow": waits past the client's timeout (`slow_seconds`), then closes;
- "malformed": answers with `malformed_body` (bytes; default JSON of the wrong shape).

`detail_mode` does the same for the details alone.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from tests.fakes.api import FakeApi, Response

PASS = object()  # no fault: answer as documented


@dataclass
class FakeWarning:
    id: str
    headline: str
    provider: str = "MOWAS"
    severity: str = "Severe"
    sent: str = "2026-11-26T11:30:00+01:00"
    onset: str | None = "2026-11-26T11:30:00+01:00"
    expires: str | None = "2026-11-26T18:00:00+01:00"
    description: str = "Meiden Sie das betroffene Gebiet."
    msg_type: str = "Alert"
    extra: dict = field(default_factory=dict)  # raw fields merged into the dashboard entry

    def dashboard_entry(self) -> dict:
        entry = {
            "id": self.id,
            "payload": {
                "version": 1, "type": self.msg_type.upper(), "id": self.id,
                "hash": "d72526da941f98cb79f25dc3f9b56474a313e2161fda46e91f146139811eca4a",
                "data": {"headline": self.headline, "provider": self.provider, "severity": self.severity,
                         "msgType": self.msg_type, "transKeys": {"event": "BBK-EVC-040"},
                         "area": {"type": "ZGEM", "data": "1+05111000000"}},
            },
            "i18nTitle": {"de": self.headline},
            "sent": self.sent,
        }
        entry.update(self.extra)
        return entry

    def detail(self) -> dict:
        info = {"language": "de-DE", "category": ["Safety"], "event": "Gefahreninformation", "urgency": "Immediate",
                "severity": self.severity, "certainty": "Observed", "headline": self.headline,
                "description": self.description, "instruction": "Informieren Sie sich in den Medien.",
                "web": "https://www.duesseldorf.de/", "senderName": "Feuerwehr Düsseldorf",
                "area": [{"areaDesc": "Stadt Düsseldorf", "geocode": [{"valueName": "AreaId", "value": "0"}]}]}
        if self.onset:
            info["onset"] = self.onset
            info["effective"] = self.onset
        if self.expires:
            info["expires"] = self.expires
        return {"identifier": self.id, "sender": "opendata@dwd.de", "sent": self.sent, "status": "Actual",
                "msgType": self.msg_type, "scope": "Public", "code": ["DVN:2"], "info": [info]}


class FakeNina(FakeApi):
    def __init__(self):
        super().__init__()
        self.regions: dict[str, list[FakeWarning]] = {}
        self.mode = "ok"
        self.detail_mode = "ok"
        self.slow_seconds = 2.0
        self.malformed_body: bytes = b'{"warnings": "keine Liste"}'
        self.route("GET", r"/api31/dashboard/(?P<ars>[^/]+)\.json", self._dashboard)
        self.route("GET", r"/api31/warnings/(?P<id>[^/]+)\.json", self._warning)

    @property
    def base_url(self) -> str:
        return self.url + "/api31"

    def add(self, ars: str, warning: FakeWarning) -> FakeWarning:
        self.regions.setdefault(ars, []).append(warning)
        return warning

    def remove(self, ars: str, warning_id: str) -> None:
        self.regions[ars] = [w for w in self.regions.get(ars, []) if w.id != warning_id]

    def _fault(self, mode: str) -> Response | None:
        if mode == "down":
            return None  # the handler closes the connection
        if mode == "500":
            return Response(500, b"<html><body>Internal Server Error</body></html>", {"Content-Type": "text/html"})
        if mode == "slow":
            time.sleep(self.slow_seconds)
            return None
        if mode == "malformed":
            return Response(200, self.malformed_body, {"Content-Type": "application/json"})
        return PASS

    def _dashboard(self, request):
        fault = self._fault(self.mode)
        if fault is not PASS:
            return fault
        ars = request.params["ars"]
        if len(ars) != 12 or not ars.endswith("0000000"):
            return Response(404, b"Not Found", {"Content-Type": "text/plain"})
        return Response(200, [w.dashboard_entry() for w in self.regions.get(ars, [])])

    def _warning(self, request):
        fault = self._fault(self.mode if self.mode != "ok" else self.detail_mode)
        if fault is not PASS:
            return fault
        for warnings in self.regions.values():
            for warning in warnings:
                if warning.id == request.params["id"]:
                    return Response(200, warning.detail())
        return Response(404, b"Not Found", {"Content-Type": "text/plain"})
