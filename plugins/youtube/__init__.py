from .youtube import register  # noqa: F401
