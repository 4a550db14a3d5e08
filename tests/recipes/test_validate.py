"""``starkit recipe validate`` catches what building and the recipe's start would, before anything trains."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from star_kit import runs
from star_kit.errors import StarKitError
from star_kit.hookspecs import hookimpl
from star_kit.registry import Registry, get_registry

# A third-party bridge as a plugin author writes it: learned queries attend over the speech, and nothing in it is a
# separate output projection, so stage 2 cannot fine-tune "just the projection".
ATTNPOOL = """
import torch
from torch import nn

from star_kit.interfaces import Bridge, Frames


class AttnPool(Bridge):
    def __init__(self, in_dim: int, out_dim: int = 32, queries: int = 4) -> None:
        super().__init__()
        self.in_dim, self.out_dim = in_dim, out_dim
        self.queries = nn.Parameter(torch.randn(1, queries, in_dim) * 0.02)
        self.attn = nn.MultiheadAttention(in_dim, 1, batch_first=True, kdim=in_dim, vdim=in_dim)
        self.out = nn.Sequential(nn.Linear(in_dim, out_dim), nn.GELU())

    def forward(self, frames: Frames) -> Frames:
        queries = self.queries.expand(frames.values.shape[0], -1, -1)
        pooled, _ = self.attn(queries, frames.values, frames.values, key_padding_mask=~frames.mask)
        tokens = self.out(pooled)
        return Frames(tokens, torch.ones(tokens.shape[:2], dtype=torch.bool), 0.0)
"""


class AttnPoolPlugin:
    @hookimpl
    def register_bridges(self) -> dict[str, str]:
        return {"attnpool": "starkit_attnpool:AttnPool"}


@pytest.fixture
def registry_with_attnpool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Registry:
    (tmp_path / "starkit_attnpool.py").write_text(textwrap.dedent(ATTNPOOL))
    monkeypatch.syspath_prepend(str(tmp_path))
    registry = Registry()
    registry.register("attnpool-plugin", AttnPoolPlugin())
    return registry


def _validate(registry: Registry, *overrides: str) -> list[dict[str, str]]:
    recipe, cfg, _ = runs.resolve(registry, "star-tiny", overrides)
    return runs.validate(registry, cfg, recipe)


def test_a_bridge_without_an_output_projection_is_refused_for_train_bridge_proj(
    registry_with_attnpool: Registry,
) -> None:
    rows = _validate(registry_with_attnpool, "bridge=attnpool", "stage2.train_bridge=none")
    assert {"path": "bridge", "name": "attnpool"}.items() <= next(r for r in rows if r["path"] == "bridge").items()
    _validate(registry_with_attnpool, "bridge=attnpool", "stage2.train_bridge=all")
    refused = "stage2.train_bridge=proj but bridge 'attnpool' \\(AttnPool\\) has no output projection"
    with pytest.raises(StarKitError, match=refused):
        _validate(registry_with_attnpool, "bridge=attnpool", "stage2.train_bridge=proj")


def test_train_bridge_proj_trains_exactly_the_output_projection() -> None:
    from star_kit.recipes import two_stage

    registry = get_registry()
    _, cfg, _ = runs.resolve(registry, "star-tiny", ("bridge=mlp",))
    bridge = runs.build_on_meta(registry, cfg, ("bridge",))["bridge"]
    two_stage.set_bridge_trainable(bridge, "proj")
    trained = {n for n, p in bridge.named_parameters() if p.requires_grad}
    assert trained == {f"proj.{n}" for n, _ in bridge.output_projection().named_parameters()}
    two_stage.set_bridge_trainable(bridge, "none")
    assert not any(p.requires_grad for p in bridge.parameters())


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("stage2.train_bridge=typo", "stage2.train_bridge='typo' is not allowed: one of none, proj, all"),
        ("generator.depth=-1", "generator.depth=-1"),
        ("generator.heads=3", "generator.heads=3"),
        ("data.audio_seconds=-3", "data.audio_seconds=-3.0 is not allowed: > 0"),
        ("stage2.lr=abc", "config key 'stage2.lr': Value 'abc' of type 'str' could not be converted to Float"),
        ("stage1.length_pool=-2", "stage1.length_pool=-2 is not allowed: >= 0"),
        ("stage1.consistency_weight=-1", "stage1.consistency_weight=-1.0 is not allowed: >= 0"),
        ("stage1.frame_dropout=1.5", "stage1.frame_dropout=1.5 is not allowed: in \\[0, 1\\)"),
        ("data.condition=text", "data.condition='text' is not allowed: one of speech, caption"),
        ("data.condition=caption", "data.condition=caption needs an encoder with encode_text"),
        ("stage1.align_weight=1", "stage1.align_weight > 0 needs stage1.text_encoder"),
    ],
)
def test_validate_names_the_key_of_a_bad_value(override: str, message: str) -> None:
    registry = get_registry()
    with pytest.raises(StarKitError, match=message):
        _validate(registry, override)


def _starkit(*args: str) -> subprocess.CompletedProcess:
    code = "from star_kit.cli import main; main()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env={**os.environ})


def test_both_spellings_of_the_recipe_commands_take_the_same_overrides() -> None:
    short = _starkit("recipe", "validate", "star-tiny", "bridge=mlp")
    long = _starkit("recipe", "validate", "two_stage", "--config", "star-tiny", "bridge=mlp")
    assert short.returncode == long.returncode == 0, short.stderr + long.stderr
    assert short.stdout == long.stdout and "bridge=mlp" in short.stdout
    dry = _starkit("recipe", "run", "star-tiny", "--dry-run", "stage2.max_steps=7")
    assert dry.returncode == 0, dry.stderr
    assert "max_steps: 7" in dry.stdout
    bad = _starkit("recipe", "run", "star-tiny", "--dry-run", "generator.heads=3")
    assert bad.returncode == 1 and len(bad.stderr.strip().splitlines()) == 1 and "generator.heads=3" in bad.stderr
    alone = _starkit("recipe", "run", "two_stage")
    assert alone.returncode == 1
    assert "recipe 'two_stage' needs a config: add --config" in alone.stderr and "star-tiny" in alone.stderr
