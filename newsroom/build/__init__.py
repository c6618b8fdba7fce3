"""Build and state: the runner, the live site's state, cache, manifest and staged writer."""
