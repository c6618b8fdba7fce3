from .linkedin import register  # noqa: F401
