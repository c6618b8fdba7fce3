from newsroom.build.plugins import PluginSpec

from .desk import register  # noqa: F401

# It offers nothing to the other plugins and reads nothing from them (newsroom/build/plugins.py).
PLUGIN = PluginSpec()
