"""`invoke bench-search`: what the Pagefind index costs on a generated archive.

Builds the benchmark corpus (benchmarks/corpus.py) once, then measures `index_site` in
separate processes: a cold index (no index, no kept parts), a second run with nothing changed, and
a run after one story's text changed (how many index files a deploy must then upload, how many
parts Pagefind had to index again). Wall time, CPU time (user + system, with Pagefind's processes)
and peak memory (the largest process). Report in .bench-search/search-report.md.
"""

from __future__ import annotations

import shutil
import statistics
import sys
from pathlib import Path

from benchmarks.runner import REPO, _timed, our_build

INDEX = ("import sys, json; sys.path[:0] = [{repo!r}]\n"
         "from newsroom.search.index import index_site\n"
         "r = index_site({output!r})\n"
         "open({facts!r}, 'w').write(json.dumps([r.pages, len(r.written), len(r.removed), r.unchanged,\n"
         "                                      r.parts, r.reused, r.skipped]))\n")


def _index(root: Path, output: Path) -> tuple[float, float, float, list]:
    import json

    facts = root / "search-facts.json"
    seconds, rss, cpu = _timed([sys.executable, "-c", INDEX.format(repo=str(REPO), output=str(output),
                                                                   facts=str(facts))], root)
    return seconds, rss, cpu, json.loads(facts.read_text())


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
    story = sorted((ours / "content" / "stories").rglob("*.md"))[count // 2]
    original = story.read_text(encoding="utf-8")
    figures: dict[str, list[tuple[float, float, float, list]]] = {"cold": [], "warm": [], "changed": []}
    for run_no in range(1, runs + 1):
        shutil.rmtree(output / "pagefind", ignore_errors=True)
        shutil.rmtree(ours / ".output.pagefind-parts", ignore_errors=True)
        for name in ("cold", "warm"):
            figures[name].append(_index(ours, output))
        story.write_text(original + f"\nNachtrag {run_no}: Die Stadt ergänzt weitere Informationen.\n",
                         encoding="utf-8")
        our_build(ours, output, cache)
        figures["changed"].append(_index(ours, output))
        story.write_text(original, encoding="utf-8")
        our_build(ours, output, cache)
        for name, values in figures.items():
            seconds, rss, cpu, facts = values[-1]
            say(f"  {name:8s} {seconds:7.2f} s (CPU {cpu:6.2f} s) {rss:6.0f} MB  Seiten {facts[0]}, "
                f"geschrieben {facts[1]}, entfernt {facts[2]}, Teile {facts[4]} (übernommen {facts[5]})"
                + (", Pagefind nicht gestartet" if facts[6] else ""))
    files, size = _size(output / "pagefind")
    lines = [f"# Pagefind: {count} Meldungen, Median aus {runs} Läufen", "",
             "| Lauf | Sekunden | CPU-Sekunden | Spitzenspeicher | geschriebene Dateien | entfernte Dateien "
             "| Teile neu indexiert |", "|---|---:|---:|---:|---:|---:|---:|"]
    for name, values in figures.items():
        lines.append(f"| {name} | {statistics.median(v[0] for v in values):.1f} | "
                     f"{statistics.median(v[2] for v in values):.1f} | "
                     f"{statistics.median(v[1] for v in values):.0f} MB | "
                     f"{statistics.median(v[3][1] for v in values):.0f} | "
                     f"{statistics.median(v[3][2] for v in values):.0f} | "
                     f"{statistics.median(v[3][4] - v[3][5] for v in values):.0f} "
                     f"von {statistics.median(v[3][4] for v in values):.0f} |")
    lines += ["", f"Index: {files} Dateien, {size / 1e6:.1f} MB, {figures['cold'][-1][3][0]} Seiten."]
    report = "\n".join(lines) + "\n"
    (workdir / "search-report.md").write_text(report, encoding="utf-8")
    say(report)
    return report
