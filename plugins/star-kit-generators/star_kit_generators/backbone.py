"""What both generators share: the backbone choice (DiT or U-Net) and the space it models (latent frames or PCA).

Ein-notation:
    b  batch
    t  latent frames
    n  modelled positions (frames, or PCA tokens of ``pca_patch`` frames)
    c  modelled width (latent channels, or PCA components)
"""

from __future__ import annotations

from collections.abc import Sequence

from torch import Tensor, nn

from star_kit.errors import StarKitError
from star_kit.interfaces import Frames
from star_kit.nn import DiT, PatchPCA, UNet1d
from star_kit_generators.conditioning import clean

BACKBONES = ("dit", "unet")


def build_backbone(
    generator: str,
    backbone: str,
    width_in: int,
    cond_dim: int,
    *,
    width: int,
    depth: int,
    heads: int,
    mlp_ratio: float,
    long_skips: bool,
    dropout: float,
    zero_init: bool,
    patch_size: int,
    pooled_cond: bool,
    unet_channels: Sequence[int],
    unet_blocks: int,
    unet_attention: Sequence[bool],
) -> nn.Module:
    """The network ``(x (b, n, width_in), time, mask, cond, cond_mask) -> (b, n, width_in)`` a generator trains."""
    if backbone not in BACKBONES:
        raise StarKitError(f"generator '{generator}': backbone '{backbone}' is not one of {', '.join(BACKBONES)}")
    if backbone == "unet":
        return UNet1d(
            width_in, cond_dim, unet_channels, unet_blocks, unet_attention, heads, dropout, pooled_cond, zero_init
        )
    return DiT(
        latent_dim=width_in,
        cond_dim=cond_dim,
        width=width,
        depth=depth,
        heads=heads,
        mlp_ratio=mlp_ratio,
        long_skips=long_skips,
        dropout=dropout,
        zero_init=zero_init,
        patch_size=patch_size,
        pooled_cond=pooled_cond,
    )


class ModelSpace(nn.Module):
    """The space a generator's backbone works in: the latent frames, or (``pca_components > 0``) the coefficients of
    a :class:`~star_kit.nn.PatchPCA` fitted on the training latents (its buffers are saved with the weights)."""

    def __init__(self, latent_dim: int, pca_components: int, pca_patch: int, pca_scale: str) -> None:
        super().__init__()
        self.latent_dim = latent_dim
        self.pca = PatchPCA(latent_dim, pca_patch, pca_components, pca_scale) if pca_components else None

    @property
    def width(self) -> int:
        return self.latent_dim if self.pca is None else self.pca.components

    def length(self, num_frames: int) -> int:
        return num_frames if self.pca is None else self.pca.num_tokens(num_frames)

    def fit(self, latents: Sequence[Tensor]) -> None:
        if self.pca is not None:
            self.pca.fit(latents)

    def encode(self, latents: Frames) -> tuple[Tensor, Tensor]:
        """Latents ``(b, t, latent_dim)`` -> modelled values ``(b, n, c)`` (padding zeroed), their mask ``(b, n)``."""
        if self.pca is None:
            return clean(latents), latents.mask
        return self.pca.encode(latents.values, latents.mask)

    def decode(self, x: Tensor, num_frames: int) -> Frames:
        """Modelled values ``(b, n, c)`` -> latents ``(b, num_frames, latent_dim)``, all valid."""
        values = x if self.pca is None else self.pca.decode(x, num_frames)
        return Frames(values, values.new_ones(values.shape[:2], dtype=bool), 0.0)
