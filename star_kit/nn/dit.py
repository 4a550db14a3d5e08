"""A DiT / U-ViT transformer over latent frames: the shared backbone of the generators.

Each block modulates self-attention and the MLP by the time step (AdaLN-zero, as in DiT), cross-attends to the
condition tokens (plain pre-LN, as in PixArt), and, with ``long_skips``, blocks of the second half take the output of
their mirror block in the first half (concatenation then Linear, as in U-ViT). Self-attention uses rotary positions,
so any number of frames works without a length limit.

Ein-notation:
    b  batch
    t  latent frames
    k  condition tokens (or attention keys)
    d  model width
    h  attention heads
    e  head width
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from einops import rearrange
from torch import Tensor, nn

from star_kit.errors import ArgumentError
from star_kit.nn.masking import masked_mean


def timestep_embedding(time: Tensor, dim: int, max_period: float = 10000.0) -> Tensor:
    """Sinusoidal features ``(b, dim)`` of ``time (b,)`` (any scale; the DiT passes ``1000 * t``)."""
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(half, device=time.device, dtype=torch.float32) / half)
    args = time.float()[:, None] * freqs[None]  # (b, dim/2)
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)


def rotary(num: int, dim: int, device: torch.device, base: float = 10000.0) -> tuple[Tensor, Tensor]:
    """Rotary position tables ``cos, sin`` of shape ``(t, e)`` for positions ``0 .. num - 1``."""
    inv_freq = 1.0 / base ** (torch.arange(0, dim, 2, device=device, dtype=torch.float32) / dim)  # (e/2,)
    angles = torch.arange(num, device=device, dtype=torch.float32)[:, None] * inv_freq[None]  # (t, e/2)
    angles = torch.cat([angles, angles], dim=-1)  # (t, e)
    return angles.cos(), angles.sin()


def apply_rotary(x: Tensor, rope: tuple[Tensor, Tensor]) -> Tensor:
    """Rotates ``x (b, h, t, e)`` by position (the "rotate half" convention)."""
    cos, sin = rope
    x1, x2 = x.chunk(2, dim=-1)
    rotated = torch.cat([-x2, x1], dim=-1)
    return (x * cos + rotated * sin).to(x.dtype)


def masked_attention(q: Tensor, k: Tensor, v: Tensor, mask: Tensor, dropout: float = 0.0) -> Tensor:
    """``F.scaled_dot_product_attention`` over valid keys only.

    Args:
        q: ``(b, h, t, e)`` queries.
        k: ``(b, h, k, e)`` keys.
        v: ``(b, h, k, e)`` values.
        mask: ``(b, k)`` bool, True on keys that may be attended to.
        dropout: attention dropout probability.

    Returns:
        ``(b, h, t, e)``; rows with no valid key at all get zeros (instead of the NaN a fully masked softmax gives).
    """
    has_key = mask.any(dim=1)  # (b,)
    attn_mask = rearrange(mask | ~has_key[:, None], "b k -> b 1 1 k")
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask, dropout_p=dropout)
    return out * rearrange(has_key, "b -> b 1 1 1").to(out.dtype)


class Attention(nn.Module):
    """Multi-head attention (self-attention when ``context`` is None, else cross-attention to it).

    Args:
        width: query width ``d``.
        heads: number of heads ``h``; ``width`` must be divisible by it.
        context_dim: key/value input width (defaults to ``width``).
        dropout: attention dropout.
    """

    def __init__(self, width: int, heads: int, context_dim: int | None = None, dropout: float = 0.0) -> None:
        super().__init__()
        self.heads, self.dropout = heads, dropout
        self.to_q = nn.Linear(width, width)
        self.to_kv = nn.Linear(context_dim or width, 2 * width)
        self.to_out = nn.Linear(width, width)

    def forward(
        self, x: Tensor, mask: Tensor, context: Tensor | None = None, rope: tuple[Tensor, Tensor] | None = None
    ) -> Tensor:
        """``x (b, t, d)``, ``mask (b, k)`` over keys, ``context (b, k, c)`` -> ``(b, t, d)``."""
        q = rearrange(self.to_q(x), "b t (h e) -> b h t e", h=self.heads)
        k, v = rearrange(
            self.to_kv(x if context is None else context), "b k (two h e) -> two b h k e", two=2, h=self.heads
        )
        if rope is not None:
            q, k = apply_rotary(q, rope), apply_rotary(k, rope)
        out = masked_attention(q, k, v, mask, self.dropout if self.training else 0.0)  # (b, h, t, e)
        return self.to_out(rearrange(out, "b h t e -> b t (h e)"))


def modulate(x: Tensor, shift: Tensor, scale: Tensor) -> Tensor:
    """AdaLN: ``x (b, t, d)`` with per-row ``shift, scale (b, 1, d)``."""
    return x * (1 + scale) + shift


class DiTBlock(nn.Module):
    """Self-attention and MLP modulated by the time embedding (AdaLN-zero), cross-attention to the condition.

    Args:
        width: model width ``d``.
        cond_dim: width of the condition tokens.
        heads: attention heads.
        mlp_ratio: MLP hidden width over ``width``.
        dropout: attention and MLP dropout.
        skip: whether the block first merges a U-ViT long skip (``cat`` then Linear ``2d -> d``).
    """

    def __init__(
        self, width: int, cond_dim: int, heads: int, mlp_ratio: float, dropout: float, skip: bool = False
    ) -> None:
        super().__init__()
        self.skip = nn.Linear(2 * width, width) if skip else None
        self.norm_attn = nn.LayerNorm(width, elementwise_affine=False, eps=1e-6)
        self.attn = Attention(width, heads, dropout=dropout)
        self.norm_cross = nn.LayerNorm(width, eps=1e-6)
        self.cross = Attention(width, heads, context_dim=cond_dim, dropout=dropout)
        self.norm_mlp = nn.LayerNorm(width, elementwise_affine=False, eps=1e-6)
        hidden = int(width * mlp_ratio)
        self.mlp = nn.Sequential(
            nn.Linear(width, hidden), nn.GELU(approximate="tanh"), nn.Dropout(dropout), nn.Linear(hidden, width)
        )
        self.modulation = nn.Sequential(nn.SiLU(), nn.Linear(width, 6 * width))

    def forward(
        self,
        x: Tensor,
        emb: Tensor,
        mask: Tensor,
        cond: Tensor,
        cond_mask: Tensor,
        rope: tuple[Tensor, Tensor],
        skip: Tensor | None = None,
    ) -> Tensor:
        """``x (b, t, d)``, ``emb (b, d)``, ``mask (b, t)``, ``cond (b, k, c)``, ``cond_mask (b, k)`` -> ``x``."""
        if self.skip is not None:
            x = self.skip(torch.cat([x, skip], dim=-1))  # (b, t, 2d) -> (b, t, d)
        shift_a, scale_a, gate_a, shift_m, scale_m, gate_m = rearrange(self.modulation(emb), "b (n d) -> n b 1 d", n=6)
        x = x + gate_a * self.attn(modulate(self.norm_attn(x), shift_a, scale_a), mask, rope=rope)
        x = x + self.cross(self.norm_cross(x), cond_mask, context=cond)
        return x + gate_m * self.mlp(modulate(self.norm_mlp(x), shift_m, scale_m))


class DiT(nn.Module):
    """A DiT / U-ViT transformer predicting a velocity (or noise) field over latent frames.

    Args:
        latent_dim: width of the latent frames (input and output).
        cond_dim: width of the condition tokens cross-attended to.
        width: model width ``d``.
        depth: number of blocks. With ``long_skips``, block ``depth - 1 - i`` merges the output of block ``i`` for
            ``i < depth // 2`` (an odd middle block has no partner).
        heads: attention heads (``width`` must be divisible by it, with an even head width for rotary positions).
        mlp_ratio: MLP hidden width over ``width``.
        long_skips: U-ViT long skip connections.
        dropout: attention and MLP dropout.
        patch_size: latent frames per transformer token (DiT's patchify along time): ``p`` cuts the sequence the
            attention sees ``p``-fold (and its cost about ``p^2``-fold); padded frames are zeroed first, so they
            never leak into a token that also holds valid frames.
        zero_init: DiT's initialisation: zero AdaLN modulation (every block starts as the identity on its
            self-attention and MLP paths) and a zero output layer, so an untrained model predicts exactly zero.
            False keeps them Xavier-initialised like every other Linear, so that an untrained model already
            responds to its inputs (what tests of guidance and seeds need).
        pooled_cond: also add an MLP of the masked mean of the condition tokens to the time embedding, so every
            block's AdaLN sees the condition globally (as SD3's pooled text and Stable Audio's global condition do),
            not only through cross-attention. The null context is pooled like any other, so guidance works unchanged.

    Other weights: Xavier-uniform Linears with zero biases, N(0, 0.02) time MLP (as in DiT).
    """

    def __init__(
        self,
        latent_dim: int = 128,
        cond_dim: int = 1024,
        width: int = 1024,
        depth: int = 24,
        heads: int = 16,
        mlp_ratio: float = 4.0,
        long_skips: bool = True,
        dropout: float = 0.0,
        zero_init: bool = True,
        patch_size: int = 1,
        pooled_cond: bool = False,
    ) -> None:
        super().__init__()
        for name, value in (("width", width), ("depth", depth), ("heads", heads), ("patch_size", patch_size)):
            if value < 1:
                raise ArgumentError(name, value, ">= 1")
        if width % heads or (width // heads) % 2:
            raise ArgumentError("heads", heads, f"a divisor of width {width} that leaves an even head width")
        if mlp_ratio <= 0:
            raise ArgumentError("mlp_ratio", mlp_ratio, "> 0")
        if not 0 <= dropout < 1:
            raise ArgumentError("dropout", dropout, "in [0, 1)")
        self.width, self.heads, self.patch_size = width, heads, patch_size
        self.num_skips = depth // 2 if long_skips else 0
        self.proj_in = nn.Linear(latent_dim * patch_size, width)
        self.time_mlp = nn.Sequential(nn.Linear(256, width), nn.SiLU(), nn.Linear(width, width))
        self.cond_mlp = (
            nn.Sequential(nn.Linear(cond_dim, width), nn.SiLU(), nn.Linear(width, width)) if pooled_cond else None
        )
        self.blocks = nn.ModuleList(
            DiTBlock(width, cond_dim, heads, mlp_ratio, dropout, skip=i >= depth - self.num_skips) for i in range(depth)
        )
        self.norm_out = nn.LayerNorm(width, elementwise_affine=False, eps=1e-6)
        self.modulation_out = nn.Sequential(nn.SiLU(), nn.Linear(width, 2 * width))
        self.proj_out = nn.Linear(width, latent_dim * patch_size)
        self._init_weights(zero_init)

    def _init_weights(self, zero_init: bool) -> None:
        for module in self.modules():
            if isinstance(module, nn.Linear):
                nn.init.xavier_uniform_(module.weight)
                nn.init.zeros_(module.bias)
        for layer in (self.time_mlp[0], self.time_mlp[2]):
            nn.init.normal_(layer.weight, std=0.02)
        if not zero_init:
            return
        for block in self.blocks:
            nn.init.zeros_(block.modulation[1].weight)
            nn.init.zeros_(block.modulation[1].bias)
        for layer in (self.modulation_out[1], self.proj_out):
            nn.init.zeros_(layer.weight)
            nn.init.zeros_(layer.bias)

    def forward(self, x: Tensor, time: Tensor, mask: Tensor, cond: Tensor, cond_mask: Tensor) -> Tensor:
        """Predicts the field at noisy latents.

        Args:
            x: ``(b, t, latent_dim)`` noisy latents.
            time: ``(b,)`` time in ``[0, 1]`` (1 = pure noise); embedded as a sinusoid of ``1000 * time``.
            mask: ``(b, t)`` bool, True on valid frames (padded frames are never attended to).
            cond: ``(b, k, cond_dim)`` condition tokens.
            cond_mask: ``(b, k)`` bool, True on valid condition tokens.

        Returns:
            ``(b, t, latent_dim)``; values on padded frames are meaningless.
        """
        frames, p = x.shape[1], self.patch_size
        x = x.masked_fill(~mask[..., None], 0.0)
        if p > 1:
            pad = -frames % p
            x = rearrange(F.pad(x, (0, 0, 0, pad)), "b (t p) c -> b t (p c)", p=p)  # (b, t/p, p * latent_dim)
            mask = rearrange(F.pad(mask, (0, pad)), "b (t p) -> b t p", p=p).any(-1)  # (b, t/p)
        h = self.proj_in(x)  # (b, t, d)
        emb = self.time_mlp(timestep_embedding(1000.0 * time, 256).to(h.dtype))  # (b, d)
        if self.cond_mlp is not None:
            emb = emb + self.cond_mlp(masked_mean(cond, cond_mask, dim=1))  # (b, c) -> (b, d)
        rope = rotary(x.shape[1], self.width // self.heads, x.device)  # (t, e) each
        skips: list[Tensor] = []
        for i, block in enumerate(self.blocks):
            skip = skips.pop() if block.skip is not None else None
            h = block(h, emb, mask, cond, cond_mask, rope, skip=skip)
            if i < self.num_skips:
                skips.append(h)
        shift, scale = rearrange(self.modulation_out(emb), "b (n d) -> n b 1 d", n=2)
        out = self.proj_out(modulate(self.norm_out(h), shift, scale))  # (b, t/p, p * latent_dim)
        return rearrange(out, "b t (p c) -> b (t p) c", p=p)[:, :frames]  # (b, t, latent_dim)
