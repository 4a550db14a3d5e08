"""Recipe configs: OmegaConf YAML whose components are named by registry name, never by import path.

A component node is a mapping with ``_component_: NAME``; its kind comes from its key (``encoder``, ``bridge``, ...;
a key ending in ``_<kind>``, such as ``text_encoder``, also works). Its other keys are the component's constructor
arguments, checked against the constructor's signature. Dimensions that connect components are wired by the recipe
at build time (:data:`WIRED`), never written in YAML.

Command-line override grammar::

    a.b=v          set an existing key (or a constructor argument of a component node)
    +a.b=v         add a key that does not exist yet
    ~a.b           delete a key
    encoder=wavlm  swap a whole component node for that component's registered defaults (an unset node whose key
                   names a kind, such as ``stage1.text_encoder: null``, is filled the same way)
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import yaml
from omegaconf import DictConfig, ListConfig, OmegaConf
from omegaconf.errors import ConfigKeyError, OmegaConfBaseException

from star_kit.errors import ArgumentError, StarKitError
from star_kit.registry import KINDS, Registry, closest, constructor_parameters

COMPONENT = "_component_"
#: Constructor arguments a recipe fills from the connected component: kind -> {argument: what feeds it}.
WIRED: dict[str, dict[str, str]] = {
    "bridge": {"in_dim": "encoder.dim"},
    "generator": {"latent_dim": "vocoder.latent_dim", "cond_dim": "bridge.out_dim"},
}


def load_yaml(path: str | Path) -> DictConfig:
    """Loads a YAML config; a syntax error names the file and line."""
    path = Path(path)
    if not path.exists():
        raise StarKitError(f"config file {path} does not exist")
    try:
        cfg = OmegaConf.load(path)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise StarKitError(f"{where}: YAML syntax error: {problem}") from exc
    if not isinstance(cfg, DictConfig):
        raise StarKitError(f"{path}: a config must be a mapping at the top level")
    return cfg


BASE = "_base_"


def load_config(path: str | Path, find: Any) -> DictConfig:
    """Loads a YAML config and the chain of configs it extends (``_base_: NAME_OR_PATH``).

    The child's keys are merged over its base; a component node whose ``_component_`` differs from the base's is
    replaced whole, so a variant never inherits the arguments of the component it swapped out.

    Args:
        find: ``find(name_or_path) -> Path`` resolving a base (shipped config name, or a path relative to the child).
    """
    cfg = load_yaml(path)
    if BASE not in cfg:
        return cfg
    base_name = str(cfg.pop(BASE))
    relative = Path(path).parent / base_name
    base = load_config(
        relative if relative.suffix in (".yaml", ".yml") and relative.exists() else find(base_name), find
    )
    for key, node in component_nodes(cfg).items():
        old = OmegaConf.select(base, key)
        if isinstance(old, DictConfig) and old.get(COMPONENT) != node[COMPONENT]:
            OmegaConf.update(base, key, node, merge=False)
    merged = OmegaConf.merge(base, cfg)
    assert isinstance(merged, DictConfig)
    return merged


def kind_of(key: str) -> str | None:
    """The component kind a config key names: ``encoder`` -> encoder, ``text_encoder`` -> encoder."""
    for kind in KINDS:
        if key == kind or key.endswith(f"_{kind}"):
            return kind
    return None


def component_nodes(cfg: DictConfig, prefix: str = "") -> dict[str, DictConfig]:
    """Every component node by dotted path (searched recursively)."""
    found: dict[str, DictConfig] = {}
    for key in cfg:
        node = cfg._get_node(key)
        path = f"{prefix}{key}"
        if isinstance(node, DictConfig) and not node._is_missing() and not node._is_none():
            if COMPONENT in node:
                found[path] = node
            else:
                found.update(component_nodes(node, f"{path}."))
    return found


def _all_keys(cfg: DictConfig | ListConfig, prefix: str = "") -> list[str]:
    keys = []
    items = cfg.items_ex(resolve=False) if isinstance(cfg, DictConfig) else []
    for k, v in items:
        path = f"{prefix}{k}"
        keys.append(path)
        if isinstance(v, DictConfig):
            keys.extend(_all_keys(v, f"{path}."))
    return keys


def _parse_value(text: str) -> Any:
    """A command-line value parsed like YAML (OmegaConf's rules: ``1e-4`` is a float, ``null`` is None)."""
    return OmegaConf.to_container(OmegaConf.from_dotlist([f"v={text}"]))["v"]


def _component_defaults(registry: Registry, kind: str, name: str) -> dict[str, Any]:
    wired = WIRED.get(kind, {})
    defaults = {k: v for k, v in registry.get(kind, name).defaults().items() if k not in wired}
    return {COMPONENT: name, **defaults}


def _component_params(registry: Registry, node_path: str, node: DictConfig) -> set[str]:
    kind = kind_of(node_path.rsplit(".", 1)[-1])
    if kind is None:
        return set()
    return set(constructor_parameters(registry.load(kind, str(node[COMPONENT]))))


def apply_overrides(cfg: DictConfig, overrides: list[str] | tuple[str, ...], registry: Registry) -> DictConfig:
    """Applies command-line overrides (grammar in the module docstring) to a copy of ``cfg``."""
    cfg = cfg.copy()
    for text in overrides:
        if text.startswith("~"):
            key = text[1:]
            parent_key, _, leaf = key.rpartition(".")
            parent = OmegaConf.select(cfg, parent_key) if parent_key else cfg
            if not isinstance(parent, DictConfig) or leaf not in parent:
                raise StarKitError(f"cannot delete '{key}': no such key{closest(key, _all_keys(cfg))}")
            del parent[leaf]
            continue
        if "=" not in text:
            raise StarKitError(f"override '{text}' is not of the form key=value, +key=value or ~key")
        key, _, raw = text.partition("=")
        add = key.startswith("+")
        key = key.lstrip("+")
        value = _parse_value(raw)
        exists = OmegaConf.select(cfg, key, default="__absent__", throw_on_missing=False) != "__absent__"
        current = OmegaConf.select(cfg, key) if exists else None
        if add and exists:
            raise StarKitError(f"cannot add '{key}': it exists already; use {key}={raw} to change it")
        kind = kind_of(key.rsplit(".", 1)[-1])
        is_node = isinstance(current, DictConfig) and COMPONENT in current
        if not add and isinstance(value, str) and (is_node or (exists and current is None and kind is not None)):
            if kind is None:
                raise StarKitError(f"cannot swap '{key}': its key names no component kind ({', '.join(KINDS)})")
            OmegaConf.update(cfg, key, _component_defaults(registry, kind, value), merge=False)
            continue
        if not add and not exists:
            parent_key, _, leaf = key.rpartition(".")
            parent = OmegaConf.select(cfg, parent_key) if parent_key else None
            is_param = (
                isinstance(parent, DictConfig)
                and COMPONENT in parent
                and leaf in _component_params(registry, parent_key, parent)
            )
            if not is_param:
                raise StarKitError(
                    f"unknown config key '{key}'{closest(key, _all_keys(cfg))}; use +{key}={raw} to add a new key"
                )
        try:
            OmegaConf.update(cfg, key, value, merge=False, force_add=True)
        except OmegaConfBaseException as exc:  # a typed key: "Value 'abc' of type 'str' could not be converted ..."
            raise StarKitError(f"config key '{key}': {str(exc).splitlines()[0]}") from exc
    return cfg


def check_missing(cfg: DictConfig) -> None:
    """Fails on the first required value (``???``) left unset, naming its key."""
    missing = sorted(OmegaConf.missing_keys(cfg))
    if missing:
        raise StarKitError(f"missing required value for '{missing[0]}' (set it in the config or as {missing[0]}=...)")


def check_schema(cfg: DictConfig, schema: type | None) -> DictConfig:
    """Merges ``cfg`` into a recipe's dataclass schema: unknown keys and wrong types name the key."""
    if schema is None:
        return cfg
    base = OmegaConf.structured(schema)
    known = _all_keys(base)
    try:
        merged = OmegaConf.merge(base, cfg)
    except ConfigKeyError as exc:
        key = exc.full_key or str(exc.key)
        raise StarKitError(f"unknown config key '{key}'{closest(key, known)}") from exc
    except OmegaConfBaseException as exc:
        raise StarKitError(f"config key '{exc.full_key}': {str(exc).splitlines()[0]}") from exc
    assert isinstance(merged, DictConfig)
    return merged


def bind_component(
    registry: Registry, path: str, node: DictConfig | dict, **wired: tuple[str, int | None]
) -> tuple[type, dict[str, Any]]:
    """Resolves a component node to ``(class, kwargs)`` without building anything.

    Args:
        path: the node's dotted path (its last key names the kind).
        node: the component node (``_component_`` plus constructor arguments).
        wired: ``argument=(source description, value)`` filled by the recipe, e.g. ``in_dim=("encoder 'whisper'
            dim", 384)``. A YAML value for a wired argument must agree with it.

    Raises:
        StarKitError: unknown component, unknown argument (closest suggested), a wired size mismatch (both
            components and both sizes named), or a constructor binding failure.
    """
    node = OmegaConf.to_container(node, resolve=True) if isinstance(node, DictConfig) else dict(node)
    kind = kind_of(path.rsplit(".", 1)[-1])
    if kind is None:
        raise StarKitError(f"config key '{path}' names no component kind ({', '.join(KINDS)})")
    if COMPONENT not in node:
        raise StarKitError(f"'{path}' needs a '{COMPONENT}' naming a registered {kind}")
    name = str(node.pop(COMPONENT))
    cls = registry.load(kind, name)
    params = constructor_parameters(cls)
    for key in node:
        if key not in params:
            raise StarKitError(
                f"unknown key '{path}.{key}' for {kind} '{name}'{closest(key, set(params))}; "
                f"arguments: {', '.join(params)}"
            )
    for arg, (source, value) in wired.items():
        if value is None:  # validation without building: the size is known only once upstream is built
            node.setdefault(arg, 0)
            continue
        if arg in node and node[arg] != value:
            raise StarKitError(
                f"dimension mismatch: {kind} '{name}' {arg}={node[arg]} but {source}={value}; "
                f"remove '{path}.{arg}' (the recipe wires it) or change the upstream component"
            )
        if arg in params:
            node[arg] = value
    try:
        inspect.signature(cls).bind(**node)
    except TypeError as exc:
        raise StarKitError(f"{kind} '{name}' at '{path}': {exc}") from exc
    return cls, node


def instantiate(registry: Registry, path: str, node: DictConfig | dict, **wired: tuple[str, int | None]) -> Any:
    """Builds a component node (see :func:`bind_component`); constructor errors name the component."""
    cls, kwargs = bind_component(registry, path, node, **wired)
    try:
        return cls(**kwargs)
    except ArgumentError as exc:
        raise StarKitError(f"{path}.{exc}") from exc
    except StarKitError:
        raise
    except (TypeError, ValueError) as exc:
        raise StarKitError(f"building {path} ({cls.__name__}) failed: {exc}") from exc
