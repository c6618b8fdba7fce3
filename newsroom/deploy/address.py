"""Choosing a target by its address: a folder, rsync or S3-compatible storage."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from newsroom.deploy.directory import DirectoryTarget
from newsroom.deploy.releases import keep_releases
from newsroom.deploy.rsync import RsyncTarget
from newsroom.deploy.s3 import S3Target
from newsroom.deploy.target import Target
from newsroom.errors import DeployError


def open_target(address: str, settings: Mapping, environ: Mapping[str, str] | None = None) -> Target:
    environ = os.environ if environ is None else environ
    if address.startswith("s3://"):
        return S3Target(address, settings, environ)
    if address.startswith("rsync:"):
        return RsyncTarget(address[len("rsync:"):], environ, keep_releases(settings))
    if address.startswith("file://"):
        address = address[len("file://"):]
    if address.startswith("/"):
        return DirectoryTarget(Path(address), keep_releases(settings))
    raise DeployError(f"Unbekanntes Ziel „{address}“. Erlaubt: ein Ordner (/pfad oder file:///pfad), "
                      "rsync:ziel oder s3://bucket/präfix.")


def target_address(settings: Mapping, environ: Mapping[str, str] | None = None, given: str | None = None) -> str:
    environ = os.environ if environ is None else environ
    address = (given or environ.get("NEWSROOM_DEPLOY_TARGET", "").strip() or settings["DEPLOY_TARGET"] or "")
    if not address:
        raise DeployError("Kein Ziel für die Auslieferung: DEPLOY_TARGET in den Einstellungen oder "
                          "die Umgebungsvariable NEWSROOM_DEPLOY_TARGET setzen.")
    return str(address)
