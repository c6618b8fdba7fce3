from .bluesky import register  # noqa: F401
