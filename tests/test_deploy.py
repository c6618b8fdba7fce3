"""invoke deploy: a folder, rsync and S3-compatible storage (moto's server on loopback), as CI runs them."""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import urllib.request
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from newsroom.atomic import atomic_write
from newsroom.deploy import deploy, open_target
from newsroom.deploy.files import scan
from newsroom.errors import ConfigurationError, DeployError
from newsroom.search.index import index_site
from newsroom.settings import with_defaults
from tests.deploy_support import Reader, run_deploy
from tests.support import REPO, Site, invoke, project_copy, snapshot, story_text

SETTINGS = with_defaults({"DEPLOY_CACHE_CONTROL": [("*.html", "public, max-age=300"), ("medien/*", "public, max-age=86400"),
                                                   ("*", "public, max-age=3600")]})
KEY_ID, SECRET = "AKIDNEWSROOMTEST", "geheim-s3-schluessel-1234"


def tree(folder) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def built(site: Site) -> Site:
    site.story()
    site.story("2026/zweite.md", id="b2b2b2b2b2b2", title="Zweite Meldung", image="fotos/rhein.jpg")
    site.build()
    return site


def test_folder_gets_the_site_then_only_changes(built: Site, tmp_path):
    target = tmp_path / "www"
    first = deploy(built.output, open_target(str(target), SETTINGS), SETTINGS)
    assert tree(target / "current") == tree(built.output)
    assert len(first.uploaded) == len(tree(built.output)) and first.deleted == []

    before = snapshot(target)
    again = deploy(built.output, open_target(f"file://{target}", SETTINGS), SETTINGS)
    assert again.uploaded == [] and again.deleted == [] and again.unchanged == len(tree(built.output))
    assert snapshot(target) == before  # same bytes, same inodes: nothing was rewritten

    built.story("2026/zweite.md", id="b2b2b2b2b2b2", title="Zweite Meldung", body="Ganz neuer Text.\n")
    built.build()
    (built.content / "stories/2026/radwege.md").unlink()
    built.build()
    third = deploy(built.output, open_target(str(target), SETTINGS), SETTINGS)
    assert tree(target / "current") == tree(built.output)
    assert "aktuelles/2026/11/zweite-meldung/index.html" in third.uploaded
    assert "aktuelles/2026/11/neue-radwege-am-rheinufer/index.html" in third.deleted
    assert not (target / "current/aktuelles/2026/11/neue-radwege-am-rheinufer").exists()  # empty folders go too
    assert len(third.uploaded) < len(first.uploaded) / 2


def test_a_fresh_output_with_new_times_uploads_only_what_differs(built: Site, tmp_path):
    """CI builds a fresh output/ every run: every file has a new time, few have new bytes."""
    target = tmp_path / "www"
    deploy(built.output, open_target(str(target), SETTINGS), SETTINGS)
    shutil.rmtree(built.output)
    shutil.rmtree(built.root / ".cache")
    built.build()
    report = deploy(built.output, open_target(str(target), SETTINGS), SETTINGS)
    assert report.uploaded == []


def test_pages_go_up_after_the_files_they_use(built: Site, tmp_path):
    report = deploy(built.output, open_target(str(tmp_path / "www"), SETTINGS), SETTINGS)
    first_page = min(i for i, p in enumerate(report.uploaded) if p.endswith(".html"))
    assert all(not p.endswith((".html", ".xml", ".json", ".txt")) for p in report.uploaded[:first_page])
    assert any(p.startswith("medien/") for p in report.uploaded[:first_page])


def test_rsync_ships_changes_and_deletions(built: Site, tmp_path):
    assert shutil.which("rsync"), "rsync fehlt: make test installiert es (apt-get) als root"
    target = tmp_path / "rsync-ziel"
    first = deploy(built.output, open_target(f"rsync:{target}", SETTINGS, {}), SETTINGS)
    assert tree(target / "current") == tree(built.output)
    assert "index.html" in first.uploaded
    before = snapshot(target / "current")
    again = deploy(built.output, open_target(f"rsync:{target}/", SETTINGS, {}), SETTINGS)
    assert again.uploaded == [] and again.deleted == [] and snapshot(target / "current") == before
    assert sorted(p.name for p in (target / "releases").iterdir()) == ["000001"]

    (built.content / "stories/2026/radwege.md").unlink()
    built.build()
    third = deploy(built.output, open_target(f"rsync:{target}", SETTINGS, {}), SETTINGS)
    assert "aktuelles/2026/11/neue-radwege-am-rheinufer/index.html" in third.deleted
    assert "index.html" in third.uploaded and "medien/fotos/rhein.jpg" not in third.uploaded
    assert tree(target / "current") == tree(built.output)
    assert os.readlink(target / "current") == "releases/000002"
    # unchanged files are hard links into the previous release, which stays for readers mid-visit
    assert (target / "current/medien/fotos/rhein.jpg").stat().st_ino == \
        (target / "releases/000001/medien/fotos/rhein.jpg").stat().st_ino


