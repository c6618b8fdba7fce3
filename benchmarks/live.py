"""`invoke bench --scenario live`: from the commit of one story to a folder target whose search finds it.

The archive of the crisis scenario (benchmarks/crisis.py: generated once, kept in the work folder, a git
repository, built, indexed and deployed once) gets, per run, two commits: one story's text edited (a
paragraph added) and one story added (today's). After each commit runs what CI runs, each a process of
its own: the build, the search index (`index_site`, as `invoke search`) and the deploy to a folder target
(`invoke deploy`'s shipping step). Their sum is the figure: commit to live. Each part's wall time, CPU
time and peak memory are reported: of its largest process (wait4's rusage, as the builds scenario) and of
all its processes together (sampled, as Pagefind may index two parts at a time).

Each commit carries a word found nowhere else. Right after the deploy the benchmark checks that the
deployed search index finds the page: the word is in one of the index's word chunks, and the page's
fragment (the record a search result shows) holds it under the page's address. Fragments and chunks are
gzip files behind a `pagefind_dcd` signature; every folder below the target's pagefind/ is searched, so
the check holds for one bundle and for a bundle per part alike. That is a check of the benchmark only: the
product reads nothing of Pagefind's files. At the end the edited story is restored and the added ones
removed (one commit), so the crisis scenario finds its archive as it was.
"""

from __future__ import annotations

import gzip
import json
import os
import statistics
import subprocess
import time
from pathlib import Path

from benchmarks.crisis import SETUP, Site, prepare
from benchmarks.runner import write_report

# Seconds from the commit to the deployed, searchable site: 10 s up to 25,000 stories, 20 s up to 100,000.
LIMITS = ((25_000, 10.0), (100_000, 20.0))


def limit(stories: int) -> float | None:
    return next((seconds for size, seconds in LIMITS if stories <= size), None)
SIGNATURE = b"pagefind_dcd"
BUILD = SETUP + (
    "from newsroom.build.runner import build\n"
    "r = build({conf!r}, {{'PATH': {content!r}, 'OUTPUT_PATH': {output!r}, 'CACHE_PATH': {cache!r},"
    " 'BUILD_NOW': {now!r}}})\n"
    "open({facts!r}, 'w').write(json.dumps({{'written': [str(p) for p in r.written],"
    " 'rendered': len(r.rendered)}}))\n")
SEARCH = SETUP + (
    "from newsroom.search.index import index_site\n"
    "r = index_site({output!r})\n"
    "open({facts!r}, 'w').write(json.dumps({{'pages': r.pages, 'skipped': r.skipped,"
    " 'written': list(r.written), 'removed': len(r.removed)}}))\n")
DEPLOY = SETUP + (
    "from newsroom.build.runner import load_settings\n"
    "from newsroom.deploy import deploy, open_target\n"
    "settings = load_settings({conf!r})\n"
    "target = open_target({target!r}, settings)\n"
    "r = deploy({output!r}, target, settings)\n"
    "open({facts!r}, 'w').write(json.dumps({{'uploaded': list(r.uploaded), 'deleted': len(r.deleted),"
    " 'unchanged': r.unchanged, **getattr(target, 'work', {{}})}}))\n")
PARTS = ("build", "index", "deploy")


class LiveSite(Site):
    """The crisis scenario's site; its steps also name the files they wrote."""

    def build(self):
        return self._step(BUILD)

    def search(self):
        return self._step(SEARCH)

    def deploy(self):
        return self._step(DEPLOY)

    def changed(self) -> bool:
        status = subprocess.run(["git", "status", "--porcelain", "content"], cwd=self.root, check=True,
                                capture_output=True, text=True)
        return bool(status.stdout.strip())


def unique_word(run_no: int, kind: str) -> str:
    """A word no generated story has, made of letters only (Pagefind keeps it whole), per run and change."""
    letters, n = "", run_no
    while True:
        n, rest = divmod(n, 26)
        letters += chr(ord("a") + rest)
        if not n:
            break
    return f"Fundwort{kind}{letters}qx"


def _unpacked(path: str) -> bytes:
    with open(path, "rb") as handle:
        data = gzip.decompress(handle.read())
    if not data.startswith(SIGNATURE):
        raise ValueError(f"{path}: no Pagefind file")
    return data[len(SIGNATURE):]


