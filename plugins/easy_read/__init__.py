from newsroom.build.plugins import PluginSpec

from .easy_read import register  # noqa: F401

PLUGIN = PluginSpec(provides={"sitemap"})
