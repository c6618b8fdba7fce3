"""Press appointments (Medientermine): content/termine/<year>/*.md, one file per appointment.

model.py (the Appointment), reader.py (file → validated Appointment), loader.py (every file,
with the parse cache), checks.py (ids, addresses and links across all of them), schedule.py
(upcoming and past as of BUILD_NOW), revisions.py (git's versions and dates), ical.py (the
iCalendar file), mails.py (the invitation and change mails to the press). The appointments
plugin (plugins/appointments) draws their pages and feeds.
"""
