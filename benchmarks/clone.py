"""`invoke bench --scenario clone`: one edited story, built in a warm checkout and in a fresh clone
with the build cache and the live output restored (what every CI run does), on the generated archive.

The archive (benchmarks/corpus.py) is committed once in `<workdir>/clone-origin`. Each run commits
an edit of one story there twice: the first time the checkout (`<workdir>/clone`) pulls it and
builds (warm: only that file has a new mtime); the second time the checkout is deleted, cloned
again at the same place, `.cache/` and `output/` are put back, and it builds (fresh clone: every
file has a new mtime; git's index vouches for them, newsroom/content/git_index.py). Each build is a
process of its own; its files read and stories parsed are counted. At the end the output is
compared with a cold build of the same commit. Report in <workdir>/clone-report.md and .json.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from benchmarks.runner import NOW, REPO, _timed, tree_digest, write_report

BUILD = (
    "import sys, json; sys.path[:0] = [{repo!r}]\n"
    "from newsroom.build.runner import build\n"
    "from newsroom.build.timing import PHASES\n"
    "r = build({conf!r}, {{'PATH': {content!r}, 'OUTPUT_PATH': {output!r}, 'CACHE_PATH': {cache!r},"
    " 'BUILD_NOW': {now!r}}})\n"
    "open({facts!r}, 'w').write(json.dumps({{'files_read': r.stats.get('files_read', -1), 'parsed': r.stats['parsed'],"
    " 'rendered': len(r.rendered), 'written': len(r.written),"
    " 'phases': {{k: round(v, 3) for k, v in PHASES.items() if v >= 0.02}}}}))\n")
SCENARIOS = ("warm", "fresh_clone")


def _git(folder: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True, text=True).stdout


class Checkout:
    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.origin = workdir / "clone-origin"
        self.root = workdir / "clone"
        self.output, self.cache = self.root / "output", self.root / ".cache"
        self.facts = workdir / "clone-facts.json"

    def build(self, output: Path | None = None, cache: Path | None = None) -> tuple[float, float, dict]:
        code = BUILD.format(repo=str(REPO), conf=str(REPO / "pelicanconf.py"), content=str(self.root / "content"),
                            output=str(output or self.output), cache=str(cache or self.cache), now=NOW,
                            facts=str(self.facts))
        seconds, _rss, cpu = _timed([sys.executable, "-c", code], self.root)
        return seconds, cpu, json.loads(self.facts.read_text())

    def edit(self, story: str, run: int, step: str) -> None:
        """Commit an addition to one story in the origin."""
        path = self.origin / story
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"\nNachtrag {run} ({step}): Die Stadt ergänzt weitere Informationen.\n")
        _git(self.origin, "commit", "-q", "-am", f"Nachtrag {run} ({step})")

    def pull(self) -> None:
        _git(self.root, "pull", "-q", "--ff-only")

    def clone_again(self) -> float:
        """A new clone at the same place, the cache and the live output restored; returns the clone's seconds."""
        # The old checkout is moved aside whole, not deleted in place: the last build may still be
        # removing the files it replaced there, in a process of its own (newsroom/build/output.py).
        old = self.workdir / "clone-old"
        shutil.rmtree(old, ignore_errors=True)
        self.root.rename(old)
        seconds, _rss, _cpu = _timed(["git", "clone", "-q", str(self.origin), str(self.root)], self.workdir)
        for name in (".cache", "output"):
            shutil.move(old / name, self.root / name)
        shutil.rmtree(old, ignore_errors=True)
        return seconds


def prepare(workdir: Path, count: int, say) -> Checkout:
    from benchmarks.corpus import generate
    from newsroom.build.runner import load_settings

    checkout = Checkout(workdir)
    stamp = workdir / "clone-corpus.json"
    wanted = {"stories": count, "seed": 2026}
    known = json.loads(stamp.read_text()) if stamp.is_file() else None
    if not known or {k: known.get(k) for k in wanted} != wanted or not (checkout.origin / ".git").is_dir():
        say(f"Erzeuge Archiv mit {count} Meldungen in {checkout.origin} …")
        for leftover in (checkout.origin, checkout.root):
            shutil.rmtree(leftover, ignore_errors=True)
        seed = workdir / "clone-seed"
        facts = generate(seed, count, load_settings(REPO / "pelicanconf.py"),
                         photos=REPO / "content" / "media" / "fotos")
        shutil.move(seed / "newsroom", checkout.origin)
        shutil.rmtree(seed)
        (checkout.origin / ".gitignore").write_text("output/\n.cache/\n", encoding="utf-8")
        _git(checkout.origin, "init", "-q", "-b", "main")
        _git(checkout.origin, "config", "user.email", "bench@example.org")
        _git(checkout.origin, "config", "user.name", "Bench")
        _git(checkout.origin, "add", "-A")
        _git(checkout.origin, "commit", "-q", "-m", "Archiv")
        stamp.write_text(json.dumps(facts), encoding="utf-8")
    else:
        say(f"Archiv mit {count} Meldungen in {checkout.origin} wiederverwendet.")
    shutil.rmtree(checkout.root, ignore_errors=True)
    _git(workdir, "clone", "-q", str(checkout.origin), str(checkout.root))
    seconds, _cpu, facts = checkout.build()
    say(f"  Vorbereitung: kalter Build {seconds:7.1f} s  {facts['files_read']} Dateien gelesen")
    return checkout


