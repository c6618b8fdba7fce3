from .media_portal import register  # noqa: F401
