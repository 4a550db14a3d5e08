"""DDPM training and DDIM sampling over latent frames, on the same backbone as ``flow_matching``.

Forward process over ``train_steps`` discrete steps ``i``: ``x_i = sqrt(abar_i) x0 + sqrt(1 - abar_i) eps``; the
backbone sees time ``i / train_steps`` (so ``1000 * time = i`` at 1000 steps) and predicts ``eps`` or
``v = sqrt(abar_i) eps - sqrt(1 - abar_i) x0``.

Ein-notation (:mod:`star_kit_generators.backbone`'s): b batch, t latent frames, n modelled positions (latent frames,
or PCA tokens), c modelled width (latent channels, or PCA components), k condition tokens, d condition width.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor

from star_kit.errors import StarKitError
from star_kit.interfaces import Frames, Generator
from star_kit.nn import masked_mean
from star_kit_generators.backbone import DiTGenerator, with_parameters_of

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


class Diffusion(DiTGenerator):
    """A DDPM on the shared backbone, sampled with DDIM: :class:`DiTGenerator`'s arguments (the backbone, the
    modelled space, condition dropout, as ``flow_matching``), and its own:

    Args:
        prediction: what the backbone predicts: ``"v"`` (stable at every noise level) or ``"epsilon"``.
        beta_schedule: ``"cosine"`` or ``"linear"``.
        train_steps: discrete diffusion steps of the forward process.
        eta: DDIM stochasticity (0 = deterministic DDIM, 1 = DDPM-like ancestral sampling).
        solver: default sampler: ``"ddim"`` (uses ``eta``) or ``"ddpm"`` (DDIM with eta = 1).
    """

    name = "diffusion"
    choices = {**DiTGenerator.choices, "prediction": PREDICTIONS, "beta_schedule": BETA_SCHEDULES, "solver": SOLVERS}

    @with_parameters_of(DiTGenerator)
    def __init__(
        self,
        latent_dim: int,
        cond_dim: int,
        *,
        prediction: str = "v",
        beta_schedule: str = "cosine",
        train_steps: int = 1000,
        eta: float = 0.0,
        solver: str = "ddim",
        **shared: Any,
    ) -> None:
        self.check_choices(prediction=prediction, beta_schedule=beta_schedule, solver=solver)
        if train_steps < 2:
            raise StarKitError(f"generator 'diffusion': train_steps must be >= 2, got {train_steps}")
        super().__init__(latent_dim, cond_dim, **shared)
        self.prediction, self.beta_schedule, self.train_steps = prediction, beta_schedule, train_steps
        self.eta, self.solver = eta, solver

    def abar(self, device: torch.device) -> Tensor:
        """``(train_steps,)`` float32, recomputed (not a buffer: no checkpoint or dtype cast can alter it)."""
        return alphas_cumprod(self.beta_schedule, self.train_steps).to(device, torch.float32)

    def loss(self, target: Frames, cond: Frames) -> Tensor:
        """Masked MSE of the ``eps`` / ``v`` prediction at uniform random steps, over valid frames and channels.

        Args:
            target: ``(b, t, latent_dim)`` clean latents.
            cond: ``(b, k, cond_dim)`` condition tokens (dropped to the null context with ``cond_dropout``).
        """
        x0, mask, context = self.training_inputs(target, cond)  # (b, n, c), (b, n), (b, k, d)
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
    @with_parameters_of(Generator.sample)
    def sample(self, cond: Frames, num_frames: int, **options: Any) -> Frames:
        """DDIM from pure noise, with classifier-free guidance applied to the model output.

        Takes the arguments of :meth:`~star_kit.interfaces.Generator.sample`: ``steps`` are denoising steps (a
        trailing subsequence of the training steps), ``solver`` is ``"ddim"`` (``self.eta``) or ``"ddpm"``
        (eta = 1; ``None``: ``self.solver``), ``guidance`` applies to the ``eps`` / ``v`` prediction, and ``seed``
        seeds the sampling noise too.
        """
        run = self.start_sampling(cond, num_frames, **options)
        eta = 1.0 if run.solver == "ddpm" else self.eta
        x, device = run.noise, run.noise.device  # (b, n, c)
        schedule, abar = self.timesteps(run.steps).tolist(), self.abar(device)
        for j, step in enumerate(schedule):
            a = abar[step]
            a_prev = abar[schedule[j + 1]] if j + 1 < len(schedule) else torch.ones_like(a)
            time = torch.full((x.shape[0],), step / self.train_steps, device=device)  # (b,)
            out = run.field(x, time)  # (b, n, c)
            if self.prediction == "v":
                x0, eps = a.sqrt() * x - (1 - a).sqrt() * out, (1 - a).sqrt() * x + a.sqrt() * out
            else:
                x0, eps = (x - (1 - a).sqrt() * out) / a.sqrt(), out
            sigma = eta * ((1 - a_prev) / (1 - a) * (1 - a / a_prev)).sqrt()
            x = a_prev.sqrt() * x0 + (1 - a_prev - sigma**2).clamp(min=0).sqrt() * eps
            if eta > 0 and j + 1 < len(schedule):
                x = x + sigma * torch.randn(x.shape, generator=run.generator, device=device)
            if run.progress:
                run.progress(j + 1, len(schedule))
        return self.space.decode(x, num_frames)
