"""Fixtures for core tests: a throwaway plugin (components + a recipe) written to a temporary module path."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from star_kit.hookspecs import hookimpl
from star_kit.registry import Recipe, Registry

FAKE = """
from dataclasses import dataclass, field
from typing import Any

import torch
from star_kit.interfaces import Bridge, Encoder, Frames


class TinyEncoder(Encoder):
    sample_rate = 16000
    frame_rate = 50.0

    def __init__(self, dim: int = 8, pretrained: str = "none") -> None:
        super().__init__()
        self.dim = dim
        self.proj = torch.nn.Linear(320, dim)

    def forward(self, wav, lengths):
        frames = wav[:, : wav.shape[1] // 320 * 320].reshape(wav.shape[0], -1, 320)
        return Frames.from_lengths(self.proj(frames), lengths // 320, self.frame_rate)


class TinyBridge(Bridge):
    def __init__(self, in_dim: int, out_dim: int = 4, layers: int = 1) -> None:
        super().__init__()
        self.in_dim, self.out_dim = in_dim, out_dim
        self.proj = torch.nn.Linear(in_dim, out_dim)

    def forward(self, frames):
        return Frames(self.proj(frames.values), frames.mask, frames.frame_rate)


class OtherBridge(TinyBridge):
    def __init__(self, in_dim: int, out_dim: int = 6, depth: int = 2) -> None:
        super().__init__(in_dim, out_dim)


@dataclass
class Train:
    lr: float = 1e-3
    steps: int = 10
    text_encoder: Any = None


@dataclass
class Config:
    encoder: Any = None
    bridge: Any = None
    train: Train = field(default_factory=Train)
    name: str = "fake"


def main(cfg, run_dir, resume=False):
    (run_dir / "ran.txt").write_text(f"{cfg.train.steps} resume={resume}")
"""

CONFIG = """\
# recipe: fake
encoder:
  _component_: tiny_encoder
  dim: 8
bridge:
  _component_: tiny_bridge
  out_dim: 4
train:
  lr: 1.0e-3
  steps: 10
"""


class FakePlugin:
    def __init__(self, config: Path) -> None:
        self.config = config

    @hookimpl
    def register_encoders(self) -> dict[str, str]:
        return {"tiny_encoder": "starkit_fake:TinyEncoder"}

    @hookimpl
    def register_bridges(self) -> dict[str, str]:
        return {"tiny_bridge": "starkit_fake:TinyBridge", "other_bridge": "starkit_fake:OtherBridge"}

    @hookimpl
    def register_recipes(self) -> list[Recipe]:
        return [Recipe("fake", "starkit_fake:main", {"fake-tiny": self.config})]


@pytest.fixture
def fake_registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Registry:
    (tmp_path / "starkit_fake.py").write_text(textwrap.dedent(FAKE))
    config = tmp_path / "fake-tiny.yaml"
    config.write_text(CONFIG)
    monkeypatch.syspath_prepend(str(tmp_path))
    return Registry(load_entrypoints=False, plugins=(("fake", FakePlugin(config)),))
