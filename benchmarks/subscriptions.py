"""`invoke bench-subscriptions`: citizen alerts to many confirmed subscribers, and sign-ups.

Everything is the real thing except the network: the subscription service (Starlette on uvicorn
over SQLite, in a process of its own), the production build of a one-story site in git with a
bare origin, the Publisher and the channel `buerger` (batches claimed from the service over HTTP,
results reported back), and an aiosmtpd server on loopback (in a process of its own) that accepts
every message. Measured: one story to every subscriber (all `sofort`), then, with every subscriber
switched to `taeglich`, the daily digest listing it: the whole publish step in messages per
second, and the span from the first to the last message the server accepted.

Then sign-ups through the service's own form, as browsers send it: a few concurrent clients
(threads, each with its own HTTP connection) post the form with valid fields, every sign-up a
new address from a visitor of its own (X-Forwarded-For, honoured from loopback as behind the
city's web server, `invoke subscriptions`); every confirmation mail goes to the same SMTP
server. The protections stay on: each form token comes from a GET of the form page before the
timed phase, which then waits the minimum fill time once; the per-client limit is shown by one
visitor posting until the 429. Measured: accepted answers per second, and confirmation mails
at the server per second, both from the first POST.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import shutil
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import git

from benchmarks.press import BODY, _free_port, _serve

REPO = Path(__file__).resolve().parent.parent
DATE, STORY_NOW, DIGEST_NOW = "2026-11-26 10:00", "2026-11-26 10:30", "2026-11-26 17:30"
SECRET, TOKEN = "bench-geheimnis-" + "x" * 32, "bench-api-token"
SETTINGS = {"SUBSCRIPTIONS_URL": "https://abo.example/abo/"}
SERVICE_ORIGIN = "https://abo.example"  # what a browser names as the Origin of the service's own form
SENDER = "Landeshauptstadt Düsseldorf <abo@duesseldorf.de>"


def _config(url: str, smtp_port: int):
    from newsroom.settings import with_defaults
    from newsroom.subscriptions.config import ServiceConfig

    return ServiceConfig.load(with_defaults(SETTINGS), {"NEWSROOM_SUBSCRIPTIONS_SECRET": SECRET,
                                         "NEWSROOM_SUBSCRIPTIONS_DATABASE_URL": url,
                                         "NEWSROOM_SUBSCRIPTIONS_API_TOKEN": TOKEN,
                                         "NEWSROOM_SUBSCRIPTIONS_FROM": SENDER,
                                         "NEWSROOM_SUBSCRIPTIONS_SMTP_HOST": "127.0.0.1",
                                         "NEWSROOM_SUBSCRIPTIONS_SMTP_PORT": str(smtp_port),
                                         "NEWSROOM_SUBSCRIPTIONS_SMTP_SECURITY": "none"})


def _service(url: str, port: int, smtp_port: int, ready, stop) -> None:
    """The service in a process of its own, as in production: it must not share the interpreter
    lock with the publish run it answers. As `invoke subscriptions` runs it behind the city's web
    server, it takes the client's address from X-Forwarded-For when the request comes from loopback."""
    import threading

    import uvicorn

    from newsroom.subscriptions.service import create_app

    server = uvicorn.Server(uvicorn.Config(create_app(_config(url, smtp_port)), host="127.0.0.1", port=port,
                                           log_level="warning", access_log=False, proxy_headers=True,
                                           forwarded_allow_ips="127.0.0.1"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    ready.set()
    stop.wait()
    server.should_exit = True
    thread.join(15)


def _subscribers(url: str, count: int) -> None:
    """`count` active, confirmed citizen subscribers, every one matching the story (by Thema, Amt,
    Stadtbezirk or `alle`), all `sofort`."""
    from sqlalchemy import insert

    from newsroom.subscriptions.database import Database, migrate
    from newsroom.subscriptions.keys import new_key
    from newsroom.subscriptions.models import Selection, Subscriber

    migrate(url)
    database = Database(url)
    now = datetime.now(timezone.utc)
    people = [{"id": n, "email": f"buerger{n:05d}@example{n % 97:02d}.org", "key": new_key(), "kind": "buerger",
               "frequency": "sofort", "status": "active", "created_at": now, "confirmed_at": now, "changed_at": now,
               "bounces": 0, "complaints": 0} for n in range(1, count + 1)]
    choices = [("thema", "Verkehr"), ("amt", "Amt für Verkehrsmanagement"), ("bezirk", "3"), ("thema", "alle")]
    selections = [{"subscriber_id": n, "dimension": choices[n % 4][0], "value": choices[n % 4][1]}
                  for n in range(1, count + 1)]
    if people:
        with database.session() as session:
            session.execute(insert(Subscriber), people)
            session.execute(insert(Selection), selections)
    database.close()


def _every_subscriber(url: str, frequency: str) -> None:
    from sqlalchemy import update

    from newsroom.subscriptions.database import Database
    from newsroom.subscriptions.models import Subscriber

    database = Database(url)
    with database.session() as session:
        session.execute(update(Subscriber).values(frequency=frequency))
    database.close()


def _site(root: Path) -> Path:
    content = root / "site" / "content"
    for folder in ("stories/2026", "pages", "media"):
        (content / folder).mkdir(parents=True)
    (content / "stories/2026/radwege.md").write_text(
        "---\nid: b3c4d5e6f7a8\ntitle: Neue Radwege am Rheinufer\n"
        f"date: {DATE}\nstatus: published\nsummary: Die Stadt baut zwei Kilometer Radweg entlang des Rheinufers.\n"
        "category: Verkehr\ndepartment: Amt für Verkehrsmanagement\ndistricts: [3]\ncontact:\n"
        "  name: Presse- und Informationsdienst\n  phone: \"0211 89-93131\"\n  email: presse@duesseldorf.de\n"
        "channels:\n  buerger: true\n---\n" + BODY + "\n", encoding="utf-8")
    (content / "pages/.keep").write_text("")
    (content / "media/.keep").write_text("")
    origin = root / "origin.git"
    git.Repo.init(origin, bare=True, initial_branch="main")
    repo = git.Repo.init(root / "site", initial_branch="main")
    repo.git.add("-A")
    env = {**os.environ, "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.org",
           "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.org"}
    repo.git.commit("-m", "Meldung", env=env)
    repo.create_remote("origin", str(origin))
    repo.git.push("origin", "HEAD:refs/heads/main")
    return root / "site"


def _publish(root: Path, site: Path, environ: dict, now: str, counters, extra: dict) -> tuple[float, float, int]:
    """One publish run; (whole step in s, first to last message at the server in s, messages)."""
    from newsroom.build.runner import build
    from newsroom.publishing.pipeline import Publisher

    count, first, last = counters
    count.value, first.value, last.value = 0, 0.0, 0.0
    timing = {}

    def publish(context, settings):
        started = time.perf_counter()
        report = Publisher(settings, context, environ=environ).run()
        timing["publish"] = time.perf_counter() - started
        return report

    overrides = {"PATH": str(site / "content"), "OUTPUT_PATH": str(root / "output"),
                 "CACHE_PATH": str(root / ".cache"), "PUBLISH_PREVIEW_PATH": str(root / "preview"), "BUILD_NOW": now,
                 "ADMIN_PATH": "", **extra}
    report = build(REPO / "publishconf.py", overrides, after=publish).after
    bad = [o for o in report.outcomes if o.status != "sent"]
    if bad or not report.outcomes:
        raise SystemExit(f"Benchmark ungültig: {[(o.story_id, o.status, o.message) for o in report.outcomes]}")
    return timing["publish"], last.value - first.value, count.value


def _visitor(number: int) -> str:
    """A visitor's own address (10.0.0.1, 10.0.0.2, …), as the web server passes it on."""
    number += 1
    return f"10.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}"


def _form_tokens(base: str, count: int, clients: int) -> list[str]:
    """`count` form tokens, each from a GET of the sign-up page, as a browser shows the form."""
    import requests

    def fetch(share: range) -> list[str]:
        with requests.Session() as session:
            found = []
            for _ in share:
                page = session.get(base + "buerger", timeout=30)
                page.raise_for_status()
                found.append(re.search(r'name="formular" value="([^"]+)"', page.text).group(1))
            return found

    with ThreadPoolExecutor(clients) as pool:
        return [t for share in pool.map(fetch, [range(n, count, clients) for n in range(clients)]) for t in share]


def _form(number: int, token: str) -> dict:
    """The sign-up form as a person fills it: valid fields, a new address each time."""
    choices = [{"thema": ["Verkehr"]}, {"amt": ["Amt für Verkehrsmanagement"]}, {"bezirk": ["3"]},
               {"thema": ["Verkehr", "Kultur"], "bezirk": ["3"]}]
    return {"email": f"anmeldung{number:06d}@beispiel{number % 97:02d}.de", **choices[number % 4],
            "haeufigkeit": ("sofort", "taeglich", "woechentlich")[number % 3], "einwilligung": "ja",
            "webseite": "", "formular": token}


def _post(session, base: str, number: int, token: str, visitor: str):
    return session.post(base + "buerger", data=_form(number, token), timeout=60, allow_redirects=False,
                        headers={"Origin": SERVICE_ORIGIN, "X-Forwarded-For": visitor})


def _signups(base: str, signups: int, clients: int, counters) -> dict:
    """The timed sign-ups, then one visitor until the per-client limit answers 429."""
    import requests

    from newsroom.subscriptions.abuse import CLIENT_SIGNUPS, MIN_FILL_SECONDS

    count, first, last = counters
    extra = CLIENT_SIGNUPS.count + 5
    tokens = _form_tokens(base, signups + extra, clients)
    time.sleep(MIN_FILL_SECONDS + 1)  # the forms were open long enough: the service's fill clock, waited once
    count.value, first.value, last.value = 0, 0.0, 0.0

    def post(share: range) -> int:
        with requests.Session() as session:
            return sum(_post(session, base, n, tokens[n], _visitor(n)).status_code == 200 for n in share)

    started = time.monotonic()
    with ThreadPoolExecutor(clients) as pool:
        accepted = sum(pool.map(post, [range(n, signups, clients) for n in range(clients)]))
    answered = time.monotonic() - started
    deadline = time.monotonic() + 120
    while count.value < signups and time.monotonic() < deadline:
        time.sleep(0.05)
    mails, mailed = count.value, last.value - started
    if accepted != signups or mails != signups:
        raise SystemExit(f"Benchmark ungültig: {accepted} von {signups} Anmeldungen angenommen, "
                         f"{mails} Bestätigungsmails angekommen.")
    one_client, statuses = "192.0.2.10", []
    with requests.Session() as session:
        for n in range(signups, signups + extra):
            statuses.append(_post(session, base, n, tokens[n], one_client).status_code)
            if statuses[-1] != 200:
                break
    before_limit = statuses.index(429) if 429 in statuses else None
    while count.value < signups + statuses.count(200) and time.monotonic() < deadline + 60:
        time.sleep(0.05)  # their confirmation mails, before the SMTP server stops
    if before_limit != CLIENT_SIGNUPS.count:
        raise SystemExit(f"Benchmark ungültig: ein Besucher bekam {statuses} (erwartet {CLIENT_SIGNUPS.count}×200, "
                         "dann 429).")
    return {"answers": answered, "mails": mailed, "limit": before_limit}


def one_run(root: Path, subscribers: int, batch: int | None, signups: int, clients: int, alerts: bool) -> dict:
    url = f"sqlite:///{root / 'abo.sqlite3'}"
    _subscribers(url, subscribers)
    spawn = multiprocessing.get_context("spawn")
    smtp_port, api_port = _free_port(), _free_port()
    count, first, last = spawn.Value("l", 0), spawn.Value("d", 0.0), spawn.Value("d", 0.0)
    ready, stop, up, down = spawn.Event(), spawn.Event(), spawn.Event(), spawn.Event()
    smtp = spawn.Process(target=_serve, args=(smtp_port, count, first, last, ready, stop), daemon=True)
    service = spawn.Process(target=_service, args=(url, api_port, smtp_port, up, down), daemon=True)
    smtp.start()
    service.start()
    if not (ready.wait(60) and up.wait(60)):
        raise SystemExit("Benchmark: der SMTP-Server oder der Abonnement-Dienst startet nicht.")
    base = f"http://127.0.0.1:{api_port}/abo/"
    environ = {"NEWSROOM_SUBSCRIPTIONS_API_TOKEN": TOKEN, "NEWSROOM_SUBSCRIPTIONS_API_URL": base,
               "NEWSROOM_SUBSCRIPTIONS_FROM": "Landeshauptstadt Düsseldorf <nachrichten@duesseldorf.de>",
               "NEWSROOM_SUBSCRIPTIONS_SMTP_HOST": "127.0.0.1", "NEWSROOM_SUBSCRIPTIONS_SMTP_PORT": str(smtp_port),
               "NEWSROOM_SUBSCRIPTIONS_SMTP_SECURITY": "none"}
    extra = {"SUBSCRIPTIONS_BATCH": batch} if batch else {}
    result = {}
    try:
        if alerts:
            site = _site(root)
            result["story"] = _publish(root, site, environ, STORY_NOW, (count, first, last), extra)
            _every_subscriber(url, "taeglich")
            result["digest"] = _publish(root, site, environ, DIGEST_NOW, (count, first, last),
                                        {**extra, "SUBSCRIPTIONS_ALERTS_SINCE": "2026-11-26 00:00"})
        if signups:
            result["signups"] = _signups(base, signups, clients, (count, first, last))
    finally:
        stop.set()
        down.set()
        smtp.join(60)
        service.join(60)
    for name, label in (("story", "Meldung"), ("digest", "Zusammenfassung")):
        if name in result and result[name][2] != subscribers:
            raise SystemExit(f"Benchmark ungültig: {label} an {result[name][2]} von {subscribers} Abonnenten.")
    return result


def main(workdir: Path, subscribers: int = 10000, runs: int = 1, batch: int | None = None, signups: int = 1000,
         clients: int = 4, alerts: bool = True) -> str:
    results = []
    for run in range(runs):
        root = workdir / f"subscriptions-{run}"
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        results.append(one_run(root, subscribers, batch, signups, clients, alerts))
        for name in ("story", "digest"):
            if name in results[-1]:
                whole, span, _sent = results[-1][name]
                print(f"Lauf {run + 1}, {name}: {subscribers / whole:,.0f} Nachrichten/s gesamt; "
                      f"{subscribers / span:,.0f}/s am Server", flush=True)
        if signups:
            found = results[-1]["signups"]
            print(f"Lauf {run + 1}, Anmeldungen: {signups / found['answers']:,.1f}/s angenommen; "
                  f"{signups / found['mails']:,.1f} Bestätigungsmails/s am Server", flush=True)
    lines = [f"# Subscriptions benchmark ({time.strftime('%Y-%m-%d')})", "",
             f"{subscribers:,} confirmed subscribers (SQLite), median of {runs} run(s), {os.cpu_count()} cores.", ""]
    if alerts:
        rows = []
        for name, label in (("story", "one story to every subscriber (`sofort`)"),
                            ("digest", "daily digest to every subscriber (`taeglich`)")):
            whole = statistics.median(r[name][0] for r in results)
            span = statistics.median(r[name][1] for r in results)
            rows.append(f"| {label} | {whole:.1f} s | **{subscribers / whole:,.0f}** | {subscribers / span:,.0f} |")
        lines += [f"Citizen alerts, batches of {batch or 'SUBSCRIPTIONS_BATCH'}:", "",
                  "| send | whole publish step | **messages/s, whole step** | messages/s, first to last at the server |",
                  "|---|---:|---:|---:|", *rows, ""]
    if signups:
        answers = statistics.median(r["signups"]["answers"] for r in results)
        mails = statistics.median(r["signups"]["mails"] for r in results)
        limit = results[-1]["signups"]["limit"]
        lines += [f"Sign-ups through the service's form, {clients} concurrent clients, one visitor address each:", "",
                  "| sign-ups | all answered | **sign-ups/s (accepted answers)** | confirmation mails/s at the server |",
                  "|---|---:|---:|---:|",
                  f"| {signups:,} new addresses | {answers:.1f} s | **{signups / answers:,.1f}** | {signups / mails:,.1f} |",
                  "", f"One visitor address: {limit} sign-ups accepted, then 429.", ""]
    report = "\n".join(lines)
    (workdir / "subscriptions-report.md").write_text(report, encoding="utf-8")
    print(report)
    return report
