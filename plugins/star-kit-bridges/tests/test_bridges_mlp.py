"""The ``mlp`` bridge: contract, exact masked pooling, tokens, errors, and that it learns a stage-1 task."""

import pytest
import torch

from star_kit.errors import StarKitError
from star_kit.interfaces import Frames
from star_kit.testing import BridgeContract
from star_kit_bridges.mlp import MLPBridge


class TestMLPBridge(BridgeContract):
    name = "mlp"
    kwargs = {"in_dim": 16, "out_dim": 8, "hidden_dim": 12, "num_layers": 2}
    wired = {"in_dim": 384}


class TestMLPBridgeTokens(BridgeContract):
    name = "mlp"
    kwargs = {"in_dim": 16, "out_dim": 8, "hidden_dim": 12, "num_layers": 1, "num_tokens": 3}
    wired = {"in_dim": 384}


def _frames(b: int = 2, t: int = 9, d: int = 6, lengths: tuple[int, ...] = (9, 4)) -> Frames:
    values = torch.randn(b, t, d, generator=torch.Generator().manual_seed(0))
    return Frames.from_lengths(values, torch.tensor(lengths), 50.0)


def test_linear_probe_is_the_projection_of_the_valid_frame_mean() -> None:
    bridge = MLPBridge(in_dim=6, out_dim=5, num_layers=0, num_tokens=2).eval()
    frames = _frames()
    with torch.no_grad():
        out = bridge(frames)
        expected = bridge.proj(torch.stack([frames.values[0].mean(0), frames.values[1, :4].mean(0)]))  # (b, 2 * 5)
    assert out.values.shape == (2, 2, 5) and out.mask.all() and out.frame_rate == 0.0
    torch.testing.assert_close(out.values.flatten(1), expected)
    torch.testing.assert_close(bridge.pooled(frames), out.values.mean(1))


def test_layer_stack_follows_star() -> None:
    bridge = MLPBridge(in_dim=6, hidden_dim=7, num_layers=2)
    kinds = [type(m).__name__ for m in bridge.hidden]
    assert kinds == ["Linear", "BatchNorm1d", "Dropout", "ReLU"] * 2
    assert bridge.hidden[2].p == 0.1 and bridge.proj.out_features == 1024


def test_bad_input_is_a_one_line_error() -> None:
    bridge = MLPBridge(in_dim=6).eval()
    with pytest.raises(StarKitError, match="in_dim=6"):
        bridge(_frames(d=5))
    with pytest.raises(StarKitError, match=r"rows \[1\]"):
        bridge(_frames(lengths=(9, 0)))
    with pytest.raises(StarKitError, match="num_tokens"):
        MLPBridge(in_dim=6, num_tokens=0)


def test_learns_a_two_class_tagging_task() -> None:
    torch.manual_seed(0)
    bridge, head = MLPBridge(in_dim=8, out_dim=16, hidden_dim=16), torch.nn.Linear(16, 2)
    labels = torch.randint(0, 2, (32,))
    centres = torch.randn(2, 8)
    values = centres[labels][:, None] + 0.5 * torch.randn(32, 10, 8)  # (b, t, d)
    frames = Frames.from_lengths(values, torch.randint(3, 11, (32,)), 50.0)
    target = torch.nn.functional.one_hot(labels, 2).float()
    opt = torch.optim.AdamW([*bridge.parameters(), *head.parameters()], lr=1e-2)
    bce = torch.nn.BCEWithLogitsLoss()
    for _ in range(40):
        loss = bce(head(bridge.pooled(frames)), target)
        opt.zero_grad()
        loss.backward()
        opt.step()
    bridge.eval()
    with torch.no_grad():
        accuracy = (head(bridge.pooled(frames)).argmax(1) == labels).float().mean()
    assert accuracy > 0.9
