"""`invoke bench-search`: what the Pagefind index costs on a generated archive.

Builds the benchmark corpus (benchmarks/corpus.py) once, then measures `index_site` in
separate processes: a cold index (no index), a second run with nothing changed, a run after one
story's text changed and one after a story was added (how many index files a deploy must then
upload, how many parts ran Pagefind). Wall time, CPU time (user + system, with Pagefind's
processes), peak memory of the largest process (wait4) and of all of them together (sampled from
/proc, as parts run side by side). Report in .bench-search/search-report.md.
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
from pathlib import Path

from benchmarks.runner import REPO, our_build, timed_together

INDEX = ("import sys, json; sys.path[:0] = [{repo!r}]\n"
         "from newsroom.search.index import index_site\n"
         "r = index_site({output!r})\n"
         "open({facts!r}, 'w').write(json.dumps([r.pages, len(r.written), len(r.removed), r.unchanged,\n"
         "                                      r.parts, r.ran, r.skipped]))\n")
RUNS = ("cold", "warm", "changed", "added")


def _index(root: Path, output: Path) -> tuple[float, float, float, float, list]:
    facts = root / "search-facts.json"
    figures = timed_together([sys.executable, "-c", INDEX.format(repo=str(REPO), output=str(output),
                                                                 facts=str(facts))], root)
    return *figures, json.loads(facts.read_text())


def _size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def main(workdir: Path, count: int, runs: int, say=print) -> str:
    from benchmarks.corpus import generate
    from newsroom.build.runner import load_settings

    workdir.mkdir(parents=True, exist_ok=True)
    settings = load_settings(REPO / "pelicanconf.py")
    say(f"Erzeuge Archiv mit {count} Meldungen in {workdir} …")
    generate(workdir, count, settings, photos=REPO / "content" / "media" / "fotos")
    ours = workdir / "newsroom"
    output, cache = ours / "output", ours / ".cache"
    for leftover in (output, cache):
        if leftover.exists():
            shutil.rmtree(leftover)
    seconds, _rss, _cpu = our_build(ours, output, cache)
    say(f"  Build (kalt) {seconds:7.1f} s")
    stories = sorted((ours / "content" / "stories").rglob("*.md"))
    story, newest = stories[count // 2], stories[-1]
    original = story.read_text(encoding="utf-8")
    added = newest.with_name("zusatz.md")
    figures: dict[str, list] = {name: [] for name in RUNS}
    for run_no in range(1, runs + 1):
        shutil.rmtree(output / "pagefind", ignore_errors=True)
        for name in ("cold", "warm"):
            figures[name].append(_index(ours, output))
        story.write_text(original + f"\nNachtrag {run_no}: Die Stadt ergänzt weitere Informationen.\n",
                         encoding="utf-8")
        our_build(ours, output, cache)
        figures["changed"].append(_index(ours, output))
        story.write_text(original, encoding="utf-8")
        # A story after the newest: it joins the newest part, as a day's news does.
        text = newest.read_text(encoding="utf-8")
        added.write_text(text.replace("id: bench", "id: extra", 1).replace('title: "', 'title: "Zusatz: ', 1),
                         encoding="utf-8")
        our_build(ours, output, cache)
        figures["added"].append(_index(ours, output))
        added.unlink()
        our_build(ours, output, cache)
        for name in RUNS:
            seconds, rss, cpu, total, facts = figures[name][-1]
            say(f"  {name:8s} {seconds:7.2f} s (CPU {cpu:6.2f} s) {rss:6.0f} MB (zusammen {total:6.0f} MB)  "
                f"Seiten {facts[0]}, geschrieben {facts[1]}, entfernt {facts[2]}, Teile {facts[4]} "
                f"(Pagefind lief für {facts[5]})" + (", Pagefind nicht gestartet" if facts[6] else ""))
    files, size = _size(output / "pagefind")
    lines = [f"# Pagefind: {count} Meldungen, Median aus {runs} Läufen", "",
             "| Lauf | Sekunden | CPU-Sekunden | Spitzenspeicher (größter Prozess) | Spitzenspeicher (zusammen) "
             "| geschriebene Dateien | entfernte Dateien | Teile neu indexiert |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, values in figures.items():
        lines.append(f"| {name} | {statistics.median(v[0] for v in values):.1f} | "
                     f"{statistics.median(v[2] for v in values):.1f} | "
                     f"{statistics.median(v[1] for v in values):.0f} MB | "
                     f"{statistics.median(v[3] for v in values):.0f} MB | "
                     f"{statistics.median(v[4][1] for v in values):.0f} | "
                     f"{statistics.median(v[4][2] for v in values):.0f} | "
                     f"{statistics.median(v[4][5] for v in values):.0f} "
                     f"von {statistics.median(v[4][4] for v in values):.0f} |")
    lines += ["", f"Index: {files} Dateien, {size / 1e6:.1f} MB, {figures['cold'][-1][4][0]} Seiten."]
    report = "\n".join(lines) + "\n"
    (workdir / "search-report.md").write_text(report, encoding="utf-8")
    say(report)
    return report
