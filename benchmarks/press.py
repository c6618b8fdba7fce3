"""`invoke bench-press`: one press release to many recipients through a local SMTP server.

Everything is the real thing except the network: the production build of a one-story
site in a git repository with a bare origin, the Publisher (claim, a recorded checkpoint
per batch of PRESS_BATCH recipients, the receipt), the press channel, and an aiosmtpd
server on loopback that accepts every message and counts it. Reported per run: the whole
publish step (plan, claim, every message, every checkpoint, the receipt) in messages per
second, and the span from the first to the last message the server accepted (the sending,
with the checkpoints between the batches).

PRESS_BATCH (25) bounds how many recipients are unclear after a crash, and costs one
pushed checkpoint per batch; so every run is made twice: against a local bare origin,
and against one whose pre-receive hook sleeps before every push, as a distant git host
answers (`delay_ms`, 300).
"""

from __future__ import annotations

import csv
import multiprocessing
import os
import shutil
import statistics
import time
from pathlib import Path

import git
from aiosmtpd.controller import Controller

REPO = Path(__file__).resolve().parent.parent
DATE, NOW = "2026-11-26 10:00", "2026-11-26 10:30"
BODY = "\n\n".join([
    "Die Landeshauptstadt Düsseldorf baut das Radwegenetz am Rheinufer weiter aus. Zwischen der "
    "Oberkasseler Brücke und der Theodor-Heuss-Brücke entstehen zwei Kilometer neuer Radweg, "
    "getrennt vom Fußverkehr und durchgehend beleuchtet.",
    "## Ablauf der Arbeiten",
    "- Im März beginnt der nördliche Abschnitt.\n- Im Juni folgt der südliche Abschnitt.\n"
    "- Im September wird die Strecke freigegeben.",
    "„Wir schaffen damit eine sichere Verbindung für alle, die täglich mit dem Rad zur Arbeit fahren“, "
    "sagt die Beigeordnete für Mobilität. Die Kosten von rund 4,2 Millionen Euro trägt zu großen Teilen "
    "das Land Nordrhein-Westfalen.",
    "Während der Bauzeit bleibt die Promenade für den Fußverkehr geöffnet. Umleitungen für den Radverkehr "
    "sind ausgeschildert; aktuelle Informationen gibt es auf [duesseldorf.de](https://www.duesseldorf.de/).",
] * 3)


class Sink:
    """Accepts every message; counts them and notes when the first and the last arrived
    (in values shared with the benchmark, which runs in another process)."""

    def __init__(self, count, first, last):
        self.count, self.first, self.last = count, first, last

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        now = time.monotonic()  # one clock for all processes
        if not self.count.value:
            self.first.value = now
        self.last.value = now
        self.count.value += len(envelope.rcpt_tos)
        return "250 2.0.0 OK"


def _serve(port: int, count, first, last, ready, stop) -> None:
    """The SMTP server in a process of its own, as a real one would be: it must not share
    the interpreter lock with the sender it is measured against."""
    controller = Controller(Sink(count, first, last), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _site(root: Path) -> Path:
    """A one-story content repository with a bare origin, as CI checks it out."""
    content = root / "site" / "content"
    for folder in ("stories/2026", "pages", "media"):
        (content / folder).mkdir(parents=True)
    (content / "stories/2026/radwege.md").write_text(
        "---\nid: b3c4d5e6f7a8\ntitle: Neue Radwege am Rheinufer\n"
        f"date: {DATE}\nstatus: published\nsummary: Die Stadt baut zwei Kilometer Radweg entlang des Rheinufers.\n"
        "category: Verkehr\ndepartment: Amt für Verkehrsmanagement\ncontact:\n  name: Presse- und Informationsdienst\n"
        "  phone: \"0211 89-93131\"\n  email: presse@duesseldorf.de\nchannels:\n  press: true\n---\n" + BODY + "\n",
        encoding="utf-8")
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


def _recipients(path: Path, count: int) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["address", "name", "medium", "themen"])
        for n in range(1, count + 1):
            writer.writerow([f"redaktion{n:05d}@zeitung{n % 97:02d}.example", f"Redakteurin {n}", "Zeitung",
                             "alle" if n % 3 else "Verkehr; Kultur"])
    return path


def _slow_pushes(origin: Path, delay: float) -> None:
    """Every push to `origin` waits `delay` seconds before it is accepted."""
    hook = origin / "hooks" / "pre-receive"
    hook.write_text(f"#!/bin/sh\ncat >/dev/null\nsleep {delay:.3f}\n")
    hook.chmod(0o755)


