"""The newsroom's Pelican plugins, one subpackage each (plugins.stories, plugins.feeds, …).

PLUGINS in the settings names them by their dotted name; PLUGIN_PATHS holds the folder with
this package, so no plugin is importable by a bare top-level name.
"""
