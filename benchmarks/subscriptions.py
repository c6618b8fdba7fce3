"""`invoke bench-subscriptions`: citizen alerts to many confirmed subscribers.

Everything is the real thing except the network: the subscription service (Starlette on uvicorn
over SQLite, in a process of its own), the production build of a one-story site in git with a
bare origin, the Publisher and the channel `buerger` (batches claimed from the service over HTTP,
results reported back), and an aiosmtpd server on loopback (in a process of its own) that accepts
every message. Measured: one story to every subscriber (all `sofort`), then, with every subscriber
switched to `taeglich`, the daily digest listing it: the whole publish step in messages per
second, and the span from the first to the last message the server accepted.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import statistics
import time
from datetime import datetime, timezone
from pathlib import Path

import git

from benchmarks.press import BODY, _free_port, _serve

REPO = Path(__file__).resolve().parent.parent
DATE, STORY_NOW, DIGEST_NOW = "2026-11-26 10:00", "2026-11-26 10:30", "2026-11-26 17:30"
SECRET, TOKEN = "bench-geheimnis-" + "x" * 32, "bench-api-token"
SETTINGS = {"SUBSCRIPTIONS_URL": "https://abo.example/abo/"}


def _config(url: str):
    from newsroom.settings import with_defaults
    from newsroom.subscriptions.config import ServiceConfig

    return ServiceConfig.load(with_defaults(SETTINGS), {"NEWSROOM_SUBSCRIPTIONS_SECRET": SECRET,
                                         "NEWSROOM_SUBSCRIPTIONS_DATABASE_URL": url,
                                         "NEWSROOM_SUBSCRIPTIONS_API_TOKEN": TOKEN})


def _service(url: str, port: int, ready, stop) -> None:
    """The service in a process of its own, as in production: it must not share the interpreter
    lock with the publish run it answers."""
    import threading

    import uvicorn

    from newsroom.subscriptions.service import create_app

    server = uvicorn.Server(uvicorn.Config(create_app(_config(url)), host="127.0.0.1", port=port,
                                           log_level="warning", access_log=False))
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


def one_run(root: Path, subscribers: int, batch: int | None) -> dict:
    site = _site(root)
    url = f"sqlite:///{root / 'abo.sqlite3'}"
    _subscribers(url, subscribers)
    spawn = multiprocessing.get_context("spawn")
    smtp_port, api_port = _free_port(), _free_port()
    count, first, last = spawn.Value("l", 0), spawn.Value("d", 0.0), spawn.Value("d", 0.0)
    ready, stop, up, down = spawn.Event(), spawn.Event(), spawn.Event(), spawn.Event()
    smtp = spawn.Process(target=_serve, args=(smtp_port, count, first, last, ready, stop), daemon=True)
    service = spawn.Process(target=_service, args=(url, api_port, up, down), daemon=True)
    smtp.start()
    service.start()
    if not (ready.wait(60) and up.wait(60)):
        raise SystemExit("Benchmark: der SMTP-Server oder der Abonnement-Dienst startet nicht.")
    environ = {"NEWSROOM_SUBSCRIPTIONS_API_TOKEN": TOKEN, "NEWSROOM_SUBSCRIPTIONS_API_URL": f"http://127.0.0.1:{api_port}/abo/",
               "NEWSROOM_SUBSCRIPTIONS_FROM": "Landeshauptstadt Düsseldorf <nachrichten@duesseldorf.de>",
               "NEWSROOM_SUBSCRIPTIONS_SMTP_HOST": "127.0.0.1", "NEWSROOM_SUBSCRIPTIONS_SMTP_PORT": str(smtp_port),
               "NEWSROOM_SUBSCRIPTIONS_SMTP_SECURITY": "none"}
    extra = {"SUBSCRIPTIONS_BATCH": batch} if batch else {}
    try:
        story = _publish(root, site, environ, STORY_NOW, (count, first, last), extra)
        _every_subscriber(url, "taeglich")
        digest = _publish(root, site, environ, DIGEST_NOW, (count, first, last),
                          {**extra, "SUBSCRIPTIONS_ALERTS_SINCE": "2026-11-26 00:00"})
    finally:
        stop.set()
        down.set()
        smtp.join(60)
        service.join(60)
    for name, (_whole, _span, sent) in (("Meldung", story), ("Zusammenfassung", digest)):
        if sent != subscribers:
            raise SystemExit(f"Benchmark ungültig: {name} an {sent} von {subscribers} Abonnenten.")
    return {"story": story, "digest": digest}


def main(workdir: Path, subscribers: int = 10000, runs: int = 1, batch: int | None = None) -> str:
    results = []
    for run in range(runs):
        root = workdir / f"subscriptions-{run}"
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        results.append(one_run(root, subscribers, batch))
        for name in ("story", "digest"):
            whole, span, _sent = results[-1][name]
            print(f"Lauf {run + 1}, {name}: {subscribers / whole:,.0f} Nachrichten/s gesamt; "
                  f"{subscribers / span:,.0f}/s am Server", flush=True)
    rows = []
    for name, label in (("story", "one story to every subscriber (`sofort`)"),
                        ("digest", "daily digest to every subscriber (`taeglich`)")):
        whole = statistics.median(r[name][0] for r in results)
        span = statistics.median(r[name][1] for r in results)
        rows.append(f"| {label} | {whole:.1f} s | **{subscribers / whole:,.0f}** | {subscribers / span:,.0f} |")
    report = "\n".join([
        f"# Citizen alerts benchmark ({time.strftime('%Y-%m-%d')})", "",
        f"{subscribers:,} confirmed subscribers (SQLite), batches of {batch or 'SUBSCRIPTIONS_BATCH'}, "
        f"median of {runs} run(s), {os.cpu_count()} cores.", "",
        "| send | whole publish step | **messages/s, whole step** | messages/s, first to last at the server |",
        "|---|---:|---:|---:|", *rows, ""])
    (workdir / "subscriptions-report.md").write_text(report, encoding="utf-8")
    print(report)
    return report
