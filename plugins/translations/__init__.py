from newsroom.build.plugins import PluginSpec

from .translations import register  # noqa: F401

# What it offers the other plugins and reads from them (newsroom/build/plugins.py).
PLUGIN = PluginSpec(provides={"sitemap", "sendables"})
