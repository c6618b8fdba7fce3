"""Every task of the newsroom (the Makefile only bootstraps .venv and calls these).

Messages for editors are German; exit codes are non-zero on any problem.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from invoke import Exit, task

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from newsroom.build.runner import build as run_build  # noqa: E402
from newsroom.build.runner import check as run_check  # noqa: E402
from newsroom.build.runner import load_settings  # noqa: E402
from newsroom.content import new_story  # noqa: E402
from newsroom.errors import (  # noqa: E402
    ContentErrors,
    NewsroomError,
    OutputConflict,  # noqa: E402
    PublishError,
)

DEV_SETTINGS = "pelicanconf.py"
PRODUCTION_SETTINGS = "publishconf.py"


def _logging() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s", stream=sys.stderr)
    logging.addLevelName(logging.WARNING, "WARNUNG")
    logging.addLevelName(logging.ERROR, "FEHLER")


def _fail(exc: Exception, what: str) -> Exit:
    if isinstance(exc, ContentErrors):
        _warn_drafts(exc.drafts)
        lines = [f"FEHLER {e}" for e in exc.errors]
        lines.append(f"{what} abgebrochen: {len(exc.errors)} Fehler. output/ bleibt unverändert.")
        return Exit("\n".join(lines), code=1)
    return Exit(f"FEHLER {exc}\n{what} abgebrochen. output/ bleibt unverändert.", code=1)


def _warn_drafts(problems) -> None:
    """A draft's problems never stop a build or a check: it is not published until they are fixed."""
    for problem in problems:
        print(f"WARNUNG (Entwurf) {problem}", file=sys.stderr)
    if problems:
        files = len({p.path for p in problems})
        print(f"WARNUNG {files} Entwurf/Entwürfe fehlerhaft: {len(problems)} Problem(e). Entwürfe werden nicht "
              "veröffentlicht; vor „status: published“ beheben.", file=sys.stderr)


def _overrides(now: str | None) -> dict:
    return {"BUILD_NOW": now} if now else {}


@task(help={"settings": "settings file (publishconf.py for production)",
            "now": "build as if it were this time, 'YYYY-MM-DD HH:MM' (Europe/Berlin)",
            "full": "render every page again instead of only what changed",
            "timings": "print how long each phase took"})
def build(c, settings=DEV_SETTINGS, now=None, full=False, timings=False):
    """Check all content and build the site into output/ (replaced only on success)."""
    _logging()
    os.chdir(ROOT)
    try:
        report = run_build(settings, {**_overrides(now), **({"BUILD_FULL": True} if full else {})})
    except (NewsroomError, OutputConflict) as exc:
        raise _fail(exc, "Build") from None
    _warn_drafts(report.draft_problems)
    stats = report.stats
    print(
        f"Build fertig in {report.seconds:.1f} s: {stats.get('visible', 0)} Meldungen online, "
        f"{stats.get('scheduled', 0)} geplant, {stats.get('drafts', 0)} Entwürfe"
        + (f", {stats['planned']} in Planung" if stats.get("planned") else "") + "; "
        f"{len(report.written)} Dateien geschrieben, {report.unchanged} unverändert, "
        f"{len(report.pruned)} entfernt → {report.output}"
    )
    if timings:
        from newsroom.build.timing import report as phase_report

        print(f"Phasen: {phase_report()}")


@task(help={"settings": "settings file (production by default)", "now": "record as if it were this time"})
def warnings(c, settings=PRODUCTION_SETTINGS, now=None):
    """Fetch the official warnings for NINA_ARS (NINA API) and record them with their time in WARNINGS_STATE.

    The next `invoke build`, `search` and `deploy` show what is recorded. Nothing to do when NINA_ARS is None.
    Never fails for the warning service: unreachable, error or malformed answers are a warning in the log,
    and the last warnings recorded stay shown for WARNINGS_MAX_AGE_MINUTES, then a notice instead."""
    from newsroom.warnings.fetch import refresh

    _logging()
    os.chdir(ROOT)
    try:
        config = load_settings(settings, _overrides(now))
        report = refresh(config, config["BUILD_NOW"])
    except NewsroomError as exc:
        raise Exit(f"FEHLER {exc}", code=1) from None
    if report is None:
        print("Amtliche Warnungen sind aus (NINA_ARS ist None); nichts abgerufen.")
        return
    state = report.state
    if report.ok:
        missing = f", {report.details_missing} ohne Details" if report.details_missing else ""
        print(f"Amtliche Warnungen abgerufen: {len(state.warnings)} für {state.ars}{missing} → {config['WARNINGS_STATE']}")
    else:
        since = state.fetched.strftime("%d.%m.%Y %H:%M") if state.fetched else "noch nie"
        print(f"Amtliche Warnungen nicht abgerufen (zuletzt: {since}); es gelten die festgehaltenen.")