def findable(pagefind: Path, word: str) -> dict:
    """Where the deployed index knows `word`: word chunks holding it, fragments' addresses holding it."""
    needle, lowered = word.encode(), word.lower().encode()
    chunks, urls, fragments = 0, [], 0
    for where, _dirs, files in os.walk(pagefind):
        for name in files:
            path = os.path.join(where, name)
            if name.endswith(".pf_index"):
                chunks += lowered in _unpacked(path)
            elif name.endswith(".pf_fragment"):
                fragments += 1
                data = _unpacked(path)
                if needle in data:
                    record = json.loads(data)
                    if word in record.get("content", ""):
                        urls.append(record["url"])
    return {"chunks": chunks, "urls": sorted(urls), "fragments": fragments}


def page_url(output: Path, written: list[str], word: str) -> list[str]:
    """Addresses of the pages this build wrote that show `word` (the story's own page)."""
    found = []
    for name in written:
        path = output / name
        if name.endswith(".html") and path.is_file() and word.encode() in path.read_bytes():
            relative = Path(name).as_posix()
            found.append("/" + relative.removesuffix("index.html"))
    return sorted(found)


def step_row(site: LiveSite) -> dict:
    row = {}
    for part, step in zip(PARTS, (site.build, site.search, site.deploy)):
        seconds, cpu, facts = step()
        row[part] = {"seconds": seconds, "cpu": cpu, **facts}
    row["total"] = sum(row[part]["seconds"] for part in PARTS)
    return row


def check(site: LiveSite, row: dict, word: str) -> list[str]:
    """Problems with the change just deployed: its page not live, or its word not found at its address."""
    started = time.perf_counter()
    expected = page_url(site.output, row["build"]["written"], word)
    found = findable(site.target / "current" / "pagefind", word)
    made = set(row["build"]["written"]) | {name if name.startswith("pagefind/") else f"pagefind/{name}"
                                           for name in row["index"]["written"]}
    deployed = set(row["deploy"]["uploaded"])
    row["check"] = {"expected": expected, **found, "seconds": round(time.perf_counter() - started, 2),
                    "deployed_not_written": len(deployed - made), "written_not_deployed": len(made - deployed)}
    live = [url for url in expected if (site.target / "current" / url.lstrip("/") / "index.html").is_file()]
    problems = []
    if not expected:
        problems.append(f"„{word}“: keine gebaute Seite zeigt das Wort")
    if live != expected:
        problems.append(f"„{word}“: {sorted(set(expected) - set(live))} nicht ausgeliefert")
    if found["urls"] != expected:
        problems.append(f"„{word}“: der Suchindex nennt {found['urls']}, erwartet {expected}")
    if not found["chunks"]:
        problems.append(f"„{word}“: in keinem Wort-Abschnitt des Suchindex")
    return problems


