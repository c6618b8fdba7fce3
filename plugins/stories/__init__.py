from .stories import register  # noqa: F401
