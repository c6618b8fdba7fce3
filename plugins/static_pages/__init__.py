from .static_pages import register  # noqa: F401