def run(workdir: Path, count: int, runs: int, say=print) -> dict:
    workdir.mkdir(parents=True, exist_ok=True)
    checkout = prepare(workdir, count, say)
    story = sorted((checkout.origin / "content" / "stories").rglob("*.md"))[count // 2]
    story = story.relative_to(checkout.origin).as_posix()
    figures: dict[str, list[dict]] = {name: [] for name in SCENARIOS}
    loads, clones = [], []
    for run_no in range(1, runs + 1):
        say(f"Lauf {run_no}/{runs}")
        for name in SCENARIOS:
            checkout.edit(story, run_no, name)
            if name == "warm":
                checkout.pull()
            else:
                clones.append(checkout.clone_again())
            loads.append(os.getloadavg()[0])
            seconds, cpu, facts = checkout.build()
            figures[name].append({"seconds": seconds, "cpu": cpu, **facts})
            say(f"  {name:12s} {seconds:6.2f} s  CPU {cpu:5.2f} s  {facts['files_read']} Dateien gelesen, "
                f"{facts['parsed']} geparst, {facts['rendered']} gezeichnet  Phasen: {facts['phases']}")
    identical = same_as_cold_build(checkout, say)
    return {"stories": count, "runs": runs, "figures": figures, "identical_to_cold_build": identical,
            "clone_s": [round(s, 2) for s in clones],
            "load_average": {"min": round(min(loads), 1), "median": round(statistics.median(loads), 1),
                             "max": round(max(loads), 1)}, "cores": os.cpu_count()}


def same_as_cold_build(checkout: Checkout, say) -> bool:
    cold, cache = checkout.workdir / "clone-cold-output", checkout.workdir / "clone-cold-cache"
    for leftover in (cold, cache):
        shutil.rmtree(leftover, ignore_errors=True)
    seconds, _cpu, _facts = checkout.build(output=cold, cache=cache)
    identical = tree_digest(checkout.output) == tree_digest(cold)
    say(f"  kalter Build desselben Commits {seconds:.0f} s: {'byte-gleich' if identical else 'ABWEICHEND'}")
    for leftover in (cold, cache):
        shutil.rmtree(leftover, ignore_errors=True)
    return identical


def render(result: dict) -> str:
    names = {"warm": "warm checkout (git pull), one story edited",
             "fresh_clone": "fresh clone + restored cache, one story edited"}
    lines = [f"{result['stories']:,} stories, median of {result['runs']} runs, {result['cores']} cores", "",
             "| scenario | build (median) | runs | CPU (median) | files read | stories parsed | pages drawn |",
             "|---|---:|---|---:|---:|---:|---:|"]
    for name, rows in result["figures"].items():
        last = rows[-1]
        lines.append(f"| {names[name]} | {statistics.median(r['seconds'] for r in rows):.2f} s "
                     f"| {', '.join(f'{seconds:.2f}' for seconds in (r['seconds'] for r in rows))} "
                     f"| {statistics.median(r['cpu'] for r in rows):.2f} s | {last['files_read']:,} "
                     f"| {last['parsed']} | {last['rendered']} |")
    load = result["load_average"]
    lines += ["", f"git clone itself (not in the build): {', '.join(f'{s:.1f}' for s in result['clone_s'])} s",
              f"Load average (1 min) before the builds: {load['min']}–{load['max']}, median {load['median']}",
              f"Output byte-identical to a cold build: {'yes' if result['identical_to_cold_build'] else 'NO'}"]
    return "\n".join(lines)


def main(workdir: Path, count: int, runs: int) -> dict:
    return write_report(workdir, "clone-report", run(workdir, count, runs), render)
