"""Hook implementations of the ``eval`` plugin (no torch import here: classes load on first use)."""

from star_kit.hookspecs import hookimpl


@hookimpl
def register_metrics() -> dict[str, str]:
    return {"aisfx": "star_kit_eval.judge:AisfxJudge"}


@hookimpl
def register_encoders() -> dict[str, str]:
    return {"cascade": "star_kit_eval.cascade:CascadeEncoder"}
