"""The server configurations `invoke server-config` writes (newsroom/deploy/server_config.py): Debian's
nginx serves the built site with them and every answer carries the headers; nginx and Apache
accept the production configuration and forward /abo/ to the subscription service (a real
`invoke subscriptions`) with the visitor's address; the files in deploy/ are what the settings make."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select

from newsroom.build.runner import load_settings
from newsroom.deploy.headers import admin_policy, site_policy
from newsroom.deploy.server_config import apache_config, cloudfront_policies, nginx_config
from newsroom.search.index import index_site
from newsroom.site import CAP_FOLDER, CAP_INDEX
from newsroom.subscriptions import abuse, keys
from newsroom.subscriptions.database import Database
from newsroom.subscriptions.models import Consent, Subscriber
from tests.browser.conftest import build_site
from tests.fakes.smtp import FakeSMTP
from tests.subscriptions_support import SECRET, SENDER
from tests.support import REPO

STORY = "aktuelles/2026/02/rosenmontag-2026-das-muessen-jecken-wissen/"
APACHE_MODULES = ["mpm_event", "authz_core", "headers", "mime", "dir", "rewrite", "proxy", "proxy_http", "ssl"]


def tool(name: str) -> str:
    """The server binary; missing ones fail under CI and skip elsewhere, saying how to get them."""
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if path:
        return path
    problem = f"{name} is not installed: `make test` installs it as root (apt-get install nginx-light apache2-bin)"
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the server tests, but: {problem}", pytrace=False)
    pytest.skip(problem)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def production() -> dict:
    return load_settings(REPO / "publishconf.py")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[str, str]:
    """A self-signed certificate where the production settings name the city's."""
    folder = tmp_path_factory.mktemp("tls")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                    "/CN=www.duesseldorf.de", "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")],
                   check=True, capture_output=True)
    return str(folder / "cert.pem"), str(folder / "key.pem")


@pytest.fixture(scope="module")
def site(tmp_path_factory, production) -> Path:
    """The demo content built for the live address, as `invoke deploy` builds it."""
    output = build_site(REPO / "content", tmp_path_factory.mktemp("served"), SITEURL=production["SITEURL"],
                        SUBSCRIPTIONS_URL=production["SUBSCRIPTIONS_URL"])
    index_site(output)
    return output


def nginx_main(folder: Path, server_block: Path, port: int | None = None) -> Path:
    """The http block around the generated server block, as Debian's /etc/nginx/nginx.conf has it."""
    temp = folder / "temp"
    temp.mkdir(exist_ok=True)
    conf = folder / "nginx-main.conf"
    conf.write_text(
        "user root;\nworker_processes 1;\ndaemon off;\n"
        f"pid {folder}/nginx.pid;\nerror_log {folder}/error.log;\nevents {{}}\nhttp {{\n"
        "  include /etc/nginx/mime.types;\n  default_type application/octet-stream;\n  access_log off;\n"
        + "".join(f"  {kind}_temp_path {temp}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        + f"  include {server_block};\n}}\n", encoding="utf-8")
    return conf