@task(help={"settings": "settings file (its OUTPUT_PATH is indexed)"})
def search(c, settings=DEV_SETTINGS):
    """Index the built site for the search page (Pagefind, German); run after a build, before a deploy."""
    from newsroom.search.index import index_site

    _logging()
    os.chdir(ROOT)
    try:
        report = index_site(Path(load_settings(settings)["OUTPUT_PATH"]))
    except NewsroomError as exc:
        raise Exit(f"FEHLER {exc}", code=1) from None
    print(f"Suchindex fertig in {report.seconds:.1f} s: {report.pages} Seiten; {_index_summary(report)}.")


def _index_summary(report) -> str:
    if report.skipped:
        return "keine durchsuchbare Seite geändert, Index unverändert"
    return (f"{report.parts} Teile, {report.ran} davon neu indexiert; {len(report.written)} Dateien geschrieben, "
            f"{report.unchanged} unverändert, {len(report.removed)} entfernt")


@task(help={"settings": "settings file", "now": "check as if it were this time",
            "staged": "report only problems in files the next commit adds or changes (the pre-commit hook)"})
def check(c, settings=DEV_SETTINGS, now=None, staged=False):
    """Validate every story, page and media reference without writing anything."""
    from newsroom.content.precommit import relevant, staged_change

    _logging()
    os.chdir(ROOT)
    try:
        change = staged_change(ROOT) if staged else None
    except NewsroomError as exc:
        raise Exit(f"FEHLER {exc}", code=1) from None
    if change is not None and change.empty:
        return  # nothing below content/ in this commit
    try:
        build = run_check(settings, _overrides(now))
    except ContentErrors as exc:
        errors = relevant(exc.errors, change) if change is not None else exc.errors
        _warn_drafts(relevant(exc.drafts, change) if change is not None else exc.drafts)
        if errors and change is not None:
            lines = [f"FEHLER {e}" for e in ContentErrors(errors).errors]
            lines.append(f"Commit abgebrochen: {len(lines)} Fehler. "
                         "Beheben, mit „git add“ aufnehmen, erneut committen.")
            raise Exit("\n".join(lines), code=1) from None
        if errors:
            raise _fail(ContentErrors(errors), "Prüfung") from None
        print(f"Die geänderten Dateien sind in Ordnung ({len(exc.errors)} Fehler in anderen Dateien, "
              "siehe invoke check).")
        return
    except NewsroomError as exc:
        raise _fail(exc, "Prüfung") from None
    # A broken draft is a warning, not a failure: half-done drafts may be committed and shared;
    # the check fails once such a story is set to "status: published".
    drafts = build.draft_problems
    _warn_drafts(relevant(drafts, change) if change is not None else drafts)
    stats = build.stats
    broken = len({p.path for p in drafts})
    print(f"Prüfung bestanden: {stats.get('stories', 0)} Meldungen, {stats.get('static_pages', 0)} Seiten und "
          f"{stats.get('appointments', 0)} Medientermine ohne Fehler"
          + (f"; {broken} fehlerhafte(r) Entwurf/Entwürfe (nicht veröffentlicht, siehe WARNUNG)." if broken else "."))


@task
def hooks(c):
    """Install the pre-commit hook (.githooks/pre-commit): every commit checks the stories it changes."""
    os.chdir(ROOT)
    c.run("git config core.hooksPath .githooks")
    print("Pre-commit-Prüfung eingerichtet: jeder Commit prüft die geänderten Meldungen, Seiten und "
          "Medienbeschreibungen. Im Notfall überspringen mit: git commit --no-verify")


@task(positional=[], help={"title": "the story's title", "date": "publication time 'YYYY-MM-DD HH:MM' (default: now); "
                                                              "with --status planned the target date",
            "status": "draft (default), published, or planned (Themenplanung: title, owner, target, channels only)",
            "category": "Thema (one of THEMEN; asked for when missing and a terminal is there)",
            "department": "Amt (one of AEMTER; asked for when missing and a terminal is there)",
            "owner": "planned: who writes it (a handle or an Amt)",
            "channels": "planned: intended channels, comma-separated (e.g. press,mastodon)"})
