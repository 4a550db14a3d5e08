"""Hook implementations of the ``bridges`` plugin (no model code is imported here)."""

from star_kit.hookspecs import hookimpl


@hookimpl
def register_bridges() -> dict[str, str]:
    return {"mlp": "star_kit_bridges.mlp:MLPBridge", "qformer": "star_kit_bridges.qformer:QFormerBridge"}
