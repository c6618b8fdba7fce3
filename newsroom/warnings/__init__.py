"""The official warnings of the federal warning system (NINA) for the city.

`invoke warnings` asks the NINA API for the dashboard of the regional key NINA_ARS and each
warning's details (nina.py), turns them into clean `Warning`s (model.py, parse.py) and records
them with their time in WARNINGS_STATE (state.py, fetch.py). The build shows what is recorded
(view.py): never the network, so an incremental build equals a cold one for the same state.
"""