@pytest.fixture
def s3():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    # moto keeps its buckets per process, not per server: start from none, not from an earlier test's
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")).close()
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET)
    client.create_bucket(Bucket="newsroom-live")
    env = {"NEWSROOM_DEPLOY_S3_ENDPOINT_URL": endpoint, "NEWSROOM_DEPLOY_S3_ACCESS_KEY_ID": KEY_ID,
           "NEWSROOM_DEPLOY_S3_SECRET_ACCESS_KEY": SECRET}
    yield client, env
    server.stop()


def objects(client, prefix=""):
    pages = client.get_paginator("list_objects_v2").paginate(Bucket="newsroom-live", Prefix=prefix)
    return {o["Key"][len(prefix):]: o for page in pages for o in page.get("Contents", [])}


def test_s3_uploads_with_types_and_cache_rules_then_only_changes(built: Site, s3, tmp_path):
    client, env = s3
    cache = tmp_path / "digests.json"
    first = deploy(built.output, open_target("s3://newsroom-live/site", SETTINGS, env), SETTINGS, digest_cache=cache)
    stored = objects(client, "site/")
    assert set(stored) - {".newsroom-deploy"} == set(tree(built.output)) == set(first.uploaded)
    for path, body in tree(built.output).items():
        assert client.get_object(Bucket="newsroom-live", Key=f"site/{path}")["Body"].read() == body
    page = client.head_object(Bucket="newsroom-live", Key="site/index.html")
    assert page["ContentType"] == "text/html; charset=utf-8" and page["CacheControl"] == "public, max-age=300"
    photo = client.head_object(Bucket="newsroom-live", Key="site/medien/fotos/rhein.jpg")
    assert photo["ContentType"] == "image/jpeg" and photo["CacheControl"] == "public, max-age=86400"
    feed = client.head_object(Bucket="newsroom-live", Key="site/feeds/alle/atom.xml")
    assert feed["ContentType"] == "application/atom+xml"

    again = deploy(built.output, open_target("s3://newsroom-live/site", SETTINGS, env), SETTINGS, digest_cache=cache)
    assert again.uploaded == [] and again.deleted == []

    (built.content / "stories/2026/radwege.md").unlink()
    built.build()
    third = deploy(built.output, open_target("s3://newsroom-live/site/", SETTINGS, env), SETTINGS,
                   digest_cache=cache)
    assert set(objects(client, "site/")) == set(tree(built.output)) | {".newsroom-deploy"}
    assert "aktuelles/2026/11/neue-radwege-am-rheinufer/index.html" in third.deleted
    assert "index.html" in third.uploaded and "medien/fotos/rhein.jpg" not in third.uploaded


def test_s3_without_credentials_or_with_wrong_ones_says_so_without_the_secret(built: Site, s3):
    client, env = s3
    with pytest.raises(DeployError, match="NEWSROOM_DEPLOY_S3_ACCESS_KEY_ID"):
        open_target("s3://newsroom-live", SETTINGS, {"NEWSROOM_DEPLOY_S3_ENDPOINT_URL": "http://127.0.0.1:9"})
    with pytest.raises(DeployError) as failed:
        deploy(built.output, open_target("s3://gibt-es-nicht", SETTINGS, env), SETTINGS)
    assert "NoSuchBucket" in str(failed.value) and SECRET not in str(failed.value)


def test_digest_cache_spares_reading_unchanged_files(built: Site, tmp_path):
    cache = tmp_path / "digests.json"
    first = scan(built.output, cache)
    (built.output / "index.html").write_bytes(b"anders")  # new size: read again
    second = scan(built.output, cache)
    assert second["index.html"].md5 != first["index.html"].md5
    assert second["robots.txt"].md5 == first["robots.txt"].md5


def test_unknown_target_and_empty_output_are_german_errors(tmp_path):
    with pytest.raises(DeployError, match="Unbekanntes Ziel „ftp://x“"):
        open_target("ftp://x", SETTINGS, {})
    (tmp_path / "leer").mkdir()
    with pytest.raises(DeployError, match="erst bauen, dann ausliefern"):
        deploy(tmp_path / "leer", open_target(str(tmp_path / "www"), SETTINGS), SETTINGS)


