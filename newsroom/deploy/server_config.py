"""The web server's side of the security headers: an nginx server block and an Apache virtual
host made from the settings (`invoke server-config`), each sending the whole Content-Security-
Policy (with frame-ancestors, which a <meta> policy cannot carry), the admin's own policy below
/admin/, HSTS, X-Content-Type-Options, Referrer-Policy and Permissions-Policy on every answer,
errors included. S3 sends no such headers: README "Headers" shows the CDN or proxy rule.

Stories withdrawn with `gone: true` (newsroom/content/amendments.py) answer 410 Gone with the
notice page the build leaves at their address as the body. Neither file names them: the build
writes an empty marker per gone page below `_gone/` (newsroom/site.py), and both servers look for
it on every request, so a deploy alone brings or ends a 410, without writing these files again or
reloading the server. The marker folder itself answers 404. S3 cannot answer 410: there the
notice page stands in with 200.

The crisis message's CAP documents (krise/cap/*.xml) go out as application/cap+xml and their
index krise/cap.xml as Atom, what CAP consumers expect; S3 gets the same types from
newsroom/deploy/files.py.

When SUBSCRIPTIONS_URL is on the site's own origin, its path (/abo/) is forwarded to the
subscription service at SUBSCRIPTIONS_UPSTREAM with the client's address (X-Forwarded-For) and
scheme; the service's own security headers (its CSP allows forms only to itself) reach the
browser unchanged, only HSTS is added. A service on another origin is that host's business.

With official warnings by server-side include (NINA_ARS set, WARNINGS_INCLUDE "ssi"), both servers
process the include in every .html answer (nginx `ssi`, Apache mod_include without exec) and
put /_teile/warnungen.html into the page; the fragment folder itself answers 404 to visitors,
so no one lands on a page without the site around it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

from newsroom.atomic import atomic_write
from newsroom.deploy.headers import admin_policy, server_headers, site_policy
from newsroom.errors import ConfigurationError
from newsroom.site import CAP_FOLDER, CAP_INDEX, CAP_MIME, GONE_FOLDER, SiteUrls

PARTS_FOLDER = "_teile"  # fragments included by the server (plugins/official_warnings)


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
    service, upstream = _subscriptions(settings)
    return {"root": root.rstrip("/") or "/", "name": name, "listen": listen, "host": host or "*", "port": port,
            "tls": (certificate, key) if certificate else None, "prefix": urls.prefix,
            "admin": f"{urls.prefix}{admin}/" if admin else None, "service": service, "upstream": upstream,
            "site": site_policy(settings).header(), "admin_policy": admin_policy(settings).header(),
            "headers": server_headers(settings),
            "ssi": bool(settings["NINA_ARS"]) and settings["WARNINGS_INCLUDE"] == "ssi"}


def _subscriptions(settings: dict) -> tuple[str | None, str | None]:
    """(path, host:port) of the subscription service when the site's server forwards to it, else (None, None)."""
    url = settings.get("SUBSCRIPTIONS_URL")
    site, service = urlsplit(settings["SITEURL"]), urlsplit(url or "")
    if not url or (service.scheme, service.netloc) != (site.scheme, site.netloc):
        return None, None
    path = "/" + service.path.strip("/") + "/"
    if path == "/" or not all(c.isalnum() or c in "/-_." for c in path):
        raise ConfigurationError(f"Einstellung SUBSCRIPTIONS_URL: „{url}“ braucht einen eigenen Pfad aus Buchstaben, "
                                 "Ziffern und - _ . (zum Beispiel https://www.duesseldorf.de/abo/).")
    upstream = settings["SUBSCRIPTIONS_UPSTREAM"]
    host, _, port = upstream.rpartition(":")
    if not host or not port.isdigit() or not all(c.isalnum() or c in ".-:[]" for c in host):
        raise ConfigurationError(f"Einstellung SUBSCRIPTIONS_UPSTREAM: „{upstream}“ ist keine Adresse mit Port "
                                 "(127.0.0.1:8010).")
    return path, upstream


def _header(source: str) -> str:
    return f"# Erzeugt aus {source} mit `invoke server-config` (newsroom/deploy/server_config.py); nicht von Hand ändern.\n"