def new(c, title, date=None, status="draft", category=None, department=None, owner=None, channels=None):
    """Create a valid story with a fresh id; prints the new file's path on the last line."""
    _logging()
    os.chdir(ROOT)
    settings = load_settings(DEV_SETTINGS)
    ask = input if sys.stdin.isatty() else None  # without a terminal, nobody could answer
    try:
        path = new_story.create(settings, title=title, date=date, status=status, category=category,
                                department=department, ask=None if status == "planned" else ask, owner=owner,
                                channels=channels)
    except NewsroomError as exc:
        raise Exit(f"FEHLER {exc}", code=1) from None
    if status == "planned":
        print("Geplante Meldung angelegt: sie erscheint im Wochenplan, nie auf der Website. Zum Schreiben "
              "„status: draft“ setzen und „target“ durch „date“ ersetzen.")
        print(path.relative_to(ROOT).as_posix())
        return
    print("Neue Meldung angelegt. Bitte Anreißer, Text und Kontakt ausfüllen (die Platzhalter ersetzen), "
          "dann committen.")
    print(path.relative_to(ROOT).as_posix())


@task(positional=["old", "new"], help={"old": "the story's id now", "new": "its new id"})
def rename_id(c, old, new):
    """Change a story's id on purpose: what was sent under the old id counts on (former_ids)."""
    from newsroom.content.rename_id import rename

    _logging()
    os.chdir(ROOT)
    try:
        renamed = rename(load_settings(DEV_SETTINGS), old, new)
    except NewsroomError as exc:
        raise Exit(f"FEHLER {exc}", code=1) from None
    print(f"{renamed.path.relative_to(ROOT).as_posix()}: id „{new}“, frühere: {', '.join(renamed.former)}. "
          f"Sendungen bleiben unter „{renamed.former[0]}“ verzeichnet; nichts wird erneut gesendet. Bitte committen.")
    for path in renamed.linking:
        print(f"Verweist noch auf „{old}“ (bitte auf „{new}“ ändern): {path.relative_to(ROOT).as_posix()}")


@task(help={"port": "port to serve on", "settings": "settings file"})
def serve(c, port=8000, settings=DEV_SETTINGS):
    """Build, serve output/ on localhost and rebuild whenever content or theme change."""
    from newsroom.servers.preview import serve as run_server

    _logging()
    os.chdir(ROOT)
    run_server(settings, int(port), rebuild=lambda: build(c, settings=settings))


@task(help={"port": "port of the desk (http://localhost:PORT/desk/)", "settings": "settings file"})
def desk(c, port=8001, settings=DEV_SETTINGS):
    """Build, then serve the desk (week plan, approvals, send states) from the preview folder on localhost;
    rebuild on changes. Internal: the desk is never deployed."""
    from newsroom.servers.preview import serve as run_server

    _logging()
    os.chdir(ROOT)
    from newsroom.desk.actions import approve as approve_story
    from newsroom.desk.actions import confirm_manual
    from newsroom.publishing.pipeline import ledger_from_settings
    from newsroom.servers.desk_server import DeskServer

    def approve(story_id: str, version: str) -> str:
        approval, made = run_check(settings, _overrides(None), after=lambda built, s: approve_story(
            built, s, ledger_from_settings(s), story_id, version=version))
        build(c, settings=settings)
        return (f"Freigegeben von {approval.by} (lokal): {approval.source}." if made
                else f"Schon freigegeben: {approval.source} in dieser Fassung von {approval.by}.")

    def confirm(story_key: str, channel: str) -> str:
        chosen = load_settings(settings)
        _record, made = confirm_manual(chosen, ledger_from_settings(chosen), story_key, channel)
        build(c, settings=settings)
        return (f"Als von Hand erledigt eingetragen: {story_key} ({channel})." if made
                else f"Schon als erledigt eingetragen: {story_key} ({channel}); nichts geändert.")

    run_server(settings, int(port), rebuild=lambda: build(c, settings=settings), folder="PUBLISH_PREVIEW_PATH",
               page="desk/", name="Desk",
               make_server=lambda folder, port: DeskServer(folder, approve, port, confirm=confirm))


@task(help={"import_list": "import the old distribution list (CSV or YAML) instead of serving; consent is "
                           "recorded as imported", "host": "address to listen on",
            "port": "port of the service (SUBSCRIPTIONS_URL names where people reach it)", "settings": "settings file",
            "forwarded_allow_ips": "addresses of the web server in front, whose X-Forwarded-For is believed",
            "bounces": "read the bounce mailbox (maildir or IMAP) instead of serving: count delivery and complaint "
                       "reports, suspend, commit the desk's figures"})
