"""The ``starkit`` command line. Listing commands import neither torch nor any model code."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import click

from star_kit.errors import StarKitError
from star_kit.registry import KINDS, get_registry


class StarGroup(click.Group):
    """Turns user errors into one line and exit code 1 (a traceback only with ``--debug``)."""

    def invoke(self, ctx: click.Context):  # type: ignore[no-untyped-def]
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt as exc:
            click.echo(f"interrupted: {exc or 'stopped'}; continue with --resume", err=True)
            sys.exit(130)
        except Exception as exc:  # noqa: BLE001 - the one place that reports any failure
            if ctx.obj and ctx.obj.get("debug"):
                raise
            message = str(exc) if isinstance(exc, StarKitError) else f"{type(exc).__name__}: {exc}"
            hint = "" if isinstance(exc, StarKitError) else " (run with --debug for the traceback)"
            click.echo(f"error: {message.splitlines()[0] if message else type(exc).__name__}{hint}", err=True)
            sys.exit(1)


@click.group(cls=StarGroup)
@click.option("--debug", is_flag=True, help="Show full tracebacks.")
@click.version_option(package_name="star-kit")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """star_kit: speech-to-audio generation (STAR) with swappable components.

    \b
    Example:
      starkit recipe run two_stage --config star-tiny
    """
    ctx.ensure_object(dict)["debug"] = debug


@cli.command()
def plugins() -> None:
    """List installed plugins as JSON: name, version, hooks and load error.

    \b
    Example:
      STARKIT_LOAD_PLUGINS=encoders,bridges starkit plugins
    """
    infos = get_registry().plugins.values()
    click.echo(json.dumps([vars(p) for p in infos], indent=2))


@cli.command()
@click.option("--kind", type=click.Choice(KINDS), help="Only this kind.")
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
def components(kind: str | None, as_json: bool) -> None:
    """List registered components: kind, name, plugin and version.

    \b
    Example:
      starkit components --kind encoder
    """
    registry = get_registry()
    rows = [vars(e) for k in ([kind] if kind else KINDS) for e in registry.components(k).values()]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for r in rows:
        click.echo(f"{r['kind']:<10} {r['name']:<20} {r['plugin']:<12} {r['version']:<8} {r['target']}")


@cli.group()
def recipe() -> None:
    """List, copy, show, validate and run recipes.

    \b
    Example:
      starkit recipe validate star-tiny encoder=wavlm
    """


@recipe.command("ls")
def recipe_ls() -> None:
    """List recipes and their shipped configs.

    \b
    Example:
      starkit recipe ls
    """
    for r in get_registry().recipes().values():
        click.echo(f"{r.name:<14} {r.plugin:<10} {', '.join(r.configs) or '-'}")
        if r.description:
            click.echo(f"{'':<14} {r.description}")


@recipe.command("cat")
@click.argument("config")
def recipe_cat(config: str) -> None:
    """Print a shipped config.

    \b
    Example:
      starkit recipe cat star-tiny
    """
    _, path = get_registry().find_config(config)
    click.echo(path.read_text(), nl=False)


@recipe.command("cp")
@click.argument("config")
@click.argument("dest", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def recipe_cp(config: str, dest: Path, force: bool) -> None:
    """Copy a shipped config (or a recipe's script, by recipe name) to edit it.

    \b
    Example:
      starkit recipe cp star-tiny my.yaml
    """
    registry = get_registry()
    recipes = registry.recipes()
    if config in recipes:
        from star_kit.runs import recipe_module

        source = Path(recipe_module(recipes[config]).__file__)
    else:
        _, source = registry.find_config(config)
    if dest.is_dir():
        dest = dest / source.name
    if dest.exists() and not force:
        raise StarKitError(f"{dest} exists; pass --force to overwrite it")
    shutil.copyfile(source, dest)
    click.echo(f"copied {source.name} to {dest}")


@recipe.command("validate", context_settings={"ignore_unknown_options": True})
@click.argument("target")
@click.option("--config", "-c", help="With a recipe name as TARGET: a shipped config name or a YAML file.")
@click.argument("overrides", nargs=-1, type=click.UNPROCESSED)
def recipe_validate(target: str, config: str | None, overrides: tuple[str, ...]) -> None:
    """Check a config and overrides as a run would before it trains, reading no weights and no data.

    TARGET is a config (its first line names its recipe) or, with --config, a recipe: `recipe validate two_stage
    --config my.yaml` is the same check.

    \b
    Example:
      starkit recipe validate star-tiny bridge=mlp generator.depth=4
    """
    from star_kit import runs

    registry = get_registry()
    config, recipe_name = runs.split_target(registry, target, config)
    recipe_, cfg, name = runs.resolve(registry, config, overrides, recipe_name)
    rows = runs.validate(registry, cfg, recipe_)
    parts = ", ".join(f"{r['path']}={r['name']}" for r in rows)
    click.echo(f"config '{name}' is valid for recipe '{recipe_.name}': {parts}")


@recipe.command("run", context_settings={"ignore_unknown_options": True})
@click.argument("target")
@click.option("--config", "-c", help="With a recipe name as TARGET: a shipped config name or a YAML file.")
@click.option("--run-dir", type=click.Path(path_type=Path), help="Output folder (default runs/CONFIG).")
@click.option("--resume", is_flag=True, help="Continue the run in --run-dir from its last checkpoint.")
@click.option("--init-from", help="Start a new run from the weights of another run (reports unmatched keys).")
@click.option("--force", is_flag=True, help="Delete an existing run directory first.")
@click.option("--dry-run", is_flag=True, help="Validate and print the resolved config, then stop.")
@click.argument("overrides", nargs=-1, type=click.UNPROCESSED)
def recipe_run(
    target: str,
    config: str | None,
    run_dir: Path | None,
    resume: bool,
    init_from: str | None,
    force: bool,
    dry_run: bool,
    overrides: tuple[str, ...],
) -> None:
    """Run a recipe with a config and key=value overrides.

    TARGET is a config (its first line names its recipe) or, with --config, a recipe: `recipe run two_stage --config
    star-tiny` is the same run.

    \b
    Example:
      starkit recipe run star-tiny stage2.max_steps=200
    """
    from omegaconf import OmegaConf

    from star_kit import runs

    registry = get_registry()
    config, recipe_name = runs.split_target(registry, target, config)
    recipe_, cfg, name = runs.resolve(registry, config, overrides, recipe_name)
    if dry_run:
        runs.validate(registry, cfg, recipe_)
        click.echo(OmegaConf.to_yaml(cfg, resolve=True), nl=False)
        return
    runs.run(registry, recipe_, cfg, run_dir or Path("runs") / name, resume=resume, force=force, init_from=init_from)


def _mount_core_commands() -> None:
    from star_kit.data.cli import data
    from star_kit.evaluation.cli import bench, compare, eval_command
    from star_kit.generate import generate
    from star_kit.serve.cli import serve

    for command in (data, generate, eval_command, bench, compare, serve):
        cli.add_command(command)


_mount_core_commands()


def _mount_plugin_commands() -> None:
    try:
        get_registry().add_commands(cli)
    except Exception as exc:  # noqa: BLE001 - a broken plugin command must not take the CLI down
        click.echo(f"warning: a plugin failed to add its commands: {exc}", err=True)


def main() -> None:
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    _mount_plugin_commands()
    cli(obj={})
