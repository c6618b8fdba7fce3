from .template_filters import register  # noqa: F401