def subscriptions(c, import_list=None, host=None, port=None, settings=DEV_SETTINGS, bounces=False,
                  forwarded_allow_ips="127.0.0.1"):
    """The subscription service (sign-up, confirmation, manage pages, the publish run's API) on uvicorn;
    host and port default to SUBSCRIPTIONS_UPSTREAM, where the web server forwards to."""
    from newsroom.subscriptions.config import ServiceConfig

    _logging()
    os.chdir(ROOT)
    try:
        config = ServiceConfig.load(load_settings(settings), repository=ROOT)
    except NewsroomError as exc:
        raise Exit(f"FEHLER {exc}", code=1) from None
    if import_list:
        from newsroom.subscriptions.imports import import_file

        try:
            print(import_file(config, Path(import_list)).summary())
        except NewsroomError as exc:
            raise Exit(f"FEHLER {exc}\nNichts importiert.", code=1) from None
        return
    if bounces:
        _read_bounces(config)
        return
    import uvicorn

    from newsroom.subscriptions.service import create_app

    upstream_host, _, upstream_port = config.settings["SUBSCRIPTIONS_UPSTREAM"].rpartition(":")
    host, port = host or upstream_host.strip("[]"), int(port or upstream_port)
    print(f"Abonnement-Dienst auf http://{host}:{port}{config.path} (Datenbank: {_shown_url(config.database_url)})")
    # The client's address (rate limits, the consent record's keyed hash) is the web server's
    # X-Forwarded-For, believed only from the web server's addresses.
    uvicorn.run(create_app(config), host=host, port=port, log_level="warning", proxy_headers=True,
                forwarded_allow_ips=forwarded_allow_ips)


def _read_bounces(config) -> None:
    from newsroom.publishing.pipeline import ledger_from_settings
    from newsroom.subscriptions import bounces
    from newsroom.subscriptions.database import Database, migrate
    from newsroom.subscriptions.retention import purge

    database = Database(config.database_url)
    try:
        migrate(config.database_url)
        tally = bounces.process(database, config.settings, bounces.source_from_environment(config.credentials))
        print(tally.summary())
        print(purge(database, config.settings).summary())  # the retention periods, on the same timer
        figures = bounces.counts(database)
    except NewsroomError as exc:
        raise Exit(f"FEHLER {exc}", code=1) from None
    finally:
        database.close()
    try:  # the desk's figures; without a record of sends here, the desk simply shows none
        if bounces.record_counts(ledger_from_settings(config.settings), figures):
            print(f"Zahlen für den Desk gespeichert ({config.settings['PUBLISH_RECEIPTS_DIR']}/{bounces.FILE}).")
    except NewsroomError as exc:
        print(f"ACHTUNG Zahlen für den Desk nicht gespeichert: {exc}")


