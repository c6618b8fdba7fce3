from newsroom.build.plugins import PluginSpec

from .stories import register  # noqa: F401

# What it offers the other plugins and reads from them (newsroom/build/plugins.py).
PLUGIN = PluginSpec(provides={"sitemap", "press-numbers"})  # press-numbers: BuildContext.press
