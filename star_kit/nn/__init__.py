"""Shared neural layers for component plugins: the DiT / U-ViT and 1-D U-Net backbones, a fitted latent PCA and
masked reductions."""

from star_kit.nn.dit import DiT, DiTBlock, masked_attention, timestep_embedding
from star_kit.nn.latent_pca import PatchPCA
from star_kit.nn.masking import masked_mean
from star_kit.nn.unet import UNet1d

__all__ = ["DiT", "DiTBlock", "PatchPCA", "UNet1d", "masked_attention", "masked_mean", "timestep_embedding"]
