from datetime import datetime

import pytest

from newsroom.dates import BERLIN, german_date, german_datetime, parse_datetime
from newsroom.errors import DateParseError


def test_local_time_is_berlin_with_the_right_offset():
    winter = parse_datetime("2026-11-20 10:00")
    summer = parse_datetime("2026-07-01 10:00")
    assert winter.utcoffset().total_seconds() == 3600
    assert summer.utcoffset().total_seconds() == 7200


def test_explicit_offset_is_converted_to_berlin():
    assert parse_datetime("2026-11-20T09:00:00Z") == datetime(2026, 11, 20, 10, 0, tzinfo=BERLIN)


@pytest.mark.parametrize("text, message", [
    ("2026-02-30 10:00", "Den 30.02.2026 gibt es nicht."),
    ("2026-11-20 25:00", "Die Uhrzeit 25:00 gibt es nicht."),
    ("2026-11-20", "„2026-11-20“ hat keine Uhrzeit. Erwartet wird JJJJ-MM-TT HH:MM, zum Beispiel 2026-11-30 10:00."),
    ("morgen früh", "„morgen früh“ ist kein Zeitpunkt. Erwartet wird JJJJ-MM-TT HH:MM, zum Beispiel 2026-11-30 10:00."),
    ("2026-03-29 02:30", "02:30 Uhr am 29.03.2026 gibt es wegen der Zeitumstellung nicht."),
])
def test_impossible_times_are_refused_in_german(text, message):
    with pytest.raises(DateParseError) as caught:
        parse_datetime(text)
    assert str(caught.value) == message


def test_german_formats_do_not_depend_on_the_locale():
    when = datetime(2026, 3, 5, 9, 7, tzinfo=BERLIN)
    assert german_date(when) == "5. März 2026"
    assert german_datetime(when) == "5. März 2026, 09:07 Uhr"


def test_a_time_the_autumn_change_repeats_is_refused_with_both_offsets_shown():
    with pytest.raises(DateParseError) as caught:
        parse_datetime("2026-10-25 02:30")
    assert str(caught.value) == (
        "02:30 Uhr am 25.10.2026 gibt es wegen der Zeitumstellung zweimal. Bitte die Zeitzone dazuschreiben: "
        "2026-10-25 02:30+02:00 (Sommerzeit, die erste) oder 2026-10-25 02:30+01:00 (Winterzeit, die zweite).")
    # Both ways the message suggests are read, one hour apart, and shown in Berlin time.
    first, second = parse_datetime("2026-10-25 02:30+02:00"), parse_datetime("2026-10-25 02:30+01:00")
    assert (second - first).total_seconds() == 3600 and parse_datetime("2026-10-25 02:45+02:00") < second
    assert german_datetime(first) == german_datetime(second) == "25. Oktober 2026, 02:30 Uhr"
    assert first.utcoffset().total_seconds() == 7200 and second.utcoffset().total_seconds() == 3600
    # The hours around it are unambiguous.
    assert parse_datetime("2026-10-25 01:59").utcoffset().total_seconds() == 7200
    assert parse_datetime("2026-10-25 03:00").utcoffset().total_seconds() == 3600


def test_an_ambiguous_story_date_stops_the_check_naming_the_field(site):
    from newsroom.errors import ContentErrors

    site.story(date="2026-10-25 02:15")
    with pytest.raises(ContentErrors) as caught:
        site.check()
    assert [str(e) for e in caught.value.errors] == [
        "content/stories/2026/radwege.md:4: Feld „date“: 02:15 Uhr am 25.10.2026 gibt es wegen der Zeitumstellung "
        "zweimal. Bitte die Zeitzone dazuschreiben: 2026-10-25 02:15+02:00 (Sommerzeit, die erste) oder "
        "2026-10-25 02:15+01:00 (Winterzeit, die zweite)."]
    site.story(date="2026-10-25 02:15+01:00")
    build = site.check()
    assert build.all_stories[0].date.isoformat() == "2026-10-25T02:15:00+01:00"


def test_new_writes_a_time_in_the_repeated_hour_with_its_offset(tmp_path):
    from tests.support import Site, invoke, project_copy

    project = project_copy(tmp_path / "project")
    Site(project)
    result = invoke(project, "new", "--title", "Zeitumstellung", "--date", "2026-10-25 02:30+01:00",
                    "--category", "Verkehr", "--department", "Umweltamt")
    assert result.returncode == 0, result.stderr
    text = (project / result.stdout.strip().splitlines()[-1]).read_text(encoding="utf-8")
    assert "\ndate: 2026-10-25 02:30+01:00\n" in text
    assert parse_datetime("2026-10-25 02:30+01:00") == parse_datetime(text.split("\ndate: ")[1].split("\n")[0])
