"""The build runner: Pelican's pipeline, staged output, all errors at once.

`build()` renders the site into a staging copy and swaps it in only on success;
`check()` runs the same reading and validation without writing anything.
"""

from __future__ import annotations

import atexit
import gc
import hashlib
import logging
import os
import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment
from pelican import Pelican
from pelican.plugins import signals
from pelican.settings import get_settings_from_file, read_settings

from newsroom.build.cache import BuildCache, live_prefix
from newsroom.build.context import KEY, BuildContext
from newsroom.build.manifest import Manifest
from newsroom.build.output import SiteWriter, StagedOutput, digest_of
from newsroom.build.plugins import NONE, plugin_order
from newsroom.build.state import ArchiveState, forget_state, load_state, save_state
from newsroom.build.timing import phase
from newsroom.content.archive import StoryArchive
from newsroom.content.git_index import FileBlobs
from newsroom.content.history import locate
from newsroom.content.loader import scan_in_background
from newsroom.crisis.reader import load_crisis
from newsroom.dates import BERLIN, build_now
from newsroom.errors import ConfigurationError, ContentError, ContentErrors, NewsroomError, unique_errors
from newsroom.media.library import MediaLibrary
from newsroom.paths import find_symlinks
from newsroom.settings import missing_defaults, validate

logger = logging.getLogger("newsroom.build.runner")


@dataclass
class BuildReport:
    output: Path
    seconds: float = 0.0
    written: list[str] = field(default_factory=list)
    rendered: list[str] = field(default_factory=list)
    refilled: list[str] = field(default_factory=list)  # kept pages given this build's crisis region
    unchanged: int = 0
    pruned: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    draft_problems: list[ContentError] = field(default_factory=list)  # reported, never published
    stats: dict[str, int] = field(default_factory=dict)
    after: object = None  # what build(after=…) returned


def load_settings(settings_file: str | Path = "pelicanconf.py", overrides: dict | None = None) -> dict:
    path = Path(settings_file)
    if not path.is_file():
        raise ConfigurationError(f"Einstellungsdatei {settings_file} nicht gefunden.")
    given = {**get_settings_from_file(str(path)), **dict(overrides or {})}
    defaults = missing_defaults(given)
    validate({**defaults, **given}, given, source=str(settings_file))  # every problem at once, before Pelican's
    # The schema's defaults go in as overrides: Pelican treats them like the file's own values.
    settings = read_settings(str(path), override={**defaults, **dict(overrides or {})})
    settings["BUILD_NOW"] = build_now(settings["BUILD_NOW"])
    settings["BUILD_WORKERS"] = int(settings["BUILD_WORKERS"] or os.cpu_count() or 1)
    return settings


# Settings that do not change what a page shows (BUILD_NOW acts through the stories shown).
_VOLATILE = {"BUILD_NOW", "OUTPUT_PATH", "CACHE_PATH", "BUILD_WORKERS", "BUILD_FULL", "PLUGINS"}
_ADDRESS = re.compile(r" at 0x[0-9a-f]+")


def build_fingerprint(settings: dict) -> str:
    """Hash of everything besides content that shapes pages: code, theme and settings."""
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for folder in (here.parent, Path(settings["THEME"]), here.parent.parent / "plugins"):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.as_posix().encode() + b"\0" + path.read_bytes())
    # PUBLISH_* settings decide what is sent, never what a page shows.
    for key in sorted(k for k in settings if k.isupper() and k not in _VOLATILE and not k.startswith("PUBLISH_")):
        digest.update(_ADDRESS.sub("", f"{key}={settings[key]!r}").encode())
    return digest.hexdigest()


