"""`invoke approve ID --eilig "Grund"` and `--urgent "Grund"` (what the desk, the admin and the crisis
file's error name) are one option: both reach the approval, neither is refused by the command line."""

from __future__ import annotations

import pytest

from tests.support import REPO, invoke


@pytest.mark.parametrize("option", ["--eilig", "--urgent"])
def test_the_urgent_reason_is_taken_under_both_names(option):
    # A settings file that does not exist stops the approval after the options were read.
    result = invoke(REPO, "approve", "krise-hochwasser", option, "Pegel steigt", "--settings", "fehlt.py")
    assert result.returncode == 1
    assert "Einstellungsdatei fehlt.py nicht gefunden." in result.stdout + result.stderr, result.stderr
