"""Runs the benchmark scenarios as separate processes, as CI and editors run builds.

Each figure is the median of several runs; peak memory is the largest resident set
of a build process and its workers, CPU time their user + system time (both from wait4's
rusage). On a shared machine wall times swing with the neighbours' load; CPU time much less.
Builds run as in any ordinary installation, with Python's bytecode cache on (the
environment may switch it off with PYTHONDONTWRITEBYTECODE; then every build would compile
the project's modules again).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NOW = "2026-11-26 12:00"

TARGETS = {  # scenario → (limit, unit); cold is relative to vanilla Pelican
    "cold": (0.4, "× Pelican"),
    "changed": (2.0, "s"),
    "added": (2.0, "s"),
    "memory": (1024.0, "MB"),
}


@dataclass
class Figure:
    name: str
    seconds: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def _timed(command: list[str], cwd: Path) -> tuple[float, float, float]:
    """(wall seconds, peak RSS in MB, CPU seconds) of one process and the children it waited for."""
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=environment)
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode("utf-8", "replace")
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:3])} … failed:\n{stderr[-3000:]}")
    return elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def our_build(root: Path, output: Path, cache: Path) -> tuple[float, float, float]:
    script = (
        "import sys; sys.path[:0] = [{repo!r}]\n"
        "from newsroom.build.runner import build\n"
        "build({conf!r}, {{'PATH': {content!r}, 'OUTPUT_PATH': {output!r}, 'CACHE_PATH': {cache!r},"
        " 'BUILD_NOW': {now!r}}})\n"
    ).format(repo=str(REPO), conf=str(REPO / "pelicanconf.py"),
             content=str(root / "content"), output=str(output), cache=str(cache), now=NOW)
    return _timed([sys.executable, "-c", script], root)


def pelican_build(root: Path) -> tuple[float, float, float]:
    conf = root / "vanillaconf.py"
    # What pelican-quickstart writes (feeds off while developing, 10 articles per page).
    conf.write_text('AUTHOR = "Stadt"\nSITENAME = "Düsseldorf"\nSITEURL = ""\nPATH = "content"\n'
                    'TIMEZONE = "Europe/Berlin"\nDEFAULT_LANG = "de"\nFEED_ALL_ATOM = None\n'
                    'CATEGORY_FEED_ATOM = None\nTRANSLATION_FEED_ATOM = None\nAUTHOR_FEED_ATOM = None\n'
                    'AUTHOR_FEED_RSS = None\nDEFAULT_PAGINATION = 10\n', encoding="utf-8")
    output = root / "output"
    if output.exists():
        shutil.rmtree(output)
    return _timed([sys.executable, "-m", "pelican", "content", "-s", str(conf), "-o", str(output), "-q"], root)


def tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def run(workdir: Path, count: int, runs: int, vanilla: bool, say=print) -> dict:
    from benchmarks.corpus import generate
    from newsroom.build.runner import load_settings

    settings = load_settings(REPO / "pelicanconf.py")
    say(f"Erzeuge Archiv mit {count} Meldungen in {workdir} …")
    facts = generate(workdir, count, settings, photos=REPO / "content" / "media" / "fotos")
    ours = workdir / "newsroom"
    output, cache = ours / "output", ours / ".cache"
    figures: dict[str, Figure] = {name: Figure(name) for name in
                                  ("cold", "warm", "changed", "added", "tag_renamed", "pelican_cold")}
    story = sorted((ours / "content" / "stories").rglob("*.md"))[count // 2]
    original = story.read_text(encoding="utf-8")

    loads: list[float] = []  # the machine's 1-minute load average before each build

    def measure(name: str) -> None:
        loads.append(os.getloadavg()[0])
        seconds, rss, cpu = our_build(ours, output, cache)
        figures[name].seconds.append(seconds)
        figures[name].rss_mb.append(rss)
        figures[name].cpu.append(cpu)
        say(f"  {name:12s} {seconds:7.2f} s  {rss:6.0f} MB  CPU {cpu:6.2f} s")

    for run_no in range(1, runs + 1):
        say(f"Lauf {run_no}/{runs}")
        for leftover in (output, cache):
            if leftover.exists():
                shutil.rmtree(leftover)
        measure("cold")
        measure("warm")
        story.write_text(original + f"\nNachtrag {run_no}: Die Stadt ergänzt weitere Informationen.\n",
                         encoding="utf-8")
        measure("changed")
        # A newsroom adds today's story: the newest of the archive.
        new = story.with_name("neu.md")
        new.write_text(re.sub(r"^date: .*$", "date: 2026-11-26 09:00", original, count=1, flags=re.M)
                       .replace("id: bench", "id: neuebench").replace('title: "', 'title: "Neu: '),
                       encoding="utf-8")
        measure("added")
        new.unlink()
        story.write_text(original.replace("tags: [", "tags: [Umbenannt, ", 1), encoding="utf-8")
        measure("tag_renamed")
        story.write_text(original, encoding="utf-8")
        our_build(ours, output, cache)
        if vanilla:
            seconds, rss, cpu = pelican_build(workdir / "pelican")
            figures["pelican_cold"].seconds.append(seconds)
            figures["pelican_cold"].rss_mb.append(rss)
            figures["pelican_cold"].cpu.append(cpu)
            say(f"  {'pelican_cold':12s} {seconds:7.2f} s  {rss:6.0f} MB  CPU {cpu:6.2f} s")

    # The incremental result must equal a cold build of the same content, byte for byte.
    cold_output = workdir / "cold-output"
    if cold_output.exists():
        shutil.rmtree(cold_output)
    our_build(ours, cold_output, workdir / "cold-cache")
    identical = tree_digest(output) == tree_digest(cold_output)
    shutil.rmtree(workdir / "cold-cache")
    result = report(facts, figures, identical, runs)
    result["load_average"] = {"min": round(min(loads), 1), "median": round(statistics.median(loads), 1),
                              "max": round(max(loads), 1), "cores": os.cpu_count()}
    return result


def report(facts: dict, figures: dict[str, Figure], identical: bool, runs: int) -> dict:
    result = {"corpus": facts, "runs": runs, "identical_to_cold_build": identical, "figures": {}}
    for name, figure in figures.items():
        if figure.seconds:
            result["figures"][name] = {"median_s": round(figure.median, 2), "runs_s": [round(s, 2) for s in figure.seconds],
                                       "median_cpu_s": round(statistics.median(figure.cpu), 2),
                                       "peak_rss_mb": round(max(figure.rss_mb), 1)}
    peak = max(max(f.rss_mb) for n, f in figures.items() if f.seconds and n != "pelican_cold")
    checks = []
    if figures["pelican_cold"].seconds:
        ratio = figures["cold"].median / figures["pelican_cold"].median
        result["cold_ratio"] = round(ratio, 3)
        checks.append(("cold", ratio, TARGETS["cold"][0]))
    checks += [("changed", figures["changed"].median, 2.0), ("added", figures["added"].median, 2.0),
               ("memory", peak, 1024.0)]
    result["peak_rss_mb"] = round(peak, 1)
    result["targets"] = {name: {"value": round(value, 3), "limit": limit, "met": value <= limit,
                                "over_by": None if value <= limit else round(value / limit - 1, 3)}
                         for name, value, limit in checks}
    return result


def render(result: dict) -> str:
    lines = [f"Archiv: {result['corpus']['stories']} Meldungen, Median aus {result['runs']} Läufen",
             "", "| Szenario | Median | Läufe | CPU (Median) | Spitzen-RSS |", "|---|---:|---|---:|---:|"]
    for name, figure in result["figures"].items():
        lines.append(f"| {name} | {figure['median_s']:.2f} s | {', '.join(f'{s:.2f}' for s in figure['runs_s'])} "
                     f"| {figure['median_cpu_s']:.2f} s | {figure['peak_rss_mb']:.0f} MB |")
    if "cold_ratio" in result:
        lines.append(f"\nKalter Build / Pelican: {result['cold_ratio']:.2f}")
    if "load_average" in result:
        load = result["load_average"]
        lines.append(f"Last der Maschine (1 min) vor den Builds: {load['min']}–{load['max']}, Median {load['median']} "
                     f"bei {load['cores']} Kernen")
    lines.append(f"Inkrementelles Ergebnis byte-gleich mit kaltem Build: {'ja' if result['identical_to_cold_build'] else 'NEIN'}")
    for name, target in result["targets"].items():
        state = "erreicht" if target["met"] else f"verfehlt um {target['over_by'] * 100:.0f} %"
        lines.append(f"Ziel {name}: {target['value']} (Grenze {target['limit']}) – {state}")
    return "\n".join(lines)


def main(workdir: Path, count: int, runs: int, vanilla: bool) -> dict:
    result = run(workdir, count, runs, vanilla)
    (workdir / "report.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    text = render(result)
    (workdir / "report.md").write_text(text + "\n", encoding="utf-8")
    print(text)
    return result
