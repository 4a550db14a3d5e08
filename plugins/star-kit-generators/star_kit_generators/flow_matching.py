"""Rectified-flow matching over latent frames (STAR's generator), sampled with torchdiffeq.

Path: ``x_t = (1 - t) x0 + t noise`` (t = 0 data, t = 1 noise), target velocity ``v = noise - x0``. Sampling
integrates ``dx/dt = v`` from t = 1 down to t = 0.

Ein-notation:
    b  batch
    t  latent frames
    k  condition tokens
    d  feature width
"""

from __future__ import annotations

import math

import torch
from torch import Tensor
from torchdiffeq import odeint

from star_kit.errors import StarKitError
from star_kit.interfaces import Frames, Generator
from star_kit.nn import DiT, masked_mean
from star_kit_generators.conditioning import NullCondition, check_inputs, clean, guided

SOLVERS = ("euler", "midpoint", "rk4", "dopri5")
SCHEDULES = ("uniform", "cosine")
TIME_SAMPLINGS = ("logit_normal", "uniform")


class FlowMatching(Generator):
    """Rectified flow on the shared DiT / U-ViT backbone (:class:`star_kit.nn.DiT`).

    Args:
        latent_dim: latent width (wired from the vocoder's ``latent_dim``).
        cond_dim: condition width (wired from the bridge's ``out_dim``).
        width: backbone width (STAR: 1024).
        depth: backbone blocks (STAR: 24).
        heads: attention heads (STAR: 16).
        mlp_ratio: MLP hidden width over ``width``.
        long_skips: U-ViT long skip connections.
        dropout: backbone dropout.
        zero_init: DiT's zero initialisation of the AdaLN gates and the output layer (see :class:`DiT`).
        patch_size: latent frames per transformer token (see :class:`DiT`); 2-4 makes CPU training affordable.
        pooled_cond: add the pooled condition to the AdaLN time embedding (see :class:`DiT`).
        cond_dropout: probability of training a row on the null context (classifier-free guidance; STAR: 0.2).
        null_cond: the unconditional context: ``"zeros"`` (STAR) or ``"learned"`` (one trainable token).
        time_sampling: training times: ``"logit_normal"`` (``sigmoid(N(logit_mean, logit_std))``, STAR) or
            ``"uniform"``.
        logit_mean: mean of the logit-normal.
        logit_std: standard deviation of the logit-normal.
        solver: default ODE method of :meth:`sample`: ``euler``, ``midpoint``, ``rk4`` (fixed grid) or ``dopri5``
            (adaptive; ignores ``steps``, uses ``atol`` / ``rtol``).
        schedule: the fixed time grid (see :meth:`time_grid`): ``"cosine"`` (STAR) or ``"uniform"``.
        atol: absolute tolerance of ``dopri5``.
        rtol: relative tolerance of ``dopri5``.
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
        time_sampling: str = "logit_normal",
        logit_mean: float = 0.0,
        logit_std: float = 1.0,
        solver: str = "euler",
        schedule: str = "cosine",
        atol: float = 1e-5,
        rtol: float = 1e-5,
    ) -> None:
        super().__init__()
        for key, value, choices in (
            ("time_sampling", time_sampling, TIME_SAMPLINGS),
            ("solver", solver, SOLVERS),
            ("schedule", schedule, SCHEDULES),
        ):
            if value not in choices:
                raise StarKitError(f"generator 'flow_matching': {key} '{value}' is not one of {', '.join(choices)}")
        self.latent_dim, self.cond_dim = latent_dim, cond_dim
        self.time_sampling, self.logit_mean, self.logit_std = time_sampling, logit_mean, logit_std
        self.solver, self.schedule, self.atol, self.rtol = solver, schedule, atol, rtol
        self.model = DiT(
            latent_dim=latent_dim,
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
        self.null = NullCondition("flow_matching", cond_dim, cond_dropout, null_cond)

    def sample_time(self, batch: int, device: torch.device) -> Tensor:
        """Training times ``(b,)`` in ``(0, 1)``."""
        if self.time_sampling == "uniform":
            return torch.rand(batch, device=device)
        return torch.sigmoid(self.logit_mean + self.logit_std * torch.randn(batch, device=device))

    def loss(self, target: Frames, cond: Frames) -> Tensor:
        """Masked MSE between predicted and true velocity, averaged over valid frames and channels.

        Args:
            target: ``(b, t, latent_dim)`` clean latents.
            cond: ``(b, k, cond_dim)`` condition tokens (dropped to the null context with ``cond_dropout``).
        """
        check_inputs("flow_matching", self.latent_dim, self.cond_dim, cond, target)
        x0, context = clean(target), self.null(clean(cond))  # (b, t, d), (b, k, c)
        time = self.sample_time(x0.shape[0], x0.device)  # (b,)
        noise = torch.randn_like(x0)  # (b, t, d)
        t = time[:, None, None]
        xt = (1 - t) * x0 + t * noise
        pred = self.model(x=xt, time=time, mask=target.mask, cond=context, cond_mask=cond.mask)  # (b, t, d)
        return masked_mean((pred.float() - (noise - x0).float()).square(), target.mask)

    def time_grid(self, steps: int, schedule: str | None = None) -> Tensor:
        """The fixed-grid solvers' times ``(steps + 1,)``, from 1 (noise) down to 0 (data).

        ``uniform``: ``t_i = 1 - i / steps``. ``cosine``: ``t_i = cos(pi / 2 * i / steps)``, STAR's grid (its
        "sway sampling" with coefficient -1). Its steps are smallest at the *noise* end (t near 1) and largest at
        the data end: the grid spends its resolution early in sampling, where the coarse structure is decided.
        """
        schedule = schedule or self.schedule
        if schedule not in SCHEDULES:
            raise StarKitError(f"generator 'flow_matching': schedule '{schedule}' is not one of {', '.join(SCHEDULES)}")
        u = torch.linspace(0.0, 1.0, steps + 1, dtype=torch.float64)  # (steps + 1,)
        grid = 1.0 - u if schedule == "uniform" else torch.cos(math.pi / 2 * u)
        grid[-1] = 0.0
        return grid.float()

    @torch.no_grad()
    def sample(
        self,
        cond: Frames,
        num_frames: int,
        steps: int = 20,
        guidance: float = 1.0,
        solver: str | None = None,
        seed: int | None = None,
    ) -> Frames:
        """Integrates the guided velocity from noise (t = 1) to data (t = 0) with ``torchdiffeq.odeint``.

        Args:
            cond: ``(b, k, cond_dim)`` condition tokens.
            num_frames: latent frames ``t`` to draw.
            steps: fixed-grid intervals (ignored by ``dopri5``).
            guidance: classifier-free guidance ``w`` in ``v = v_uncond + w (v_cond - v_uncond)``.
            solver: ``euler``, ``midpoint``, ``rk4`` or ``dopri5``; ``None`` uses ``self.solver``.
            seed: seeds the initial noise (a ``torch.Generator``); ``None`` draws from the global generator.

        Returns:
            Frames ``(b, num_frames, latent_dim)``, all valid. The frame rate is 0.0: the caller knows the
            vocoder's.
        """
        solver = solver or self.solver
        if solver not in SOLVERS:
            raise StarKitError(f"generator 'flow_matching': solver '{solver}' is not one of {', '.join(SOLVERS)}")
        if steps < 1 or num_frames < 1:
            raise StarKitError(
                f"generator 'flow_matching': steps and num_frames must be >= 1, got {steps}, {num_frames}"
            )
        check_inputs("flow_matching", self.latent_dim, self.cond_dim, cond)
        device, b = cond.values.device, cond.values.shape[0]
        context = clean(cond)  # (b, k, c)
        mask = torch.ones(b, num_frames, dtype=torch.bool, device=device)  # (b, t)
        gen = torch.Generator(device).manual_seed(seed) if seed is not None else None
        noise = torch.randn(b, num_frames, self.latent_dim, generator=gen, device=device)  # (b, t, d)

        def velocity(t: Tensor, x: Tensor) -> Tensor:
            time = t.expand(b).float()  # (b,)
            return guided(self.model, self.null, x, time, mask, context, cond.mask, guidance).float()

        grid = self.time_grid(steps).to(device)  # (steps + 1,)
        if solver == "dopri5":
            path = odeint(velocity, noise, grid[[0, -1]], method="dopri5", atol=self.atol, rtol=self.rtol)
        else:
            path = odeint(velocity, noise, grid, method=solver)  # (steps + 1, b, t, d)
        return Frames(path[-1], mask, 0.0)
