from newsroom.build.plugins import PluginSpec

from .crisis_cap import register  # noqa: F401

# It offers nothing to the other plugins and reads only the crisis the core loaded.
PLUGIN = PluginSpec()
