"""A latent transform fitted on training latents: PCA of patch tokens, so a generator models a smaller, whitened space.

A vocoder latent of ``d`` channels is cut into tokens of ``p`` frames (``p * d`` values); the transform keeps the top
``k`` principal components of those tokens, each scaled to unit variance (``whiten``) or all by one factor (the kept
variance per component averages 1), and inverts exactly on the kept subspace. A generator that predicts in that space
cannot leave noise in directions the data never uses, and it spends its capacity on the directions that carry the
sound (loudness over time first). The statistics are buffers, saved with the generator's weights.

Ein-notation:
    b  batch
    t  latent frames
    n  tokens (t / p)
    p  frames per token
    d  latent channels
    k  kept components
"""

from __future__ import annotations

from collections.abc import Iterable

import torch
import torch.nn.functional as F
from einops import rearrange
from torch import Tensor, nn

from star_kit.errors import StarKitError

SCALES = ("whiten", "global")


class PatchPCA(nn.Module):
    """PCA of ``patch``-frame tokens of a ``(b, t, d)`` latent, keeping ``components`` directions.

    Args:
        latent_dim: channels ``d`` of the latent frames.
        patch: frames ``p`` per token.
        components: directions ``k`` kept (at most ``p * d``).
        scale: ``"whiten"`` (unit variance per component) or ``"global"`` (one factor for all components, so that
            their mean variance is 1 and their natural proportions stay).
    """

    def __init__(self, latent_dim: int, patch: int, components: int, scale: str = "whiten") -> None:
        super().__init__()
        size = latent_dim * patch
        if patch < 1 or not 1 <= components <= size:
            raise StarKitError(
                f"latent PCA: need patch >= 1 and 1 <= components <= patch * latent_dim = {size}, "
                f"got patch {patch}, components {components}"
            )
        if scale not in SCALES:
            raise StarKitError(f"latent PCA: scale '{scale}' is not one of {', '.join(SCALES)}")
        self.latent_dim, self.patch, self.components, self.scale = latent_dim, patch, components, scale
        self.register_buffer("mean", torch.zeros(size))  # (p d,)
        self.register_buffer("basis", torch.zeros(components, size))  # (k, p d), orthonormal rows
        self.register_buffer("std", torch.ones(components))  # (k,)
        self.register_buffer("explained", torch.zeros(()))  # share of the token variance the k directions hold

    @property
    def fitted(self) -> bool:
        return bool(self.basis.abs().sum() > 0)

    def tokens(self, x: Tensor, mask: Tensor) -> tuple[Tensor, Tensor]:
        """``x (b, t, d)``, ``mask (b, t)`` -> raw tokens ``(b, n, p d)`` (padded frames zeroed) and token mask
        ``(b, n)``, True where every frame of the token is valid."""
        pad = -x.shape[1] % self.patch
        x = F.pad(x.masked_fill(~mask[..., None], 0.0), (0, 0, 0, pad))
        mask = F.pad(mask, (0, pad))
        tokens = rearrange(x, "b (n p) d -> b n (p d)", p=self.patch)
        return tokens, rearrange(mask, "b (n p) -> b n p", p=self.patch).all(-1)

    @torch.no_grad()
    def fit(self, latents: Iterable[Tensor]) -> None:
        """Fits mean, basis and scale on the fully valid tokens of ``latents``, each ``(t, d)``."""
        rows = []
        for x in latents:
            tokens, valid = self.tokens(x[None].float(), torch.ones(1, x.shape[0], dtype=torch.bool))
            rows.append(tokens[valid])
        data = torch.cat(rows).double() if rows else torch.zeros(0, self.mean.numel(), dtype=torch.float64)
        if data.shape[0] < 2:
            raise StarKitError(
                f"latent PCA: needs at least 2 tokens of {self.patch} frames to fit, got {data.shape[0]}; "
                "use longer training latents or a smaller patch"
            )
        mean = data.mean(0)
        cov = (data - mean).T @ (data - mean) / (data.shape[0] - 1)  # (p d, p d)
        eigvals, eigvecs = torch.linalg.eigh(cov)  # ascending
        order = eigvals.argsort(descending=True)[: self.components]
        var = eigvals[order].clamp(min=1e-8)  # (k,)
        basis = eigvecs[:, order].T  # (k, p d)
        basis = basis * torch.where(basis.sum(1, keepdim=True) < 0, -1.0, 1.0)  # a fixed sign per direction
        std = var.sqrt() if self.scale == "whiten" else var.mean().sqrt().expand(self.components)
        self.mean.copy_(mean.float())
        self.basis.copy_(basis.float())
        self.std.copy_(std.float())
        self.explained.copy_((var.sum() / eigvals.clamp(min=0).sum()).float())

    def _check(self) -> None:
        if not self.fitted:
            raise StarKitError(
                "latent PCA is not fitted: the generator's prepare(train latents) fits it (the two_stage recipe "
                "does this before stage 2), or load the weights of a trained run"
            )

    def encode(self, x: Tensor, mask: Tensor) -> tuple[Tensor, Tensor]:
        """Latents ``x (b, t, d)`` -> coefficients ``(b, n, k)`` of unit scale, and the token mask ``(b, n)``."""
        self._check()
        tokens, valid = self.tokens(x, mask)
        return (tokens - self.mean) @ self.basis.T / self.std, valid

    def decode(self, z: Tensor, num_frames: int) -> Tensor:
        """Coefficients ``z (b, n, k)`` -> latents ``(b, num_frames, d)`` (the kept subspace plus the mean)."""
        self._check()
        tokens = (z * self.std) @ self.basis + self.mean  # (b, n, p d)
        return rearrange(tokens, "b n (p d) -> b (n p) d", p=self.patch)[:, :num_frames]

    def num_tokens(self, num_frames: int) -> int:
        return -(-num_frames // self.patch)

    def extra_repr(self) -> str:
        return f"latent_dim={self.latent_dim}, patch={self.patch}, components={self.components}, scale={self.scale}"
