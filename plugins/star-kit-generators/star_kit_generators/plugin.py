"""Hook implementations of the ``generators`` plugin (no model code is imported here)."""

from star_kit.hookspecs import hookimpl


@hookimpl
def register_generators() -> dict[str, str]:
    return {
        "flow_matching": "star_kit_generators.flow_matching:FlowMatching",
        "diffusion": "star_kit_generators.diffusion:Diffusion",
    }
