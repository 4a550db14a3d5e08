"""DDPM training and DDIM sampling over latent frames, on the same backbone as ``flow_matching``.

Forward process over ``train_steps`` discrete steps ``i``: ``x_i = sqrt(abar_i) x0 + sqrt(1 - abar_i) eps``; the
backbone sees time ``i / train_steps`` (so ``1000 * time = i`` at 1000 steps) and predicts ``eps`` or
``v = sqrt(abar_i) eps - sqrt(1 - abar_i) x0``.

Ein-notation:
    b  batch
    t  latent frames
    n  modelled positions (latent frames, or PCA tokens)
    c  modelled width (latent channels, or PCA components)
    k  condition tokens
    d  feature width
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor

from star_kit.errors import StarKitError
from star_kit.interfaces import Frames, Generator, Progress
from star_kit.nn import masked_mean
from star_kit_generators.backbone import ModelSpace, build_backbone
from star_kit_generators.conditioning import NullCondition, check_inputs, clean, guided

PREDICTIONS = ("v", "epsilon")
BETA_SCHEDULES = ("cosine", "linear")
SOLVERS = ("ddim", "ddpm")


def alphas_cumprod(schedule: str, steps: int) -> Tensor:
    """``abar (steps,)``: the signal fraction kept after each forward step (decreasing from about 1).

    ``cosine``: Nichol & Dhariwal (s = 0.008, betas clipped at 0.999). ``linear``: Ho et al.'s betas 1e-4 -> 0.02
    (rescaled by ``1000 / steps``).
    """
    if schedule == "cosine":
        s = 0.008
        f = torch.cos((torch.arange(steps + 1, dtype=torch.float64) / steps + s) / (1 + s) * math.pi / 2) ** 2
        betas = (1 - f[1:] / f[:-1]).clamp(max=0.999)
    else:
        scale = 1000 / steps
        betas = torch.linspace(scale * 1e-4, scale * 0.02, steps, dtype=torch.float64)
    return torch.cumprod(1 - betas, dim=0)


class Diffusion(Generator):
    """A DDPM on the shared DiT / U-ViT backbone (:class:`star_kit.nn.DiT`), sampled with DDIM.

    Args:
        latent_dim: latent width (wired from the vocoder's ``latent_dim``).
        cond_dim: condition width (wired from the bridge's ``out_dim``).
        width: backbone width.
        depth: backbone blocks.
        heads: attention heads.
        mlp_ratio: MLP hidden width over ``width``.
        long_skips: U-ViT long skip connections.
        dropout: backbone dropout.
        zero_init: DiT's zero initialisation of the AdaLN gates and the output layer (see :class:`DiT`).
        patch_size: latent frames per transformer token (see :class:`DiT`); 2-4 makes CPU training affordable.
        pooled_cond: add the pooled condition to the AdaLN time embedding (see :class:`DiT`).
        cond_dropout: probability of training a row on the null context (classifier-free guidance).
        null_cond: the unconditional context: ``"zeros"`` or ``"learned"``.
        prediction: what the backbone predicts: ``"v"`` (stable at every noise level) or ``"epsilon"``.
        beta_schedule: ``"cosine"`` or ``"linear"``.
        train_steps: discrete diffusion steps of the forward process.
        eta: DDIM stochasticity (0 = deterministic DDIM, 1 = DDPM-like ancestral sampling).
        solver: default sampler: ``"ddim"`` (uses ``eta``) or ``"ddpm"`` (DDIM with eta = 1).
        pca_components, pca_patch, pca_scale: model a latent PCA instead of the latent (as ``flow_matching``).
        backbone, unet_channels, unet_blocks, unet_attention: ``"dit"`` or ``"unet"`` (as ``flow_matching``).
    """

    def __init__(
        self,
        latent_dim: int,
        cond_dim: int,
        width: int = 1024,
        depth: int = 24,
        heads: int = 16,
        mlp_ratio: float = 4.0,
        long_skips: bool = True,
        dropout: float = 0.0,
        zero_init: bool = True,
        patch_size: int = 1,
        pooled_cond: bool = False,
        cond_dropout: float = 0.2,
        null_cond: str = "zeros",
        prediction: str = "v",
        beta_schedule: str = "cosine",
        train_steps: int = 1000,
        eta: float = 0.0,
        solver: str = "ddim",
        pca_components: int = 0,
        pca_patch: int = 4,
        pca_scale: str = "whiten",
        backbone: str = "dit",
        unet_channels: Sequence[int] = (128, 256, 256),
        unet_blocks: int = 2,
        unet_attention: Sequence[bool] = (False, True, True),
    ) -> None:
        super().__init__()
        for key, value, choices in (
            ("prediction", prediction, PREDICTIONS),
            ("beta_schedule", beta_schedule, BETA_SCHEDULES),
            ("solver", solver, SOLVERS),
        ):
            if value not in choices:
                raise StarKitError(f"generator 'diffusion': {key} '{value}' is not one of {', '.join(choices)}")
        if train_steps < 2:
            raise StarKitError(f"generator 'diffusion': train_steps must be >= 2, got {train_steps}")
        self.latent_dim, self.cond_dim = latent_dim, cond_dim
        self.prediction, self.beta_schedule, self.train_steps = prediction, beta_schedule, train_steps
        self.eta, self.solver = eta, solver
        self.space = ModelSpace(latent_dim, pca_components, pca_patch, pca_scale)
        self.model = build_backbone(
            "diffusion",
            backbone,
            self.space.width,
            cond_dim,
            width=width,
            depth=depth,
            heads=heads,
            mlp_ratio=mlp_ratio,
            long_skips=long_skips,
            dropout=dropout,
            zero_init=zero_init,
            patch_size=patch_size,
            pooled_cond=pooled_cond,
            unet_channels=unet_channels,
            unet_blocks=unet_blocks,
            unet_attention=unet_attention,
        )
        self.null = NullCondition("diffusion", cond_dim, cond_dropout, null_cond)

    @torch.no_grad()
    def prepare(self, latents: Sequence[Tensor]) -> None:
        """Fits the latent PCA (``pca_components > 0``) on the training latents, each ``(t, latent_dim)``."""
        self.space.fit(latents)

    def abar(self, device: torch.device) -> Tensor:
        """``(train_steps,)`` float32, recomputed (not a buffer: no checkpoint or dtype cast can alter it)."""
        return alphas_cumprod(self.beta_schedule, self.train_steps).to(device, torch.float32)

    def loss(self, target: Frames, cond: Frames) -> Tensor:
        """Masked MSE of the ``eps`` / ``v`` prediction at uniform random steps, over valid frames and channels.

        Args:
            target: ``(b, t, latent_dim)`` clean latents.
            cond: ``(b, k, cond_dim)`` condition tokens (dropped to the null context with ``cond_dropout``).
        """
        check_inputs("diffusion", self.latent_dim, self.cond_dim, cond, target)
        (x0, mask), context = self.space.encode(target), self.null(clean(cond))  # (b, n, c), (b, k, c)
        step = torch.randint(0, self.train_steps, (x0.shape[0],), device=x0.device)  # (b,)
        eps = torch.randn_like(x0)  # (b, n, c)
        a = self.abar(x0.device)[step][:, None, None]  # (b, 1, 1)
        xt = a.sqrt() * x0 + (1 - a).sqrt() * eps
        goal = eps if self.prediction == "epsilon" else a.sqrt() * eps - (1 - a).sqrt() * x0
        pred = self.model(x=xt, time=step.float() / self.train_steps, mask=mask, cond=context, cond_mask=cond.mask)
        return masked_mean((pred.float() - goal.float()).square(), mask)

    def timesteps(self, steps: int) -> Tensor:
        """DDIM's steps ``(steps,)``, evenly spaced and "trailing": the first is the last training step (pure noise)."""
        if not 1 <= steps <= self.train_steps:
            raise StarKitError(f"generator 'diffusion': steps must be in 1..{self.train_steps}, got {steps}")
        return torch.arange(self.train_steps, 0, -self.train_steps / steps).round().long()[:steps] - 1

    @torch.no_grad()
    def sample(
        self,
        cond: Frames,
        num_frames: int,
        steps: int = 20,
        guidance: float = 1.0,
        solver: str | None = None,
        seed: int | None = None,
        progress: Progress | None = None,
    ) -> Frames:
        """DDIM from pure noise, with classifier-free guidance applied to the model output.

        Args:
            cond: ``(b, k, cond_dim)`` condition tokens.
            num_frames: latent frames ``t`` to draw.
            steps: denoising steps (a trailing subsequence of the training steps).
            guidance: classifier-free guidance ``w`` on the ``eps`` / ``v`` prediction.
            solver: ``"ddim"`` (``self.eta``) or ``"ddpm"`` (eta = 1); ``None`` uses ``self.solver``.
            seed: seeds the initial noise and any sampling noise; ``None`` uses the global generator.
            progress: called with ``(done, steps)`` after each denoising step.

        Returns:
            Frames ``(b, num_frames, latent_dim)``, all valid; frame rate 0.0 (the caller knows the vocoder's).
        """
        solver = solver or self.solver
        if solver not in SOLVERS:
            raise StarKitError(f"generator 'diffusion': solver '{solver}' is not one of {', '.join(SOLVERS)}")
        if num_frames < 1:
            raise StarKitError(f"generator 'diffusion': num_frames must be >= 1, got {num_frames}")
        check_inputs("diffusion", self.latent_dim, self.cond_dim, cond)
        eta = 1.0 if solver == "ddpm" else self.eta
        device, b = cond.values.device, cond.values.shape[0]
        context = clean(cond)  # (b, k, c)
        length = self.space.length(num_frames)
        mask = torch.ones(b, length, dtype=torch.bool, device=device)  # (b, n)
        gen = torch.Generator(device).manual_seed(seed) if seed is not None else None
        x = torch.randn(b, length, self.space.width, generator=gen, device=device)  # (b, n, c)
        schedule, abar = self.timesteps(steps).tolist(), self.abar(device)
        for j, step in enumerate(schedule):
            a = abar[step]
            a_prev = abar[schedule[j + 1]] if j + 1 < len(schedule) else torch.ones_like(a)
            time = torch.full((b,), step / self.train_steps, device=device)  # (b,)
            out = guided(self.model, self.null, x, time, mask, context, cond.mask, guidance).float()  # (b, n, c)
            if self.prediction == "v":
                x0, eps = a.sqrt() * x - (1 - a).sqrt() * out, (1 - a).sqrt() * x + a.sqrt() * out
            else:
                x0, eps = (x - (1 - a).sqrt() * out) / a.sqrt(), out
            sigma = eta * ((1 - a_prev) / (1 - a) * (1 - a / a_prev)).sqrt()
            x = a_prev.sqrt() * x0 + (1 - a_prev - sigma**2).clamp(min=0).sqrt() * eps
            if eta > 0 and j + 1 < len(schedule):
                x = x + sigma * torch.randn(x.shape, generator=gen, device=device)
            if progress:
                progress(j + 1, len(schedule))
        return self.space.decode(x, num_frames)