def _shown_url(url: str) -> str:
    """The database URL without its password."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@task(help={"port": "port of the preview with the admin (http://localhost:PORT/admin/)",
            "backend_port": "port of the admin's local backend (the guard in front of decap-server)",
            "git": "decap-server's git mode: editorial workflow with a branch per story, commits in this checkout"})
def cms(c, port=8000, backend_port=8081, git=False):
    """The browser admin against this checkout: decap-server behind its guard, and the preview with /admin/."""
    from newsroom.servers import decap_guard
    from newsroom.servers.preview import serve as run_server

    _logging()
    os.chdir(ROOT)
    overrides = {"ADMIN_LOCAL_BACKEND_URL": f"http://localhost:{int(backend_port)}/api/v1"}
    try:
        settings = load_settings(DEV_SETTINGS, overrides)
        backend = decap_guard.start(settings, ROOT, int(backend_port), preview_port=int(port),
                                    mode="git" if git else "fs")
    except NewsroomError as exc:
        raise Exit(f"FEHLER {exc}", code=1) from None
    # The address carries this run's key: the local backend answers nothing without it.
    print(f"Redaktionsoberfläche: {backend.admin_url(f'http://localhost:{int(port)}', settings['ADMIN_PATH'])}\n"
          "  (nur diese Adresse öffnen, sie gilt bis Strg+C; lokal, ohne Anmeldung; "
          + ("Arbeitsablauf mit Git-Zweigen)" if git else "Dateien landen direkt in content/)"), flush=True)
    try:
        run_server(DEV_SETTINGS, int(port), rebuild=lambda: _build_quietly(overrides))
    finally:
        decap_guard.stop(backend)


def _build_quietly(overrides):
    try:
        report = run_build(DEV_SETTINGS, overrides)
    except (NewsroomError, OutputConflict) as exc:
        raise _fail(exc, "Build") from None
    print(f"Build fertig: {len(report.written)} Dateien geschrieben.")


def _publisher(dry_run=False, story=None, channel=None, unclear=None, done=False):
    def make(build, settings):
        from newsroom.publishing.pipeline import Publisher

        return Publisher(settings, build, dry_run=dry_run, story=story, channel=channel, unclear=unclear, done=done)

    return make


@task(help={"settings": "settings file; only one with PUBLISH_SEND = True (publishconf.py) sends",
            "dry_run": "build nothing, send nothing: show what would be sent",
            "story": "send this story (by id) on purpose, also outside the automatic window",
            "channel": "only this channel", "now": "as if it were this time (tests, rehearsals)",
            "send_unclear": "with --story: mail the press release once more to exactly its unclear recipients",
            "unclear_checked": "with --story: mark its unclear recipients as checked by hand; mails nobody",
            "done": "with --story and --channel: enter a manual task (e.g. an Instagram caption to correct) as "
                    "done by hand; sends nothing"})
def publish(c, settings=PRODUCTION_SETTINGS, dry_run=False, story=None, channel=None, now=None, send_unclear=False,
            unclear_checked=False, done=False):
    """Production build, then send every due story to each of its channels exactly once."""
    from newsroom.publishing.overview import status_lines, summary_lines, unclear_lines
    from newsroom.secrets import install_log_filter

    _logging()
    install_log_filter()
    os.chdir(ROOT)
    try:
        if not dry_run and not load_settings(settings)["PUBLISH_SEND"]:
            raise Exit(f"FEHLER {settings} sendet nie (PUBLISH_SEND ist nicht gesetzt). Versand nur mit "
                       f"„invoke publish“ und {PRODUCTION_SETTINGS}.", code=1)
        if send_unclear and unclear_checked:
            raise Exit("FEHLER Entweder --send-unclear oder --unclear-checked, nicht beides.", code=1)
        make = _publisher(dry_run, story, channel, "send" if send_unclear else "checked" if unclear_checked else None,
                          done)
        if dry_run:
            report = run_check(settings, _overrides(now), after=lambda ctx, s: make(ctx, s).run())
        else:
            built = run_build(settings, _overrides(now), after=lambda ctx, s: make(ctx, s).run())
            _warn_drafts(built.draft_problems)
            report = built.after
    except PublishError as exc:
        raise Exit(f"FEHLER {exc}\nVersand abgebrochen; bereits Gesendetes ist protokolliert.", code=1) from None
    except (NewsroomError, OutputConflict) as exc:
        raise _fail(exc, "Veröffentlichung") from None
    print("\n".join(status_lines(report.plan, report.where)))
    print("\n".join(summary_lines(report)))
    if report.alerts:
        print("\n".join(report.alerts))
    unshipped = None if dry_run or not report.numbered else _ship_numbers(settings, now, report.revision)
    if unshipped:
        print(unshipped, file=sys.stderr)
    loud = unclear_lines(report)
    if loud:
        raise Exit("\n".join([*loud, "Versand unvollständig: Empfänger unklar (siehe oben)."]), code=1)
    if not report.ok:
        raise Exit("Nicht alles wurde gesendet (siehe oben).", code=1)
    if unshipped:
        raise Exit("Seiten mit neuen Nummern nicht ausgeliefert (siehe oben).", code=1)


def _ship_numbers(settings, now, revision) -> str | None:
    """The pages of the releases numbered in this run: built, indexed, deployed (never sent again).
    Returns the German problem when that failed; the sends are recorded either way."""
    from newsroom.errors import DeployError
    from newsroom.publishing.press_pages import ship_numbered_pages

    try:
        shipped = ship_numbered_pages(settings, _overrides(now), revision)
    except (DeployError, NewsroomError, OutputConflict) as exc:
        return (f"FEHLER {exc}\nDie Seiten mit den Nummern der Pressemitteilungen sind nicht ausgeliefert. Die "
                "Sendungen sind protokolliert und gehen nicht noch einmal hinaus; der nächste Build mit Auslieferung "
                "(„invoke deploy“) bringt die Nummern auf die Seiten.")
    print("\n".join(shipped.lines()))
    return None


@task(help={"settings": "settings file (production by default)",
            "refresh": "refresh the credentials that run out within PUBLISH_CREDENTIALS_WARN_DAYS where the platform "
                       "allows it; the new values go into the file NEWSROOM_SECRETS_FILE names, never to the terminal"})
def credentials(c, settings=PRODUCTION_SETTINGS, refresh=False):
    """List per configured channel when its credentials run out (no secret shown); --refresh renews them."""
    from newsroom.publishing.channel import channel_classes
    from newsroom.publishing.credentials import credential_states
    from newsroom.publishing.credentials import refresh as refresh_due
    from newsroom.secrets import install_log_filter, redact
    from newsroom.site import SiteUrls

    _logging()
    install_log_filter()
    os.chdir(ROOT)
    try:
        chosen = load_settings(settings)
        _register_plugins(chosen)
        urls = SiteUrls.from_settings(chosen)
        adapters = {name: cls(chosen, urls, os.environ) for name, cls in channel_classes().items()}
        states = credential_states(chosen, adapters)
        print("\n".join(state.line(chosen["BUILD_NOW"]) for state in states) or "Keine Kanäle mit Zugangsdaten.")
        if not refresh:
            return
        lines, ok = refresh_due(chosen, adapters, states, os.environ)
    except NewsroomError as exc:
        raise Exit(redact(f"FEHLER {exc}"), code=1) from None
    print("\n".join(redact(line) for line in lines))
    if not ok:
        raise Exit("Nicht alle ablaufenden Zugangsdaten wurden erneuert (siehe oben).", code=1)


def _register_plugins(settings: dict) -> None:
    """The plugins' channel adapters, as a build registers them (nothing is built)."""
    import importlib

    sys.path.insert(0, str(ROOT))
    for name in settings["PLUGINS"]:
        module = importlib.import_module(name)
        if hasattr(module, "register"):
            module.register()


