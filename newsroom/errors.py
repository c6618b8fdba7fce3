"""The newsroom's exceptions. Only the command line (tasks.py) catches them all."""

from __future__ import annotations


class NewsroomError(Exception):
    """Base of every error the newsroom raises on purpose."""


class ContentError(NewsroomError):
    """One problem in one content file, worded for editors (German).

    Raised by the readers and validators; `path` is shown relative to the project,
    `line` is 1-based where known, `field` names the front-matter field.
    """

    def __init__(self, path: str, message: str, *, line: int | None = None, field: str | None = None):
        self.path = str(path)
        self.message = message
        self.line = line
        self.field = field
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        if self.field:
            return f"{where}: Feld „{self.field}“: {self.message}"
        return f"{where}: {self.message}"

    def __reduce__(self):
        # Errors travel back from parsing worker processes; rebuild them with all fields.
        return (_content_error, (self.path, self.message, self.line, self.field))

    def sort_key(self) -> tuple:
        return (self.path, self.line or 0, self.field or "", self.message)


def _content_error(path, message, line, field) -> ContentError:
    return ContentError(path, message, line=line, field=field)


def unique_errors(errors: list[ContentError]) -> list[ContentError]:
    """Sorted by file and line; one broken sidecar referenced by ten stories is one problem, reported once."""
    unique = {e.sort_key(): e for e in errors}
    return [unique[key] for key in sorted(unique)]


class ContentErrors(NewsroomError):
    """Several ContentErrors at once: all problems of a file, or of a whole build.

    `drafts` are the problems of drafts found in the same run: reported as warnings, never
    the reason a build stops (a draft is not published)."""

    def __init__(self, errors: list[ContentError], drafts: list[ContentError] = ()):
        self.errors = unique_errors(errors)
        self.drafts = unique_errors(list(drafts))
        super().__init__(f"{len(self.errors)} Fehler im Inhalt:\n" + "\n".join(f"  {e}" for e in self.errors))

    def __reduce__(self):
        return (ContentErrors, (self.errors, self.drafts))


class StoryErrors(ContentErrors):
    """The problems of one story file, with the media it refers to and, where its id, title,
    date and status could be read, its best reading (`provisional`): media and channel posts
    are checked like a valid story's, so their problems arrive in the same round."""

    def __init__(self, errors: list[ContentError], media_checks: tuple = (), provisional=None):
        super().__init__(errors)
        self.media_checks = tuple(media_checks)
        self.provisional = provisional

    def __reduce__(self):
        return (_story_errors, (self.errors, self.media_checks, self.provisional))


def _story_errors(errors, media_checks, provisional) -> StoryErrors:
    return StoryErrors(errors, media_checks, provisional=provisional)


class DateParseError(NewsroomError, ValueError):
    """A text is not a valid point in time (German message; newsroom.dates)."""


class OutsidePath(NewsroomError, ValueError):
    """A reference points outside the folder it must stay in (German message; newsroom.paths)."""


class ImageContainerError(NewsroomError):
    """A picture's file structure cannot be read, so it cannot be handed out without its own metadata
    (German reason naming what is broken; newsroom/media/originals.py). The media files' reader turns
    it into a ContentError naming the file."""


class ConfigurationError(NewsroomError):
    """A setting in pelicanconf.py / publishconf.py is missing or invalid."""


class OutputConflict(NewsroomError):
    """Two things of one build want the same output file."""


class SearchIndexError(NewsroomError):
    """Pagefind failed or is not installed."""


class AccessRefused(NewsroomError):
    """Someone may not do this: a request to the admin's local backend (`invoke cms`) that breaks its
    rules, an approval by someone not listed or of their own text."""


class PublishError(NewsroomError):
    """Publishing could not go on: the record of sends or a channel's set-up is broken."""


class SendError(PublishError):
    """One channel send did not succeed. `retry` says whether a later run may try again
    (HTTP 429, 5xx, connection lost before sending); otherwise it is a permanent failure
    (HTTP 4xx: the request itself is wrong) that an editor must look at."""

    def __init__(self, message: str, *, retry: bool = False, status: int | None = None):
        self.retry = retry
        self.status = status
        super().__init__(message)


class OutcomeUnknown(SendError):
    """The request reached the remote but no answer came back: it may have acted.
    Never resent blindly; the remote is looked up first, or the same idempotency key is used."""

    def __init__(self, message: str):
        super().__init__(message, retry=False)


class ManualTask(PublishError):
    """What a channel's API does not allow (an Instagram caption edited, a Telegram post older than
    48 hours deleted): an editor does it by hand and confirms it; the desk lists it until then."""


class TokenInvalid(NewsroomError):
    """A subscription link that is forged, expired, already used or of a subscriber who no longer exists:
    one answer for all of them, so a link tells nobody which."""


class ReportUnreadable(NewsroomError):
    """A message in the bounce mailbox that is no delivery or complaint report we can use (malformed,
    too large, naming nobody): skipped with a warning, never a reason to stop the run."""


class MailboxError(NewsroomError):
    """The bounce mailbox (a maildir or IMAP) cannot be opened or read."""


class RequestInvalid(NewsroomError):
    """A request to the subscription service's API that it refuses (400), with the reason in German."""


class Disconnected(NewsroomError):
    """The SMTP connection broke before a message was complete: it was not delivered."""


class LedgerConflict(PublishError):
    """Another publish run changed the record of sends first (the push was rejected)."""


class DeployError(NewsroomError):
    """`invoke deploy` could not ship the site: no or an unknown target, missing credentials,
    or the target refused. Raised by newsroom.deploy; what was shipped before stays shipped."""


class SettingsErrors(ConfigurationError):
    """Every problem of the settings at once (newsroom.settings): one line per setting."""

    def __init__(self, problems: list[str], source: str = ""):
        self.problems = list(problems)
        self.source = source
        where = f" in {source}" if source else ""
        message = (self.problems[0] if len(self.problems) == 1 else
                   f"{len(self.problems)} Fehler in den Einstellungen{where}:\n"
                   + "\n".join(f"  {p}" for p in self.problems))
        super().__init__(message)

    def __reduce__(self):
        return (SettingsErrors, (self.problems, self.source))


class WarningsUnavailable(NewsroomError):
    """The warning service (NINA) could not be asked or gave no usable answer: unreachable, an
    error status, a timeout or malformed JSON. Raised by newsroom.warnings; the last recorded
    warnings stay, and nothing else fails."""
