from .admin import register  # noqa: F401
