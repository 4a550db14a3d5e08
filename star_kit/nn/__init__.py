"""Shared neural layers for component plugins: the DiT / U-ViT backbone and masked reductions."""

from star_kit.nn.dit import DiT, DiTBlock, masked_attention, timestep_embedding
from star_kit.nn.masking import masked_mean

__all__ = ["DiT", "DiTBlock", "masked_attention", "masked_mean", "timestep_embedding"]
