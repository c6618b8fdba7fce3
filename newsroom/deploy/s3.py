"""S3-compatible object storage as target (AWS S3, MinIO, Ceph, Hetzner, IONOS …), with a CDN in front.

Compared by ETag, which for a single-part upload is the file's MD5: the bucket itself says
what is there, so a lost local cache or a deploy from another machine never skips a file.
Every object gets its content type and the cache rule of `DEPLOY_CACHE_CONTROL`. A bucket has no
atomic switch: assets go up first, then new pages, then changed ones, deletions last, and a final
listing proves every file arrived. As with folders, a prefix that holds objects but no marker
object (`.newsroom-deploy`) is refused: a deploy never deletes what it did not write.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping

from newsroom.deploy.files import SiteFile, cache_control
from newsroom.deploy.releases import MARKER, verify
from newsroom.deploy.target import Target
from newsroom.errors import DeployError
from newsroom.secrets import Credentials, redact

DELETE_BATCH = 1000  # the most DeleteObjects takes at once
BUCKET_MARKER_TEXT = "Dieses Präfix gehört zu „invoke deploy“ (Newsroom Düsseldorf).\n"


class S3Target(Target):
    def __init__(self, address: str, settings: Mapping, environ: Mapping[str, str]):
        bucket, _, prefix = address[len("s3://"):].partition("/")
        if not bucket:
            raise DeployError(f"„{address}“ nennt keinen Bucket. Beispiel: s3://newsroom-live/")
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.rules = [tuple(rule) for rule in settings["DEPLOY_CACHE_CONTROL"]]
        credentials = Credentials("deploy", environ)
        key_id = credentials.get("s3_access_key_id")
        secret = credentials.get("s3_secret_access_key")
        if not key_id or not secret:
            raise DeployError("Für s3:// fehlen Zugangsdaten: NEWSROOM_DEPLOY_S3_ACCESS_KEY_ID und "
                              "NEWSROOM_DEPLOY_S3_SECRET_ACCESS_KEY setzen.")
        import boto3
        from botocore.config import Config

        self.client = boto3.session.Session().client(
            "s3",
            endpoint_url=credentials.get("s3_endpoint_url", secret=False) or None,
            region_name=credentials.get("s3_region", secret=False) or "us-east-1",
            aws_access_key_id=key_id,
            aws_secret_access_key=secret,
            config=Config(retries={"max_attempts": 5, "mode": "standard"},
                          s3={"addressing_style": credentials.get("s3_addressing_style", secret=False) or "auto"}),
        )

    def describe(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def _call(self, what: str, method, **kwargs):
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return method(**kwargs)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            raise DeployError(f"S3 {what} bei {self.describe()} abgelehnt: {error.get('Code')} "
                              f"{redact(error.get('Message', ''))}") from None
        except BotoCoreError as exc:
            raise DeployError(f"S3 {what} bei {self.describe()} fehlgeschlagen: {redact(exc)}") from None

    def _keys(self, prefix: str, most: int) -> list[str]:
        page = self._call("Auflisten", self.client.list_objects_v2, Bucket=self.bucket, Prefix=prefix, MaxKeys=most)
        return [item["Key"] for item in page.get("Contents", [])]

    def claim(self) -> None:
        if self._keys(self.prefix + MARKER, 1):
            return
        strangers = [key[len(self.prefix):] for key in self._keys(self.prefix, 4)]
        if strangers:
            shown = ", ".join(strangers[:3]) + (" und weitere" if len(strangers) > 3 else "")
            raise DeployError(f"Das Ziel {self.describe()} ist nicht leer ({shown}) und trägt kein Markierungsobjekt "
                              f"{MARKER} einer früheren Auslieferung. Nichts wurde verändert. Bitte einen leeren "
                              f"Bucket oder ein leeres Präfix wählen; stammen die Objekte von einer früheren "
                              f"Auslieferung, das Objekt {self.prefix}{MARKER} von Hand anlegen.")
        # The marker first: a deploy killed after it leaves the prefix ours.
        self._call(f"Hochladen von {MARKER}", self.client.put_object, Bucket=self.bucket, Key=self.prefix + MARKER,
                   Body=BUCKET_MARKER_TEXT.encode(), ContentType="text/plain; charset=utf-8")

    def remote_state(self) -> dict[str, object]:
        state: dict[str, object] = {}
        token = None
        while True:
            kwargs = {"Bucket": self.bucket, "Prefix": self.prefix}
            if token:
                kwargs["ContinuationToken"] = token
            page = self._call("Auflisten", self.client.list_objects_v2, **kwargs)
            for item in page.get("Contents", []):
                path = item["Key"][len(self.prefix):]
                if path and path != MARKER:
                    state[path] = item["ETag"].strip('"')
            if not page.get("IsTruncated"):
                return state
            token = page["NextContinuationToken"]

    def upload(self, local: SiteFile) -> None:
        extra = {"ContentType": local.content_type}
        rule = cache_control(local.path, self.rules)
        if rule:
            extra["CacheControl"] = rule
        md5 = base64.b64encode(bytes.fromhex(local.md5)).decode()
        with open(local.source, "rb") as body:
            self._call(f"Hochladen von {local.path}", self.client.put_object, Bucket=self.bucket,
                       Key=self.prefix + local.path, Body=body, ContentMD5=md5, **extra)

    def delete(self, paths: list[str]) -> None:
        for start in range(0, len(paths), DELETE_BATCH):
            batch = paths[start:start + DELETE_BATCH]
            answer = self._call("Löschen", self.client.delete_objects, Bucket=self.bucket,
                                Delete={"Objects": [{"Key": self.prefix + p} for p in batch], "Quiet": True})
            if answer.get("Errors"):
                first = answer["Errors"][0]
                raise DeployError(f"S3 Löschen bei {self.describe()}: {len(answer['Errors'])} Objekte nicht gelöscht, "
                                  f"z. B. {first.get('Key')}: {first.get('Code')}")

    def commit(self, local: dict[str, SiteFile]) -> None:
        """The bucket lists every file with its content's ETag, or the deploy failed."""
        verify(self.describe(), self.remote_state(), {path: f.md5 for path, f in local.items()},
               "Der nächste Lauf lädt das Fehlende hoch.")
