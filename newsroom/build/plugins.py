"""What each plugin offers the others and what it reads from them; the order of the build follows.

A plugin package declares `PLUGIN = PluginSpec(...)` beside its `register()`:

- `provides`: what it offers through the BuildContext ("sitemap", "feeds", "media-pages", "sendables"),
- `reads`: what it takes from others; it runs after every loaded plugin that provides it,
- `requires`: like `reads`, and some loaded plugin must provide it, else the build stops at start.

The order of PLUGINS in the settings then no longer matters (it only breaks ties), and a cycle or
a missing provider is a German error before anything is read, not a silently wrong page.
"""

from __future__ import annotations

from dataclasses import dataclass

from newsroom.errors import ConfigurationError


@dataclass(frozen=True)
class PluginSpec:
    provides: frozenset[str] = frozenset()
    reads: frozenset[str] = frozenset()
    requires: frozenset[str] = frozenset()

    def __init__(self, provides=(), reads=(), requires=()):
        object.__setattr__(self, "provides", frozenset(provides))
        object.__setattr__(self, "reads", frozenset(reads) | frozenset(requires))
        object.__setattr__(self, "requires", frozenset(requires))


NONE = PluginSpec()


def plugin_order(specs: dict[str, PluginSpec]) -> list[str]:
    """The plugins' names in build order: providers before readers, else in the given order."""
    names = list(specs)
    providers = {name: {other for other in names if other != name and specs[other].provides & specs[name].reads}
                 for name in names}
    problems = [f"Plugin „{name}“ braucht „{need}“, aber kein geladenes Plugin liefert es (PLUGINS prüfen)."
                for name in names for need in sorted(specs[name].requires)
                if not any(need in specs[other].provides for other in names if other != name)]
    order: list[str] = []
    placed: set[str] = set()
    while len(order) < len(names):
        ready = [name for name in names if name not in placed and providers[name] <= placed]
        if not ready:
            waiting = [name for name in names if name not in placed]
            problems.append("Plugins warten im Kreis aufeinander: " + ", ".join(
                f"{name} liest {', '.join(sorted(specs[name].reads))}" for name in waiting) + ".")
            break
        order.append(ready[0])
        placed.add(ready[0])
    if problems:
        raise ConfigurationError("\n".join(problems))
    return order
