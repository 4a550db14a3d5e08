"""Training utilities: length-pooled batches, the EMA update."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.utils.data import DistributedSampler

from star_kit.errors import StarKitError
from star_kit.training import EMA, LengthPooledBatches


def pooled(n: int, lengths: list[int], batch: int, pool: int, epoch: int = 0, world: int = 1, rank: int = 0):
    sampler = DistributedSampler(range(n), num_replicas=world, rank=rank, shuffle=True, seed=0)
    sampler.set_epoch(epoch)
    return LengthPooledBatches(sampler, lengths, batch, pool, seed=epoch)


def padded_frames(batches: list[list[int]], lengths: list[int]) -> int:
    return sum(max(lengths[i] for i in b) * len(b) for b in batches)


def test_length_pooled_batches_cover_every_item_once_with_less_padding() -> None:
    lengths = torch.randint(30, 400, (1000,), generator=torch.Generator().manual_seed(0)).tolist()
    batches = list(pooled(1000, lengths, 64, 8))
    assert sorted(i for b in batches for i in b) == list(range(1000))
    assert sorted(map(len, batches)) == [40] + [64] * 15 and len(pooled(1000, lengths, 64, 8)) == 16
    shuffled = list(pooled(1000, lengths, 64, 1))  # pool 1: the shuffled order cut into batches
    useful = sum(lengths)
    assert useful / padded_frames(batches, lengths) > 0.85 > useful / padded_frames(shuffled, lengths)


def test_length_pooled_batches_are_seeded_per_epoch_and_sharded_across_ranks() -> None:
    lengths = list(range(200))
    assert list(pooled(200, lengths, 16, 4, epoch=3)) == list(pooled(200, lengths, 16, 4, epoch=3))
    assert list(pooled(200, lengths, 16, 4, epoch=3)) != list(pooled(200, lengths, 16, 4, epoch=4))
    ranks = [[i for b in pooled(200, lengths, 16, 4, world=2, rank=r) for i in b] for r in range(2)]
    assert not set(ranks[0]) & set(ranks[1]) and sorted(ranks[0] + ranks[1]) == list(range(200))


def test_length_pooling_rejects_an_empty_pool() -> None:
    with pytest.raises(StarKitError, match="pool >= 1"):
        pooled(10, list(range(10)), 4, 0)


def test_ema_update_moves_each_trainable_parameter_by_one_minus_decay() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.GELU(), nn.Linear(8, 2))
    model[0].bias.requires_grad_(False)
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    ema = EMA(model, decay=0.9)
    assert set(ema.shadow) == {n for n, p in model.named_parameters() if p.requires_grad}
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-2)
    model(torch.randn(16, 4)).square().mean().backward()
    opt.step()
    ema.update(model, step=100)  # decay min(0.9, 101 / 110) = 0.9
    for name, shadow in ema.shadow.items():
        now = dict(model.named_parameters())[name].detach()
        assert not torch.equal(now, before[name])
        torch.testing.assert_close(shadow, before[name] + 0.1 * (now - before[name]))
