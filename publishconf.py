"""Production settings: pelicanconf plus what the live site changes."""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: E402,F403

SITEURL = "https://www.duesseldorf.de"
# The subscription service behind the city's web server, on the site's origin: the page
# "Abonnieren" posts to it, and the site's form-action 'self' already allows that.
SUBSCRIPTIONS_URL = "https://www.duesseldorf.de/abo/"

# Only these settings may send, and only through `invoke publish`.
PUBLISH_SEND = True
APPROVAL_REQUIRE_SIGNED = True  # only approvals signed with the approver's own key count (docs/freigabe.md)

# Its own output folder: switching between preview and production builds must not turn
# every build into a full one (the build state is kept per output folder).
OUTPUT_PATH = "output-production"

# Editors sign in on the live site: ADMIN_BACKEND's app_id and base_url must be filled in.
ADMIN_LIVE = True
