"""The ``qformer`` bridge: contract, fixed query count, STAR's defaults, a trainable ``proj`` for stage 2."""

import pytest
import torch

from star_kit.errors import StarKitError
from star_kit.interfaces import Frames
from star_kit.testing import BridgeContract
from star_kit_bridges.qformer import QFormerBridge

TINY = {"in_dim": 16, "out_dim": 8, "num_queries": 4, "num_layers": 2, "hidden_dim": 32, "heads": 4, "ffn_dim": 64}


class TestQFormerBridge(BridgeContract):
    name = "qformer"
    kwargs = TINY
    wired = {"in_dim": 384}


class TestQFormerEveryLayerCrossAttends(BridgeContract):
    name = "qformer"
    kwargs = {**TINY, "cross_attention_freq": 1}
    wired = {"in_dim": 384}


def _frames(t: int, lengths: tuple[int, ...]) -> Frames:
    values = torch.randn(len(lengths), t, 16, generator=torch.Generator().manual_seed(0))
    return Frames.from_lengths(values, torch.tensor(lengths), 50.0)


def test_query_count_is_fixed_and_speech_matters() -> None:
    torch.manual_seed(0)
    bridge = QFormerBridge(**TINY).eval()
    with torch.no_grad():
        short, long = bridge(_frames(3, (3, 2))), bridge(_frames(40, (40, 25)))
        other = bridge(Frames.from_lengths(torch.randn(2, 40, 16), torch.tensor([40, 25]), 50.0))
    assert short.values.shape == long.values.shape == (2, 4, 8)
    assert short.mask.all() and long.mask.all()
    assert not torch.allclose(long.values, other.values), "the output ignores the speech"
    torch.testing.assert_close(bridge.pooled(_frames(40, (40, 25))), long.values.mean(1))


def test_defaults_are_stars() -> None:
    bridge = QFormerBridge(in_dim=1024)
    config = bridge.qformer.config
    assert (config.hidden_size, config.num_hidden_layers, config.num_attention_heads) == (768, 2, 12)
    assert bridge.queries.shape == (1, 32, 768) and abs(float(bridge.queries.detach().std()) - 0.02) < 0.003
    assert (bridge.proj.in_features, bridge.proj.out_features) == (768, 1024)
    assert (
        bridge.qformer.encoder.layer[0].has_cross_attention and not bridge.qformer.encoder.layer[1].has_cross_attention
    )


def test_stage_two_trains_only_proj() -> None:
    torch.manual_seed(0)
    bridge = QFormerBridge(**TINY)
    bridge.freeze()
    bridge.proj.requires_grad_(True)
    bridge.proj.train()
    bridge(_frames(12, (12, 7))).values.square().sum().backward()
    trained = {n for n, p in bridge.named_parameters() if p.grad is not None and p.grad.abs().sum() > 0}
    assert trained == {"proj.weight", "proj.bias"}


def test_bad_input_is_a_one_line_error() -> None:
    bridge = QFormerBridge(**TINY).eval()
    with pytest.raises(StarKitError, match=r"rows \[0\]"):
        bridge(_frames(5, (0, 5)))
    with pytest.raises(StarKitError, match="divisible"):
        QFormerBridge(in_dim=16, hidden_dim=30, heads=4)
