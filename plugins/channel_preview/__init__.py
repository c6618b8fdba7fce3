from .channel_preview import register  # noqa: F401
