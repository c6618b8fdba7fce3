"""`invoke bench --scenario crisis`: from the commit that turns a crisis on, changes it or ends it
to a folder target showing it on every page, on the generated archive.

The archive (benchmarks/corpus.py) is made once in the work folder and kept (a `corpus.json` names
its size and seed); it lives in a git repository, built, indexed and deployed once without a crisis.
Each run then commits content/krise.yml (crisis on), commits an update of it, and removes it (crisis
off), and after each commit runs what CI runs, each as a process of its own: the build, the search
index (`invoke search`), and the deploy to a folder target (`invoke deploy`'s shipping step). After
each step every .html page of the target's current/ that has the crisis region is checked for the
banner (the update's text after the update), and after the end the target's pages must be those of
before, byte for byte. Once, the crisis site is compared with a cold build of the same commit.
Report in <workdir>/crisis-report.md and .json.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from benchmarks.runner import NOW, REPO, timed_together, write_report

LIMIT = 60.0  # seconds from the commit to the deployed site (issue 22)
TARGET = "www"
CRISIS = """\
id: hochwasser-rhein-2026-11
level: Warnung
title: "Hochwasser am Rhein: Ufer gesperrt"
text: >
  Der Rhein steigt. Die Uferpromenade ist gesperrt.
  Bitte meiden Sie das Ufer.
start: 2026-11-26 10:00
end: 2026-11-27 18:00
channels: [press, buerger, mastodon]
updates:
  - date: 2026-11-26 10:45
    text: "Der Pegel liegt bei 7,80 m."
"""
UPDATE = "  - date: 2026-11-26 11:{minute:02d}\n    text: \"Lage {run}: Die Oberkasseler Brücke ist gesperrt.\"\n"
BANNER = b'<section class="krise krise--'
START, END = b"<!--newsroom:krise-->", b"<!--/newsroom:krise-->"

SETUP = "import sys, json; sys.path[:0] = [{repo!r}]\n"
BUILD = SETUP + (
    "from newsroom.build.runner import build\n"
    "from newsroom.build.timing import PHASES\n"
    "r = build({conf!r}, {{'PATH': {content!r}, 'OUTPUT_PATH': {output!r}, 'CACHE_PATH': {cache!r},"
    " 'BUILD_NOW': {now!r}}})\n"
    "open({facts!r}, 'w').write(json.dumps({{'written': len(r.written), 'rendered': len(r.rendered),"
    " 'refilled': len(r.refilled), 'phases': {{k: round(v, 2) for k, v in PHASES.items() if v >= 0.5}}}}))\n")
SEARCH = SETUP + (
    "from newsroom.search.index import index_site\n"
    "r = index_site({output!r})\n"
    "open({facts!r}, 'w').write(json.dumps({{'pages': r.pages, 'skipped': r.skipped, 'written': len(r.written)}}))\n")
DEPLOY = SETUP + (
    "from newsroom.build.runner import load_settings\n"
    "from newsroom.deploy import deploy, open_target\n"
    "settings = load_settings({conf!r})\n"
    "target = open_target({target!r}, settings)\n"
    "r = deploy({output!r}, target, settings)\n"
    "open({facts!r}, 'w').write(json.dumps({{'uploaded': len(r.uploaded), 'unchanged': r.unchanged,"
    " **getattr(target, 'work', {{}})}}))\n")


class Site:
    """The archive's repository, its output and cache, and the folder target."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.root = workdir / "newsroom"
        self.output, self.cache = self.root / "output", self.root / ".cache"
        self.target = workdir / TARGET
        self.crisis = self.root / "content" / "krise.yml"
        self.facts = workdir / "crisis-facts.json"

    def _step(self, script: str, output: Path | None = None, cache: Path | None = None) -> tuple[float, float, dict]:
        code = script.format(repo=str(REPO), conf=str(REPO / "pelicanconf.py"), content=str(self.root / "content"),
                             output=str(output or self.output), cache=str(cache or self.cache), now=NOW,
                             facts=str(self.facts), target=str(self.target))
        seconds, rss, cpu, together = timed_together([sys.executable, "-c", code], self.root)
        return seconds, cpu, {**json.loads(self.facts.read_text()), "rss_mb": round(rss, 1),
                              "rss_together_mb": round(together, 1)}

    def build(self):
        return self._step(BUILD)

    def search(self):
        return self._step(SEARCH)

    def deploy(self):
        return self._step(DEPLOY)

    def git(self, *args: str) -> None:
        subprocess.run(["git", *args], cwd=self.root, check=True, capture_output=True)

    def commit(self, message: str) -> None:
        self.git("add", "-A", "content")
        self.git("commit", "-q", "-m", message)


