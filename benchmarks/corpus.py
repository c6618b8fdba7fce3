"""A deterministic archive of city news: the same seed gives the same bytes.

Written as newsroom stories (YAML front matter) and, for the reference builds that are asked for, as
vanilla Pelican articles (its `Key: value` metadata) and as Hugo posts (YAML front matter under
`content/posts/`, benchmarks/reference/README.md), with the same text, so every build gets one
corpus. Each story is written out and forgotten before the next is made: memory does not grow with
the archive.
"""

from __future__ import annotations

import random
import shutil
from datetime import datetime, timedelta
from pathlib import Path

from newsroom.content.slugs import slugify

PLACES = ["Königsallee", "Rheinuferpromenade", "Burgplatz", "Graf-Adolf-Platz", "Hofgarten", "Medienhafen",
          "Schadowstraße", "Kaiserswerther Markt", "Benrather Schlosspark", "Südpark", "Nordpark",
          "Corneliusplatz", "Flinger Broich", "Volksgarten", "Rheinpark Golzheim", "Aquazoo"]
SUBJECTS = ["Radweg", "Kita", "Grundschule", "Spielplatz", "Brücke", "Bürgerbüro", "Stadtbibliothek",
            "Feuerwache", "Sporthalle", "Jugendzentrum", "Bushaltestelle", "Straßenbahnlinie", "Parkanlage",
            "Wochenmarkt", "Freibad", "Seniorentreff", "Museum", "Wohnquartier", "Ladestation", "Baumallee"]
ACTIONS = ["wird saniert", "öffnet wieder", "erhält Fördergeld", "wird erweitert", "startet Bürgerbeteiligung",
           "bekommt neue Öffnungszeiten", "ist fertiggestellt", "wird barrierefrei umgebaut",
           "lädt zum Tag der offenen Tür", "wird vorübergehend gesperrt"]
SENTENCES = [
    "Die Landeshauptstadt Düsseldorf investiert dafür rund {n} Millionen Euro.",
    "Die Arbeiten beginnen am {d} und dauern voraussichtlich {w} Wochen.",
    "Anwohnende werden gebeten, die ausgeschilderten Umleitungen zu nutzen.",
    "„Wir schaffen damit mehr Lebensqualität im Stadtbezirk“, sagt die zuständige Beigeordnete.",
    "Die Bezirksvertretung hatte das Vorhaben im Frühjahr einstimmig beschlossen.",
    "Informationen gibt es im Bürgerbüro und auf duesseldorf.de.",
    "Bereits im vergangenen Jahr wurden vergleichbare Maßnahmen in {p} umgesetzt.",
    "Während der Bauzeit bleibt der Zugang für Rettungsfahrzeuge jederzeit frei.",
    "Das Amt prüft zudem, ob weitere Standorte im Stadtgebiet infrage kommen.",
    "Die Ergebnisse der Bürgerbefragung fließen in die weitere Planung ein.",
    "Rund {k} Menschen nutzen das Angebot nach Schätzung der Stadt jede Woche.",
    "Der Rat der Stadt wird sich im kommenden Quartal erneut mit dem Thema befassen.",
]
TAGS = [f"{s}" for s in SUBJECTS] + PLACES + ["Klimaschutz", "Barrierefreiheit", "Bürgerbeteiligung",
                                               "Baustelle", "Förderung", "Familie", "Senioren", "Digitalisierung"]


def _paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(
        rng.choice(SENTENCES).format(n=rng.randint(1, 40), d=f"{rng.randint(1, 28)}. {rng.randint(1, 12)}.",
                                     w=rng.randint(2, 30), p=rng.choice(PLACES), k=rng.randint(100, 9000))
        for _ in range(sentences)
    )