@pytest.fixture
def project(tmp_path):
    root = project_copy(tmp_path / "project")
    Site(root).story("2026/gut.md")
    return root


def test_cli_deploys_only_a_successful_build(project, tmp_path):
    target = tmp_path / "live"
    result = invoke(project, "deploy", "--settings", "publishconf.py", "--target", str(target),
                    "--now", "2026-11-26 12:00")
    assert result.returncode == 0, result.stderr
    assert f"Ausgeliefert an {target}:" in result.stdout
    assert tree(target / "current") == tree(project / "output-production")  # production builds into a folder of its own
    assert "https://www.duesseldorf.de/" in (target / "current/index.html").read_text(encoding="utf-8")
    before = snapshot(target)

    (project / "content/stories/2026/falle.md").write_text(story_text(id="bbbbbbbbbbbb", title="no"), encoding="utf-8")
    failed = invoke(project, "deploy", "--target", str(target), "--now", "2026-11-26 12:00")
    assert failed.returncode == 1
    assert "falle.md:3" in failed.stderr and "Nichts wurde ausgeliefert; das Ziel ist unverändert." in failed.stderr
    assert snapshot(target) == before


def test_cli_without_target_fails_before_building(project):
    result = invoke(project, "deploy")
    assert result.returncode == 1
    assert "Kein Ziel für die Auslieferung" in result.stderr
    assert not (project / "output-production").exists()


class Place:
    """Where a kind of target keeps the site, what readers fetch, and a copy of it to measure a run on."""

    def __init__(self, kind: str, tmp_path, request):
        self.kind, self.env = kind, {}
        self.folder = tmp_path / "www"
        if kind == "s3":
            self.client, self.env = request.getfixturevalue("s3")
            self.address = "s3://newsroom-live/site"
            self.readable = "s3://newsroom-live/site"
        else:
            self.address = str(self.folder) if kind == "folder" else f"rsync:{self.folder}"
            self.readable = self.folder / "current"  # the web server's document root

    def copy(self) -> str:
        if self.kind == "s3":
            for key in objects(self.client, "probe/"):
                self.client.delete_object(Bucket="newsroom-live", Key=f"probe/{key}")
            for key in objects(self.client, "site/"):
                self.client.copy_object(Bucket="newsroom-live", Key=f"probe/{key}",
                                        CopySource={"Bucket": "newsroom-live", "Key": f"site/{key}"})
            return "s3://newsroom-live/probe"
        probe = self.folder.with_name("probe")
        shutil.rmtree(probe, ignore_errors=True)
        if self.folder.exists():  # the very files (hard links): a folder target compares files by identity
            shutil.copytree(self.folder, probe, symlinks=True, copy_function=os.link)
        return self.address.replace(str(self.folder), str(probe))

    def steps_to_finish(self, output) -> int:
        """How many steps a deploy takes from the target's present state, measured on a copy of it."""
        measured = run_deploy(output, self.copy(), 0, self.env)
        assert measured.returncode == 0, measured.stderr
        return int(measured.stdout.split()[-1])

    def site(self) -> dict[str, bytes]:
        if self.kind == "s3":
            return {key: self.client.get_object(Bucket="newsroom-live", Key=f"site/{key}")["Body"].read()
                    for key in objects(self.client, "site/") if key != ".newsroom-deploy"}
        return tree(self.folder / "current")


# Where to kill: a third and two thirds into the run, and at each of its last three steps (the release
# renamed into place, the new symlink made, the switch; the removal of old releases after it; for S3
# the last uploads, the deletions and the final check).
KILLS = [(1, 3, 0), (2, 3, 0), (1, 1, 2), (1, 1, 1), (1, 1, 0)]


