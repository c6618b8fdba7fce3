"""After the sends: the pages of the press releases numbered in this run, built, indexed and shipped.

The number is assigned while the publish run claims the send, after its build. So a run whose
releases went out builds once more, from the record of sends as it pushed it (a git
revision: with a remote the checkout does not have it); that build redraws
only the pages whose number is new and the lists of releases that show it. Then the search index, and the deploy where a target is
configured (DEPLOY_TARGET or NEWSROOM_DEPLOY_TARGET), exactly as `invoke deploy` does. Building
never sends: nothing here can send again. Should this step fail, the sends stay recorded, and
the next build and deploy ship the numbers.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newsroom.deploy import DeployReport


@dataclass
class NumberedPages:
    written: list[str] = field(default_factory=list)  # files the build after the sends wrote
    indexed: int | None = None  # pages in the search index, when it ran
    deployed: DeployReport | None = None  # when it ran
    target: bool = False  # a deploy target is configured
    superseded: bool = False  # the branch has content the checkout lacks: its own run deploys it

    def lines(self) -> list[str]:
        if not self.written:
            return ["Seiten mit Nummern der Pressemitteilungen: schon aktuell, nichts neu gebaut."]
        lines = [f"Seiten mit Nummern der Pressemitteilungen neu gebaut: {len(self.written)} Dateien; "
                 f"Suchindex: {self.indexed} Seiten."]
        if self.deployed:
            lines.append(self.deployed.summary())
        elif self.superseded:
            lines.append("Nicht ausgeliefert: Auf dem Zweig liegen neuere Inhalte, als dieser Lauf gebaut hat; die "
                         "nächste Auslieferung („invoke deploy“) bringt sie mit den Nummern online.")
        else:
            lines.append("Kein Ziel für die Auslieferung eingestellt (DEPLOY_TARGET, NEWSROOM_DEPLOY_TARGET): "
                         "nur gebaut.")
        return lines


def ship_numbered_pages(settings_file: str | Path, overrides: Mapping, revision: str | None,
                        environ: Mapping[str, str] | None = None) -> NumberedPages:
    """Build from the record at `revision`, then index and deploy if the build changed anything."""
    from newsroom import deploy as shipping
    from newsroom.build.runner import build, load_settings
    from newsroom.search.index import index_site

    environ = os.environ if environ is None else environ
    config = load_settings(settings_file, overrides)
    configured = bool(environ.get("NEWSROOM_DEPLOY_TARGET", "").strip() or config["DEPLOY_TARGET"])
    # Opened before building, like `invoke deploy`: a target that cannot work fails at once.
    destination = shipping.open_target(shipping.target_address(config, environ), config, environ) \
        if configured else None
    try:
        built = build(settings_file, overrides, receipts_revision=revision)
        result = NumberedPages(sorted(built.written), target=configured)
        if not built.written and not built.pruned:
            return result
        result.indexed = index_site(built.output).pages
        if destination is not None and revision and _newer_content(config, revision):
            result.superseded = True
        elif destination is not None:
            result.deployed = shipping.deploy(built.output, destination, config,
                                              digest_cache=shipping.digest_cache(config))
            destination = None  # deploy() closed it
        return result
    finally:
        if destination is not None:
            destination.close()


def _newer_content(settings: Mapping, revision: str) -> bool:
    """Does the record's revision hold other content than the checkout, besides the record itself?
    Then an editor pushed meanwhile, and that push's deploy (one at a time, in the pipeline's deploy
    group) ships a newer site: this run's older one must not land after it."""
    content = Path(settings["PATH"]).resolve()
    top = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=content, capture_output=True, text=True)
    if top.returncode:
        return False
    root = Path(top.stdout.strip()).resolve()
    receipts = (content / settings["PUBLISH_RECEIPTS_DIR"]).relative_to(root).as_posix()
    same = subprocess.run(["git", "diff", "--quiet", "HEAD", revision, "--", ".", f":(exclude){receipts}"],
                          cwd=root, capture_output=True)
    return same.returncode != 0