@task(help={"settings": "settings file (production by default)",
            "target": "where to ship: /folder, rsync:host:/folder or s3://bucket/prefix (default: DEPLOY_TARGET "
                      "or NEWSROOM_DEPLOY_TARGET)",
            "full": "upload every file, not only the changed ones", "now": "build as if it were this time"})
def deploy(c, settings=PRODUCTION_SETTINGS, target=None, full=False, now=None):
    """Build and index, and only when both succeeded ship the output to the target: changed files, then deletions."""
    from newsroom import deploy as shipping
    from newsroom.errors import DeployError
    from newsroom.search.index import index_site
    from newsroom.secrets import install_log_filter
    from newsroom.warnings.view import include_problem

    _logging()
    install_log_filter()
    os.chdir(ROOT)
    try:
        config = load_settings(settings, _overrides(now))
        # Opened before building: a missing target or credentials fail at once, not after a long build.
        address = shipping.target_address(config, given=target)
        destination = shipping.open_target(address, config)
        problem = include_problem(config, address)
        if problem:
            print(f"WARNUNG {problem}", file=sys.stderr)
        built = run_build(settings, _overrides(now))
        print(f"Build fertig: {len(built.written)} Dateien geschrieben, {len(built.pruned)} entfernt → {built.output}")
        indexed = index_site(built.output)  # the search index belongs to the site it ships with
        print(f"Suchindex fertig: {indexed.pages} Seiten; {_index_summary(indexed)}.")
        report = shipping.deploy(built.output, destination, config, full=full,
                                 digest_cache=shipping.digest_cache(config))
    except DeployError as exc:
        raise Exit(f"FEHLER {exc}\nAuslieferung abgebrochen.", code=1) from None
    except (NewsroomError, OutputConflict) as exc:
        failed = _fail(exc, "Auslieferung")
        raise Exit(f"{failed.message}\nNichts wurde ausgeliefert; das Ziel ist unverändert.", code=1) from None
    print(report.summary())


@task(help={"settings": "settings file (production by default)",
            "target": "folder for nginx.conf and apache.conf (default deploy/)"})
def server_config(c, settings=PRODUCTION_SETTINGS, target="deploy"):
    """Write the web server's configuration with the security headers (nginx and Apache) from the settings."""
    from newsroom.deploy.server_config import write_server_configs

    _logging()
    os.chdir(ROOT)
    try:
        paths = write_server_configs(load_settings(settings), Path(target), source=settings)
    except NewsroomError as exc:
        raise Exit(f"FEHLER {exc}\nServer-Konfiguration nicht geschrieben.", code=1) from None
    print("Server-Konfiguration geschrieben: " + ", ".join(str(p) for p in paths))