@pytest.mark.parametrize("kind", ["folder", "rsync", "s3"])
def test_readers_see_the_old_site_or_the_new_one_while_deploys_are_killed(site: Site, tmp_path, kind, request):
    place = Place(kind, tmp_path, request)
    for page in (REPO / "content/pages").glob("*.md"):  # the footer's pages and the search: no link dangles
        site.write(f"pages/{page.name}", page.read_text(encoding="utf-8"))
    for video in (REPO / "content/media/videos").glob("gebaerdensprache*"):  # the Gebärdensprache page's
        site.write(f"media/videos/{video.name}", video.read_bytes())
    site.story()
    site.story("2026/zweite.md", id="b2b2b2b2b2b2", title="Zweite Meldung", image="fotos/rhein.jpg")
    site.build()
    index_site(site.output)
    first = tmp_path / "erste-fassung"
    shutil.copytree(site.output, first)
    site.add_media("fotos/neu.jpg", alt="Ein neues Bild", credit="\"Foto: Test\"")
    site.story("2026/dritte.md", id="c3c3c3c3c3c3", title="Dritte Meldung", image="fotos/neu.jpg")
    site.build()
    index_site(site.output)
    reader = Reader(place.readable, tmp_path / "leser.json", place.env)
    try:
        for output in (first, site.output):  # the first deploy, then one adding a story and a photo
            for numerator, denominator, back in KILLS:
                point = place.steps_to_finish(output) * numerator // denominator - back
                killed = run_deploy(output, place.address, point, place.env)
                assert killed.returncode == -signal.SIGKILL, (point, killed.stdout, killed.stderr)
                reader.another_round()
            finished = run_deploy(output, place.address, 0, place.env)
            assert finished.returncode == 0, finished.stderr
            seen = reader.another_round()
            assert seen["live"] and seen["front"] and seen["violations"] == []
            assert place.site() == tree(output)
        assert "/aktuelles/2026/11/dritte-meldung/" in seen["front"]
    finally:
        seen = reader.stop()
    assert seen["violations"] == []
    if kind != "s3":  # DEPLOY_KEEP_RELEASES of the driver, and a folder target's spare
        assert len([p for p in (place.folder / "releases").iterdir() if not p.name.startswith(".")]) <= 2
        assert set(releases(place.folder)) - {".spare"} == set(
            p.name for p in (place.folder / "releases").iterdir() if not p.name.startswith("."))


def strangers(folder):
    """What a city web server's folder may hold besides a site: none of it is the deploy's to delete."""
    (folder / "statistik").mkdir(parents=True)
    (folder / "statistik/2025.csv").write_text("Monat;Besuche\n")
    (folder / "google1234.html").write_text("google-site-verification")
    (folder / ".htaccess").write_text("Require all granted\n")
    return snapshot(folder)


@pytest.mark.parametrize("kind", ["folder", "rsync"])
def test_a_target_with_foreign_files_is_refused_untouched(project, tmp_path, kind):
    target = tmp_path / "fremd"
    before = strangers(target)
    address = str(target) if kind == "folder" else f"rsync:{target}"
    result = invoke(project, "deploy", "--target", address, "--now", "2026-11-26 12:00")
    assert result.returncode == 1
    assert f"Das Ziel {address} ist nicht leer (.htaccess, google1234.html, statistik)" in result.stderr
    assert "trägt keine Markierung .newsroom-deploy" in result.stderr and "Nichts wurde verändert" in result.stderr
    assert snapshot(target) == before and sorted(os.listdir(target)) == [".htaccess", "google1234.html", "statistik"]


@pytest.mark.parametrize("kind", ["folder", "rsync"])
def test_a_marked_target_keeps_what_others_put_beside_the_releases(built: Site, tmp_path, kind):
    target = tmp_path / "www"
    address = str(target) if kind == "folder" else f"rsync:{target}"
    deploy(built.output, open_target(address, SETTINGS, {}), SETTINGS)
    assert (target / ".newsroom-deploy").is_file() and os.readlink(target / "current") == "releases/000001"
    (target / "logs").mkdir()
    (target / "logs/zugriffe.log").write_text("GET /\n")
    built.story("2026/zweite.md", id="b2b2b2b2b2b2", title="Zweite Meldung", body="Neu.\n")
    built.build()
    deploy(built.output, open_target(address, SETTINGS, {}), SETTINGS)
    assert (target / "logs/zugriffe.log").read_text() == "GET /\n"
    assert tree(target / "current") == tree(built.output)


def test_an_s3_prefix_with_foreign_objects_is_refused_untouched(built: Site, s3):
    client, env = s3
    client.put_object(Bucket="newsroom-live", Key="site/bericht-2025.pdf", Body=b"%PDF-1.7")
    client.put_object(Bucket="newsroom-live", Key="anderes/index.html", Body=b"<p>fremd</p>")
    with pytest.raises(DeployError) as refused:
        deploy(built.output, open_target("s3://newsroom-live/site", SETTINGS, env), SETTINGS)
    assert "Das Ziel s3://newsroom-live/site/ ist nicht leer (bericht-2025.pdf)" in str(refused.value)
    assert "site/.newsroom-deploy von Hand anlegen" in str(refused.value)
    assert set(objects(client)) == {"site/bericht-2025.pdf", "anderes/index.html"}
    # Beside it, an empty prefix of the same bucket is taken and marked; its neighbours stay.
    deploy(built.output, open_target("s3://newsroom-live/neu", SETTINGS, env), SETTINGS)
    assert set(objects(client, "neu/")) == set(tree(built.output)) | {".newsroom-deploy"}
    assert {"site/bericht-2025.pdf", "anderes/index.html"} <= set(objects(client))


