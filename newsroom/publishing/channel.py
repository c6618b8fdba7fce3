"""The channel interface every adapter implements: render, validate, send, look up.

Adapters are plugins (plugins/<channel>/) that answer the `channel_adapters` signal
with their class. Rendering is pure and needs no credentials, so every build can
show what a channel would receive; only `send` and `lookup` talk to the remote.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from blinker import signal

from newsroom.errors import ConfigurationError, ManualTask
from newsroom.publishing.templates import house_template, house_text, template_values
from newsroom.publishing.text import (
    correction_marker,
    correction_text,
    count_hashtags,
    hashtags,
    weighted_length,
    with_link,
)
from newsroom.secrets import Credentials

if TYPE_CHECKING:
    from datetime import datetime

    from newsroom.content.amendments import Correction, Withdrawal
    from newsroom.content.story import Story
    from newsroom.publishing.http import HttpClient
    from newsroom.site import SiteUrls

# Plugins connect a function returning their Channel subclass (Pelican's signal style).
channel_adapters = signal("newsroom_channel_adapters")

# What a send does: the story's first post, a correction of it, or taking it back.
PUBLISH, CORRECT, WITHDRAW = "publish", "correct", "withdraw"
# Detail entry a `marks_start` channel checkpoints with the send's key right before its request leaves.
STARTED = "started"


@dataclass(frozen=True)
class MediaLink:
    """One media item a story uses, as a channel links it: the portal's item page when the
    media portal is built, else the file itself."""

    path: str  # below content/media
    url: str  # absolute
    label: str  # title, else alt text, else file name
    credit: str
    alt: str = ""  # the alternative text of its sidecar, for channels that show the picture


@dataclass(frozen=True)
class TextLimit:
    """How a channel counts an editor's own text, so the admin can count along while it is typed.
    `validate` stays the judge: the admin's count is a guide, `invoke check` counts exactly."""

    maximum: int
    unit: str = "characters"  # characters (code points), graphemes, bytes (UTF-8), weighted (X's rules), utf16
    url_length: int | None = None  # every link counts this many; None: its own length
    thread: int = 1  # posts a longer own text may become (a thread, newsroom/publishing/thread.py); 1: one post


@dataclass(frozen=True)
class Release:
    """A story as every channel sees it: absolute addresses, links resolved."""

    story: Story
    url: str  # the story's absolute address
    body_html: str  # with absolute links
    image_url: str | None = None  # absolute address of the lead image
    image_file: Path | None = None  # the lead image on disk, for channels that upload it
    image_alt: str | None = None
    image_credit: str | None = None
    # Crops of the lead image made for the channels by the media portal, by purpose (newsroom/media/crops.py):
    # {"instagram": (absolute address, file on disk), "card": …}; empty without the portal.
    image_renditions: Mapping[str, tuple[str, Path]] = field(default_factory=dict)
    media: tuple[MediaLink, ...] = ()  # lead image first, then in the order of the text
    link_label: str = ""  # what the link to `url` is called where not a story's ("Der Termin im Internet")
    subject: str = ""  # a mail's whole subject where it is not the release's number and title (a crisis message)
    everyone: bool = False  # to every recipient of a list, whatever Themen they chose (a crisis message)
    # The medium the lead image shows, below content/media: the story's, or its replacement once its rights
    # ended (MediaLibrary.shown); None: the story's own, where nothing was looked up.
    image_path: str | None = None
    # The language of a translation's posts (its code, e.g. "en"); empty for the German original's.
    language: str = ""

    def image_for(self, purpose: str | None) -> tuple[str | None, Path | None]:
        """(address, file) of the lead image as a channel sends it: the crop made for `purpose`
        (CHANNEL_CROPS names a channel's), else the image as it is."""
        return self.image_renditions.get(purpose) or (self.image_url, self.image_file)


