"""Domain code of the Düsseldorf newsroom.

The story model, its reader and validation, git history, the staged site output
and the build runner. Plugins import this package; it never imports a plugin.
"""
