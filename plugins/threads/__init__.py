from .threads import register  # noqa: F401
