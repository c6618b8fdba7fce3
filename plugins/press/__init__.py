from .press import register  # noqa: F401