def test_a_marked_s3_prefix_is_shipped_to_and_keeps_its_marker(built: Site, s3):
    client, env = s3
    deploy(built.output, open_target("s3://newsroom-live/site", SETTINGS, env), SETTINGS)
    (built.content / "stories/2026/radwege.md").unlink()
    built.build()
    again = deploy(built.output, open_target("s3://newsroom-live/site", SETTINGS, env), SETTINGS)
    assert ".newsroom-deploy" not in again.deleted and ".newsroom-deploy" in objects(client, "site/")


def test_a_target_beginning_with_a_dash_is_refused_not_read_as_an_option(project, tmp_path):
    result = invoke(project, "deploy", "--target", "rsync:--exclude=www", "--now", "2026-11-26 12:00")
    assert result.returncode == 1
    assert "rsync-Ziel „--exclude=www“ beginnt mit „-“" in result.stderr
    assert "Ausgeliefert" not in result.stdout
    assert not (project / "output-production").exists()  # refused before building


def test_folder_releases_share_unchanged_files_and_only_the_last_ones_are_kept(built: Site, tmp_path):
    target = tmp_path / "www"
    settings = {**SETTINGS, "DEPLOY_KEEP_RELEASES": 2}
    for number in range(1, 4):
        built.story("2026/zweite.md", id="b2b2b2b2b2b2", title="Zweite Meldung", body=f"Fassung {number}.\n")
        built.build()
        report = deploy(built.output, open_target(str(target), settings), settings)
        assert os.readlink(target / "current") == f"releases/{number:06d}"
        assert tree(target / "current") == tree(built.output)
    assert releases(target) == [".spare", "000002", "000003"]  # the first one is the spare
    photo = "medien/fotos/rhein.jpg"
    assert photo not in report.uploaded and "aktuelles/2026/11/zweite-meldung/index.html" in report.uploaded
    assert (target / "releases/000002" / photo).stat().st_ino == (target / "releases/000003" / photo).stat().st_ino \
        == (built.output / photo).stat().st_ino
    with pytest.raises(ConfigurationError, match="DEPLOY_KEEP_RELEASES: „0“ ist keine ganze Zahl ab 1."):
        open_target(str(target), with_defaults({"DEPLOY_KEEP_RELEASES": 0}))


def every_page_changed(output):
    """What a new crisis banner does to the built site: every page replaced (as the build replaces files)."""
    pages = sorted(output.rglob("*.html"))
    for page in pages:
        atomic_write(page, page.read_bytes().replace(b"<body", b"<body data-krise", 1))
    return len(pages)


def test_a_folder_release_links_the_built_files_and_mends_the_spare(built: Site, tmp_path):
    target, settings = tmp_path / "www", {**SETTINGS, "DEPLOY_KEEP_RELEASES": 2}
    files = len(tree(built.output))
    first = open_target(str(target), settings)
    deploy(built.output, first, settings)
    assert first.work["linked"] == files and first.work["copied"] == 0  # nothing copied, even the first time
    pages = every_page_changed(built.output)
    for number in (2, 3, 4):
        release = open_target(str(target), settings)
        report = deploy(built.output, release, settings)
        assert len(report.uploaded) == pages and report.unchanged == files - pages
        assert tree(target / "current") == tree(built.output)
        assert all((target / "current" / path).stat().st_ino == (built.output / path).stat().st_ino
                   for path in tree(built.output))
        every_page_changed(built.output)
    # The fourth release is the first one's folders, mended: only the pages linked anew, no folder made.
    assert release.work == {"linked": pages, "copied": 0, "kept": files - pages, "removed": 0, "folders": 0}
    assert releases(target) == [".spare", "000003", "000004"]
    assert release.walked == []  # the live release and the spare were known from their listings


