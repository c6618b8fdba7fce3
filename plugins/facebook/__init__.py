from .facebook import register  # noqa: F401
