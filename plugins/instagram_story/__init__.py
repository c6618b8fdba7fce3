from .instagram_story import register  # noqa: F401