def prepare(workdir: Path, count: int, say, site: Site | None = None) -> Site:
    """The archive, once: generated, committed, built, indexed and deployed without a crisis."""
    from benchmarks.corpus import generate
    from newsroom.build.runner import load_settings

    site = site or Site(workdir)
    stamp = workdir / "corpus.json"
    wanted = {"stories": count, "seed": 2026}
    known = json.loads(stamp.read_text()) if stamp.is_file() else None
    if not known or {k: known.get(k) for k in wanted} != wanted or not (site.root / ".git").is_dir():
        say(f"Erzeuge Archiv mit {count} Meldungen in {workdir} …")
        for leftover in (site.root / ".git", site.output, site.cache, site.target):
            shutil.rmtree(leftover, ignore_errors=True)
        facts = generate(workdir, count, load_settings(REPO / "pelicanconf.py"),
                         photos=REPO / "content" / "media" / "fotos")
        (site.root / ".gitignore").write_text("output/\n.cache/\n", encoding="utf-8")
        site.git("init", "-q", "-b", "main")
        site.git("config", "user.email", "bench@example.org")
        site.git("config", "user.name", "Bench")
        site.commit("Archiv")
        stamp.write_text(json.dumps(facts), encoding="utf-8")
    else:
        say(f"Archiv mit {count} Meldungen in {workdir} wiederverwendet.")
    if site.crisis.exists():  # a run broken off during a crisis
        site.crisis.unlink()
        site.commit("Lage beendet")
    for name, step in (("Build", site.build), ("Suchindex", site.search), ("Auslieferung", site.deploy)):
        seconds, _cpu, facts = step()
        shown = {k: v for k, v in facts.items() if not isinstance(v, list)}
        say(f"  Vorbereitung: {name} ohne Krise {seconds:7.1f} s  {shown}")
    return site


def html_paths(folder: Path):
    """(site path, file path) of every .html page below `folder`, one at a time."""
    for where, _dirs, files in os.walk(folder):
        for name in files:
            if name.endswith(".html"):
                path = os.path.join(where, name)
                yield os.path.relpath(path, folder), path


def html_of(folder: Path) -> dict[str, bytes]:
    """Every page's SHA-256 by site path: 32 bytes a page, whatever the archive's size."""
    pages = {}
    for relative, path in html_paths(folder):
        with open(path, "rb") as handle:
            pages[relative] = hashlib.sha256(handle.read()).digest()
    return pages


def check_banner(current: Path, text: bytes) -> tuple[int, list[str]]:
    """(pages with the crisis region, those of them without the banner or without `text` in it)."""
    regions, missing = 0, []
    for relative, path in html_paths(current):
        with open(path, "rb") as handle:
            data = handle.read()
        start = data.find(START)
        if start < 0:
            continue
        regions += 1
        region = data[start:data.find(END, start)]
        if BANNER not in region or text not in region:
            missing.append(relative)
    return regions, sorted(missing)


def site_files(folder: Path) -> dict[str, bytes]:
    """Every file's SHA-256 by path, without the search index (its own step) and the CAP feed, which keeps
    the city's alerts after a crisis (tests/test_crisis_site.py)."""
    digests = {}
    for where, dirs, files in os.walk(folder):
        if where == str(folder):
            dirs[:] = [d for d in dirs if d != "pagefind"]
        for name in files:
            path = os.path.join(where, name)
            relative = os.path.relpath(path, folder)
            if not relative.startswith("krise/cap"):
                with open(path, "rb") as handle:
                    digests[relative] = hashlib.sha256(handle.read()).digest()
    return digests


