"""Every hook a star_kit plugin can implement. Each hook has a section in ``docs/architecture.md`` (a test checks).

Component hooks return ``{name: "module:Class"}``: classes are imported only when a component is requested, so
listing commands stay cheap and a broken model file only breaks the components it defines.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    import click

    from star_kit.registry import Recipe

hookspec = pluggy.HookspecMarker("star_kit")
hookimpl = pluggy.HookimplMarker("star_kit")


@hookspec
def register_encoders() -> dict[str, str]:
    """Speech encoders (:class:`star_kit.interfaces.Encoder`): ``{name: "module:Class"}``."""


@hookspec
def register_bridges() -> dict[str, str]:
    """Bridges from speech frames to condition tokens (:class:`star_kit.interfaces.Bridge`)."""


@hookspec
def register_generators() -> dict[str, str]:
    """Latent generators (:class:`star_kit.interfaces.Generator`)."""


@hookspec
def register_vocoders() -> dict[str, str]:
    """Latent spaces with their decoders (:class:`star_kit.interfaces.Vocoder`)."""


@hookspec
def register_corpora() -> dict[str, str]:
    """Buildable corpora (:class:`star_kit.interfaces.Corpus`)."""


@hookspec
def register_voices() -> dict[str, str]:
    """Text-to-speech voices (:class:`star_kit.interfaces.Voice`)."""


@hookspec
def register_metrics() -> dict[str, str]:
    """Evaluation metrics and judges used by ``starkit eval``."""


@hookspec
def register_recipes() -> list[Recipe]:
    """Training procedures with their shipped configs (:class:`star_kit.registry.Recipe`)."""


@hookspec
def register_commands(cli: click.Group) -> None:
    """Adds click commands to the ``starkit`` CLI. Import heavy modules inside the command, not at module level."""