def wait_for(port: int, process: subprocess.Popen, name: str) -> None:
    for _attempt in range(600):  # until it listens (or has died)
        if process.poll() is not None:
            pytest.fail(f"{name} did not start: {process.stdout.read().decode()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"{name} does not listen on {port}")


@pytest.fixture(scope="module")
def service(tmp_path_factory) -> tuple[str, str]:
    """The subscription service as its unit starts it (`invoke subscriptions --settings publishconf.py`),
    over a SQLite file, mailing into a local SMTP server; (its host:port, its database URL)."""
    folder = tmp_path_factory.mktemp("abo")
    port = free_port()
    url = f"sqlite:///{folder / 'abo.sqlite3'}"
    with FakeSMTP() as smtp:
        env = {**os.environ, "NEWSROOM_SUBSCRIPTIONS_DATABASE_URL": url, "NEWSROOM_SUBSCRIPTIONS_SECRET": SECRET,
               "NEWSROOM_SUBSCRIPTIONS_FROM": SENDER, "NEWSROOM_SUBSCRIPTIONS_SMTP_HOST": "127.0.0.1",
               "NEWSROOM_SUBSCRIPTIONS_SMTP_PORT": str(smtp.port), "NEWSROOM_SUBSCRIPTIONS_SMTP_SECURITY": "none"}
        process = subprocess.Popen([sys.executable, "-m", "invoke", "subscriptions", "--port", str(port),
                                    "--settings", "publishconf.py"], cwd=REPO, env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            wait_for(port, process, "invoke subscriptions")
            yield f"127.0.0.1:{port}", url
        finally:
            process.terminate()
            process.wait(timeout=15)


@pytest.fixture(scope="module")
def nginx(site, production, service, tmp_path_factory):
    """Debian's nginx serving the built site with the generated configuration on loopback, the
    subscription service behind it."""
    binary = tool("nginx")
    folder = tmp_path_factory.mktemp("nginx")
    port = free_port()
    settings = {**production, "SERVER_ROOT": str(site), "SERVER_LISTEN": f"127.0.0.1:{port}",
                "SERVER_TLS_CERTIFICATE": None, "SERVER_TLS_KEY": None, "SUBSCRIPTIONS_UPSTREAM": service[0]}
    block = folder / "nginx.conf"
    block.write_text(nginx_config(settings), encoding="utf-8")
    server = subprocess.Popen([binary, "-c", str(nginx_main(folder, block)), "-p", str(folder)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/"
    try:
        wait_for(port, server, "nginx")
        yield base, settings
    finally:
        server.terminate()
        server.wait(timeout=10)


def fetch(url: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def meta_policy(body: bytes) -> str:
    text = body.decode("utf-8")
    start = text.index('http-equiv="Content-Security-Policy" content="') + len('http-equiv="Content-Security-Policy" content="')
    return text[start:text.index('"', start)].replace("&#39;", "'").replace("&#x27;", "'")


@pytest.mark.parametrize("path, status", [("", 200), (STORY, 200), ("suche/", 200), ("medienportal/", 200),
                                          ("feeds/alle/rss.xml", 200), ("theme/css/site.css", 200),
                                          ("gibt-es-nicht/", 404)])
def test_nginx_sends_every_header_on_every_answer(nginx, path, status):
    base, settings = nginx
    code, headers, body = fetch(base + path)
    assert code == status
    assert headers["Content-Security-Policy"] == site_policy(settings).header()
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["Permissions-Policy"] == settings["SERVER_PERMISSIONS_POLICY"]
    if headers["Content-Type"].startswith("text/html"):
        # The page's own policy is the header's, less what only a header may say.
        assert meta_policy(body) == site_policy(settings).meta()
    if status == 404:
        assert "Seite nicht gefunden" in body.decode("utf-8")  # our 404 page


def test_nginx_sends_the_admin_its_own_policy(nginx):
    base, settings = nginx
    code, headers, body = fetch(base + "admin/")
    assert code == 200
    assert headers["Content-Security-Policy"] == admin_policy(settings).header()
    assert "frame-ancestors 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"  # the location repeats the server's headers
    assert headers["Strict-Transport-Security"]
    assert meta_policy(body) == admin_policy(settings).meta()
    _code, script, _body = fetch(base + "admin/decap-cms.js")
    assert script["Content-Security-Policy"] == admin_policy(settings).header()


def test_nginx_serves_pagefinds_index_and_scripts_with_the_headers(nginx, site):
    base, settings = nginx
    first = json.loads((site / "pagefind/teile.json").read_text(encoding="utf-8"))["teile"][0]["name"]
    wasm = next((site / "pagefind" / first).glob("wasm.*.pagefind")).relative_to(site).as_posix()
    for path in ("pagefind/teile.json", f"pagefind/{first}/pagefind.js", wasm):
        code, headers, _body = fetch(base + path)
        assert code == 200, path
        assert headers["Content-Security-Policy"] == site_policy(settings).header()
        assert headers["X-Content-Type-Options"] == "nosniff"
    assert fetch(base + f"pagefind/{first}/pagefind.js")[1]["Content-Type"] == "application/javascript"
    assert fetch(base + "pagefind/teile.json")[1]["Content-Type"] == "application/json"


def test_nginx_accepts_the_production_configuration(production, certificate, tmp_path):
    binary = tool("nginx")
    block = tmp_path / "nginx.conf"
    settings = {**production, "SERVER_ROOT": str(tmp_path), "SERVER_TLS_CERTIFICATE": certificate[0],
                "SERVER_TLS_KEY": certificate[1]}
    block.write_text(nginx_config(settings), encoding="utf-8")
    assert "listen 443 ssl;" in block.read_text(encoding="utf-8")
    result = subprocess.run([binary, "-t", "-c", str(nginx_main(tmp_path, block)), "-p", str(tmp_path)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def test_apache_accepts_the_production_configuration(production, certificate, tmp_path):
    binary = tool("apache2")
    modules = Path("/usr/lib/apache2/modules")
    host = tmp_path / "apache.conf"
    settings = {**production, "SERVER_ROOT": str(tmp_path), "SERVER_TLS_CERTIFICATE": certificate[0],
                "SERVER_TLS_KEY": certificate[1]}
    host.write_text(apache_config(settings), encoding="utf-8")
    main = tmp_path / "apache2.conf"
    main.write_text(f'ServerRoot "{tmp_path}"\nPidFile "{tmp_path}/apache.pid"\nErrorLog "{tmp_path}/error.log"\n'
                    + "".join(f"LoadModule {m}_module {modules}/mod_{m}.so\n" for m in APACHE_MODULES)
                    + f"Listen 127.0.0.1:{free_port()}\nInclude {host}\n", encoding="utf-8")
    result = subprocess.run([binary, "-t", "-f", str(main)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "Syntax OK" in result.stderr
    # The check reads the header lines: without mod_headers they are an error.
    main.write_text(main.read_text(encoding="utf-8").replace("LoadModule headers_module", "# LoadModule"),
                    encoding="utf-8")
    result = subprocess.run([binary, "-t", "-f", str(main)], capture_output=True, text=True)
    assert result.returncode != 0 and "Header" in result.stderr


@pytest.fixture(scope="module")
def apache(production, service, tmp_path_factory):
    """Debian's Apache with the generated virtual host on loopback, the subscription service behind it."""
    binary = tool("apache2")
    modules = Path("/usr/lib/apache2/modules")
    folder = tmp_path_factory.mktemp("apache")
    root = Path(tempfile.mkdtemp(prefix="newsroom-apache-root-"))  # its workers (not root) may enter it
    root.chmod(0o755)
    port = free_port()
    settings = {**production, "SERVER_ROOT": str(root), "SERVER_LISTEN": f"127.0.0.1:{port}",
                "SERVER_TLS_CERTIFICATE": None, "SERVER_TLS_KEY": None, "SUBSCRIPTIONS_UPSTREAM": service[0]}
    host = folder / "apache.conf"
    host.write_text(apache_config(settings), encoding="utf-8")
    main = folder / "apache2.conf"
    user = "User nobody\nGroup nogroup\n" if os.geteuid() == 0 else ""  # Apache refuses to serve as root
    main.write_text(f'ServerRoot "{folder}"\nPidFile "{folder}/apache.pid"\nErrorLog "{folder}/error.log"\n{user}'
                    + "TypesConfig /etc/mime.types\nServerName 127.0.0.1\n"
                    + "".join(f"LoadModule {m}_module {modules}/mod_{m}.so\n" for m in APACHE_MODULES if m != "ssl")
                    + f"Listen 127.0.0.1:{port}\nInclude {host}\n", encoding="utf-8")
    server = subprocess.Popen([binary, "-f", str(main), "-DFOREGROUND"], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT)
    try:
        wait_for(port, server, "apache2")
        yield f"http://127.0.0.1:{port}/", settings
    finally:
        server.terminate()
        server.wait(timeout=15)
        shutil.rmtree(root, ignore_errors=True)


def request_from(source: str, url: str, method: str = "GET", body: bytes | None = None,
                 headers: dict | None = None) -> tuple[int, object, bytes]:
    """A request from another loopback address than the server's own, as a visitor's would come."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=15, source_address=(source, 0))
    try:
        connection.request(method, parts.path, body=body, headers=headers or {})
        answer = connection.getresponse()
        return answer.status, answer.msg, answer.read()
    finally:
        connection.close()


@pytest.mark.parametrize("server", ["nginx", "apache"])
def test_the_web_server_forwards_abo_to_the_service_with_its_own_headers(server, request, service):
    base, settings = request.getfixturevalue(server)
    status, headers, body = request_from("127.0.0.2", base + "abo/gesund")
    assert (status, body) == (200, b"ok")  # answered by the service, through its database
    # The service's own headers, each once: the site's CSP (form-action to the site) is not added.
    assert headers.get_all("Content-Security-Policy") == [abuse.POLICY]
    assert headers.get_all("X-Content-Type-Options") == ["nosniff"]
    assert headers.get_all("Referrer-Policy") == ["no-referrer"]
    assert headers.get_all("Permissions-Policy") == [abuse.HEADERS["permissions-policy"]]
    assert headers.get_all("Strict-Transport-Security") == [settings["SERVER_HSTS"]]
    assert headers["Cache-Control"] == "no-store"
    # The site around it keeps its own policy.
    _status, page, _body = request_from("127.0.0.2", base)
    assert page.get_all("Content-Security-Policy") == [site_policy(settings).header()]


@pytest.mark.parametrize("server, source", [("nginx", "127.0.0.2"), ("apache", "127.0.0.3")])
def test_the_service_sees_the_visitors_address_not_the_web_servers(server, source, request, service):
    """The sign-up's consent entry keys the client's address: the visitor's, from X-Forwarded-For."""
    base, settings = request.getfixturevalue(server)
    email = f"{server}@example.org"
    form = urllib.parse.urlencode({"email": email, "haeufigkeit": "sofort", "einwilligung": "ja", "webseite": "",
                                   "thema": "Verkehr"}).encode()
    status, _headers, body = request_from(source, base + "abo/buerger", "POST", form, {
        "Content-Type": "application/x-www-form-urlencoded", "Origin": settings["SITEURL"],
        "X-Forwarded-For": "203.0.113.9"})  # a visitor's own claim counts for nothing
    assert status == 200, body.decode()
    database = Database(service[1])
    try:
        with database.session() as session:
            subscriber = session.scalars(select(Subscriber).where(Subscriber.email == email)).one()
            consent = session.scalars(select(Consent).where(
                Consent.subscriber_ref == keys.subscriber_ref(subscriber.key))).one()
    finally:
        database.close()
    assert consent.client == keys.client_hash(SECRET, source)


@pytest.mark.parametrize("server", ["nginx", "apache"])
def test_the_cap_documents_go_out_as_cap_and_their_index_as_atom(server, request):
    base, settings = request.getfixturevalue(server)
    root = Path(settings["SERVER_ROOT"])
    document = root / CAP_FOLDER / "de.duesseldorf.krise-test.xml"
    document.parent.mkdir(parents=True, exist_ok=True)
    document.write_bytes(b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"/>\n')
    if not (root / CAP_INDEX).exists():  # Apache serves an empty folder; the build always writes the index
        (root / CAP_INDEX).write_bytes(b'<feed xmlns="http://www.w3.org/2005/Atom"/>\n')
    code, headers, _body = fetch(base + CAP_FOLDER + document.name)
    assert (code, headers["Content-Type"].split(";")[0]) == (200, "application/cap+xml")
    assert headers["X-Content-Type-Options"] == "nosniff"  # the server's headers stay
    code, headers, _body = fetch(base + CAP_INDEX)
    assert (code, headers["Content-Type"].split(";")[0]) == (200, "application/atom+xml")
    assert fetch(base + CAP_FOLDER + "gibt-es-nicht.xml")[0] == 404


def test_nothing_is_forwarded_for_a_service_on_another_origin(production):
    elsewhere = {**production, "SUBSCRIPTIONS_URL": "https://abo.duesseldorf.de/abo/"}
    assert "proxy_pass" not in nginx_config(elsewhere)
    assert "Proxy" not in apache_config(elsewhere) and "mod_proxy" not in apache_config(elsewhere)
    assert "location ^~ /abo/ {" in nginx_config(production)
    assert '<Location "/abo/">' in apache_config(production)


def test_invoke_server_config_writes_what_deploy_holds(tmp_path):
    """deploy/ holds the production configuration: changing a header setting without running the
    task again fails here."""
    result = subprocess.run([sys.executable, "-m", "invoke", "server-config", "--target", str(tmp_path)],
                            cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Server-Konfiguration geschrieben" in result.stdout
    names = ("nginx.conf", "apache.conf", "cloudfront-site.json", "cloudfront-admin.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names)
    for name in names:
        assert (tmp_path / name).read_text(encoding="utf-8") == (REPO / "deploy" / name).read_text(encoding="utf-8")


def test_the_cloudfront_policies_carry_the_same_headers_for_s3(production):
    policies = cloudfront_policies(production, "publishconf.py")
    site, admin = policies["cloudfront-site.json"], policies["cloudfront-admin.json"]
    security = site["SecurityHeadersConfig"]
    assert security["ContentSecurityPolicy"]["ContentSecurityPolicy"] == site_policy(production).header()
    assert admin["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"] == \
        admin_policy(production).header()
    assert security["StrictTransportSecurity"] == {"AccessControlMaxAgeSec": 31536000, "IncludeSubdomains": True,
                                                   "Preload": False, "Override": True}
    assert security["ContentTypeOptions"] == {"Override": True}
    assert security["ReferrerPolicy"]["ReferrerPolicy"] == "strict-origin-when-cross-origin"
    assert site["CustomHeadersConfig"]["Items"] == [{"Header": "Permissions-Policy", "Override": True,
                                                     "Value": production["SERVER_PERMISSIONS_POLICY"]}]
    assert len(site["Comment"]) <= 128  # CloudFront's limit


def test_invoke_server_config_refuses_a_bad_setting_in_german(tmp_path):
    settings = tmp_path / "kaputt.py"
    settings.write_text(f"import sys\nsys.path.insert(0, {str(REPO)!r})\nfrom publishconf import *\n"
                        f"PATH = {str(REPO / 'content')!r}\nSERVER_ROOT = 'srv/www'\n", encoding="utf-8")
    target = tmp_path / "server"
    result = subprocess.run([sys.executable, "-m", "invoke", "server-config", "--settings", str(settings),
                             "--target", str(target)], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "Einstellung SERVER_ROOT: „srv/www“ ist kein absoluter Ordnerpfad" in result.stderr
    assert not target.exists()
