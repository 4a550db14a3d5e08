"""``layer`` and ``freeze`` for every encoder, with tiny random configs."""

from __future__ import annotations

from typing import Any

import pytest
import torch

from star_kit.errors import StarKitError
from star_kit.registry import get_registry

from .test_encoders_contract import SSL_TINY, WHISPER_TINY

CONFIGS: dict[str, dict[str, Any]] = {
    "whisper": {**WHISPER_TINY, "dropout": 0.5},
    "wavlm": {**SSL_TINY, "feat_extract_norm": "layer", "hidden_dropout": 0.5},
    "hubert": {**SSL_TINY, "hidden_dropout": 0.5},
    "wav2vec2": {**SSL_TINY, "feat_extract_norm": "layer", "do_stable_layer_norm": True, "hidden_dropout": 0.5},
}
NAMES = list(CONFIGS)
# WavLM's attention inside transformers mixes mask types; torch warns about it, nothing here can change it.
pytestmark = pytest.mark.filterwarnings("ignore:Support for mismatched key_padding_mask:UserWarning")


def build(name: str, **kwargs: Any):
    torch.manual_seed(0)
    return get_registry().load("encoder", name)(pretrained=None, config=CONFIGS[name], **kwargs)


def batch() -> tuple[torch.Tensor, torch.Tensor]:
    wav = torch.randn(2, 8000, generator=torch.Generator().manual_seed(0)) * 0.1
    lengths = torch.tensor([8000, 5000])
    return wav * (torch.arange(8000)[None] < lengths[:, None]), lengths


@pytest.mark.parametrize("name", NAMES)
def test_weighted_layer_trains_while_backbone_is_frozen(name: str) -> None:
    enc = build(name, layer="weighted").train()
    assert not enc.backbone.training, "a frozen backbone must stay in eval mode"
    trainable = [n for n, p in enc.named_parameters() if p.requires_grad]
    assert trainable == ["select.weights"]
    out = enc(*batch())
    (out.values[out.mask] ** 2).mean().backward()
    assert enc.select.weights.grad is not None and enc.select.weights.grad.abs().sum() > 0
    # The mixture is a softmax over hidden states: a dominant weight selects that layer.
    with torch.no_grad():
        enc.select.weights.copy_(torch.tensor([-1e4, 1e4, -1e4]))
        mixed = enc(*batch()).values
        single = build(name, layer=1)(*batch()).values
    torch.testing.assert_close(mixed, single)


@pytest.mark.parametrize("name", NAMES)
def test_freeze_false_trains_the_backbone(name: str) -> None:
    enc = build(name, freeze=False).train()
    assert enc.backbone.training
    fixed = [n for n, p in enc.named_parameters() if not p.requires_grad]
    assert fixed in ([], ["backbone.embed_positions.weight"])  # Whisper's sinusoidal table is never trained
    wav, lengths = batch()
    first, second = enc(wav, lengths), enc(wav, lengths)
    assert not torch.allclose(first.values, second.values), "dropout should be active in train mode"
    (first.values[first.mask] ** 2).mean().backward()
    grads = [p.grad for p in enc.backbone.parameters() if p.grad is not None]
    assert grads and sum(float(g.abs().sum()) for g in grads) > 0


@pytest.mark.parametrize("name", NAMES)
def test_frozen_backbone_is_deterministic_in_train_mode(name: str) -> None:
    enc = build(name).train()
    wav, lengths = batch()
    torch.testing.assert_close(enc(wav, lengths).values, enc(wav, lengths).values)
    assert enc(wav, lengths).values.grad_fn is None  # no graph through a frozen backbone


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("layer", [3, -4, "last", True])
def test_unknown_layer_is_a_clear_error(name: str, layer: Any) -> None:
    with pytest.raises(StarKitError, match=rf"{name}: layer .* does not exist; the model has 3 hidden states"):
        build(name, layer=layer)


@pytest.mark.parametrize("name", NAMES)
def test_intermediate_layer_differs_from_last(name: str) -> None:
    with torch.no_grad():
        first, last = build(name, layer=1)(*batch()), build(name, layer=-1)(*batch())
    assert first.values.shape == last.values.shape
    assert not torch.allclose(first.values, last.values)
