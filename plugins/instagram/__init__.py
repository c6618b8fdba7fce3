from .instagram import register  # noqa: F401