REFERENCES = ("pelican", "hugo")  # reference builds the corpus can be written for


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def generate(target: Path, count: int, settings: dict, seed: int = 2026, photos: Path | None = None,
             references: tuple[str, ...] = ()) -> dict:
    """Write `target/newsroom/content` and, for each of `references`, `target/pelican/content` and
    `target/hugo/content/posts`; returns facts about the corpus."""
    rng = random.Random(seed)
    ours, theirs = target / "newsroom" / "content", target / "pelican" / "content"
    hugo = target / "hugo" / "content"
    for folder in (ours, theirs, hugo):
        if folder.exists():
            shutil.rmtree(folder)
    (ours / "stories").mkdir(parents=True)
    if "pelican" in references:
        theirs.mkdir(parents=True)
    if "hugo" in references:
        (hugo / "posts").mkdir(parents=True)
    images = []
    if photos and photos.is_dir():
        shutil.copytree(photos, ours / "media" / "fotos")
        images = sorted(p.name for p in photos.glob("*.jpg"))
    themen, aemter = settings["THEMEN"], settings["AEMTER"]
    start = datetime(2016, 1, 4, 8, 0)
    step = timedelta(days=3650) / count
    for n in range(count):
        # Office hours only: no story falls into the hour skipped by summer time.
        when = (start + n * step).replace(hour=8 + n % 10, minute=(n * 7) % 60, second=0, microsecond=0)
        title = f"{rng.choice(SUBJECTS)} am {rng.choice(PLACES)} {rng.choice(ACTIONS)} ({n})"
        summary = _paragraph(rng, 2)
        tags = sorted(set(rng.sample(TAGS, 3)))
        body_parts = [_paragraph(rng, rng.randint(3, 5))]
        for heading in ("Hintergrund", "Wie es weitergeht")[: rng.randint(1, 2)]:
            body_parts += [f"## {heading}", _paragraph(rng, rng.randint(3, 6))]
        if rng.random() < 0.3:
            body_parts.append("\n".join(f"- {_paragraph(rng, 1)}" for _ in range(3)))
        body = "\n\n".join(body_parts) + "\n"
        districts = sorted(set(rng.sample(range(1, 11), rng.randint(0, 2))))
        thema = themen[n % len(themen)]
        image = f"fotos/{images[n % len(images)]}" if images and rng.random() < 0.5 else None
        story_id = f"bench{n:07d}"
        front = [
            "---", f"id: {story_id}", f'title: "{title}"', f"date: {when:%Y-%m-%d %H:%M}", "status: published",
            f'summary: "{summary}"', f'category: "{thema}"', f'department: "{aemter[n % len(aemter)]}"',
            f"districts: [{', '.join(map(str, districts))}]", f"tags: [{', '.join(tags)}]",
            *([f"image: {image}"] if image else []),
            "contact:", "  name: Presse- und Informationsdienst", '  phone: "0211 89-93131"',
            "  email: presse@duesseldorf.de", "---",
        ]
        folder = ours / "stories" / f"{when:%Y}"
        folder.mkdir(exist_ok=True)
        (folder / f"{n:06d}.md").write_text("\n".join(front) + "\n" + body, encoding="utf-8")
        if "pelican" in references:
            vanilla = [f"Title: {title}", f"Date: {when:%Y-%m-%d %H:%M}", f"Category: {thema}",
                       f"Tags: {', '.join(tags)}", f"Slug: {slugify(title)}", f"Summary: {summary}", ""]
            (theirs / f"{n:06d}.md").write_text("\n".join(vanilla) + "\n" + body, encoding="utf-8")
        if "hugo" in references:
            post = ["---", f"title: {_quoted(title)}", f"date: {when:%Y-%m-%dT%H:%M:%S}", f"slug: {slugify(title)}",
                    f"summary: {_quoted(summary)}", f"categories: [{_quoted(thema)}]",
                    f"tags: [{', '.join(_quoted(t) for t in tags)}]", "---", ""]
            (hugo / "posts" / f"{n:06d}.md").write_text("\n".join(post) + "\n" + body, encoding="utf-8")
    return {"stories": count, "seed": seed, "images": len(images), "references": list(references)}
