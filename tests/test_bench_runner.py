"""A benchmark's report: its result as JSON and as Markdown beside it, the Markdown printed, as
`invoke bench` leaves them in the work folder for RESULTS.md."""

from __future__ import annotations

import json

from benchmarks.runner import write_report


def test_a_report_is_written_as_json_and_markdown_and_printed(tmp_path, capsys):
    result = {"figures": {"edited": [1.25, 1.5]}, "problems": []}

    returned = write_report(tmp_path, "live-report", result, lambda r: f"| edited | {max(r['figures']['edited'])} s |")

    assert returned is result
    assert sorted(p.name for p in tmp_path.iterdir()) == ["live-report.json", "live-report.md"]
    assert json.loads((tmp_path / "live-report.json").read_text(encoding="utf-8")) == result
    assert (tmp_path / "live-report.md").read_text(encoding="utf-8") == "| edited | 1.5 s |\n"
    assert capsys.readouterr().out == "| edited | 1.5 s |\n"
