"""Rectified-flow matching over latent frames (STAR's generator), sampled with torchdiffeq.

Path: ``x_t = (1 - t) x0 + t noise`` (t = 0 data, t = 1 noise), target velocity ``v = noise - x0``. Sampling
integrates ``dx/dt = v`` from t = 1 down to t = 0.

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
from torchdiffeq import odeint

from star_kit.errors import StarKitError
from star_kit.interfaces import Frames, Generator, Progress
from star_kit.nn import masked_mean
from star_kit_generators.backbone import ModelSpace, build_backbone
from star_kit_generators.conditioning import NullCondition, check_inputs, clean, guided

SOLVERS = ("euler", "midpoint", "rk4", "dopri5")
SCHEDULES = ("uniform", "cosine")
TIME_SAMPLINGS = ("logit_normal", "uniform")
PREDICTIONS = ("velocity", "x0")
MIN_X0_TIME = 0.05  # x0 prediction: v = (x_t - x0) / max(t, this), so the field stays bounded near the data


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
        time_shift: SD3's resolution shift ``s`` of training times and of the sampling grid,
            ``t' = s t / (1 + (s - 1) t)``; ``s > 1`` spends more of both at high noise (1 = off).
        prediction: what the backbone outputs: ``"velocity"`` (STAR) or ``"x0"`` (the clean latent, trained through
            the same velocity loss, ``v = (x_t - x0) / t``, as JiT); the sampler always integrates the velocity.
        pca_components: model a :class:`~star_kit.nn.latent_pca.PatchPCA` of the latent with this many components
            instead of the latent itself (0 = off); fitted by :meth:`prepare` on the training latents and saved
            with the weights.
        pca_patch: latent frames per PCA token (the backbone's ``patch_size`` then counts PCA tokens).
        pca_scale: ``"whiten"`` (unit variance per component) or ``"global"`` (one factor, natural proportions).
        backbone: ``"dit"`` (:class:`~star_kit.nn.DiT`, STAR's; uses ``width``, ``depth``, ``mlp_ratio``,
            ``long_skips``, ``patch_size``) or ``"unet"`` (:class:`~star_kit.nn.UNet1d`, a convolutional U-Net over
            time as AudioLDM / Tango use; uses the ``unet_*`` arguments). Both use ``heads``, ``dropout``,
            ``zero_init`` and ``pooled_cond``.
        unet_channels: U-Net channels per level, full length first.
        unet_blocks: U-Net residual blocks per level.
        unet_attention: per U-Net level, whether it has self- and cross-attention.
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
        time_shift: float = 1.0,
        prediction: str = "velocity",
        pca_components: int = 0,
        pca_patch: int = 4,
        pca_scale: str = "whiten",
        backbone: str = "dit",
        unet_channels: Sequence[int] = (128, 256, 256),
        unet_blocks: int = 2,
        unet_attention: Sequence[bool] = (False, True, True),
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
            ("prediction", prediction, PREDICTIONS),
        ):
            if value not in choices:
                raise StarKitError(f"generator 'flow_matching': {key} '{value}' is not one of {', '.join(choices)}")
        if time_shift <= 0:
            raise StarKitError(f"generator 'flow_matching': time_shift must be > 0, got {time_shift}")
        self.latent_dim, self.cond_dim = latent_dim, cond_dim
        self.time_sampling, self.logit_mean, self.logit_std = time_sampling, logit_mean, logit_std
        self.time_shift, self.prediction = time_shift, prediction
        self.solver, self.schedule, self.atol, self.rtol = solver, schedule, atol, rtol
        self.space = ModelSpace(latent_dim, pca_components, pca_patch, pca_scale)
        self.model = build_backbone(
            "flow_matching",
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
        self.null = NullCondition("flow_matching", cond_dim, cond_dropout, null_cond)

    def shift(self, time: Tensor) -> Tensor:
        """SD3's resolution shift ``s t / (1 + (s - 1) t)`` of times in ``[0, 1]`` (the identity for ``s = 1``)."""
        s = self.time_shift
        return time if s == 1.0 else s * time / (1 + (s - 1) * time)

    def sample_time(self, batch: int, device: torch.device) -> Tensor:
        """Training times ``(b,)`` in ``(0, 1)``, shifted by ``time_shift``."""
        if self.time_sampling == "uniform":
            return self.shift(torch.rand(batch, device=device))
        return self.shift(torch.sigmoid(self.logit_mean + self.logit_std * torch.randn(batch, device=device)))

    @torch.no_grad()
    def prepare(self, latents: Sequence[Tensor]) -> None:
        """Fits the latent PCA (``pca_components > 0``) on the training latents, each ``(t, latent_dim)``."""
        self.space.fit(latents)

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
        check_inputs("flow_matching", self.latent_dim, self.cond_dim, cond, target)
        (x0, mask), context = self.space.encode(target), self.null(clean(cond))  # (b, n, c), (b, k, c)
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
        if schedule not in SCHEDULES:
            raise StarKitError(f"generator 'flow_matching': schedule '{schedule}' is not one of {', '.join(SCHEDULES)}")
        if not 0.0 < start <= 1.0:
            raise StarKitError(f"generator 'flow_matching': the start time must be in (0, 1], got {start}")
        u = torch.linspace(0.0, 1.0, steps + 1, dtype=torch.float64)  # (steps + 1,)
        grid = 1.0 - u if schedule == "uniform" else torch.cos(math.pi / 2 * u)
        s = self.time_shift
        grid = self.shift(grid * start / (s - (s - 1) * start))  # shift^-1(start) * grid, shifted
        grid[0], grid[-1] = start, 0.0
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
        init: Frames | None = None,
        start: float = 1.0,
        progress: Progress | None = None,
    ) -> Frames:
        """Integrates the guided velocity from noise (t = 1) to data (t = 0) with ``torchdiffeq.odeint``.

        Args:
            cond: ``(b, k, cond_dim)`` condition tokens.
            num_frames: latent frames ``t`` to draw.
            steps: fixed-grid intervals (ignored by ``dopri5``).
            guidance: classifier-free guidance ``w`` in ``v = v_uncond + w (v_cond - v_uncond)``.
            solver: ``euler``, ``midpoint``, ``rk4`` or ``dopri5``; ``None`` uses ``self.solver``.
            seed: seeds the initial noise (a ``torch.Generator``); ``None`` draws from the global generator.
            init: latents ``(b, num_frames, latent_dim)`` to start from instead of pure noise (an audio variation,
                as SDEdit): sampling starts at ``x = (1 - start) init + start noise`` at time ``start``.
            start: the start time in ``(0, 1]``; 1 is ordinary generation (``init`` then changes nothing).
            progress: called with ``(done, steps)`` after each grid interval (``(1, 1)`` once for ``dopri5``).

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
        length = self.space.length(num_frames)
        mask = torch.ones(b, length, dtype=torch.bool, device=device)  # (b, n)
        gen = torch.Generator(device).manual_seed(seed) if seed is not None else None
        x = torch.randn(b, length, self.space.width, generator=gen, device=device)  # (b, n, c)
        if init is not None and start < 1.0:
            if init.values.shape != (b, num_frames, self.latent_dim):
                raise StarKitError(
                    f"generator 'flow_matching': init latents must be {(b, num_frames, self.latent_dim)}, "
                    f"got {tuple(init.values.shape)}"
                )
            x = (1 - start) * self.space.encode(init.to(device))[0] + start * x

        def velocity(t: Tensor, x: Tensor) -> Tensor:
            time = t.expand(b).float()  # (b,)
            out = guided(self.model, self.null, x, time, mask, context, cond.mask, guidance).float()
            return self.velocity(out, x, time)

        grid = self.time_grid(steps, start=start).to(device)  # (steps + 1,)
        if solver == "dopri5":
            x = odeint(velocity, x, grid[[0, -1]], method="dopri5", atol=self.atol, rtol=self.rtol)[-1]
            if progress:
                progress(1, 1)
        else:
            # One interval per call, so progress is reported per step: the fixed-grid solvers step exactly from grid
            # point to grid point, so this equals one call over the whole grid.
            for i in range(steps):
                x = odeint(velocity, x, grid[i : i + 2], method=solver)[-1]  # (b, n, c)
                if progress:
                    progress(i + 1, steps)
        return self.space.decode(x, num_frames)