def run(workdir: Path, count: int, runs: int, say=print) -> dict:
    workdir.mkdir(parents=True, exist_ok=True)
    load_start = os.getloadavg()
    site = prepare(workdir, count, say, site=LiveSite(workdir))
    story = sorted((site.root / "content" / "stories").rglob("*.md"))[count // 2]
    original = story.read_text(encoding="utf-8")
    added: list[Path] = []
    figures: dict[str, list[dict]] = {"edited": [], "added": []}
    problems: list[str] = []
    try:
        for run_no in range(1, runs + 1):
            say(f"Lauf {run_no}/{runs}")
            for name in figures:
                word = unique_word(run_no, "neu" if name == "added" else "nachtrag")
                if name == "edited":
                    story.write_text(original + f"\nNachtrag {run_no}: Die Stadt ergänzt das {word}.\n",
                                     encoding="utf-8")
                else:
                    new = story.parent.parent / "2026" / f"live-{run_no:03d}.md"
                    new.parent.mkdir(exist_ok=True)
                    new.write_text(live_story(original, run_no, word), encoding="utf-8")
                    added.append(new)
                site.commit(f"Live: {name} ({run_no})")
                row = step_row(site)
                problems += check(site, row, word)
                row["word"] = word
                figures[name].append(row)
                say(describe(name, row))
    finally:
        story.write_text(original, encoding="utf-8")
        for new in added:
            new.unlink(missing_ok=True)
        if site.changed():
            site.commit("Live: zurückgesetzt")
    return {"stories": count, "runs": runs, "limit_s": limit(count), "figures": compact(figures),
            "problems": problems,
            "load_start": [round(v, 2) for v in load_start], "load_end": [round(v, 2) for v in os.getloadavg()],
            "cores": os.cpu_count()}


def live_story(original: str, run_no: int, word: str) -> str:
    """Today's story: the edited story's text under an id, title and time of its own, with the run's word."""
    lines = []
    for line in original.splitlines():
        if line.startswith("id: "):
            line = f"id: live{run_no:03d}"
        elif line.startswith("date: "):
            line = f"date: 2026-11-26 {8 + run_no % 4:02d}:{run_no % 60:02d}"
        elif line.startswith('title: "'):
            line = f'title: "Live {run_no}: ' + line.removeprefix('title: "')
        lines.append(line)
    return "\n".join(lines) + f"\n\nDie Stadt nennt es das {word}.\n"


def describe(name: str, row: dict) -> str:
    parts = "  ".join(f"{part} {row[part]['seconds']:5.1f} s ({row[part]['rss_mb']:.0f} MB, zusammen "
                      f"{row[part]['rss_together_mb']:.0f} MB)" for part in PARTS)
    found = row["check"]
    return (f"  {name:7s} {parts}  gesamt {row['total']:6.1f} s; geschrieben {len(row['build']['written'])}, "
            f"Index {len(row['index']['written'])}, ausgeliefert {len(row['deploy']['uploaded'])}; "
            f"gefunden unter {found['urls']} ({found['chunks']} Wort-Abschnitte, Prüfung {found['seconds']} s)")


def compact(figures: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """The rows without their file lists (counts stay), for the JSON report."""
    out = {}
    for name, rows in figures.items():
        out[name] = [{key: ({k: (len(v) if isinstance(v, list) else v) for k, v in value.items()}
                            if isinstance(value, dict) and key != "check" else value)
                      for key, value in row.items()} for row in rows]
    return out


def met(seconds: float, target: float | None) -> str:
    return "–" if target is None else "met" if seconds <= target else "MISSED"


def render(result: dict) -> str:
    names = {"edited": "one story's text edited (committed)", "added": "one story added, today's (committed)"}
    target = f"target ≤ {result['limit_s']:g} s" if result["limit_s"] else "target"
    lines = [f"{result['stories']:,} stories, median of {result['runs']} runs, {result['cores']} cores", "",
             "| change | build | index | deploy (folder) | **commit → live** | runs (total) | peak RSS build / index "
             "/ deploy, largest process | the same, all processes together | files written / index files / deployed "
             f"| found by the search | {target} |",
             "|---|---:|---:|---:|---:|---|---:|---:|---:|---|---|"]
    for name, rows in result["figures"].items():
        if not rows:
            continue
        med = {part: statistics.median(r[part]["seconds"] for r in rows) for part in PARTS}
        total = statistics.median(r["total"] for r in rows)
        rss = " / ".join(f"{max(r[part]['rss_mb'] for r in rows):.0f}" for part in PARTS)
        together = " / ".join(f"{max(r[part]['rss_together_mb'] for r in rows):.0f}" for part in PARTS)
        last = rows[-1]
        totals = ", ".join(f"{r['total']:.1f}" for r in rows)
        found = all(r["check"]["urls"] and r["check"]["urls"] == r["check"]["expected"] and r["check"]["chunks"]
                    for r in rows)
        lines.append(f"| {names[name]} | {med['build']:.1f} s | {med['index']:.1f} s | {med['deploy']:.1f} s "
                     f"| **{total:.1f} s** | {totals} | {rss} MB | {together} MB "
                     f"| {last['build']['written']} / {last['index']['written']} / {last['deploy']['uploaded']} "
                     f"| {'yes' if found else 'NO'} | {met(total, result['limit_s'])} |")
    lines.append("")
    lines.append("The changed page found by the deployed search index (its word in a word chunk, its fragment "
                 f"at its address) after every commit: {'yes' if not result['problems'] else 'NO'}")
    lines += [f"- {problem}" for problem in result["problems"]]
    exact = all(not r["check"]["deployed_not_written"] and not r["check"]["written_not_deployed"]
                for rows in result["figures"].values() for r in rows)
    lines.append("Deployed exactly the files the build and the index wrote (folder target, after every commit): "
                 + ("yes" if exact else "NO (see live-report.json, check)"))
    lines.append(f"Load (1/5/15 min) at the start {result['load_start']}, at the end {result['load_end']}")
    return "\n".join(lines)


def main(workdir: Path, count: int, runs: int) -> dict:
    return write_report(workdir, "live-report", run(workdir, count, runs), render)