def run(workdir: Path, count: int, runs: int, say=print) -> dict:
    workdir.mkdir(parents=True, exist_ok=True)
    site = prepare(workdir, count, say)
    current = site.target / "current"
    before = html_of(current)
    figures: dict[str, list[dict]] = {"on": [], "update": [], "off": []}
    problems: list[str] = []
    cold_identical = None
    for run_no in range(1, runs + 1):
        say(f"Lauf {run_no}/{runs}")
        update = UPDATE.format(minute=run_no % 60, run=run_no)
        for name, text, check in (("on", CRISIS, b"7,80 m"), ("update", CRISIS + update, f"Lage {run_no}:".encode()),
                                  ("off", None, None)):
            if text is None:
                site.crisis.unlink()
            else:
                site.crisis.write_text(text, encoding="utf-8")
            site.commit(f"Krise: {name}")
            row = {}
            for step_name, step in (("build", site.build), ("search", site.search), ("deploy", site.deploy)):
                seconds, cpu, facts = step()
                row[step_name] = {"seconds": seconds, "cpu": cpu, **facts}
            row["total"] = sum(row[s]["seconds"] for s in ("build", "search", "deploy"))
            if check is not None:
                regions, missing = check_banner(current, check)
                row["pages"], row["without_banner"] = regions, len(missing)
                if missing:
                    problems.append(f"{name}, Lauf {run_no}: {len(missing)} von {regions} Seiten ohne Banner, "
                                    f"z. B. {missing[0]}")
            else:
                after = html_of(current)
                row["pages"] = len(after)
                row["identical_to_before"] = after == before
                if after != before:
                    differ = sorted(p for p in set(after) | set(before) if after.get(p) != before.get(p))
                    problems.append(f"off, Lauf {run_no}: {len(differ)} Seiten anders als vor der Krise, "
                                    f"z. B. {differ[0]}")
            figures[name].append(row)
            say(f"  {name:7s} Build {row['build']['seconds']:6.1f} s  Suche {row['search']['seconds']:5.1f} s  "
                f"Auslieferung {row['deploy']['seconds']:5.1f} s  gesamt {row['total']:6.1f} s  "
                f"(Build: {row['build']['refilled']} erneuert, {row['build']['rendered']} gezeichnet; "
                f"Pagefind {'übersprungen' if row['search']['skipped'] else 'gelaufen'}; "
                f"Auslieferung: {row['deploy'].get('linked', 0)} verlinkt, {row['deploy'].get('copied', 0)} kopiert, "
                f"{row['deploy'].get('kept', 0)} behalten)")
            say(f"          Build-Phasen ≥ 0,5 s: {row['build']['phases']}")
            if name == "on" and run_no == 1:
                cold_identical = same_as_cold_build(site, say)
                if not cold_identical:
                    problems.append("Die Krisen-Website weicht vom kalten Build desselben Commits ab.")
    return {"stories": count, "runs": runs, "limit_s": LIMIT, "figures": figures, "problems": problems,
            "identical_to_cold_build": cold_identical, "load_average": os.getloadavg()[0], "cores": os.cpu_count()}


def same_as_cold_build(site: Site, say) -> bool:
    cold, cache = site.workdir / "cold-output", site.workdir / "cold-cache"
    for leftover in (cold, cache):
        shutil.rmtree(leftover, ignore_errors=True)
    seconds, _cpu, _facts = site._step(BUILD, output=cold, cache=cache)
    ours, theirs = site_files(site.output), site_files(cold)
    differ = sorted(p for p in set(ours) | set(theirs) if ours.get(p) != theirs.get(p))
    identical = not differ
    say(f"  kalter Build desselben Commits {seconds:.0f} s: "
        + ("byte-gleich" if identical else f"{len(differ)} Dateien ABWEICHEND, z. B. {', '.join(differ[:5])}"))
    if differ:
        (site.workdir / "crisis-cold-differences.txt").write_text("\n".join(differ) + "\n", encoding="utf-8")
        return identical  # the cold output stays for a look
    for leftover in (cold, cache):
        shutil.rmtree(leftover, ignore_errors=True)
    return identical


def render(result: dict) -> str:
    names = {"on": "crisis on (krise.yml committed)", "update": "crisis updated (an update added)",
             "off": "crisis off (krise.yml removed)"}
    lines = [f"{result['stories']:,} stories, median of {result['runs']} runs, {result['cores']} cores",
             "", "| scenario | build | search | deploy | **total** | runs (total) | pages refilled / drawn "
             "| Pagefind | deploy: linked / kept | ≤ 60 s |", "|---|---:|---:|---:|---:|---|---:|---|---:|---|"]
    for name, rows in result["figures"].items():
        if not rows:
            continue
        med = {step: statistics.median(r[step]["seconds"] for r in rows) for step in ("build", "search", "deploy")}
        total = statistics.median(r["total"] for r in rows)
        totals = ", ".join(f"{r['total']:.1f}" for r in rows)
        last = rows[-1]
        lines.append(f"| {names[name]} | {med['build']:.1f} s | {med['search']:.1f} s | {med['deploy']:.1f} s "
                     f"| **{total:.1f} s** | {totals} "
                     f"| {last['build']['refilled']:,} / {last['build']['rendered']:,} "
                     f"| {'skipped' if all(r['search']['skipped'] for r in rows) else 'ran'} "
                     f"| {last['deploy'].get('linked', 0):,} / {last['deploy'].get('kept', 0):,} "
                     f"| {'met' if total <= result['limit_s'] else 'MISSED'} |")
    lines.append("")
    cold = result["identical_to_cold_build"]
    lines.append(f"Crisis site byte-identical to a cold build of the same commit: "
                 f"{'yes' if cold else 'NO' if cold is False else 'not compared'}")
    lines.append(f"Every page with the region shows the banner, and after the end every page is as before: "
                 f"{'yes' if not result['problems'] else 'NO'}")
    lines += [f"- {problem}" for problem in result["problems"]]
    lines.append(f"Load average (1 min) at the end: {result['load_average']:.1f}")
    return "\n".join(lines)


def main(workdir: Path, count: int, runs: int) -> dict:
    return write_report(workdir, "crisis-report", run(workdir, count, runs), render)