class NewsroomPelican(Pelican):
    """Pelican's run loop with only the plugins' generators, in the order their declarations
    give (newsroom/build/plugins.py), around one BuildContext.

    Pelican's own article, page and static generators write files in place, which
    would modify hard-linked files of the live site; our generators cover their work.
    """

    def __init__(self, settings: dict, receipts_revision: str | None = None):
        self.receipts_revision = receipts_revision
        # The stat() of every story file (a fifth of a second at 25,000) starts before the
        # plugins load, in a process of its own; the story archive takes its result.
        content = Path(settings["PATH"])
        cache_path = Path(settings["CACHE_PATH"]) if settings["CACHE_PATH"] else None
        self.story_scan = scan_in_background(content / settings["STORIES_DIR"], content.parent,
                                             BuildCache.written_ns(cache_path))
        super().__init__(settings)
        self.cache = BuildCache(cache_path)
        self.build: BuildContext | None = None
        # One reader of git's index for the media facts and the static copies: each folder's
        # entries are read once a build.
        self.blobs = FileBlobs(Path(settings["THEME"]) / "static", content / settings["MEDIA_DIR"])

    def archive_state(self, fingerprint: str) -> ArchiveState:
        """The last successful build's state, if it still describes the live output."""
        if self.settings["BUILD_FULL"]:
            return ArchiveState()
        state = load_state(self.cache, str(self.output_path))
        if state is None or state.fingerprint != fingerprint:
            return ArchiveState()
        return state

    def init_plugins(self):
        wanted = [name for name in self.settings["PLUGINS"] if isinstance(name, str)]
        super().init_plugins()
        # Pelican logs a plugin that fails to load and carries on; a newsroom build must not.
        loaded = set(self.settings["PLUGINS"])
        missing = [name for name in wanted if name not in loaded]
        if missing:
            raise ConfigurationError(f"Plugin(s) nicht ladbar: {', '.join(missing)} (PLUGIN_PATHS prüfen).")
        specs = {plugin.__name__: getattr(plugin, "PLUGIN", NONE) for plugin in self.plugins}
        self.plugin_rank = {name: rank for rank, name in enumerate(plugin_order(specs))}

    def _rank(self, module: str) -> int:
        """The build order of the plugin a generator's module belongs to."""
        best = None
        for name in self.plugin_rank:
            if (module == name or module.startswith(name + ".")) and (best is None or len(name) > len(best)):
                best = name
        return self.plugin_rank[best] if best is not None else len(self.plugin_rank)

    def _get_generator_classes(self):
        found = []
        for receiver, values in signals.get_generators.send(self):
            values = values if isinstance(values, (list, tuple)) else (values,)
            rank = self._rank(getattr(receiver, "__module__", ""))
            found.extend((rank, len(found), v) for v in values if isinstance(v, type))
        return [cls for _rank, _n, cls in sorted(found, key=lambda item: item[:2])]

    def read(self) -> tuple[BuildContext, dict, list]:
        """Load the stories, run every generator's generate_context; raise ContentErrors if any
        were collected."""
        settings = self.settings
        content = Path(settings["PATH"])
        with phase("fingerprint"):
            fingerprint = build_fingerprint(settings)
        build = self.build = BuildContext(settings, self.cache, fingerprint, settings["BUILD_NOW"],
                                          settings["BUILD_FULL"])
        build.receipts_revision = self.receipts_revision
        context = settings.copy()
        context["generated_content"] = {}
        context[KEY] = build
        # Where git's HEAD is: asked in a thread while the state loads (the scan was forked before).
        pool = ThreadPoolExecutor(1)
        located = pool.submit(locate, content)
        pool.shutdown(wait=False)  # the thread ends with its work: nothing lingers when workers fork
        with _templates_unlisted():
            generators = [
                cls(context=context, settings=settings, path=self.path, theme=self.theme,
                    output_path=self.output_path)
                for cls in self._get_generator_classes()
            ]
        with phase("state"):
            # Hundreds of thousands of small tuples that live as long as the build and form no
            # cycles: made with the cycle collector paused, then frozen out of its reach (it would
            # otherwise walk them all again on every full collection). See build()'s end.
            gc.disable()
            try:
                build.previous = self.archive_state(fingerprint)
                gc.freeze()  # before enabling: else the next collection would walk them all once
            finally:
                gc.enable()
        with phase("links"):  # no symbolic link below content/; the stories' own scan looks inside theirs
            build.errors.extend(find_symlinks(content, content.parent, skip=(settings["STORIES_DIR"],)))
        build.media = MediaLibrary(content / settings["MEDIA_DIR"], content.parent, self.cache, settings,
                                   blobs=self.blobs, today=build.now.astimezone(BERLIN).date())
        with phase("scan"):
            scanned, self.story_scan = self.story_scan(), None
        build.archive = StoryArchive.load(settings, self.cache, build.previous, build.media, build.errors,
                                          build.warnings, scanned, located.result())
        build.stats.update(build.archive.stats(build.now.timestamp()))
        with phase("crisis"):
            build.crisis = load_crisis(settings, build.archive, build.media, build.errors, build.now)
        for generator in generators:
            generator.generate_context()
        gc.freeze()
        # A draft is never published: its problems are reported, and the rest of the site still goes out.
        drafts = build.archive.draft_sources
        errors: list[ContentError] = [e for e in build.errors if e.path not in drafts]
        build.draft_problems = unique_errors([e for e in build.errors if e.path in drafts])
        if errors:
            raise ContentErrors(errors, build.draft_problems)
        signals.all_generators_finalized.send(generators)
        return build, context, generators

    def run(self, writer: SiteWriter | None = None) -> BuildContext:
        build, _context, generators = self.read()
        if writer is not None:
            region = build.region()
            writer.begin(build.previous.pages, full=build.full, region=region)
            for generator in generators:
                with phase(type(generator).__name__):
                    generator.generate_output(writer)
            next_state(build, writer, digest_of(region))
            with phase("render"):
                writer.flush(self.settings["BUILD_WORKERS"])
            if build.previous.region != build.next_state.region:  # the kept pages carry another region
                with phase("banner"):
                    build.stats["banner_refilled"] = len(writer.refill(self.settings["BUILD_WORKERS"]))
            build.rendered.extend(writer.rendered)
            signals.finalized.send(self)
        return build