@task
def settings_doc(c):
    """Write docs/settings.md and the README's settings table from the settings schema (newsroom/settings.py)."""
    from newsroom.settings import readme_with_table, reference

    (ROOT / "docs" / "settings.md").write_text(reference(), encoding="utf-8")
    readme = ROOT / "README.md"
    readme.write_text(readme_with_table(readme.read_text(encoding="utf-8")), encoding="utf-8")
    print("Geschrieben: docs/settings.md, README.md (Tabelle der Einstellungen)")


@task(help={"settings": "settings file (its THEME and LANGUAGES)"})
def translations(c, settings=DEV_SETTINGS):
    """Bring the interface texts' catalogues (theme/translations/<code>/LC_MESSAGES/messages.po) in line with
    the templates: new texts to translate are added empty, unused ones dropped."""
    from newsroom.languages.catalogues import update_catalogues

    config = load_settings(settings)
    written = update_catalogues(ROOT / config["THEME"], tuple(config["LANGUAGES"]))
    for path in written:
        print(f"Geschrieben: {path.relative_to(ROOT)}")
    if not written:
        print("Die Kataloge sind aktuell.")


@task(help={"settings": "settings file", "now": "as if it were this time"})
def status(c, settings=PRODUCTION_SETTINGS, now=None):
    """Show per story what is due, sent (with link), failed or unclear; sends nothing."""
    from newsroom.publishing.overview import status_lines

    _logging()
    os.chdir(ROOT)
    try:
        plan, where, broken = run_check(settings, _overrides(now),
                                        after=lambda build, s: _status(_publisher()(build, s), build))
    except (NewsroomError, OutputConflict) as exc:
        raise _fail(exc, "Übersicht") from None
    print("\n".join(status_lines(plan, where, broken)))


@task(help={"story": "the story's id", "eilig": "urgent: approve your own text, stating why (shown in red until a "
                                                  "second person approves)",
            "urgent": "the same as --eilig (the crisis message's texts name it)", "settings": "settings file"})
def approve(c, story, eilig=None, urgent=None, settings=PRODUCTION_SETTINGS):
    """Approve the pushed version of a story (a second person; recorded in git, pushed)."""
    from newsroom.desk.actions import approve as approve_story
    from newsroom.publishing.pipeline import ledger_from_settings

    _logging()
    os.chdir(ROOT)
    try:
        approval, made = run_check(settings, _overrides(None), after=lambda build, s: approve_story(
            build, s, ledger_from_settings(s), story, urgent=eilig or urgent))
    except (NewsroomError, OutputConflict) as exc:
        raise _fail(exc, "Freigabe") from None
    if not made:
        print(f"Schon freigegeben: {approval.source} in dieser Fassung von {approval.by}.")
    elif approval.urgent:
        print(f"EILIG freigegeben von {approval.by} allein ({approval.urgent}): {approval.source}. Der Desk zeigt es "
              "rot, bis eine zweite Person diese Fassung freigibt.")
    else:
        print(f"Freigegeben von {approval.by}: {approval.source} (Fassung {approval.version[:12]}).")


@task(help={"reason": "why every send stops", "lift": "lift the send stop", "settings": "settings file"})
def send_stop(c, reason="", lift=False, settings=PRODUCTION_SETTINGS):
    """Stop every external send at once (one commit), or lift the stop (--lift)."""
    from newsroom.desk.actions import lift_send_stop, set_send_stop
    from newsroom.publishing.pipeline import ledger_from_settings

    _logging()
    os.chdir(ROOT)
    try:
        chosen = load_settings(settings)
        ledger = ledger_from_settings(chosen)
        if lift:
            lifted = lift_send_stop(chosen, ledger)
            print("Sendestopp aufgehoben: fällige Sendungen gehen mit dem nächsten Lauf hinaus." if lifted
                  else "Es bestand kein Sendestopp.")
            return
        stop = set_send_stop(chosen, ledger, reason)
    except NewsroomError as exc:
        raise _fail(exc, "Sendestopp") from None
    print(f"{stop.label}. Kein Lauf sendet, bis „invoke send-stop --lift“.")


def _status(publisher, build):
    from newsroom.publishing.overview import broken_files

    return publisher.plan(), publisher.ledger.where, broken_files(build.draft_problems)


@task
def browser_setup(c):
    """Install what the browser tests need: Chromium (apt-get, as root) and tests/browser's npm tools."""
    from tests.browser.tooling import ensure

    ensure()


@task(pre=[browser_setup], help={"args": "extra arguments for pytest"})
def test(c, args=""):
    """Run the whole test suite (the browser tests' tools are installed first when possible)."""
    os.chdir(ROOT)
    c.run(f"{sys.executable} -m pytest {args}", pty=False)


