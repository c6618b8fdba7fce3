"""Production settings: pelicanconf plus what the live site changes."""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: E402,F403

SITEURL = "https://www.duesseldorf.de"

# Only these settings may send, and only through `invoke publish`.
PUBLISH_SEND = True
