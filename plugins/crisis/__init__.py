from newsroom.build.plugins import PluginSpec

from .crisis import register  # noqa: F401

# What it offers the other plugins and reads from them (newsroom/build/plugins.py): nothing; the
# banner goes to the core's crisis region (BuildContext.offer_region_part).
PLUGIN = PluginSpec()