def one_run(root: Path, recipients: int, delay: float = 0.0, batch: int | None = None) -> dict:
    from newsroom.build.runner import build
    from newsroom.publishing.pipeline import Publisher

    site = _site(root)
    if delay:
        _slow_pushes(root / "origin.git", delay)
    listing = _recipients(root / "verteiler.csv", recipients)
    port, spawn = _free_port(), multiprocessing.get_context("spawn")
    count, first, last = spawn.Value("l", 0), spawn.Value("d", 0.0), spawn.Value("d", 0.0)
    ready, stop = spawn.Event(), spawn.Event()
    server = spawn.Process(target=_serve, args=(port, count, first, last, ready, stop), daemon=True)
    server.start()
    if not ready.wait(60):
        raise SystemExit("Benchmark: der SMTP-Server startet nicht.")
    environ = {"NEWSROOM_PRESS_SMTP_HOST": "127.0.0.1", "NEWSROOM_PRESS_SMTP_PORT": str(port),
               "NEWSROOM_PRESS_SMTP_SECURITY": "none", "NEWSROOM_PRESS_FROM": "Presse <presse@duesseldorf.de>",
               "NEWSROOM_PRESS_RECIPIENTS": str(listing), "NEWSROOM_PRESS_RECIPIENT_SECRET": "bench-schluessel"}
    timing = {}

    def publish(context, settings):
        timing["batch"] = settings["PRESS_BATCH"]
        started = time.perf_counter()
        report = Publisher(settings, context, environ=environ).run()
        timing["publish"] = time.perf_counter() - started
        return report

    overrides = {"PATH": str(site / "content"), "OUTPUT_PATH": str(root / "output"),
                 "CACHE_PATH": str(root / ".cache"), "PUBLISH_PREVIEW_PATH": str(root / "preview"), "BUILD_NOW": NOW,
                 "ADMIN_PATH": "",  # no admin: a production build would ask for its GitLab sign-in
                 **({"PRESS_BATCH": batch} if batch else {})}
    try:
        report = build(REPO / "publishconf.py", overrides, after=publish).after
    finally:
        stop.set()
        server.join(60)
    outcome = report.outcomes[0]
    if outcome.status != "sent" or count.value != recipients:
        raise SystemExit(f"Benchmark ungültig: {outcome.status} {outcome.message!r}, {count.value} von "
                         f"{recipients} Nachrichten angekommen.")
    checkpoints = sum("progress" in c.message for c in git.Repo(root / "origin.git").iter_commits("main"))
    return {"publish": timing["publish"], "smtp": last.value - first.value, "checkpoints": checkpoints,
            "batch": timing["batch"]}


def main(workdir: Path, recipients: int = 5000, runs: int = 3, delay_ms: int = 300, batch: int | None = None) -> str:
    rows = []
    for name, delay in (("local bare origin", 0.0), (f"origin with +{delay_ms} ms per push", delay_ms / 1000)):
        results = []
        for run in range(runs):
            root = workdir / f"press-{run}"
            shutil.rmtree(root, ignore_errors=True)
            root.mkdir(parents=True)
            results.append(one_run(root, recipients, delay, batch))
            whole, server = (f"{recipients / results[-1][k]:,.0f}".replace(",", ".") for k in ("publish", "smtp"))
            print(f"{name}, Lauf {run + 1}: {whole} Nachrichten/s gesamt; {server}/s am Server", flush=True)
        publish = statistics.median(r["publish"] for r in results)
        smtp = statistics.median(r["smtp"] for r in results)
        rows.append(f"| {name} | {results[0]['batch']} | {results[0]['checkpoints']} | {publish:.1f} s "
                    f"| **{recipients / publish:,.0f}** | {recipients / smtp:,.0f} |")
    report = "\n".join([
        f"# Press release benchmark ({time.strftime('%Y-%m-%d')})", "",
        f"One release to {recipients:,} recipients through aiosmtpd on loopback, median of {runs} run(s), "
        f"{os.cpu_count()} cores. At most PRESS_BATCH recipients are unclear after a crash.", "",
        "| origin | PRESS_BATCH | checkpoints | whole publish step | **messages/s, whole step** "
        "| messages/s, first to last at the server |",
        "|---|---:|---:|---:|---:|---:|", *rows, ""])
    (workdir / "press-report.md").write_text(report, encoding="utf-8")
    print(report)
    return report
