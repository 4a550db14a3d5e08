"""Reductions over padded frame sequences.

Ein-notation:
    b  batch
    t  frames
    d  feature width
"""

from __future__ import annotations

import torch
from torch import Tensor


def masked_mean(x: Tensor, mask: Tensor, dim: int | None = None) -> Tensor:
    """Mean of ``x (b, t, ...)`` over the positions where ``mask (b, t)`` is True; padded values never leak in.

    Args:
        x: ``(b, t, ...)`` values; padded positions may hold anything finite or not.
        mask: ``(b, t)`` bool, True on valid positions.
        dim: ``None`` averages every valid element to a scalar (a loss); ``1`` pools over time to ``(b, ...)``,
            with rows of no valid position giving zeros.

    Returns:
        A scalar, or ``(b, ...)`` for ``dim=1``.
    """
    mask = mask.reshape(*mask.shape, *([1] * (x.dim() - 2)))  # (b, t, 1...)
    kept = torch.where(mask, x, x.new_zeros(()))
    if dim is None:
        return kept.sum() / (mask.sum() * x.shape[2:].numel()).clamp(min=1)
    if dim != 1:
        raise ValueError(f"masked_mean pools over dim 1 (time) or everything (None), got dim={dim}")
    return kept.sum(dim=1) / mask.sum(dim=1).clamp(min=1).to(x.dtype)
