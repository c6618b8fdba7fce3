"""The web server's side of the security headers: an nginx server block and an Apache virtual
host made from the settings (`invoke server-config`), each sending the whole Content-Security-
Policy (with frame-ancestors, which a <meta> policy cannot carry), the admin's own policy below
/admin/, HSTS, X-Content-Type-Options, Referrer-Policy and Permissions-Policy on every answer,
errors included. S3 sends no such headers: README "Headers" shows the CDN or proxy rule.

Stories withdrawn with `gone: true` (newsroom/content/amendments.py) are named in both: their
addresses answer 410 Gone with the notice page the build leaves there as the body. A host that
cannot (S3, a plain folder) serves that notice page with 200 instead.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

from newsroom.atomic import atomic_write
from newsroom.deploy.headers import admin_policy, server_headers, site_policy
from newsroom.errors import ConfigurationError
from newsroom.site import SiteUrls


def _quoted(value: str) -> str:
    """A double-quoted value both servers read back unchanged (headers.py refuses \\ and $)."""
    return '"' + value.replace('"', '\\"') + '"'


def _settings(settings: dict) -> dict:
    root = settings["SERVER_ROOT"]
    if not root.startswith("/") or any(c in root for c in "\"'\\$; \n{}"):
        raise ConfigurationError(f"Einstellung SERVER_ROOT: „{root}“ ist kein absoluter Ordnerpfad ohne "
                                 "Leer- und Sonderzeichen (das Wurzelverzeichnis der Website auf dem Server).")
    name = settings["SERVER_NAME"] or urlsplit(settings["SITEURL"]).hostname
    listen = settings["SERVER_LISTEN"]
    host, _, port = listen.rpartition(":")
    if not port.isdigit() or any(c in host for c in " \"';{}\n"):
        raise ConfigurationError(f"Einstellung SERVER_LISTEN: „{listen}“ ist kein Port (443) und keine "
                                 "Adresse mit Port (127.0.0.1:8080).")
    certificate, key = settings["SERVER_TLS_CERTIFICATE"], settings["SERVER_TLS_KEY"]
    if bool(certificate) != bool(key):
        raise ConfigurationError("Einstellungen SERVER_TLS_CERTIFICATE und SERVER_TLS_KEY: entweder beide "
                                 "(TLS auf diesem Server) oder keine (TLS endet davor).")
    if not name or any(c in name for c in " \"';{}\n"):
        raise ConfigurationError(f"Einstellung SERVER_NAME: „{name}“ ist kein Hostname; SITEURL nennt keinen.")
    urls = SiteUrls.from_settings(settings)
    admin = settings["ADMIN_PATH"].strip("/")
    return {"root": root.rstrip("/") or "/", "name": name, "listen": listen, "host": host or "*", "port": port,
            "tls": (certificate, key) if certificate else None, "prefix": urls.prefix,
            "admin": f"{urls.prefix}{admin}/" if admin else None,
            "site": site_policy(settings).header(), "admin_policy": admin_policy(settings).header(),
            "headers": server_headers(settings)}


# What a story's address may hold (slugs and dates): nothing a server configuration would read
# as syntax, and nothing a regular expression would read as more than itself but the dot.
_SAFE_PATH = re.compile(r"^/[A-Za-z0-9._~/-]*/$")


def gone_addresses(archive, prefix: str = "/") -> list[str]:
    """The site paths of withdrawn stories that are gone (`gone: true`), sorted: only a few, each
    read from its file (the card does not say it)."""
    found = []
    for card in archive.withdrawn:
        withdrawal = archive.full_story(card).withdrawal
        if withdrawal is not None and withdrawal.gone:
            found.append(prefix + card.url)
    return sorted(found)


def _gone(paths) -> list[str]:
    paths = sorted(set(paths))
    bad = [p for p in paths if not _SAFE_PATH.match(p) or ".." in p]
    if bad:
        raise ConfigurationError(f"Adresse einer zurückgezogenen Meldung „{bad[0]}“ lässt sich nicht in die "
                                 "Server-Konfiguration schreiben (erwartet: /pfad/ aus a–z, 0–9, -, ., /).")
    return paths


def _header(source: str) -> str:
    return f"# Erzeugt aus {source} mit `invoke server-config` (newsroom/deploy/server_config.py); nicht von Hand ändern.\n"


def nginx_config(settings: dict, source: str = "den Einstellungen", gone=()) -> str:
    """`gone`: site paths (/aktuelles/…/) that answer 410 with their notice page."""
    s = _settings(settings)
    gone = _gone(gone)
    ssl = " ssl" if s["tls"] else ""
    lines = [_header(source).rstrip("\n"), "server {", f"    listen {s['listen']}{ssl};"]
    if s["host"] == "*":
        lines.append(f"    listen [::]:{s['port']}{ssl};")
    lines += [f"    server_name {s['name']};"]
    if s["tls"]:
        lines += [f"    ssl_certificate {s['tls'][0]};", f"    ssl_certificate_key {s['tls'][1]};"]
    lines += [f"    root {s['root']};", "    index index.html;", "    server_tokens off;",
              f"    error_page 404 {s['prefix']}404.html;", ""]

    def headers(policy: str, indent: str) -> list[str]:
        # `always`: error answers too. A location with its own add_header loses the server's: each repeats all.
        return [f"{indent}add_header Content-Security-Policy {_quoted(policy)} always;",
                *(f"{indent}add_header {name} {_quoted(value)} always;" for name, value in s["headers"].items())]

    lines += headers(s["site"], "    ")
    lines += ["", "    location / {", "        try_files $uri $uri/ =404;", "    }"]
    if gone:
        # The 410 keeps its status through error_page; the named location serves the notice page
        # of the address asked for (with or without index.html) as its body.
        lines += ["", "    # Zurückgezogene Meldungen (gone: true): 410 mit der Hinweisseite als Inhalt.",
                  "    error_page 410 @gone;", "    location @gone {", "        try_files ${uri}index.html $uri =404;",
                  "    }"]
        for path in gone:
            lines += [f"    location = {path} {{ return 410; }}", f"    location = {path}index.html {{ return 410; }}"]
    if s["admin"]:
        lines += ["", f"    location ^~ {s['admin']} {{", *headers(s["admin_policy"], "        "),
                  "        try_files $uri $uri/ =404;", "    }"]
    lines.append("}")
    return "\n".join(lines) + "\n"


def apache_config(settings: dict, source: str = "den Einstellungen", gone=()) -> str:
    """`gone`: site paths (/aktuelles/…/) that answer 410 with their notice page."""
    s = _settings(settings)
    gone = _gone(gone)
    enable = ["headers", *(["rewrite"] if gone else []), *(["ssl"] if s["tls"] else [])]
    named = ["mod_headers", *(["mod_rewrite"] if gone else []), "mod_mime", *(["mod_ssl"] if s["tls"] else [])]
    modules = f"{', '.join(named[:-1])} und {named[-1]} (a2enmod {' '.join(enable)})"
    lines = [_header(source).rstrip("\n"), f"# Braucht {modules}.",
             f"<VirtualHost {s['host']}:{s['port']}>", f"    ServerName {s['name']}",
             f"    DocumentRoot {_quoted(s['root'])}"]
    if s["tls"]:
        lines += ["    SSLEngine on", f"    SSLCertificateFile {_quoted(s['tls'][0])}",
                  f"    SSLCertificateKeyFile {_quoted(s['tls'][1])}"]
    lines += ["    ServerSignature Off", f"    ErrorDocument 404 {s['prefix']}404.html",
              "    AddType application/wasm .wasm", "    DirectoryIndex index.html",
              f"    <Directory {_quoted(s['root'])}>", "        Options -Indexes", "        AllowOverride None",
              "        Require all granted", "    </Directory>", "",
              f"    Header always set Content-Security-Policy {_quoted(s['site'])}",
              *(f"    Header always set {name} {_quoted(value)}" for name, value in s["headers"].items())]
    if gone:
        # [G] answers 410; the ErrorDocument is the address's own notice page, fetched by an internal
        # redirect that carries REDIRECT_STATUS, so the rule does not answer that fetch with 410 again.
        lines += ["", "    # Zurückgezogene Meldungen (gone: true): 410 mit der Hinweisseite als Inhalt.",
                  "    RewriteEngine On"]
        for path in gone:
            pattern = "^" + path.replace(".", "\\.") + "(index\\.html)?$"
            lines += ["    RewriteCond %{ENV:REDIRECT_STATUS} ^$", f"    RewriteRule {_quoted(pattern)} - [G]",
                      f"    <Location {_quoted(path)}>", f"        ErrorDocument 410 {path}index.html",
                      "    </Location>"]
    if s["admin"]:
        lines += ["", f"    <Location {_quoted(s['admin'])}>",
                  f"        Header always set Content-Security-Policy {_quoted(s['admin_policy'])}",
                  "    </Location>"]
    lines.append("</VirtualHost>")
    return "\n".join(lines) + "\n"


def cloudfront_policies(settings: dict, source: str = "den Einstellungen") -> dict[str, dict]:
    """For S3 behind CloudFront: one response headers policy for the site, one for the admin's
    path (`aws cloudfront create-response-headers-policy --response-headers-policy-config file://…`)."""
    s = _settings(settings)
    headers = s["headers"]
    hsts = dict(part.strip().partition("=")[::2] for part in headers.get("Strict-Transport-Security", "").split(";")
                if part.strip())

    def policy(name: str, csp: str) -> dict:
        security = {"ContentSecurityPolicy": {"ContentSecurityPolicy": csp, "Override": True},
                    "ContentTypeOptions": {"Override": True}}
        if "max-age" in hsts:
            security["StrictTransportSecurity"] = {
                "AccessControlMaxAgeSec": int(hsts["max-age"]), "IncludeSubdomains": "includeSubDomains" in hsts,
                "Preload": "preload" in hsts, "Override": True}
        if "Referrer-Policy" in headers:
            security["ReferrerPolicy"] = {"ReferrerPolicy": headers["Referrer-Policy"], "Override": True}
        custom = [{"Header": "Permissions-Policy", "Value": headers["Permissions-Policy"], "Override": True}] \
            if "Permissions-Policy" in headers else []
        return {"Name": name, "Comment": f"Erzeugt aus {source} mit invoke server-config"[:128],
                "SecurityHeadersConfig": security,
                "CustomHeadersConfig": {"Quantity": len(custom), "Items": custom}}

    policies = {"cloudfront-site.json": policy("newsroom-site", s["site"])}
    if s["admin"]:
        policies["cloudfront-admin.json"] = policy("newsroom-admin", s["admin_policy"])
    return policies


def write_server_configs(settings: dict, folder: Path, source: str = "den Einstellungen", gone=()) -> list[Path]:
    """The configurations into folder (each written whole or not at all); returns their paths."""
    texts = {"nginx.conf": nginx_config(settings, source, gone), "apache.conf": apache_config(settings, source, gone)}
    for name, policy in cloudfront_policies(settings, source).items():
        texts[name] = json.dumps(policy, ensure_ascii=False, indent=2) + "\n"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in texts.items():
        atomic_write(folder / name, text.encode("utf-8"))
        paths.append(folder / name)
    return paths
