"""`invoke deploy`: ship a successfully built site to its target, changed files only.

A target is chosen by its address (`DEPLOY_TARGET` or `NEWSROOM_DEPLOY_TARGET`):

- a folder: `/srv/www/newsroom` or `file:///srv/www/newsroom` (directory.py)
- rsync: `rsync:user@host:/srv/www/newsroom` or `rsync:/mnt/share/site` (rsync.py)
- S3-compatible object storage: `s3://bucket/optional/prefix` (s3.py)

Every target uploads new and changed files (assets before the pages that use them) and
then deletes what the site no longer has.
"""

from newsroom.deploy.address import open_target, target_address
from newsroom.deploy.target import DeployReport, deploy, digest_cache

__all__ = ["DeployReport", "deploy", "open_target", "digest_cache", "target_address"]
