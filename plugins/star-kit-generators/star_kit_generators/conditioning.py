"""Condition dropout and classifier-free guidance, shared by both generators.

Ein-notation:
    b  batch
    t  latent frames
    k  condition tokens
    d  feature width
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from star_kit.errors import StarKitError
from star_kit.interfaces import Frames

NULL_CONDS = ("zeros", "learned")


class NullCondition(nn.Module):
    """The unconditional context, and condition dropout for classifier-free guidance.

    The null context keeps the condition's shape and mask and puts the same vector on every token: all zeros
    (STAR's choice) or one trainable token. Attention over identical tokens gives that token's value whatever the
    mask, so the null context means the same thing for every row.

    Args:
        generator: registered name of the owning generator (for error messages).
        cond_dim: condition width ``d``.
        p: probability of replacing a row's condition by the null context in train mode.
        mode: ``"zeros"`` or ``"learned"``.
    """

    def __init__(self, generator: str, cond_dim: int, p: float, mode: str) -> None:
        super().__init__()
        if mode not in NULL_CONDS:
            raise StarKitError(f"generator '{generator}': null_cond '{mode}' is not one of {', '.join(NULL_CONDS)}")
        if not 0.0 <= p < 1.0:
            raise StarKitError(f"generator '{generator}': cond_dropout must be in [0, 1), got {p}")
        self.p = p
        self.token = nn.Parameter(torch.randn(cond_dim) * 0.02) if mode == "learned" else None  # (d,)

    def null_like(self, cond: Tensor) -> Tensor:
        """The null context shaped like ``cond (b, k, d)``."""
        if self.token is None:
            return torch.zeros_like(cond)
        return self.token.to(cond.dtype).expand_as(cond)

    def forward(self, cond: Tensor) -> Tensor:
        """In train mode replaces each row of ``cond (b, k, d)`` by the null context with probability ``p``."""
        if not self.training or self.p == 0.0:
            return cond
        drop = torch.rand(cond.shape[0], device=cond.device) < self.p  # (b,)
        return torch.where(drop[:, None, None], self.null_like(cond), cond)


def clean(frames: Frames) -> Tensor:
    """``frames.values (b, t, d)`` with padded positions set to zero, so that padding can never leak through."""
    return torch.where(frames.mask[..., None], frames.values, frames.values.new_zeros(()))


def guided(
    model: nn.Module,
    null: NullCondition,
    x: Tensor,
    time: Tensor,
    mask: Tensor,
    cond: Tensor,
    cond_mask: Tensor,
    guidance: float,
) -> Tensor:
    """The model output with classifier-free guidance ``u + w (c - u)``, both halves in one batched forward.

    Args:
        model: the backbone, called by keyword (``x, time, mask, cond, cond_mask``).
        null: gives the unconditional context.
        x: ``(b, t, latent)`` current latents.
        time: ``(b,)`` time in ``[0, 1]``.
        mask: ``(b, t)`` valid latent frames.
        cond: ``(b, k, d)`` condition tokens (padding zeroed).
        cond_mask: ``(b, k)`` valid condition tokens.
        guidance: the scale ``w``; 1.0 runs the conditional model alone.
    """
    if guidance == 1.0:
        return model(x=x, time=time, mask=mask, cond=cond, cond_mask=cond_mask)
    both = model(
        x=torch.cat([x, x]),
        time=torch.cat([time, time]),
        mask=torch.cat([mask, mask]),
        cond=torch.cat([cond, null.null_like(cond)]),
        cond_mask=torch.cat([cond_mask, cond_mask]),
    )
    conditional, unconditional = both.chunk(2)
    return unconditional + guidance * (conditional - unconditional)


def check_inputs(generator: str, latent_dim: int, cond_dim: int, cond: Frames, target: Frames | None = None) -> None:
    """One-line errors for condition or target widths that do not match the generator's wiring."""
    if cond.dim != cond_dim:
        raise StarKitError(
            f"generator '{generator}': condition tokens have width {cond.dim}, expected cond_dim={cond_dim}; "
            f"wire generator.cond_dim from the bridge's out_dim"
        )
    if target is not None and target.dim != latent_dim:
        raise StarKitError(
            f"generator '{generator}': target latents have width {target.dim}, expected latent_dim={latent_dim}; "
            f"wire generator.latent_dim from the vocoder's latent_dim"
        )