@contextmanager
def _templates_unlisted():
    """Pelican's Generator.__init__ lists every template for a debug message, even with debug
    logging off: a walk of the theme's and Pelican's template folders per generator."""
    if logging.getLogger("pelican.generators").isEnabledFor(logging.DEBUG):
        yield
        return
    listing = Environment.list_templates
    Environment.list_templates = lambda _env, *args, **kwargs: []
    try:
        yield
    finally:
        Environment.list_templates = listing


def state_vocabulary(settings: dict) -> str:
    from newsroom.content.reader import StoryVocabulary

    return StoryVocabulary.from_settings(settings).fingerprint()


def check(settings_file: str | Path = "pelicanconf.py", overrides: dict | None = None, after=None):
    """Read and validate all content; returns the BuildContext or raises ContentErrors.

    With `after(build, settings)`, returns what it returns (run while the cache is open)."""
    settings = load_settings(settings_file, overrides)
    pelican = NewsroomPelican(settings)
    try:
        build = pelican.run(writer=None)
        return after(build, settings) if after is not None else build
    finally:
        pelican.cache.close()
        gc.unfreeze()  # `invoke serve` builds again in this process: the old state may go


def _after_failure(pelican: NewsroomPelican, errors: ContentErrors) -> None:
    """What must be written although the site stays as it was (the Chef vom Dienst's overview,
    naming what stopped the build); such an action failing never hides the build's own errors."""
    if pelican.build is None:
        return
    for problem in pelican.build.failed(errors):
        if not isinstance(problem, (NewsroomError, OSError)):
            raise problem
        logger.warning("Nach dem abgebrochenen Build: %s", problem)


def next_state(build: BuildContext, writer: SiteWriter, region: bytes | None = None) -> None:
    """This build's state, for the next build's plan: the archive as read, what the stories plugin
    planned with, and the digest of every page's inputs (SiteWriter.page)."""
    archive, old = build.archive, build.previous
    new = build.next_state = ArchiveState(
        fingerprint=build.fingerprint, now=build.now.timestamp(), git_head=archive.git_head,
        files=archive.loaded.files, cards=archive.loaded.cards, git=archive.git, related=build.related,
        pages=writer.digests, media=build.images, region=region, press=build.press,
        translations=archive.translations.files, alternates=archive.translations.alternates)
    # An unchanged state need not be written again (at 25,000 stories that is most of a warm build).
    build.state_changed = build.pages_touched or not (
        new.git_head == old.git_head and new.files == old.files and new.pages == old.pages
        and new.related == old.related and new.media == old.media and new.git == old.git
        and new.press == old.press and new.translations == old.translations
        and new.alternates == old.alternates
        and new.region == old.region)


