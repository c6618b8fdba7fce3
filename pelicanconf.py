"""Development settings: the embedded default that builds and previews, never sends.

Every setting, its type, default and meaning: docs/settings.md (made from newsroom/settings.py,
where the defaults live). This file sets what a city's operator fills in first; anything else
set here overrides the default, and every build checks all settings at once.
"""

SITENAME = "Düsseldorf – Nachrichten der Landeshauptstadt"
SITE_SHORTNAME = "Landeshauptstadt Düsseldorf"
# Absolute base for canonical URLs, OpenGraph, sitemap and feeds.
SITEURL = "http://localhost:8000"

# The folder holding the plugins package (relative to this file); every plugin is plugins.<name>.
PLUGIN_PATHS = ["."]

# These settings never send: only publishconf.py allows it, and only `invoke publish` does it.
PUBLISH_SEND = False

# How editors sign in on the live site: GitLab with PKCE needs no server of its own. Replace
# repo/app_id/base_url with the city's GitLab project and OAuth application.
ADMIN_BACKEND = {
    "name": "gitlab",
    "repo": "amt-fuer-kommunikation/newsroom",
    "branch": "main",
    "auth_type": "pkce",
    "app_id": None,  # the OAuth application id of the GitLab instance (not secret)
    "base_url": "https://gitlab.duesseldorf.de",
    "api_root": "https://gitlab.duesseldorf.de/api/v4",
}
