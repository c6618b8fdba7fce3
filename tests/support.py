"""Test helpers: real content folders, real git repositories, real builds."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import git

REPO = Path(__file__).resolve().parent.parent
NOW = "2026-11-26 12:00"
CODE = ["newsroom", "plugins", "theme", "tasks.py", "pelicanconf.py", "publishconf.py"]

PHOTO = bytes.fromhex(  # a valid 1×1 JPEG
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b0c1912130f141d1a"
    "1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432ffc0000b080001000101011100ffc4001f"
    "0000010501010101010100000000000000000102030405060708090a0bffc400b5100002010303020403050504040000017d010203"
    "00041105122131410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a25262728292a343536373839"
    "3a434445464748494a535455565758595a636465666768696a737475767778797a838485868788898a92939495969798999aa2a3a4"
    "a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9fa"
    "ffda0008010100003f00fbd3ffd9"
)

# The city's GitLab OAuth application, as it fills it in: production builds stop without one.
GITLAB_APP_ID = "4f1c2d3e-test-app"
LIVE_ADMIN = f'\nADMIN_BACKEND = {{**ADMIN_BACKEND, "app_id": "{GITLAB_APP_ID}"}}\n'

DEFAULTS = {
    "id": "a1b2c3d4e5f6",
    "title": "Neue Radwege am Rheinufer",
    "date": "2026-11-20 10:00",
    "status": "published",
    "summary": "Die Stadt baut zwei Kilometer Radweg entlang des Rheinufers.",
    "category": "Verkehr",
    "department": "Amt für Verkehrsmanagement",
    "districts": "[1, 3]",
    "tags": "[Radverkehr, Rheinufer]",
    "contact": '\n  name: Presse- und Informationsdienst\n  phone: "0211 89-93131"\n  email: presse@duesseldorf.de',
}


def story_text(body: str = "Die Arbeiten beginnen im Frühjahr.\n\n## Ablauf\n\nZuerst wird gefräst.\n",
               drop: tuple[str, ...] = (), **fields: str) -> str:
    """A story file; every field a raw YAML value, so tests can write traps verbatim."""
    values = {**DEFAULTS, **fields}
    lines = ["---"] + [f"{k}: {v}" for k, v in values.items() if k not in drop and v is not None] + ["---", body]
    return "\n".join(lines)


APPOINTMENT = {
    "id": "c0ffee123456",
    "title": "Pressegespräch zum Radverkehr",
    "start": "2026-12-01 10:00",
    "end": "2026-12-01 11:00",
    "place": "\n  address: Rathaus, Marktplatz 2, 40213 Düsseldorf\n  meeting_point: Foyer, Eingang Marktplatz",
    "topic": "Verkehr",
    "contact": DEFAULTS["contact"],
}


def appointment_text(body: str = "Die Radverkehrsbeauftragte stellt die Bilanz des Jahres vor.\n",
                     drop: tuple[str, ...] = (), **fields: str) -> str:
    """An appointment file (content/termine); every field a raw YAML value, like story_text. Lines:
    id 2, title 3, start 4, end 5, place 6–8, topic 9, contact 10–13, further fields from 14 on."""
    values = {**APPOINTMENT, **fields}
    lines = ["---"] + [f"{k}: {v}" for k, v in values.items() if k not in drop and v is not None] + ["---", body]
    return "\n".join(lines)


class Site:
    """A content folder (inside a git repository with a bare origin) and its build."""

    def __init__(self, root: Path, *, with_git: bool = True):
        self.root = root
        self.content = root / "content"
        self.output = root / "output"
        for sub in ("stories", "pages", "media/fotos"):
            (self.content / sub).mkdir(parents=True, exist_ok=True)
        self.add_media("fotos/rhein.jpg", alt="Blick über den Rhein", credit="\"Foto: Landeshauptstadt Düsseldorf/Test\"")
        self.repo = None
        if with_git:
            origin = root.parent / f"{root.name}-origin.git"
            git.Repo.init(origin, bare=True, initial_branch="main")
            self.repo = git.Repo.init(root, initial_branch="main")
            with self.repo.config_writer() as config:
                config.set_value("user", "name", "Test Redaktion")
                config.set_value("user", "email", "redaktion@example.org")
            self.repo.create_remote("origin", str(origin))

    def write(self, relative: str, text: str | bytes) -> Path:
        path = self.content / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def story(self, name: str = "2026/radwege.md", **fields) -> Path:
        return self.write(f"stories/{name}", story_text(**fields))

    def appointment(self, name: str = "2026/radverkehr.md", **fields) -> Path:
        return self.write(f"termine/{name}", appointment_text(**fields))

    def add_media(self, relative: str, **sidecar: str) -> None:
        self.write(f"media/{relative}", PHOTO)
        if sidecar:
            self.write(f"media/{relative}.yml", "\n".join(f"{k}: {v}" for k, v in sidecar.items()) + "\n")

    def commit(self, message: str, when: str, author: str = "Test Redaktion",
               email: str = "redaktion@example.org") -> str:
        """Commit everything with a fixed date ('2026-11-20 09:00', Berlin time)."""
        self.repo.git.add("-A")
        stamp = f"{when}:00 +0100"
        env = {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp,
               "GIT_AUTHOR_NAME": author, "GIT_COMMITTER_NAME": author,
               "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_EMAIL": email}
        with self.repo.git.custom_environment(**env):
            self.repo.git.commit("-m", message, "--allow-empty")
        return self.repo.head.commit.hexsha

    def overrides(self, **extra) -> dict:
        from pelicanconf import ADMIN_BACKEND

        return {"PATH": str(self.content), "OUTPUT_PATH": str(self.output),
                "CACHE_PATH": str(self.root / ".cache"), "PUBLISH_PREVIEW_PATH": str(self.root / "preview"),
                "BUILD_NOW": NOW, "ADMIN_BACKEND": {**ADMIN_BACKEND, "app_id": GITLAB_APP_ID}, **extra}

    def build(self, **extra):
        from newsroom.build.runner import build

        return build(REPO / "pelicanconf.py", self.overrides(**extra))

    def check(self, **extra):
        from newsroom.build.runner import check

        return check(REPO / "pelicanconf.py", self.overrides(**extra))

    def page(self, relative: str) -> str:
        return (self.output / relative).read_text(encoding="utf-8")


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file's bytes and inode: proves a folder was not touched."""
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_ino)
        for p in sorted(folder.rglob("*")) if p.is_file()
    }


