from .whatsapp import register  # noqa: F401
