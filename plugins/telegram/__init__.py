from .telegram import register  # noqa: F401
