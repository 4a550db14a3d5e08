"""The plugin registry: entry points of the group ``star_kit``, loaded through pluggy.

First-party plugins (``plugins/*``) register exactly like third-party packages: an entry point in the ``star_kit``
group that names a module of hook implementations. ``STARKIT_LOAD_PLUGINS`` (comma list of entry-point names; empty
means none) limits which entry points load. A plugin whose module fails to import is recorded with its error and
reported by ``starkit plugins``; it breaks nothing unless one of its components is requested.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import os
import traceback
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy

from star_kit import hookspecs
from star_kit.errors import StarKitError

ENTRY_POINT_GROUP = "star_kit"
KINDS = ("encoder", "bridge", "generator", "vocoder", "corpus", "voice", "metric")
_HOOKS = {
    "encoder": "register_encoders",
    "bridge": "register_bridges",
    "generator": "register_generators",
    "vocoder": "register_vocoders",
    "corpus": "register_corpora",
    "voice": "register_voices",
    "metric": "register_metrics",
}


@dataclass(frozen=True)
class Recipe:
    """A training procedure: ``target`` is ``"module:function"`` called as ``fn(cfg, run_dir, resume=...)``, plus
    ``init_from=...`` when the function has that parameter (``star_kit.runs``).

    ``configs`` maps config names to YAML files shipped with the plugin.
    """

    name: str
    target: str
    configs: dict[str, Path] = field(default_factory=dict)
    description: str = ""
    plugin: str = ""


@dataclass(frozen=True)
class ComponentEntry:
    """One registered component, known by name before its module is imported."""

    kind: str
    name: str
    target: str
    plugin: str
    version: str

    def load(self) -> type:
        """Imports and returns the class; a failure names the component and the plugin at fault."""
        module_name, _, attr = self.target.partition(":")
        try:
            obj: Any = importlib.import_module(module_name)
            for part in attr.split("."):
                obj = getattr(obj, part)
        except Exception as exc:  # noqa: BLE001 - any import failure is reported the same way
            raise StarKitError(
                f"{self.kind} '{self.name}' (plugin {self.plugin}) failed to load {self.target}: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        return obj

    def defaults(self) -> dict[str, Any]:
        """Constructor arguments with their defaults; required ones are ``"???"`` (OmegaConf's missing value)."""
        return {
            name: ("???" if p.default is inspect.Parameter.empty else p.default)
            for name, p in constructor_parameters(self.load()).items()
        }


@dataclass
class PluginInfo:
    name: str
    version: str
    module: str
    hooks: list[str] = field(default_factory=list)
    error: str | None = None


def constructor_parameters(cls: type) -> dict[str, inspect.Parameter]:
    """The keyword parameters of ``cls.__init__`` (no ``self``, no ``*args``/``**kwargs``)."""
    params = inspect.signature(cls.__init__).parameters
    return {
        n: p
        for n, p in params.items()
        if n != "self" and p.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    }


def closest(word: str, choices: list[str] | set[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest choice, or an empty string."""
    match = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.5)
    return f" (did you mean '{match[0]}'?)" if match else ""


class Registry:
    """Plugins and the components, voices, metrics and recipes they register.

    Args:
        load_entrypoints: load installed plugins of the ``star_kit`` entry-point group (tests pass False and add
            their own plugin objects).
        plugins: extra ``(name, module_or_object)`` pairs registered in-process.
    """

    def __init__(self, load_entrypoints: bool = True, plugins: tuple[tuple[str, object], ...] = ()) -> None:
        self.pm = pluggy.PluginManager(ENTRY_POINT_GROUP)
        self.pm.add_hookspecs(hookspecs)
        self.plugins: dict[str, PluginInfo] = {}
        if load_entrypoints:
            self._load_entrypoints()
        for name, plugin in plugins:
            self.register(name, plugin)

    def _load_entrypoints(self) -> None:
        wanted = os.environ.get("STARKIT_LOAD_PLUGINS")
        allowed = None if wanted is None else {w.strip() for w in wanted.split(",") if w.strip()}
        for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
            if (allowed is not None and ep.name not in allowed) or ep.name in self.plugins:
                continue
            version = ep.dist.version if ep.dist else "unknown"
            try:
                module = ep.load()
            except Exception as exc:  # noqa: BLE001 - a broken plugin must not break the CLI
                last = traceback.extract_tb(exc.__traceback__)[-1]
                self.plugins[ep.name] = PluginInfo(
                    ep.name, version, ep.value, error=f"{type(exc).__name__}: {exc} ({last.filename}:{last.lineno})"
                )
                continue
            self.register(ep.name, module, version=version)

    def register(self, name: str, plugin: object, version: str = "0") -> None:
        """Registers a plugin object or module of hook implementations under ``name``."""
        self.pm.register(plugin, name=name)
        module = plugin.__name__ if isinstance(plugin, ModuleType) else type(plugin).__module__
        hooks = sorted(h.name for h in self.pm.get_hookcallers(plugin) or [])
        self.plugins[name] = PluginInfo(name, version, module, hooks)
        self._tables.cache_clear()

    def _per_plugin(self, hook_name: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Calls one hook on each plugin separately, keeping track of which plugin answered what."""
        results = []
        for impl in getattr(self.pm.hook, hook_name).get_hookimpls():
            args = {k: v for k, v in kwargs.items() if k in impl.argnames}
            result = impl.function(**args)
            if result is not None:
                results.append((impl.plugin_name, result))
        return results

    @cache  # noqa: B019 - one registry lives for the process; cleared on register()
    def _tables(self) -> dict[str, dict[str, ComponentEntry]]:
        tables: dict[str, dict[str, ComponentEntry]] = {}
        for kind, hook in _HOOKS.items():
            table: dict[str, ComponentEntry] = {}
            for plugin, entries in self._per_plugin(hook):
                for name, target in entries.items():
                    if name in table:
                        raise StarKitError(
                            f"{kind} '{name}' is registered twice: by plugin '{table[name].plugin}' and by plugin "
                            f"'{plugin}'; uninstall one or restrict plugins with STARKIT_LOAD_PLUGINS"
                        )
                    table[name] = ComponentEntry(kind, name, target, plugin, self.plugins[plugin].version)
            tables[kind] = table
        return tables

    def components(self, kind: str) -> dict[str, ComponentEntry]:
        """All registered components of one kind, by name."""
        if kind not in KINDS:
            raise StarKitError(f"unknown component kind '{kind}'{closest(kind, KINDS)}; kinds: {', '.join(KINDS)}")
        return dict(sorted(self._tables()[kind].items()))

    def get(self, kind: str, name: str) -> ComponentEntry:
        """Looks up one component; an unknown name lists the registered ones (and broken plugins)."""
        table = self.components(kind)
        if name in table:
            return table[name]
        broken = [f"{p.name} ({p.error})" for p in self.plugins.values() if p.error]
        hint = f"; plugins that failed to load: {'; '.join(broken)}" if broken else ""
        plural = "corpora" if kind == "corpus" else f"{kind}s"
        raise StarKitError(
            f"unknown {kind} '{name}'{closest(name, set(table))}; registered {plural}: "
            f"{', '.join(table) or 'none'}{hint}"
        )

    def load(self, kind: str, name: str) -> type:
        return self.get(kind, name).load()

    def recipes(self) -> dict[str, Recipe]:
        out: dict[str, Recipe] = {}
        for plugin, recipes in self._per_plugin("register_recipes"):
            for r in recipes:
                if r.name in out:
                    raise StarKitError(
                        f"recipe '{r.name}' is registered twice: by plugin '{out[r.name].plugin}' and by '{plugin}'"
                    )
                out[r.name] = Recipe(r.name, r.target, dict(r.configs), r.description, plugin)
        return dict(sorted(out.items()))

    def recipe(self, name: str) -> Recipe:
        recipes = self.recipes()
        if name not in recipes:
            raise StarKitError(f"unknown recipe '{name}'{closest(name, set(recipes))}; recipes: {', '.join(recipes)}")
        return recipes[name]

    def find_config(self, name_or_path: str) -> tuple[Recipe | None, Path]:
        """A shipped config by name (``star-tiny``) or a YAML path; returns its recipe when shipped."""
        path = Path(name_or_path)
        if path.suffix in (".yaml", ".yml") and path.exists():
            return None, path
        found = {c: (r, p) for r in self.recipes().values() for c, p in r.configs.items()}
        if name_or_path in found:
            return found[name_or_path]
        if path.suffix in (".yaml", ".yml"):
            raise StarKitError(f"config file {path} does not exist")
        raise StarKitError(
            f"unknown config '{name_or_path}'{closest(name_or_path, set(found))}; shipped configs: "
            f"{', '.join(sorted(found))} (or give a path to a .yaml file)"
        )

    def default_voice(self) -> str:
        """The voice for a request that names none (``starkit generate --say``, the web page): the registered voice
        with the highest sample rate (a class attribute: nothing is built), the first by name among equals; voices
        whose class fails to load are passed over. With the corpus plugin: its 24 kHz neural voice. ``""`` when no
        voice is registered."""
        names, rates = list(self.components("voice")), {}
        for name in names:
            try:
                rates[name] = int(getattr(self.load("voice", name), "sample_rate", 0))
            except StarKitError:  # a broken voice plugin is reported when the voice is asked for, not here
                continue
        return min(rates, key=lambda name: (-rates[name], name), default=names[0] if names else "")

    def add_commands(self, cli: Any) -> None:
        self._per_plugin("register_commands", cli=cli)


@cache
def get_registry() -> Registry:
    """The process-wide registry of installed plugins (loaded once, on first use)."""
    return Registry()