@task(help={"stories": "archive size (default 25000)", "runs": "runs per scenario (median)",
            "vanilla": "also build the corpus with vanilla Pelican and Hugo (the client's reference configurations)",
            "workdir": "where the corpus and outputs go (the crisis, live and clone scenarios keep their corpus there)",
            "scenario": "builds (default); crisis: a crisis on, updated, off, to a folder target; live: one story "
                        "edited and one added, each committed, to a folder target whose search finds it; "
                        "clone: one edit in a warm checkout and in a fresh clone with the cache restored"})
def bench(c, stories=25000, runs=3, vanilla=True, workdir=".bench", scenario="builds"):
    """Benchmark the build on a generated archive against vanilla Pelican and Hugo; prints and saves a report.
    --scenario crisis: from a crisis commit (on, updated, off) to a folder target showing it on every page.
    --scenario live: from a story's commit (edited, added) through build, search index and deploy to a folder
    target, until its search finds the story.
    --scenario clone: one edited story in a warm checkout and in a fresh clone with the build cache restored (CI)."""
    os.chdir(ROOT)
    if scenario in ("crisis", "live"):
        from importlib import import_module

        import_module(f"benchmarks.{scenario}").main(Path(workdir).resolve(), int(stories), int(runs))
        return
    if scenario == "clone":
        from benchmarks.clone import main as clone

        clone(Path(workdir).resolve(), int(stories), int(runs))
        return
    if scenario != "builds":
        raise Exit(f"Unbekanntes Szenario „{scenario}“: builds (Vorgabe), crisis, live oder clone.", code=1)
    from benchmarks.runner import main

    main(Path(workdir).resolve(), int(stories), int(runs), bool(vanilla))


@task(help={"photos": "generated photos (default 200)", "runs": "runs (median)",
            "size": "pixels of each photo, WIDTHxHEIGHT (default 2400x1600)",
            "workdir": "where the photos, the site and the report go"})
def bench_media(c, photos=200, runs=3, size="2400x1600", workdir=".bench"):
    """Benchmark the media portal: cold and warm builds of many photos; Pillow against libvips."""
    from benchmarks.media import main

    os.chdir(ROOT)
    width, height = (int(n) for n in size.lower().split("x"))
    main(Path(workdir).resolve(), int(photos), int(runs), width, height)


@task(help={"recipients": "size of the distribution list (default 5000)", "runs": "runs (median)",
            "delay": "milliseconds the slow origin adds to every push (default 300)",
            "batch": "PRESS_BATCH for this benchmark (default: the setting, 25)",
            "workdir": "where the sites, the list and the report go"})
def bench_press(c, recipients=5000, runs=3, delay=300, batch=None, workdir=".bench"):
    """Benchmark the press channel: one release to many recipients through a local SMTP server; against a local
    origin, then one slow to push."""
    from benchmarks.press import main

    _logging()
    os.chdir(ROOT)
    main(Path(workdir).resolve(), int(recipients), int(runs), int(delay), int(batch) if batch else None)


@task(help={"stories": "archive size (default 25000)", "runs": "runs (median)",
            "workdir": "where the corpus, the site and the report go"})
def bench_search(c, stories=25000, runs=3, workdir=".bench-search"):
    """Benchmark the search index (Pagefind) on a generated archive: cold, unchanged, one story changed, one added."""
    from benchmarks.search import main

    os.chdir(ROOT)
    main(Path(workdir).resolve(), int(stories), int(runs))


@task(help={"subscribers": "confirmed subscribers (default 10000)", "runs": "runs (median)",
            "batch": "SUBSCRIPTIONS_BATCH for this benchmark (default: the setting, 50)",
            "signups": "sign-ups through the service's form (default 1000; 0: none)",
            "clients": "concurrent clients posting the sign-ups (default 4)",
            "alerts": "the citizen alerts (--no-alerts: only the sign-ups)",
            "workdir": "where the site, the database and the report go"})
def bench_subscriptions(c, subscribers=10000, runs=1, batch=None, signups=1000, clients=4, alerts=True,
                        workdir=".bench"):
    """Benchmark the subscription service: one story and a daily digest to many subscribers through the
    service and a local SMTP server, then sign-ups per second through its form."""
    from benchmarks.subscriptions import main

    _logging()
    os.chdir(ROOT)
    main(Path(workdir).resolve(), int(subscribers), int(runs), int(batch) if batch else None, int(signups),
         int(clients), alerts)
