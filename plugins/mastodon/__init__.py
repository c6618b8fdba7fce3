from .mastodon import register  # noqa: F401
