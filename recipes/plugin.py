"""Registers the shipped recipes through the same hook a third-party plugin uses."""

from __future__ import annotations

from pathlib import Path

from star_kit.hookspecs import hookimpl
from star_kit.registry import Recipe

CONFIGS = Path(__file__).parent / "configs"


def _configs(prefix: str) -> dict[str, Path]:
    return {p.stem: p for p in sorted(CONFIGS.glob("*.yaml")) if p.read_text().startswith(f"# recipe: {prefix}\n")}


@hookimpl
def register_recipes() -> list[Recipe]:
    return [
        Recipe(
            "two_stage",
            "star_kit.recipes.two_stage:main",
            _configs("two_stage"),
            "STAR's procedure: stage 1 bridge representation learning, stage 2 generator training",
        ),
    ]
