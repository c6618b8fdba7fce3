"""Publishing: what is due, the record of sends in git, and the channel interface.

Channel adapters live in plugins (plugins/<channel>/) and import this package;
this package never imports a plugin. See pipeline.py for the order of events.
"""