@atexit.register
def _freeze_at_exit() -> None:
    """A build leaves its state in reference cycles (generators, context, Jinja environments).
    Frozen here, before the interpreter's last collection, they are not walked and freed one by
    one at exit (a fifth of a second at 25,000 stories): the operating system takes it back whole."""
    gc.freeze()


def build(settings_file: str | Path = "pelicanconf.py", overrides: dict | None = None,
          after=None, *, receipts_revision: str | None = None) -> BuildReport:
    """Build the site; `output/` changes only if everything succeeded.

    `after(context, settings)` runs once the new site is live, while the build's cache is
    still open (the publish run sends from there: only a successful build is sent).
    `receipts_revision`: the git revision of the record of sends to read instead of the
    checkout's files (the publish run's own pushes, newsroom/publishing/press_pages.py)."""
    started = time.perf_counter()
    settings = load_settings(settings_file, overrides)
    output = Path(settings["OUTPUT_PATH"])
    report = BuildReport(output=output)
    if not output.is_dir() or next(os.scandir(output), None) is None:
        settings["BUILD_FULL"] = True  # nothing live to build on: state and manifest describe nothing
    with phase("plugins"):
        pelican = NewsroomPelican(settings, receipts_revision)
    cache = pelican.cache
    try:
        with StagedOutput(output) as staged:
            with phase("manifest"):
                # What is live; without state (or with --full) the disk says.
                saved = None if settings["BUILD_FULL"] else Manifest.load(cache, str(output))
            manifest = saved.paths if saved else None
            writer = SiteWriter(staged.output, staged.staging, manifest)
            # Checked against each live file's stat data, so a stale record only means a copy.
            copies_name = f"{live_prefix(output)}copies"
            writer.known_copies = (cache.blob(copies_name) or ("", {}))[1]
            writer.blobs = pelican.blobs
            try:
                built = pelican.run(writer=writer)
            except ContentErrors as exc:
                _after_failure(pelican, exc)
                raise
            changed = bool(writer.written or writer.unclaimed() or manifest is None)
            claimed = set(writer.claimed)
            # Files of the last build that this one drops; with none, the manifest saved before
            # applying is already the final one (a story added or edited drops nothing).
            dropped = manifest - claimed if manifest is not None else set()
            if changed:
                # Until the new manifest is saved, live files may come from either build; and
                # while applying, the live site matches no saved state: a crash here means a full build.
                with phase("manifest"):
                    saved = Manifest.save(cache, str(output), claimed | dropped, saved)
                    forget_state(cache, str(pelican.output_path))
                    cache.forget(live_prefix(output))
            with phase("apply"):
                staged.commit(writer)
        # Only now are these pages live: a failed build must not record its state.
        state = built.next_state
        if changed or built.state_changed:
            with phase("save state"):
                shards = save_state(cache, str(pelican.output_path), state, built.previous, uuid.uuid4().hex)
            built.stats["state_shards_written"] = shards
            if cache.story_count() > 1.2 * len(state.cards) + 100:  # old versions pile up: forget them
                cache.prune_stories({card.digest for card in state.cards.values()}, state_vocabulary(settings))
        if changed and dropped:
            Manifest.save(cache, str(output), claimed, saved)
        if changed or writer.copies != writer.known_copies:  # a change forgot it with the rest of live:
            cache.save_blob(copies_name, "1", writer.copies)
        with phase("after commit"):
            built.committed()
        if after is not None:
            report.after = after(built, settings)
    finally:
        with phase("close"):
            cache.close()
        gc.unfreeze()
    report.written = writer.written
    report.rendered = sorted(built.rendered)
    report.refilled = sorted(writer.refilled)
    report.unchanged = writer.unchanged
    report.pruned = writer.pruned
    report.warnings = built.warnings
    report.draft_problems = built.draft_problems
    report.stats = built.stats
    report.seconds = time.perf_counter() - started
    return report
