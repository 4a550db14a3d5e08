"""Resolving a recipe config (file + overrides), validating it without building anything, and starting a run."""

from __future__ import annotations

import importlib
import inspect
import json
import os
import shutil
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from star_kit.config import (
    COMPONENT,
    WIRED,
    apply_overrides,
    bind_component,
    check_missing,
    check_schema,
    component_nodes,
    instantiate,
    kind_of,
    load_config,
)
from star_kit.errors import StarKitError
from star_kit.export import COMPONENTS, CONFIG
from star_kit.files import write_text_atomic
from star_kit.registry import Recipe, Registry


def recipe_of(path: Path) -> str | None:
    """The recipe a YAML file declares on its first line (``# recipe: NAME``)."""
    first = path.read_text().split("\n", 1)[0]
    return first.removeprefix("# recipe:").strip() if first.startswith("# recipe:") else None


def resolve(
    registry: Registry, config: str, overrides: tuple[str, ...] = (), recipe_name: str | None = None
) -> tuple[Recipe, DictConfig, str]:
    """Loads a shipped config (by name) or a YAML file, applies overrides and checks the recipe's schema.

    Returns:
        ``(recipe, cfg, config_name)``.
    """
    shipped, path = registry.find_config(config)
    name = recipe_name or (shipped.name if shipped else recipe_of(path))
    if name is None:
        raise StarKitError(f"{path}: cannot tell its recipe; start the file with '# recipe: NAME' or name the recipe")
    recipe = registry.recipe(name)
    schema = getattr(recipe_module(recipe), "Config", None)
    # The schema's defaults first (so overrides can set keys the YAML leaves out), then overrides, then the schema
    # again (types and unknown keys the overrides brought in).
    cfg = check_schema(load_config(path, lambda n: registry.find_config(n)[1]), schema)
    OmegaConf.set_struct(cfg, False)
    cfg = check_schema(apply_overrides(cfg, overrides, registry), schema)
    return recipe, cfg, path.stem


def recipe_module(recipe: Recipe) -> Any:
    return importlib.import_module(recipe.target.partition(":")[0])


def split_target(registry: Registry, target: str, config: str | None) -> tuple[str, str | None]:
    """The two spellings of ``recipe run`` and ``recipe validate``: ``CONFIG`` (its recipe named by the config) or
    ``RECIPE --config CONFIG``. Returns ``(config, recipe_name or None)``."""
    if config is not None:
        return config, target
    recipes = registry.recipes()
    if target in recipes:
        shipped = ", ".join(recipes[target].configs) or "none"
        raise StarKitError(
            f"recipe '{target}' needs a config: add --config NAME_OR_YAML (its shipped configs: {shipped}), "
            "or name the config alone"
        )
    return target, None


#: The size given to every argument a recipe wires (``in_dim`` from the encoder, ``latent_dim`` from the vocoder,
#: ``cond_dim`` from the bridge) when validation builds a component alone; the real run checks the real sizes.
STAND_IN_SIZE = 256


def build_on_meta(
    registry: Registry, cfg: DictConfig, kinds: tuple[str, ...] = ("generator", "bridge")
) -> dict[str, Any]:
    """Builds the top-level component nodes of ``kinds`` (by default the ones a recipe trains and wires, the
    generator's lighter imports first) on the meta device: every constructor check runs, with no memory, weights or
    data. Wired sizes are the node's own value or :data:`STAND_IN_SIZE`. Returns the built modules by config key.
    """
    import torch

    built: dict[str, Any] = {}
    for kind in kinds:
        node = cfg.get(kind)
        if not isinstance(node, DictConfig) or COMPONENT not in node:
            continue
        wired = {arg: (source, node.get(arg, STAND_IN_SIZE)) for arg, source in WIRED.get(kind, {}).items()}
        with torch.device("meta"):
            built[kind] = instantiate(registry, kind, node, **wired)
    return built


def validate(registry: Registry, cfg: DictConfig, recipe: Recipe | None = None) -> list[dict[str, str]]:
    """Everything a run would check before it trains, without reading weights or data: required values, the
    recipe's own choices (its module's ``check_choices(cfg, registry)``, when it has one), the constructors of the
    trained components on the meta device (:func:`build_on_meta`) and every component's arguments.

    Returns:
        One row per component node: path, kind, name, plugin, version.
    """
    check_missing(cfg)
    if recipe is not None:
        check = getattr(recipe_module(recipe), "check_choices", None)
        if check is not None:
            check(cfg, registry)
    build_on_meta(registry, cfg)
    rows = []
    for path, node in component_nodes(cfg).items():
        kind = kind_of(path.rsplit(".", 1)[-1])
        wired = {arg: (source, None) for arg, source in WIRED.get(kind or "", {}).items()}
        bind_component(registry, path, node, **wired)
        entry = registry.get(kind or "", str(node[COMPONENT]))
        rows.append(
            {"path": path, "kind": entry.kind, "name": entry.name, "plugin": entry.plugin, "version": entry.version}
        )
    return rows


def prepare_run_dir(
    run_dir: Path, cfg: DictConfig, components: list[dict[str, str]], resume: bool, force: bool
) -> None:
    """Creates the run directory with its resolved ``config.yaml`` and ``components.json``.

    A resumed run must have the same resolved config (the differing key is named); an existing run directory is
    never reused without ``--resume`` or wiped without ``--force``.
    """
    config_file = run_dir / CONFIG
    if resume:
        if not config_file.exists():
            raise StarKitError(f"--resume: {run_dir} holds no run (no config.yaml); start it without --resume")
        old = OmegaConf.to_container(OmegaConf.load(config_file), resolve=True)
        new = OmegaConf.to_container(cfg, resolve=True)
        diff = _first_difference(old, new)
        if diff:
            raise StarKitError(
                f"--resume: config key '{diff}' differs from the run in {run_dir}; resume with the same config "
                "or start a new run (--init-from to reuse its weights)"
            )
        return
    if run_dir.exists() and any(run_dir.iterdir()):
        if not force:
            raise StarKitError(f"{run_dir} exists; pass --resume to continue it or --force to start over")
        shutil.rmtree(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    write_text_atomic(config_file, OmegaConf.to_yaml(cfg, resolve=True))
    write_text_atomic(run_dir / COMPONENTS, json.dumps(components, indent=2) + "\n")


def _first_difference(a: Any, b: Any, prefix: str = "") -> str | None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            diff = _first_difference(a.get(key), b.get(key), f"{prefix}{key}.")
            if diff:
                return diff
        return None
    return prefix.rstrip(".") if a != b else None


def run(
    registry: Registry,
    recipe: Recipe,
    cfg: DictConfig,
    run_dir: Path,
    resume: bool = False,
    force: bool = False,
    init_from: str | None = None,
) -> Any:
    """Validates, prepares the run directory and calls the recipe's function."""
    components = validate(registry, cfg, recipe)
    if int(os.environ.get("RANK", "0")) == 0:  # under torchrun only rank 0 writes
        prepare_run_dir(run_dir, cfg, components, resume, force)
    fn = recipe_module(recipe)
    fn = getattr(fn, recipe.target.partition(":")[2])
    kwargs: dict[str, Any] = {"resume": resume}
    if "init_from" in inspect.signature(fn).parameters:
        kwargs["init_from"] = init_from
    elif init_from:
        raise StarKitError(f"recipe '{recipe.name}' does not support --init-from")
    return fn(cfg, run_dir, **kwargs)
