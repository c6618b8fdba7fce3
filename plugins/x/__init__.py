from .x import register  # noqa: F401
