"""Rectified-flow matching over latent frames (STAR's generator), sampled with torchdiffeq.

Path: ``x_t = (1 - t) x0 + t noise`` (t = 0 data, t = 1 noise), target velocity ``v = noise - x0``. Sampling
integrates ``dx/dt = v`` from t = 1 down to t = 0.

Ein-notation (:mod:`star_kit_generators.backbone`'s): b batch, t latent frames, n modelled positions (latent frames,
or PCA tokens), c modelled width (latent channels, or PCA components), k condition tokens, d condition width.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor
from torchdiffeq import odeint

from star_kit.errors import StarKitError
from star_kit.interfaces import Frames, Generator
from star_kit.nn import masked_mean
from star_kit_generators.backbone import DiTGenerator, with_parameters_of

SOLVERS = ("euler", "midpoint", "rk4", "dopri5")
SCHEDULES = ("uniform", "cosine")
TIME_SAMPLINGS = ("logit_normal", "uniform")
PREDICTIONS = ("velocity", "x0")
MIN_X0_TIME = 0.05  # x0 prediction: v = (x_t - x0) / max(t, this), so the field stays bounded near the data


class FlowMatching(DiTGenerator):
    """Rectified flow on the shared backbone: :class:`DiTGenerator`'s arguments (the backbone, the modelled space,
    condition dropout), and its own:

    Args:
        time_sampling: training times: ``"logit_normal"`` (``sigmoid(N(logit_mean, logit_std))``, STAR) or
            ``"uniform"``.
        logit_mean: mean of the logit-normal.
        logit_std: standard deviation of the logit-normal.
        time_shift: SD3's resolution shift ``s`` of training times and of the sampling grid,
            ``t' = s t / (1 + (s - 1) t)``; ``s > 1`` spends more of both at high noise (1 = off).
        prediction: what the backbone outputs: ``"velocity"`` (STAR) or ``"x0"`` (the clean latent, trained through
            the same velocity loss, ``v = (x_t - x0) / t``, as JiT); the sampler always integrates the velocity.
        solver: default ODE method of :meth:`sample`: ``euler``, ``midpoint``, ``rk4`` (fixed grid) or ``dopri5``
            (adaptive; ignores ``steps``, uses ``atol`` / ``rtol``).
        schedule: the fixed time grid (see :meth:`time_grid`): ``"cosine"`` (STAR) or ``"uniform"``.
        atol: absolute tolerance of ``dopri5``.
        rtol: relative tolerance of ``dopri5``.
    """

    name = "flow_matching"
    choices = {
        **DiTGenerator.choices,
        "time_sampling": TIME_SAMPLINGS,
        "solver": SOLVERS,
        "schedule": SCHEDULES,
        "prediction": PREDICTIONS,
    }

    @with_parameters_of(DiTGenerator)
    def __init__(
        self,
        latent_dim: int,
        cond_dim: int,
        *,
        time_sampling: str = "logit_normal",
        logit_mean: float = 0.0,
        logit_std: float = 1.0,
        time_shift: float = 1.0,
        prediction: str = "velocity",
        solver: str = "euler",
        schedule: str = "cosine",
        atol: float = 1e-5,
        rtol: float = 1e-5,
        **shared: Any,
    ) -> None:
        self.check_choices(time_sampling=time_sampling, solver=solver, schedule=schedule, prediction=prediction)
        if time_shift <= 0:
            raise StarKitError(f"generator 'flow_matching': time_shift must be > 0, got {time_shift}")
        super().__init__(latent_dim, cond_dim, **shared)
        self.time_sampling, self.logit_mean, self.logit_std = time_sampling, logit_mean, logit_std
        self.time_shift, self.prediction = time_shift, prediction
        self.solver, self.schedule, self.atol, self.rtol = solver, schedule, atol, rtol

    def shift(self, time: Tensor) -> Tensor:
        """SD3's resolution shift ``s t / (1 + (s - 1) t)`` of times in ``[0, 1]`` (the identity for ``s = 1``)."""
        s = self.time_shift
        return time if s == 1.0 else s * time / (1 + (s - 1) * time)

    def sample_time(self, batch: int, device: torch.device) -> Tensor:
        """Training times ``(b,)`` in ``(0, 1)``, shifted by ``time_shift``."""
        if self.time_sampling == "uniform":
            return self.shift(torch.rand(batch, device=device))
        return self.shift(torch.sigmoid(self.logit_mean + self.logit_std * torch.randn(batch, device=device)))

    def velocity(self, out: Tensor, x: Tensor, time: Tensor) -> Tensor:
        """The backbone's output ``(b, n, c)`` at ``x`` and ``time (b,)`` as a velocity ``noise - x0``."""
        if self.prediction == "velocity":
            return out
        return (x - out) / time.clamp(min=MIN_X0_TIME)[:, None, None]

    def loss(self, target: Frames, cond: Frames) -> Tensor:
        """Masked MSE between predicted and true velocity, averaged over valid frames and channels.

        Args:
            target: ``(b, t, latent_dim)`` clean latents.
            cond: ``(b, k, cond_dim)`` condition tokens (dropped to the null context with ``cond_dropout``).
        """
        x0, mask, context = self.training_inputs(target, cond)  # (b, n, c), (b, n), (b, k, d)
        time = self.sample_time(x0.shape[0], x0.device)  # (b,)
        noise = torch.randn_like(x0)  # (b, n, c)
        t = time[:, None, None]
        xt = (1 - t) * x0 + t * noise
        out = self.model(x=xt, time=time, mask=mask, cond=context, cond_mask=cond.mask)  # (b, n, c)
        pred = self.velocity(out.float(), xt.float(), time)
        return masked_mean((pred - (noise - x0).float()).square(), mask)

    def time_grid(self, steps: int, schedule: str | None = None, start: float = 1.0) -> Tensor:
        """The fixed-grid solvers' times ``(steps + 1,)``, from ``start`` (1 = noise) down to 0 (data).

        ``uniform``: ``u_i = 1 - i / steps``. ``cosine``: ``u_i = cos(pi / 2 * i / steps)``, STAR's grid (its
        "sway sampling" with coefficient -1). Its steps are smallest at the *noise* end (t near 1) and largest at
        the data end: the grid spends its resolution early in sampling, where the coarse structure is decided.
        The times are ``shift(u_0 * u_i)``, with ``u_0`` chosen so that the grid starts exactly at ``start``.
        """
        schedule = schedule or self.schedule
        self.check_choices(schedule=schedule)
        if not 0.0 < start <= 1.0:
            raise StarKitError(f"generator 'flow_matching': the start time must be in (0, 1], got {start}")
        u = torch.linspace(0.0, 1.0, steps + 1, dtype=torch.float64)  # (steps + 1,)
        grid = 1.0 - u if schedule == "uniform" else torch.cos(math.pi / 2 * u)
        s = self.time_shift
        grid = self.shift(grid * start / (s - (s - 1) * start))  # shift^-1(start) * grid, shifted
        grid[0], grid[-1] = start, 0.0
        return grid.float()

    @torch.no_grad()
    @with_parameters_of(Generator.sample)
    def sample(
        self, cond: Frames, num_frames: int, *, init: Frames | None = None, start: float = 1.0, **options: Any
    ) -> Frames:
        """Integrates the guided velocity from noise (t = 1) to data (t = 0) with ``torchdiffeq.odeint``.

        Takes the arguments of :meth:`~star_kit.interfaces.Generator.sample`: ``steps`` counts the fixed-grid
        intervals (``dopri5`` ignores it; ``progress`` then reports ``(1, 1)`` once), ``solver`` is ``euler``,
        ``midpoint``, ``rk4`` or ``dopri5`` (``None``: ``self.solver``), ``guidance`` is ``w`` in
        ``v = v_uncond + w (v_cond - v_uncond)``; and its own:

        Args:
            init: latents ``(b, num_frames, latent_dim)`` to start from instead of pure noise (an audio variation,
                as SDEdit): sampling starts at ``x = (1 - start) init + start noise`` at time ``start``.
            start: the start time in ``(0, 1]``; 1 is ordinary generation (``init`` then changes nothing).
        """
        run = self.start_sampling(cond, num_frames, **options)
        x, device = run.noise, run.noise.device  # (b, n, c)
        if init is not None and start < 1.0:
            if init.values.shape != (x.shape[0], num_frames, self.latent_dim):
                raise StarKitError(
                    f"generator 'flow_matching': init latents must be {(x.shape[0], num_frames, self.latent_dim)}, "
                    f"got {tuple(init.values.shape)}"
                )
            x = (1 - start) * self.space.encode(init.to(device))[0] + start * x

        def velocity(t: Tensor, x: Tensor) -> Tensor:
            time = t.expand(x.shape[0]).float()  # (b,)
            return self.velocity(run.field(x, time), x, time)

        grid = self.time_grid(run.steps, start=start).to(device)  # (steps + 1,)
        if run.solver == "dopri5":
            x = odeint(velocity, x, grid[[0, -1]], method="dopri5", atol=self.atol, rtol=self.rtol)[-1]
            if run.progress:
                run.progress(1, 1)
        else:
            # One interval per call, so progress is reported per step: the fixed-grid solvers step exactly from grid
            # point to grid point, so this equals one call over the whole grid.
            for i in range(run.steps):
                x = odeint(velocity, x, grid[i : i + 2], method=run.solver)[-1]  # (b, n, c)
                if run.progress:
                    run.progress(i + 1, run.steps)
        return self.space.decode(x, num_frames)