def releases(target) -> list[str]:
    """The release folders (and the spare) below releases/; each listing beside them must belong to one."""
    names = sorted(os.listdir(target / "releases"))
    folders = [name for name in names if not name.endswith(".listing")]
    for listing in set(names) - set(folders):
        owner = listing[:-len(".listing")]
        assert owner in folders or owner[1:] in folders, listing
    return folders


def test_a_spare_without_its_listing_is_walked_and_mended_the_same(built: Site, tmp_path):
    """A killed deploy leaves a spare mended in part, without listing: the next one reads its folders."""
    target, settings = tmp_path / "www", {**SETTINGS, "DEPLOY_KEEP_RELEASES": 1}
    for number in (1, 2):
        deploy(built.output, open_target(str(target), settings), settings)
        every_page_changed(built.output)
    (target / "releases/.spare.listing").unlink()
    release = open_target(str(target), settings)
    deploy(built.output, release, settings)
    assert release.walked == [".spare"] and release.work["kept"] > 0
    assert tree(target / "current") == tree(built.output)
    every_page_changed(built.output)
    release = open_target(str(target), settings)
    deploy(built.output, release, settings)
    assert release.walked == [] and tree(target / "current") == tree(built.output)


def test_a_listing_of_another_folder_is_not_trusted(built: Site, tmp_path):
    """A listing names its release folder's inode: a folder made anew under the same name is walked."""
    target, settings = tmp_path / "www", {**SETTINGS, "DEPLOY_KEEP_RELEASES": 1}
    deploy(built.output, open_target(str(target), settings), settings)
    live = target / "releases/000001"
    shutil.copytree(live, tmp_path / "copy", copy_function=os.link)
    shutil.rmtree(live)
    os.rename(tmp_path / "copy", live)
    every_page_changed(built.output)
    release = open_target(str(target), settings)
    deploy(built.output, release, settings)
    assert release.walked == ["000001"] and tree(target / "current") == tree(built.output)


def test_a_file_taken_from_a_listed_spare_stops_the_switch_and_the_next_deploy_mends_it(built: Site, tmp_path):
    """Files removed from the spare by hand, behind the listing's back: the check before the switch
    finds them missing, the site stays as it was, and the next deploy walks the spare and completes."""
    target, settings = tmp_path / "www", {**SETTINGS, "DEPLOY_KEEP_RELEASES": 1}
    for number in (1, 2):
        deploy(built.output, open_target(str(target), settings), settings)
        every_page_changed(built.output)
    photo = "medien/fotos/rhein.jpg"
    (target / "releases/.spare" / photo).unlink()
    before = tree(target / "current")
    with pytest.raises(DeployError, match="unvollständig"):
        deploy(built.output, open_target(str(target), settings), settings)
    assert tree(target / "current") == before
    release = open_target(str(target), settings)
    deploy(built.output, release, settings)
    assert release.walked == [".spare"] and tree(target / "current") == tree(built.output)


def test_a_later_build_leaves_the_deployed_files_as_they_are(built: Site, tmp_path):
    target = tmp_path / "www"
    deploy(built.output, open_target(str(target), SETTINGS), SETTINGS)
    live = snapshot(target / "current")
    built.story("2026/zweite.md", id="b2b2b2b2b2b2", title="Zweite Meldung", body="Ganz neuer Text.\n")
    built.build()
    assert snapshot(target / "current") == live  # the build replaced the files it changed, never wrote into one


def test_a_folder_on_another_file_system_gets_copies_then_links_to_the_live_release(built: Site):
    shm = Path("/dev/shm")
    if not shm.is_dir() or shm.stat().st_dev == built.output.stat().st_dev:
        pytest.skip("kein zweites Dateisystem (/dev/shm) neben dem Testordner")
    target = Path(tempfile.mkdtemp(dir=shm))
    try:
        files = len(tree(built.output))
        first = open_target(str(target), SETTINGS)
        deploy(built.output, first, SETTINGS)
        assert first.work["copied"] == files and first.work["linked"] == 0
        built.story("2026/zweite.md", id="b2b2b2b2b2b2", title="Zweite Meldung", body="Ganz neuer Text.\n")
        built.build()
        second = open_target(str(target), SETTINGS)
        report = deploy(built.output, second, SETTINGS)
        assert second.work["copied"] == len(report.uploaded) < files / 2
        assert second.work["linked"] == report.unchanged == len(tree(built.output)) - len(report.uploaded)
        assert tree(target / "current") == tree(built.output)
        photo = "medien/fotos/rhein.jpg"
        assert (target / "releases/000001" / photo).stat().st_ino == (target / "current" / photo).stat().st_ino
    finally:
        shutil.rmtree(target)