def nginx_config(settings: dict, source: str = "den Einstellungen") -> str:
    s = _settings(settings)
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
    # A gone page's marker (newsroom/site.py) is tested on every request, for the address with
    # and without index.html (`if` with only `return` in it is safe). The 410 keeps its status
    # through error_page; the named location serves the address's notice page as its body.
    marker = f"$document_root{s['prefix']}{GONE_FOLDER}"
    lines += ["", "    # Zurückgezogene Meldungen (gone: true): 410 mit der Hinweisseite als Inhalt, solange der",
              f"    # Build die Markierung unter {s['prefix']}{GONE_FOLDER}/ ausliefert.",
              "    error_page 410 @gone;", "",
              "    location / {", f"        if (-f {marker}$uri) {{ return 410; }}",
              f"        if (-f {marker}${{uri}}index.html) {{ return 410; }}",
              "        try_files $uri $uri/ =404;", "    }", "",
              "    location @gone {", "        try_files ${uri}index.html $uri =404;", "    }", "",
              f"    location ^~ {s['prefix']}{GONE_FOLDER}/ {{", "        return 404;", "    }"]
    if s["ssi"]:
        # `internal`: reached by the pages' include only; a visitor asking for it gets 404.
        lines += ["", "    # Amtliche Warnungen: jede Seite bindet das Fragment per Server Side Include ein.",
                  "    ssi on;", f"    location ^~ {s['prefix']}{PARTS_FOLDER}/ {{", "        internal;", "    }"]
    # `types` replaces the MIME map inside the location only; no add_header, so the server's headers stay.
    lines += ["", "    # Der CAP-Feed der Krisenmeldung: die Dokumente als CAP, ihr Index als Atom.",
              f"    location ^~ {s['prefix']}{CAP_FOLDER} {{", f"        types {{ {CAP_MIME} xml; }}", "    }",
              f"    location = {s['prefix']}{CAP_INDEX} {{", "        types { application/atom+xml xml; }", "    }"]
    if s["admin"]:
        lines += ["", f"    location ^~ {s['admin']} {{", *headers(s["admin_policy"], "        "),
                  "        try_files $uri $uri/ =404;", "    }"]
    if s["service"]:
        # Any add_header here stops the server's ones being inherited, so the service's own headers
        # arrive alone; HSTS, which it does not send, is the one added (an empty value adds nothing).
        hsts = s["headers"].get("Strict-Transport-Security", "")
        lines += ["", "    # Der Abonnement-Dienst (SUBSCRIPTIONS_URL) mit seinen eigenen Sicherheits-Headern.",
                  f"    location ^~ {s['service']} {{", f"        proxy_pass http://{s['upstream']};",
                  "        access_log off;  # Links mit Token und Adressen der Besucher gehören in kein Log",
                  "        proxy_set_header Host $host;",
                  "        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
                  "        proxy_set_header X-Forwarded-Proto $scheme;",
                  f"        add_header Strict-Transport-Security {_quoted(hsts)} always;", "    }"]
    lines.append("}")
    return "\n".join(lines) + "\n"


