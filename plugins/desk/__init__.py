from newsroom.build.plugins import PluginSpec

from .desk import register  # noqa: F401

# What it reads from the other plugins (newsroom/build/plugins.py).
PLUGIN = PluginSpec(reads={"calendar"})
