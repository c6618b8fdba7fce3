from newsroom.build.plugins import PluginSpec

from .press_room import register  # noqa: F401

# What it offers the other plugins and reads from them (newsroom/build/plugins.py): the press
# numbers the stories plugin reads from the record of sends.
PLUGIN = PluginSpec(provides={"sitemap"}, requires={"press-numbers"})
