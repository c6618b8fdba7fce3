"""The layout a folder or rsync target keeps, so readers see the old site or the new one, never a mix.

    <target>/.newsroom-deploy               marker: this folder belongs to `invoke deploy`
    <target>/releases/000042/               one complete site per deploy; unchanged files hard-linked
    <target>/releases/.spare/               a folder target's release that dropped out, mended into the next
    <target>/current -> releases/000042     the web server's document root, replaced by rename(2)

A release goes live only complete and checked, by replacing the one symlink. A folder that holds
anything else and no marker is not touched: a deploy never deletes what it did not write.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from newsroom.errors import DeployError

MARKER = ".newsroom-deploy"
MARKER_TEXT = ("Dieser Ordner gehört zu „invoke deploy“ (Newsroom Düsseldorf).\n"
               "Dokumentenwurzel des Webservers: current/ (ein symbolischer Link auf releases/<nummer>/).\n")
RELEASES = "releases"
CURRENT = "current"


def release_number(name: str) -> int | None:
    return int(name) if len(name) == 6 and name.isdigit() else None


def next_release(names: Iterable[str]) -> str:
    """One more than the highest release number present (killed attempts included)."""
    numbers = [n for n in map(release_number, names) if n is not None]
    return f"{max(numbers, default=0) + 1:06d}"


def obsolete(names: Iterable[str], current: str, keep: int) -> list[str]:
    """Releases to delete: all but `current` and the `keep - 1` before it. Releases after it are
    killed or unchanged attempts that never went live."""
    live = release_number(current)
    numbered = sorted((n, name) for name in names if (n := release_number(name)) is not None)
    earlier = [name for n, name in numbered if n < live][::-1][:keep - 1]
    return [name for _n, name in numbered if name != current and name not in earlier]


def live_release(link: str | None) -> str | None:
    """The release name a `current` symlink points to, if it is one of ours."""
    if link is None:
        return None
    folder, _, name = link.rstrip("/").rpartition("/")
    return name if folder == RELEASES and release_number(name) is not None else None


def keep_releases(settings: Mapping) -> int:
    return settings["DEPLOY_KEEP_RELEASES"]


def foreign(names: Iterable[str]) -> list[str]:
    """What in a target's top folder is not ours (a killed marker write leaves only a hidden temp file)."""
    return sorted(n for n in names if n not in (".", MARKER) and not n.startswith(f"{MARKER}.")
                  and not n.startswith(f".{MARKER}."))


def refuse_foreign(target: str, names: list[str]) -> DeployError:
    shown = ", ".join(names[:3]) + (f" und {len(names) - 3} weitere" if len(names) > 3 else "")
    return DeployError(f"Das Ziel {target} ist nicht leer ({shown}) und trägt keine Markierung {MARKER} "
                       "einer früheren Auslieferung. Nichts wurde verändert. Bitte einen leeren Ordner als Ziel "
                       "wählen; die Website liegt dann in <ziel>/current/.")


SWITCH_HELD = "Die neue Fassung wurde nicht freigeschaltet; die Website im Netz ist unverändert."


def verify(target: str, found: Mapping[str, object], expected: Mapping[str, object],
           consequence: str = SWITCH_HELD) -> None:
    """Every built file arrived (same size or digest); otherwise the release never goes live."""
    wrong = sorted(path for path, token in expected.items() if found.get(path) != token)
    if wrong:
        raise DeployError(f"Auslieferung an {target} unvollständig: {len(wrong)} von {len(expected)} Dateien "
                          f"fehlen oder sind unvollständig (z. B. {wrong[0]}). {consequence}")
