from star_kit.hookspecs import hookimpl


@hookimpl
def register_bridges() -> dict[str, str]:
    return {"meanpool": "star_kit_example.meanpool:MeanPoolBridge"}
