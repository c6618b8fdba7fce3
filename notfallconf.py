"""Production settings for a duty laptop while the git host is down (docs/krisenmodus.md): the
approvals and the record of sends are committed to the local branch, because no remote has this
name, and pushed by hand once the host is back."""

import os
import sys

sys.path.append(os.curdir)
from publishconf import *  # noqa: E402,F403

PUBLISH_REMOTE = "kein-git-server"
