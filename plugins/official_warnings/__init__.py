from .official_warnings import register  # noqa: F401