def apache_config(settings: dict, source: str = "den Einstellungen") -> str:
    s = _settings(settings)
    proxy = ["proxy", "proxy_http"] if s["service"] else []
    include = ["include"] if s["ssi"] else []
    enable = ["headers", "rewrite", *include, *proxy, *(["ssl"] if s["tls"] else [])]
    named = ["mod_headers", "mod_rewrite", "mod_mime", *(f"mod_{m}" for m in include + proxy),
             *(["mod_ssl"] if s["tls"] else [])]
    modules = f"{', '.join(named[:-1])} und {named[-1]} (a2enmod {' '.join(enable)})"
    lines = [_header(source).rstrip("\n"), f"# Braucht {modules}.",
             f"<VirtualHost {s['host']}:{s['port']}>", f"    ServerName {s['name']}",
             f"    DocumentRoot {_quoted(s['root'])}"]
    if s["tls"]:
        lines += ["    SSLEngine on", f"    SSLCertificateFile {_quoted(s['tls'][0])}",
                  f"    SSLCertificateKeyFile {_quoted(s['tls'][1])}"]
    lines += ["    ServerSignature Off", f"    ErrorDocument 404 {s['prefix']}404.html",
              "    AddType application/wasm .wasm", "    DirectoryIndex index.html",
              f"    <Directory {_quoted(s['root'])}>",
              "        Options -Indexes" + (" +IncludesNOEXEC" if s["ssi"] else ""), "        AllowOverride None",
              "        Require all granted", "    </Directory>", "",
              f"    Header always set Content-Security-Policy {_quoted(s['site'])}",
              *(f"    Header always set {name} {_quoted(value)}" for name, value in s["headers"].items())]
    # [G] answers 410 while the page's marker (newsroom/site.py) is there, for the address with and
    # without index.html; the rule also notes the notice page's path, and ErrorDocument (an
    # expression, Apache 2.4.13 and later) fetches that page as the body by an internal redirect.
    # That redirect carries REDIRECT_STATUS, so the rule does not answer it with 410 again.
    marker = f"%{{DOCUMENT_ROOT}}{s['prefix']}{GONE_FOLDER}%{{REQUEST_URI}}"
    lines += ["", "    # Zurückgezogene Meldungen (gone: true): 410 mit der Hinweisseite als Inhalt, solange der",
              f"    # Build die Markierung unter {s['prefix']}{GONE_FOLDER}/ ausliefert.",
              "    RewriteEngine On", "    RewriteCond %{ENV:REDIRECT_STATUS} ^$",
              f"    RewriteCond {_quoted(marker)} -f [OR]", f"    RewriteCond {_quoted(marker + 'index.html')} -f",
              '    RewriteRule "^/(.*/)(index\\.html)?$" - [G,E=GONE_NOTICE:$1index.html]',
              '    ErrorDocument 410 "/%{reqenv:GONE_NOTICE}"',
              f"    RewriteRule {_quoted('^' + s['prefix'] + GONE_FOLDER + '/')} - [R=404]"]
    if s["ssi"]:
        # NS: the pages' include (a subrequest) passes; a visitor asking for the fragment gets 404.
        lines += ["", "    # Amtliche Warnungen: jede Seite bindet das Fragment per Server Side Include ein (ohne exec).",
                  "    AddOutputFilter INCLUDES .html",
                  f"    RewriteRule {_quoted('^' + s['prefix'] + PARTS_FOLDER + '/')} - [R=404,NS]"]
    lines += ["", "    # Der CAP-Feed der Krisenmeldung: die Dokumente als CAP, ihr Index als Atom.",
              f"    <LocationMatch {_quoted('^' + re.escape(s['prefix'] + CAP_FOLDER) + '[^/]+[.]xml$')}>",
              f"        ForceType {CAP_MIME}", "    </LocationMatch>",
              f"    <Location {_quoted(s['prefix'] + CAP_INDEX)}>", "        ForceType application/atom+xml",
              "    </Location>"]
    if s["admin"]:
        lines += ["", f"    <Location {_quoted(s['admin'])}>",
                  f"        Header always set Content-Security-Policy {_quoted(s['admin_policy'])}",
                  "    </Location>"]
    if s["service"]:
        # mod_proxy_http adds X-Forwarded-For itself. The server's `Header always set` would stand
        # beside the service's own headers, so they are taken back here; HSTS stays.
        target = _quoted(f"http://{s['upstream']}{s['service']}")
        lines += ["", "    # Der Abonnement-Dienst (SUBSCRIPTIONS_URL) mit seinen eigenen Sicherheits-Headern.",
                  f"    <Location {_quoted(s['service'])}>", f"        ProxyPass {target}",
                  f"        ProxyPassReverse {target}", "        ProxyPreserveHost On",
                  '        RequestHeader set X-Forwarded-Proto "expr=%{REQUEST_SCHEME}"',
                  *(f"        Header always unset {name}" for name in
                    ("Content-Security-Policy", *(n for n in s["headers"] if n != "Strict-Transport-Security"))),
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


def write_server_configs(settings: dict, folder: Path, source: str = "den Einstellungen") -> list[Path]:
    """The configurations into folder (each written whole or not at all); returns their paths."""
    texts = {"nginx.conf": nginx_config(settings, source), "apache.conf": apache_config(settings, source)}
    for name, policy in cloudfront_policies(settings, source).items():
        texts[name] = json.dumps(policy, ensure_ascii=False, indent=2) + "\n"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in texts.items():
        atomic_write(folder / name, text.encode("utf-8"))
        paths.append(folder / name)
    return paths
