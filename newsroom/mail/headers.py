"""Header values every mail of the newsroom sets through Python's email package (policy.default)."""

from __future__ import annotations

from email import policy
from email.headerregistry import Address

from newsroom.errors import SendError

_CONTROL = dict.fromkeys(list(range(32)) + [127], " ")


def one_line(value: object) -> str:
    """A header value: control characters (CR, LF, tabs …) become spaces, runs of space one; so a
    title that tries to add "Bcc:" stays text in its header and never becomes one of its own."""
    return " ".join(str(value).translate(_CONTROL).split())


def parse_address(value: str, label: str, what: str) -> Address:
    """One address as a header gives it ('Presse <presse@duesseldorf.de>'), or a SendError naming
    who sends (`label`) and which setting it came from (`what`)."""
    header = policy.default.header_factory("from", one_line(value))
    addresses = getattr(header, "addresses", ())
    if len(addresses) != 1 or header.defects or "@" not in addresses[0].addr_spec:
        raise SendError(f"{label}: {what} „{one_line(value)}“ ist keine gültige Adresse "
                        "(Form: Name <adresse@domain.de>).")
    return addresses[0]
