"""Hook implementations of the vocoders plugin (no torch import here: classes load when requested)."""

from __future__ import annotations

from pathlib import Path

from star_kit.hookspecs import hookimpl
from star_kit.registry import Recipe

CONFIGS = Path(__file__).parent / "configs"


@hookimpl
def register_vocoders() -> dict[str, str]:
    return {
        "hifigan": "star_kit_vocoders.hifigan:HifiganVocoder",
        "griffinlim": "star_kit_vocoders.griffinlim:GriffinLimVocoder",
        "vae": "star_kit_vocoders.vae:MelVae",
    }


@hookimpl
def register_recipes() -> list[Recipe]:
    configs = {p.stem: p for p in sorted(CONFIGS.glob("*.yaml")) if p.read_text().startswith("# recipe: vae\n")}
    return [Recipe("vae", "star_kit_vocoders.train_vae:run", configs, "trains the 'vae' vocoder on a folder of audio")]
