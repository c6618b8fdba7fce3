"""A page made in memory, served by http.server's handlers as if it were a file."""

from __future__ import annotations


class Body:
    """What send_head returns: do_GET copies it to the client, do_HEAD closes it."""

    def __init__(self, data: bytes):
        self.data = data

    def read(self, *_args) -> bytes:
        data, self.data = self.data, b""
        return data

    def close(self) -> None:
        pass
