"""Press release numbers ("PM 123/2026"): assigned once, while the send is claimed.

The register of a year is a small file in the record of sends,
`content/receipts/press/numbers-<year>.yml` (number → story id). It is read at the
state the claim commit builds on and written with that commit; the commit is a
compare-and-swap on the record, so two runs can never hand out the same number: the
slower one's push is refused, and it plans and numbers again. Story pages show the number once the
release went out (newsroom/publishing/press_numbers.py).
"""

from __future__ import annotations

from newsroom.publishing.channel import ClaimFiles
from newsroom.publishing.press_numbers import REGISTER, parse_register

HEADER = ("# Nummern der Pressemitteilungen {year} (Nummer: Meldungs-id) – geführt von „invoke publish“.\n"
          "# Bitte nicht von Hand ändern: jede Nummer wird genau einmal vergeben.\n")


def dump_register(year: int, numbers: dict[int, str]) -> str:
    lines = "".join(f"{number}: {numbers[number]}\n" for number in sorted(numbers))
    return HEADER.format(year=year) + lines


def assign(files: ClaimFiles, story_id: str, year: int) -> int:
    """The story's number in `year`: the one it already has, else the next free one."""
    name = REGISTER.format(year=year)
    numbers = parse_register(files.read(name), f"content/receipts/{name}")
    for number, owner in numbers.items():
        if owner == story_id:
            return number
    number = max(numbers, default=0) + 1
    numbers[number] = story_id
    files.write(name, dump_register(year, numbers))
    return number
