"""Who may approve: `content/desk/approvers.yml`, kept in git beside the stories.

    approvers:
      cvd-ab:                       # a short handle: the desk and the records show only this
        emails: [a.beispiel@duesseldorf.de]   # the git addresses this person commits with
        ssh_key: "ssh-ed25519 AAAA…"          # signs approvals in production (optional locally)

The addresses tell who wrote a story's version (its last commit's author), so that nobody
approves their own text; they never leave the repository. The file must be protected on the
git host (docs/freigabe.md): whoever may change it decides who approves.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from newsroom.content.frontmatter import compose
from newsroom.errors import ContentError, ContentErrors

HANDLE_CHARACTERS = set("abcdefghijklmnopqrstuvwxyz0123456789-_.")
FILE = "approvers.yml"  # below DESK_DIR


@dataclass(frozen=True)
class Approver:
    handle: str
    emails: frozenset[str]
    ssh_key: str | None = None


@dataclass(frozen=True)
class Approvers:
    by_handle: dict[str, Approver]
    source: str = ""

    def __contains__(self, handle: str) -> bool:
        return handle in self.by_handle

    def handle_of(self, email: str | None) -> str | None:
        """The handle of the approver who commits with this address, if any."""
        if not email:
            return None
        email = email.strip().lower()
        return next((a.handle for a in self.by_handle.values() if email in a.emails), None)

    def wrote(self, handle: str, author_email: str | None) -> bool:
        """Whether `handle` is the author of a version whose last commit has this address."""
        approver = self.by_handle.get(handle)
        return bool(approver and author_email and author_email.strip().lower() in approver.emails)

    @classmethod
    def parse(cls, text: str, path: str) -> Approvers:
        root = compose(text, path)
        if root is None:
            return cls({}, path)
        errors: list[ContentError] = []

        def error(node, message, field=None):
            errors.append(ContentError(path, message, line=node.start_mark.line + 1, field=field))

        entries = _mapping(root, "approvers", path)
        if entries is None:
            raise ContentErrors([ContentError(path, "Es fehlt die Liste „approvers:“ (Kurzzeichen → Angaben).",
                                              line=1, field="approvers")])
        found: dict[str, Approver] = {}
        seen_emails: dict[str, str] = {}
        for key, value in entries.value:
            handle = key.value
            field = f"approvers.{handle}"
            if not isinstance(key, yaml.ScalarNode) or not handle or set(handle) - HANDLE_CHARACTERS:
                error(key, f"„{handle}“ ist kein Kurzzeichen: nur Kleinbuchstaben, Ziffern, - _ . (z. B. cvd-ab).",
                      "approvers")
                continue
            if handle in found:
                error(key, f"Das Kurzzeichen „{handle}“ steht zweimal in der Liste.", field)
                continue
            if not isinstance(value, yaml.MappingNode):
                error(value, "Erwartet werden „emails:“ und optional „ssh_key:“.", field)
                continue
            fields = {k.value: v for k, v in value.value}
            unknown = sorted(set(fields) - {"emails", "ssh_key"})
            if unknown:
                error(value, f"Unbekanntes Feld „{unknown[0]}“ (erlaubt: emails, ssh_key).", field)
            emails_node = fields.get("emails")
            emails = _texts(emails_node)
            if emails_node is None or not emails or any("@" not in e for e in emails):
                error(emails_node or value, "Mindestens eine Git-E-Mail-Adresse angeben (Liste).", f"{field}.emails")
                continue
            for email in emails:
                other = seen_emails.setdefault(email, handle)
                if other != handle:
                    error(emails_node, f"Die Adresse gehört schon zu „{other}“.", f"{field}.emails")
            key_node = fields.get("ssh_key")
            ssh_key = key_node.value.strip() if isinstance(key_node, yaml.ScalarNode) and key_node.value else None
            if ssh_key and not ssh_key.startswith(("ssh-", "ecdsa-", "sk-")):
                error(key_node, "Kein öffentlicher SSH-Schlüssel (beginnt mit ssh-ed25519, ssh-rsa …).",
                      f"{field}.ssh_key")
            found[handle] = Approver(handle, frozenset(emails), ssh_key)
        if errors:
            raise ContentErrors(errors)
        return cls(found, path)


def _mapping(root, name: str, path: str):
    if not isinstance(root, yaml.MappingNode):
        raise ContentErrors([ContentError(path, "Die Datei muss mit „approvers:“ beginnen.", line=1)])
    for key, value in root.value:
        if key.value == name:
            return value if isinstance(value, yaml.MappingNode) else None
    return None


def _texts(node) -> list[str]:
    if isinstance(node, yaml.ScalarNode):
        return [node.value.strip().lower()] if node.value.strip() else []
    if isinstance(node, yaml.SequenceNode):
        return [n.value.strip().lower() for n in node.value if isinstance(n, yaml.ScalarNode) and n.value.strip()]
    return []


def read_approvers(files, settings: dict) -> Approvers:
    """approvers.yml as `files` has it (the fetched branch, or the checkout: `read_content`).
    A missing file is a ContentError, a broken one ContentErrors: each caller says what follows."""
    path = f"{Path(settings['PATH']).name}/{settings['DESK_DIR']}/{FILE}"
    text = files.read_content(f"{settings['DESK_DIR']}/{FILE}")
    if text is None:
        raise ContentError(path, "fehlt: niemand kann freigeben (docs/freigabe.md).")
    return Approvers.parse(text, path)
