"""A 1-D convolutional U-Net over latent frames: the locality prior of AudioLDM / Tango's U-Nets, along time.

The latent channels (mel bands, or PCA coefficients) are the convolution channels; the sequence is halved at each
level down and doubled back on the way up, with skip connections between levels of the same length. Residual blocks
are modulated by the time embedding (scale and shift after the second normalisation, as in ADM); the levels named in
``attention`` add a transformer layer: self-attention with rotary positions and cross-attention to the condition
tokens (as Stable Diffusion's U-Net). Same call as :class:`star_kit.nn.DiT`, so a generator can use either.

Ein-notation:
    b  batch
    t  latent frames (at the current level)
    c  channels
    k  condition tokens
    d  width of the time embedding
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from einops import rearrange
from torch import Tensor, nn

from star_kit.errors import StarKitError
from star_kit.nn.dit import Attention, rotary, timestep_embedding
from star_kit.nn.masking import masked_mean

GROUPS = 8


class ResBlock(nn.Module):
    """GroupNorm -> SiLU -> conv, then GroupNorm modulated by the embedding -> SiLU -> dropout -> conv, residual."""

    def __init__(self, channels_in: int, channels: int, emb_dim: int, dropout: float) -> None:
        super().__init__()
        self.norm1 = nn.GroupNorm(GROUPS, channels_in)
        self.conv1 = nn.Conv1d(channels_in, channels, 3, padding=1)
        self.emb = nn.Sequential(nn.SiLU(), nn.Linear(emb_dim, 2 * channels))
        self.norm2 = nn.GroupNorm(GROUPS, channels)
        self.drop = nn.Dropout(dropout)
        self.conv2 = nn.Conv1d(channels, channels, 3, padding=1)
        self.skip = nn.Conv1d(channels_in, channels, 1) if channels_in != channels else nn.Identity()
        nn.init.zeros_(self.conv2.weight)
        nn.init.zeros_(self.conv2.bias)

    def forward(self, x: Tensor, emb: Tensor) -> Tensor:
        """``x (b, c_in, t)``, ``emb (b, d)`` -> ``(b, c, t)``."""
        h = self.conv1(F.silu(self.norm1(x)))
        scale, shift = rearrange(self.emb(emb), "b (two c) -> two b c 1", two=2)
        h = self.conv2(self.drop(F.silu(self.norm2(h) * (1 + scale) + shift)))
        return self.skip(x) + h


class AttentionBlock(nn.Module):
    """Pre-LN self-attention (rotary positions) and cross-attention to the condition tokens, each residual."""

    def __init__(self, channels: int, cond_dim: int, heads: int, dropout: float) -> None:
        super().__init__()
        self.norm_self = nn.LayerNorm(channels)
        self.attn = Attention(channels, heads, dropout=dropout)
        self.norm_cross = nn.LayerNorm(channels)
        self.cross = Attention(channels, heads, context_dim=cond_dim, dropout=dropout)
        self.heads = heads

    def forward(self, x: Tensor, mask: Tensor, cond: Tensor, cond_mask: Tensor) -> Tensor:
        """``x (b, c, t)``, ``mask (b, t)``, ``cond (b, k, cond_dim)``, ``cond_mask (b, k)`` -> ``(b, c, t)``."""
        h = rearrange(x, "b c t -> b t c")
        rope = rotary(h.shape[1], h.shape[2] // self.heads, h.device)
        h = h + self.attn(self.norm_self(h), mask, rope=rope)
        h = h + self.cross(self.norm_cross(h), cond_mask, context=cond)
        return rearrange(h, "b t c -> b c t")


class UNet1d(nn.Module):
    """A conditional 1-D U-Net predicting a field over latent frames (drop-in for :class:`star_kit.nn.DiT`).

    Args:
        latent_dim: latent channels (input and output).
        cond_dim: width of the condition tokens.
        channels: convolution channels per level, top (full length) first; each level below halves the length.
        blocks: residual blocks per level on the way down (the way up has one more, taking the skips).
        attention: per level, whether its blocks add self- and cross-attention.
        heads: attention heads (each level's channels must divide into an even head width).
        dropout: residual-block and attention dropout.
        pooled_cond: add an MLP of the masked mean of the condition tokens to the time embedding (as the DiT's).
        zero_init: zero output layer, so an untrained model predicts exactly zero (the residual branches always
            start at zero).
    """

    def __init__(
        self,
        latent_dim: int,
        cond_dim: int,
        channels: tuple[int, ...] | list[int] = (128, 256, 256),
        blocks: int = 2,
        attention: tuple[bool, ...] | list[bool] = (False, True, True),
        heads: int = 4,
        dropout: float = 0.0,
        pooled_cond: bool = True,
        zero_init: bool = True,
    ) -> None:
        super().__init__()
        channels, attention = list(channels), list(attention)
        if not channels or len(attention) != len(channels) or blocks < 1:
            raise StarKitError(
                f"UNet1d: channels and attention need one entry per level and blocks >= 1, got channels {channels}, "
                f"attention {attention}, blocks {blocks}"
            )
        for c in channels:
            if c % GROUPS or c % heads or (c // heads) % 2:
                raise StarKitError(
                    f"UNet1d: channels {c} must be divisible by {GROUPS} (group norm) and by heads {heads} into an "
                    "even head width"
                )
        emb_dim = 4 * channels[0]
        self.levels = len(channels)
        self.time_mlp = nn.Sequential(nn.Linear(256, emb_dim), nn.SiLU(), nn.Linear(emb_dim, emb_dim))
        self.cond_mlp = (
            nn.Sequential(nn.Linear(cond_dim, emb_dim), nn.SiLU(), nn.Linear(emb_dim, emb_dim)) if pooled_cond else None
        )
        self.proj_in = nn.Conv1d(latent_dim, channels[0], 3, padding=1)
        self.down, self.up = nn.ModuleList(), nn.ModuleList()
        skips, current = [channels[0]], channels[0]
        for level, (c, attn) in enumerate(zip(channels, attention, strict=True)):
            stage = nn.ModuleList()
            for _ in range(blocks):
                stage.append(self._block(current, c, emb_dim, cond_dim, heads, dropout, attn))
                current = c
                skips.append(c)
            if level < self.levels - 1:
                stage.append(nn.Conv1d(c, c, 3, stride=2, padding=1))
                skips.append(c)
            self.down.append(stage)
        self.mid = self._block(current, current, emb_dim, cond_dim, heads, dropout, True)
        for level in reversed(range(self.levels)):
            stage = nn.ModuleList()
            c, attn = channels[level], attention[level]
            for _ in range(blocks + 1):
                stage.append(self._block(current + skips.pop(), c, emb_dim, cond_dim, heads, dropout, attn))
                current = c
            if level > 0:
                stage.append(nn.Conv1d(c, c, 3, padding=1))  # after nearest-neighbour upsampling
            self.up.append(stage)
        self.norm_out = nn.GroupNorm(GROUPS, current)
        self.proj_out = nn.Conv1d(current, latent_dim, 3, padding=1)
        for layer in (self.time_mlp[0], self.time_mlp[2]):
            nn.init.normal_(layer.weight, std=0.02)
        if zero_init:
            nn.init.zeros_(self.proj_out.weight)
            nn.init.zeros_(self.proj_out.bias)

    @staticmethod
    def _block(
        channels_in: int, channels: int, emb_dim: int, cond_dim: int, heads: int, dropout: float, attn: bool
    ) -> nn.ModuleList:
        res = ResBlock(channels_in, channels, emb_dim, dropout)
        return nn.ModuleList([res, AttentionBlock(channels, cond_dim, heads, dropout)] if attn else [res])

    @staticmethod
    def _apply(block: nn.ModuleList, h: Tensor, emb: Tensor, mask: Tensor, cond: Tensor, cond_mask: Tensor) -> Tensor:
        h = block[0](h, emb)
        if len(block) > 1:
            h = block[1](h, mask, cond, cond_mask)
        return h * mask[:, None, :].to(h.dtype)  # padded frames stay zero, as at the input

    def forward(self, x: Tensor, time: Tensor, mask: Tensor, cond: Tensor, cond_mask: Tensor) -> Tensor:
        """Same contract as :meth:`star_kit.nn.DiT.forward`: ``x (b, t, latent_dim)`` -> ``(b, t, latent_dim)``."""
        frames = x.shape[1]
        pad = -frames % 2 ** (self.levels - 1)
        x = F.pad(x.masked_fill(~mask[..., None], 0.0), (0, 0, 0, pad))
        masks = [F.pad(mask, (0, pad))]  # (b, t) per level
        for _ in range(self.levels - 1):
            masks.append(masks[-1][:, ::2])
        emb = self.time_mlp(timestep_embedding(1000.0 * time, 256).to(x.dtype))  # (b, d)
        if self.cond_mlp is not None:
            emb = emb + self.cond_mlp(masked_mean(cond, cond_mask, dim=1))
        h = self.proj_in(rearrange(x, "b t c -> b c t"))  # (b, c, t)
        skips = [h]
        for level, stage in enumerate(self.down):
            for block in stage:
                if isinstance(block, nn.Conv1d):
                    h = block(h) * masks[level + 1][:, None, :].to(h.dtype)  # halve the length
                else:
                    h = self._apply(block, h, emb, masks[level], cond, cond_mask)
                skips.append(h)
        h = self._apply(self.mid, h, emb, masks[-1], cond, cond_mask)
        for level, stage in zip(reversed(range(self.levels)), self.up, strict=True):
            for block in stage:
                if isinstance(block, nn.Conv1d):
                    h = block(F.interpolate(h, scale_factor=2.0, mode="nearest"))  # double the length
                else:
                    h = self._apply(block, torch.cat([h, skips.pop()], dim=1), emb, masks[level], cond, cond_mask)
        out = self.proj_out(F.silu(self.norm_out(h)))  # (b, latent_dim, t)
        return rearrange(out, "b c t -> b t c")[:, :frames]