@dataclass(frozen=True)
class SendContext:
    """What one send may use besides the post: its idempotency key, HTTP with retries,
    what an earlier attempt recorded (for example recipients already served), and a
    way to record progress so that a crash half-way does not repeat the done part."""

    key: str
    client: HttpClient
    detail: Mapping = field(default_factory=dict)
    # Merges into the record's detail and commits it; raises SendError(retry=True) when the
    # record cannot be written, so the adapter stops before doing what it could not record.
    checkpoint: Callable[[dict], None] = lambda detail: None
    # Sent on purpose to exactly the recipients the record names as unclear, and to nobody else.
    unclear: bool = False


@dataclass(frozen=True)
class Post:
    """What one channel would receive for one story: shown in previews, then sent."""

    channel: str
    story_id: str  # when sent: the story's key in the record, its first id (a renamed story keeps it)
    text: str  # the text as the channel shows it (post, caption, mail body)
    link: str | None = None  # the story's absolute address
    title: str | None = None  # subject or video title where the channel has one
    media: tuple[str, ...] = ()  # absolute media addresses attached
    payload: Mapping = field(default_factory=dict)  # the request body without credentials
    action: str = PUBLISH
    # A correction or withdrawal: what the record says of the first send (remote_id, url, detail).
    original: Mapping = field(default_factory=dict)
    # A thread: every post's text in order (the first holds the link); empty when one post says it all.
    parts: tuple[str, ...] = ()
    alt: str = ""  # the picture's alternative text as the channel receives it
    image: Path | None = None  # the picture as the channel receives it (its crop), for previews

    @property
    def posts(self) -> tuple[str, ...]:
        """The texts as they appear one after another: the thread's parts, else the one text."""
        return self.parts or (self.text,)

    def digest(self) -> str:
        """Identifies the content sent; recorded in the receipt for the audit trail."""
        data = [self.channel, self.story_id, self.text, self.link, self.title, list(self.media), self.payload]
        if self.action != PUBLISH:
            data += [self.action, self.original]
        if self.parts:
            data += [list(self.parts)]
        data = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(data.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Delivery:
    """The remote's answer to a successful send."""

    remote_id: str
    url: str | None = None
    detail: Mapping = field(default_factory=dict)  # channel specifics worth keeping (no personal data)
    note: str = ""  # shown with the result, e.g. recipients who refused a mail (German)
    unclear: int = 0  # recipients whose fate is unknown (their batch cut off by a crash, an answer lost)


class ClaimFiles:
    """Small files of a channel's own in the record (e.g. a counter of release numbers),
    read at the state the claim commit builds on and written with that commit."""

    def __init__(self, read: Callable[[str], str | None]):
        self._read = read
        self.changed: dict[str, str] = {}

    def read(self, name: str) -> str | None:
        return self.changed[name] if name in self.changed else self._read(name)

    def write(self, name: str, text: str) -> None:
        self.changed[name] = text


class Channel:
    """Base of every channel adapter.

    `idempotent`: sending twice with the same key makes one post (Mastodon's
    Idempotency-Key, a fixed Bluesky record key); `can_look_up`: the remote can be asked
    whether a post for this key exists. A claim left without receipt by a crash is
    retried only when one of them holds; otherwise an editor decides. The same two hold
    for a correction through `correction_idempotent` and `correction_lookup`; taking a post
    back is always safe to repeat (a post already gone counts as deleted).

    `marks_start`: the adapter records STARTED (`mark_start`) right before each request that may
    post; a claim left by a dead run without that mark never reached the remote and is sent, even
    by a channel that can neither repeat safely nor look up (Telegram).

    A correction (`correct`) and a withdrawal (`withdraw`) act on the first send, whose
    record the post carries as `original`; a channel whose API cannot do it raises
    ManualTask, and the desk shows the task until an editor confirms it.
    """

    name: ClassVar[str]
    label: ClassVar[str]  # shown to editors, e.g. "Mastodon"
    idempotent: ClassVar[bool] = False
    can_look_up: ClassVar[bool] = False
    correction_idempotent: ClassVar[bool] = False
    correction_lookup: ClassVar[bool] = False
    marks_start: ClassVar[bool] = False
    takes_text: ClassVar[bool] = True  # False: the channel posts a picture or video alone (a Story)
    required_env: ClassVar[tuple[str, ...]] = ()  # keys below NEWSROOM_<CHANNEL>_
    # The story's address belongs in the text (an own text gets it appended); False where a
    # link in the text cannot be followed (Instagram: "Link im Profil").
    link_in_text: ClassVar[bool] = True
    default_base_url: ClassVar[str] = ""

    def __init__(self, settings: dict, urls: SiteUrls, environ: Mapping[str, str] | None = None):
        self.settings = settings
        self.urls = urls
        self.credentials = Credentials(self.name, environ)

    @property
    def base_url(self) -> str:
        return self.credentials.base_url(self.default_base_url)

    def missing_credentials(self) -> list[str]:
        return self.credentials.missing(self.required_env)

    def render(self, release: Release) -> Post:
        raise NotImplementedError

    def validate(self, post: Post) -> list[str]:
        """German problems that would make the channel refuse the post; empty when it fits."""
        return []

    def prepare_claim(self, post: Post, detail: Mapping, files: ClaimFiles) -> dict:
        """Entries for the claim's detail, decided while claiming (e.g. a release number).

        `detail` is what earlier attempts recorded. The claim commit is a compare-and-swap
        on the record, so a value derived here from `files` is unique across runs: a run
        that loses the race plans and prepares again."""
        return {}

    def send(self, post: Post, context: SendContext) -> Delivery:
        """Publish the post; raises SendError (or OutcomeUnknown when the answer was lost)."""
        raise NotImplementedError

    def lookup(self, post: Post, context: SendContext) -> Delivery | None:
        """The earlier post for this key if the remote has it, else None."""
        raise NotImplementedError

    # -- after the first send: corrections and withdrawal ------------------------------------

    def render_correction(self, release: Release, correction: Correction, original: Mapping) -> Post:
        """The correction as this channel shows it: by default a reply with what was wrong, what
        is right and the link, shortened to the link alone where the channel's limit asks for it."""
        limit = self.text_limit()
        fits = None if limit is None else (lambda text: self.count(text) <= limit.maximum)
        text = correction_text(release, correction, fits=fits)
        return Post(self.name, release.story.id, text, link=release.url,
                    payload={"text": text, "marker": correction_marker(correction)}, action=CORRECT, original=original)

    def render_withdrawal(self, release: Release, withdrawal: Withdrawal, original: Mapping) -> Post:
        """Taking the post back: by default its deletion, so the post says only what is deleted."""
        posts = original_posts(original)
        text = f"Gelöscht wird: {', '.join(posts)} (zurückgezogen: {withdrawal.reason})"
        return Post(self.name, release.story.id, text, link=release.url, payload={"delete": posts},
                    action=WITHDRAW, original=original)

    def correct(self, post: Post, context: SendContext) -> Delivery:
        """Publish the correction (a reply, a comment, an edit); raises ManualTask where the API cannot."""
        raise ManualTask(f"{self.label}: Eine Berichtigung ist über die Schnittstelle nicht möglich. Bitte von Hand "
                         f"ergänzen ({original_url(post.original)}): {post.text}")

    def withdraw(self, post: Post, context: SendContext) -> Delivery:
        """Take the post (every post of a thread) back; a post already gone counts as deleted."""
        raise ManualTask(f"{self.label}: Löschen ist über die Schnittstelle nicht möglich. Bitte den Beitrag von "
                         f"Hand löschen oder verbergen ({original_url(post.original)}).")

    def delete_each(self, post: Post, context: SendContext, delete: Callable[[str], str]) -> Delivery:
        """Every post of the story taken back with `delete(remote_id)`, which returns the platform's
        answer in German ("gelöscht (200)", "schon gelöscht (404)") or raises SendError. Each answer is
        recorded as it comes, so a run that dies half-way is continued, never repeated."""
        deleted = dict(context.detail.get("deleted") or {})
        for remote_id in original_posts(post.original):
            if remote_id not in deleted:
                deleted[remote_id] = delete(remote_id)
                context.checkpoint({"deleted": deleted})
        return Delivery(",".join(deleted), post.original.get("url"), {"deleted": deleted},
                        note=f"{len(deleted)} Beitrag/Beiträge gelöscht.")

    def lookup_correction(self, post: Post, context: SendContext) -> Delivery | None:
        """The correction posted by an earlier attempt, if the remote has it (`correction_lookup`)."""
        raise NotImplementedError

    def deliver(self, post: Post, context: SendContext) -> Delivery:
        """What the publish run calls: the send the post's action asks for."""
        if post.action == CORRECT:
            return self.correct(post, context)
        if post.action == WITHDRAW:
            return self.withdraw(post, context)
        return self.send(post, context)

    def find(self, post: Post, context: SendContext) -> Delivery | None:
        return self.lookup_correction(post, context) if post.action == CORRECT else self.lookup(post, context)

    def crop_purpose(self) -> str | None:
        """Which of the media portal's crops this channel sends (CHANNEL_CROPS); None: the image as it is."""
        return self.settings["CHANNEL_CROPS"].get(self.name)

    def picture(self, release: Release) -> tuple[str | None, Path | None]:
        """(address, file) of the lead image as this channel sends it: its crop, else the image as it is."""
        return release.image_for(self.crop_purpose())

    def sent_so_far(self, post: Post, context: SendContext) -> Delivery | None:
        """What an interrupted send posted though the lookup does not find the post whole, as a delivery,
        so that a story withdrawn meanwhile takes back what is out. One post is out whole or not at all:
        None. A channel that sends a post as several (a thread) returns the parts that are out."""
        return None

    def mark_start(self, context: SendContext) -> None:
        """Recorded (committed and pushed) before the request leaves; raises SendError(retry=True),
        and nothing is sent, when it cannot be."""
        context.checkpoint({STARTED: context.key})

    def may_have_sent(self, detail: Mapping, key: str) -> bool:
        """Whether an earlier attempt under `key` may have reached the remote: yes, unless the
        channel marks its starts and this attempt's is not recorded."""
        return not self.marks_start or detail.get(STARTED) == key

    def idempotent_for(self, action: str) -> bool:
        """Repeating this action with the same key does it once."""
        return {PUBLISH: self.idempotent, CORRECT: self.correction_idempotent}.get(action, True)

    def looks_up(self, action: str) -> bool:
        """The remote can be asked whether an earlier attempt of this action arrived."""
        return {PUBLISH: self.can_look_up, CORRECT: self.correction_lookup}.get(action, False)

    def credential_expiry(self, client: HttpClient) -> datetime | None:
        """When this channel's credentials stop working, where the platform says so; else None."""
        return None

    def refresh_credentials(self, client: HttpClient) -> dict[str, str] | None:
        """Renew the credentials before they run out (`invoke credentials --refresh`): the new values by
        key below NEWSROOM_<CHANNEL>_ (e.g. {"TOKEN": …}), which the caller stores and never shows; None
        when the platform offers no refresh for these credentials. Raises SendError when the platform
        refuses. An adapter passes every new value to `newsroom.secrets.REDACTOR` before returning it."""
        return None

    def check_unclear(self, detail: Mapping) -> dict:
        """The detail with its unclear recipients marked checked by hand, nobody mailed
        (for channels whose Delivery can report `unclear`)."""
        raise NotImplementedError

    def hashtags(self, story: Story, language: str = "") -> list[str]:
        """The city's hashtags (SOCIAL_HASHTAGS), the Thema's (SOCIAL_THEMA_HASHTAGS), then the story's
        tags, each once whatever its case; at most `hashtag_limit()`. A translation's posts (`language`)
        carry the city's alone: the Thema's and the tags are German words."""
        thema = () if language else self.settings["SOCIAL_THEMA_HASHTAGS"].get(story.category, ())
        found = hashtags(() if language else story.tags, (*self.settings["SOCIAL_HASHTAGS"], *thema))
        most = self.hashtag_limit()
        return found if most is None else found[:most]

    def hashtag_limit(self) -> int | None:
        """How many hashtags the platform takes in one post (SOCIAL_MAX_HASHTAGS); None: no limit."""
        return self.settings["SOCIAL_MAX_HASHTAGS"].get(self.name)

    def hashtag_problem(self, text: str, where: str = "Der Text") -> str | None:
        """The hashtags counted the platform's way ('#' at a word's start) against `hashtag_limit()`."""
        found, most = count_hashtags(text), self.hashtag_limit()
        if most is None or found <= most:
            return None
        return (f"{self.label}: {where} hat {found} Hashtags, erlaubt sind {most}. Bitte Schlagworte (tags) oder "
                f"Hashtags unter channels.{self.name}.text streichen.")

    def template_text(self, release: Release) -> str:
        """The editor's own text (front matter channels.<name>.text, the link appended where the
        channel wants it in the text), else the channel's house template (theme/templates/channels/),
        fitted to `text_limit()`: fewer hashtags (the city's kept), then without the summary."""
        own = self.own_text(release.story)
        if own:
            return with_link(own, release.url) if self.link_in_text else own.strip()
        limit = self.text_limit()
        fits = None if limit is None else (lambda text: self.count(text) <= limit.maximum)
        values = template_values(release, label=self.label, link_in_text=self.link_in_text,
                                 site=self.settings["SITE_SHORTNAME"])
        template = house_template(self.settings, self.name, release.language)
        # The city's hashtags (#Düsseldorf) go last, after the summary.
        keep = len(hashtags((), tuple(self.settings["SOCIAL_HASHTAGS"])))
        text = house_text(template, values, self.hashtags(release.story, release.language), fits, keep)
        if self.link_in_text and release.url not in text:  # lookups after a lost answer match the link
            raise ConfigurationError(f"Hausvorlage {template.name}: Der Text für {self.label} braucht den Link "
                                     "zur Meldung ({{ url }}).")
        return text

    def text_limit(self) -> TextLimit | None:
        """The limit the post made from an own text must fit (the link to the story included); None: none."""
        return None

    def count(self, text: str) -> int:
        """`text` counted as `validate` counts it against `text_limit()`: code points (every link as
        `url_length` where the limit names one) or UTF-8 bytes; a channel with another unit counts itself."""
        limit = self.text_limit()
        if limit is not None and limit.unit == "bytes":
            return len(text.encode("utf-8"))
        if limit is not None and limit.unit != "characters":
            raise NotImplementedError(f"{self.name}: counting in {limit.unit} is the channel's own count()")
        if limit is not None and limit.url_length is not None:
            return weighted_length(text, limit.url_length)
        return len(text)

    def own_text(self, story: Story) -> str | None:
        """The editor's own text for this channel, if the front matter gives one."""
        for choice in story.channels:
            if choice.name == self.name:
                return choice.text
        return None


def original_posts(original: Mapping) -> list[str]:
    """The remote ids of the first send: every post of a thread (detail `thread`), else the one.
    For a withdrawal, the corrections' replies come first (`corrections`): replies before what they answer."""
    thread = (original.get("detail") or {}).get("thread")
    posts = [str(item) for item in thread] if thread else [str(original["remote_id"])] if original.get("remote_id") \
        else []
    replies = [str(item) for item in original.get("corrections") or () if str(item) not in posts]
    return [*dict.fromkeys(replies), *posts]


def original_url(original: Mapping) -> str:
    return original.get("url") or original.get("remote_id") or "Adresse unbekannt"


def channel_classes() -> dict[str, type[Channel]]:
    """Every adapter the loaded plugins offer, by channel name."""
    found: dict[str, type[Channel]] = {}
    for receiver, cls in channel_adapters.send(None):
        for adapter in cls if isinstance(cls, (list, tuple)) else (cls,):
            if adapter.name in found and found[adapter.name] is not adapter:
                raise ConfigurationError(f"Zwei Plugins liefern den Kanal „{adapter.name}“.")
            found[adapter.name] = adapter
    return found
