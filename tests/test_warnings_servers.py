"""The official warnings reach every page through the web servers the project configures: real
nginx and Apache (newsroom/deploy/server_config.py) and `invoke serve` put the fragment into the
page by its server-side include, keep the security headers, and answer 404 for the fragment itself."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
from datetime import datetime
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from newsroom.dates import BERLIN
from newsroom.deploy.headers import site_policy
from newsroom.deploy.server_config import apache_config, nginx_config
from newsroom.servers.preview import SiteHandler
from newsroom.settings import with_defaults
from newsroom.warnings.fetch import refresh
from tests.fakes.nina import FakeNina, FakeWarning
from tests.support import Site
from tests.test_server_config import APACHE_MODULES, fetch, free_port, nginx_main, tool, wait_for

ARS = "051110000000"
STORY = "aktuelles/2026/11/neue-radwege-am-rheinufer/"
HEADLINE = "Bombenentschärfung in Pempelfort: Sperrkreis ab 14 Uhr"


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> tuple[Path, dict]:
    """A site built with one recorded warning, in a folder the servers' workers may read."""
    work = tmp_path_factory.mktemp("warnings-site")
    site = Site(work / "site")
    site.story("2026/radwege.md")
    site.commit("Erste Meldung", "2026-11-20 09:00")
    state = str(work / "warnungen.json")
    with FakeNina() as nina:
        nina.add(ARS, FakeWarning(id="biw.BIWAPP-4711", headline=HEADLINE, provider="BIWAPP"))
        refresh(with_defaults({"NINA_ARS": ARS, "NINA_BASE_URL": nina.base_url, "WARNINGS_STATE": state}),
                datetime(2026, 11, 26, 11, 45, tzinfo=BERLIN))
    site.build(NINA_ARS=ARS, WARNINGS_STATE=state)
    root = Path(tempfile.mkdtemp(prefix="newsroom-warnings-root-"))
    root.chmod(0o755)
    shutil.copytree(site.output, root, dirs_exist_ok=True)
    subprocess.run(["chmod", "-R", "a+rX", str(root)], check=True)
    settings = with_defaults({"NINA_ARS": ARS, "SERVER_ROOT": str(root), "SERVER_TLS_CERTIFICATE": None,
                              "SERVER_TLS_KEY": None, "SITEURL": "https://www.duesseldorf.de",
                              "SUBSCRIPTIONS_URL": "https://abo.duesseldorf.de/"})
    yield root, settings
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def nginx(served, tmp_path_factory):
    root, settings = served
    binary = tool("nginx")
    folder = tmp_path_factory.mktemp("nginx-warnings")
    port = free_port()
    settings = {**settings, "SERVER_LISTEN": f"127.0.0.1:{port}"}
    block = folder / "nginx.conf"
    block.write_text(nginx_config(settings), encoding="utf-8")
    server = subprocess.Popen([binary, "-c", str(nginx_main(folder, block)), "-p", str(folder)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_for(port, server, "nginx")
        yield f"http://127.0.0.1:{port}/", settings
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def apache(served, tmp_path_factory):
    root, settings = served
    binary = tool("apache2")
    modules = Path("/usr/lib/apache2/modules")
    folder = tmp_path_factory.mktemp("apache-warnings")
    port = free_port()
    settings = {**settings, "SERVER_LISTEN": f"127.0.0.1:{port}"}
    host = folder / "apache.conf"
    host.write_text(apache_config(settings), encoding="utf-8")
    main = folder / "apache2.conf"
    user = "User nobody\nGroup nogroup\n" if os.geteuid() == 0 else ""
    main.write_text(f'ServerRoot "{folder}"\nPidFile "{folder}/apache.pid"\nErrorLog "{folder}/error.log"\n{user}'
                    + "TypesConfig /etc/mime.types\nServerName 127.0.0.1\n"
                    + "".join(f"LoadModule {m}_module {modules}/mod_{m}.so\n"
                              for m in [*APACHE_MODULES, "include"] if m != "ssl")
                    + f"Listen 127.0.0.1:{port}\nInclude {host}\n", encoding="utf-8")
    server = subprocess.Popen([binary, "-f", str(main), "-DFOREGROUND"], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT)
    try:
        wait_for(port, server, "apache2")
        yield f"http://127.0.0.1:{port}/", settings
    finally:
        server.terminate()
        server.wait(timeout=15)


@pytest.fixture(scope="module")
def preview(served):
    root, settings = served
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(SiteHandler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", settings
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("server", ["nginx", "apache", "preview"])
def test_every_page_shows_the_fragment_through_the_server(server, request, served):
    base, settings = request.getfixturevalue(server)
    root = served[0]
    fragment = (root / "_teile/warnungen.html").read_text(encoding="utf-8")
    assert HEADLINE in fragment
    for path in ("", STORY, "impressum/"):
        if not (root / path / "index.html").exists():
            continue
        status, headers, body = fetch(base + path)
        page = body.decode("utf-8")
        assert status == 200, path
        assert fragment in page and "<!--#" not in page, path
        assert page.index("<!--/newsroom:krise-->") < page.index(fragment) < page.index('<header class="site-header">')
        if server != "preview":
            assert headers["Content-Security-Policy"] == site_policy(settings).header()
            assert headers["X-Content-Type-Options"] == "nosniff"
    if server != "preview":  # the web servers' 404 page is a page of the site too
        status, _headers, body = fetch(base + "gibt-es-nicht/")
        assert status == 404 and fragment.encode() in body


@pytest.mark.parametrize("server", ["nginx", "apache"])
def test_the_fragment_itself_is_no_page_a_visitor_lands_on(server, request):
    base, settings = request.getfixturevalue(server)
    status, headers, body = fetch(base + "_teile/warnungen.html")
    assert status == 404 and body.startswith(b"<!DOCTYPE html>")  # the site's 404 page, the site around it
    assert headers["Content-Security-Policy"] == site_policy(settings).header()


def test_without_warnings_by_include_the_servers_process_no_includes():
    settings = with_defaults({"SERVER_TLS_CERTIFICATE": None, "SERVER_TLS_KEY": None})
    for config in (nginx_config(settings), apache_config(settings)):
        assert "ssi on" not in config and "INCLUDES" not in config and "_teile" not in config
    settings = with_defaults({"SERVER_TLS_CERTIFICATE": None, "SERVER_TLS_KEY": None, "NINA_ARS": ARS,
                              "WARNINGS_INCLUDE": "inline"})
    assert "ssi on" not in nginx_config(settings) and "INCLUDES" not in apache_config(settings)
    apache = apache_config(with_defaults({"SERVER_TLS_CERTIFICATE": None, "SERVER_TLS_KEY": None, "NINA_ARS": ARS}))
    assert "+IncludesNOEXEC" in apache and "mod_include" in apache and "a2enmod headers rewrite include" in apache