def project_copy(target: Path) -> Path:
    """The project's code without its content, for running the real command line."""
    for name in CODE:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target / name)
    with (target / "publishconf.py").open("a", encoding="utf-8") as settings:
        settings.write(LIVE_ADMIN)
    return target


GIT_IDENTITY = {"GIT_AUTHOR_NAME": "Redaktion", "GIT_AUTHOR_EMAIL": "r@example.org",
                "GIT_COMMITTER_NAME": "Redaktion", "GIT_COMMITTER_EMAIL": "r@example.org"}


def seeded_origin(tmp_path: Path, stories: dict[str, str], settings: str = "",
                  media: dict[str, str | bytes] | None = None) -> Path:
    """A bare origin holding the project, `stories` (path below content/stories → text), `media`
    (path below content/media → text or bytes) and `settings` appended to publishconf.py, as one
    commit on main: what a publish run clones."""
    seed = project_copy(tmp_path / "seed")
    (seed / ".gitignore").write_text("/output/\n/output-production/\n/.cache/\n/preview/\n__pycache__/\n")
    if settings:
        with (seed / "publishconf.py").open("a", encoding="utf-8") as conf:
            conf.write(f"\n{settings}\n")
    for folder in ("content/pages", "content/media"):
        (seed / folder).mkdir(parents=True)
        (seed / folder / ".keep").write_text("")
    for relative, text in stories.items():
        path = seed / "content/stories" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for relative, data in (media or {}).items():
        path = seed / "content/media" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    repo = git.Repo.init(seed, initial_branch="main")
    repo.git.add("-A")
    repo.git.commit("-m", "Meldungen", env={**os.environ, **GIT_IDENTITY})
    bare = tmp_path / "origin.git"
    git.Repo.init(bare, bare=True, initial_branch="main")
    repo.git.push(str(bare), "main")
    return bare


def invoke(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """Run `invoke <args>` of the project copy in `cwd` as an editor would (without a terminal)."""
    return subprocess.run([sys.executable, "-m", "invoke", *args], cwd=cwd, capture_output=True,
                          stdin=subprocess.DEVNULL, text=True, timeout=300)


def build_killed_while_applying(site: Site, monkeypatch, after: int = 3) -> None:
    """Run a build that dies (as under kill -9, without cleanup) after `after` files went live."""
    import os

    import pytest

    real, moved = os.rename, []

    def rename(source, target):
        if str(target).startswith(str(site.output)):
            moved.append(target)
            if len(moved) > after:
                raise KeyboardInterrupt("simulated kill")
        return real(source, target)

    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(KeyboardInterrupt):
        site.build()
    monkeypatch.setattr(os, "rename", real)
