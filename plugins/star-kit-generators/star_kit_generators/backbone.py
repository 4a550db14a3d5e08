"""What both generators share: their base :class:`DiTGenerator` (the backbone, a DiT or a U-Net; the space it models,
latent frames or a PCA of them; the null condition; the checks and the start of ``loss`` and ``sample``), and the
signature forwarding that keeps every argument list written once.

Ein-notation:
    b  batch
    t  latent frames
    n  modelled positions (frames, or PCA tokens of ``pca_patch`` frames)
    c  modelled width (latent channels, or PCA components)
    k  condition tokens
    d  condition width
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, NamedTuple, TypeVar, cast

import torch
from torch import Tensor, nn

from star_kit.errors import StarKitError
from star_kit.interfaces import Frames, Generator, Progress
from star_kit.nn import DiT, PatchPCA, UNet1d
from star_kit_generators.conditioning import NullCondition, check_inputs, clean, guided

BACKBONES = ("dit", "unet")

F = TypeVar("F", bound=Callable[..., Any])
_FORWARDED = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)


def with_parameters_of(*sources: Callable[..., Any]) -> Callable[[F], F]:
    """Gives the decorated function the parameters of ``sources`` in place of its ``**kwargs``.

    Configs bind flat keyword arguments (``generator.width``), and each argument list is written once, where it
    belongs: the DiT's in :class:`~star_kit.nn.DiT`, the shared ones in :class:`DiTGenerator`, the sampling ones in
    :meth:`~star_kit.interfaces.Generator.sample`. The visible signature (what ``inspect.signature``, the registry,
    ``recipe validate`` and ``starkit components`` read) is the function's positional parameters, then the
    parameters of the sources that the function does not name itself (kind, annotation and default kept), then the
    function's keyword-only parameters. A call binds against it, so an unknown or missing argument fails as it would
    against a written-out signature, and the function gets every forwarded argument in ``**kwargs``, defaults
    filled in.
    """

    def decorate(fn: F) -> F:
        signature = inspect.signature(fn)
        own = list(signature.parameters.values())
        if not own or own[-1].kind is not inspect.Parameter.VAR_KEYWORD:
            raise TypeError(f"{fn.__qualname__}: with_parameters_of needs a **kwargs to stand for the forwarded ones")
        head = [p for p in own if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
        tail = [p for p in own if p.kind is inspect.Parameter.KEYWORD_ONLY]
        named = {p.name for p in own}
        forwarded = []
        for source in sources:
            for p in inspect.signature(source).parameters.values():
                if p.kind in _FORWARDED and p.name not in named:
                    forwarded.append(p)
                    named.add(p.name)
        forwarded.sort(key=lambda p: p.kind)  # stable: positional ones first, each source's order kept
        visible = signature.replace(parameters=[*head, *forwarded, *tail])
        positional = [p.name for p in head]

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                bound = visible.bind(*args, **kwargs)
            except TypeError as exc:  # worded as Python words it for a written-out signature
                raise TypeError(f"{fn.__qualname__}() {exc}") from None
            bound.apply_defaults()
            values = dict(bound.arguments)
            leading = [values.pop(name) for name in positional]
            return fn(*leading, **values)

        wrapper.__signature__ = visible  # type: ignore[attr-defined]
        return cast(F, wrapper)

    return decorate


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


class Sampling(NamedTuple):
    """A checked sampling request and its start, from :meth:`DiTGenerator.start_sampling`."""

    solver: str  # the sampler to run (the generator's default filled in)
    steps: int
    progress: Progress | None
    generator: torch.Generator | None  # seeded by ``seed`` (None: the global one), for any further sampling noise
    noise: Tensor  # (b, n, c) the starting point
    field: Callable[[Tensor, Tensor], Tensor]  # (x (b, n, c), time (b,)) -> guided backbone output (b, n, c), float32


class DiTGenerator(Generator):
    """The base of the generators on the shared backbone: flow matching and diffusion differ only in their loss and
    their sampler, so they compare on equal terms.

    It owns the backbone (a :class:`~star_kit.nn.DiT` / U-ViT, or a :class:`~star_kit.nn.UNet1d`), the space it
    models (:class:`ModelSpace`), the null condition of classifier-free guidance (:class:`NullCondition`), and the
    checks and the start of ``loss`` (:meth:`training_inputs`) and ``sample`` (:meth:`start_sampling`). A subclass
    sets ``name`` (its registered name, for errors), adds its own ``choices``, sets ``self.solver`` (its default
    sampler), and forwards these arguments with ``@with_parameters_of(DiTGenerator)`` on its ``__init__``.

    Args:
        latent_dim: latent width (wired from the vocoder's ``latent_dim``).
        cond_dim: condition width (wired from the bridge's ``out_dim``).
        cond_dropout: probability of training a row on the null context (classifier-free guidance; STAR: 0.2).
        null_cond: the unconditional context: ``"zeros"`` (STAR) or ``"learned"`` (one trainable token).
        pca_components: model a :class:`~star_kit.nn.latent_pca.PatchPCA` of the latent with this many components
            instead of the latent itself (0 = off); fitted by :meth:`prepare` on the training latents and saved
            with the weights.
        pca_patch: latent frames per PCA token (the backbone's ``patch_size`` then counts PCA tokens).
        pca_scale: ``"whiten"`` (unit variance per component) or ``"global"`` (one factor, natural proportions).
        backbone: ``"dit"`` (:class:`~star_kit.nn.DiT`, STAR's) or ``"unet"`` (:class:`~star_kit.nn.UNet1d`, a
            convolutional U-Net over time as AudioLDM / Tango use).
        unet_channels: U-Net channels per level, full length first.
        unet_blocks: U-Net residual blocks per level.
        unet_attention: per U-Net level, whether it has self- and cross-attention.
        **dit: the arguments of :class:`~star_kit.nn.DiT` with its defaults (STAR's: 24 blocks of width 1024,
            16 heads): ``width``, ``depth``, ``heads``, ``mlp_ratio``, ``long_skips``, ``dropout``, ``zero_init``,
            ``patch_size``, ``pooled_cond``. The U-Net uses ``heads``, ``dropout``, ``zero_init`` and
            ``pooled_cond`` too.
    """

    name: ClassVar[str]
    choices: ClassVar[dict[str, tuple[str, ...]]] = {"backbone": BACKBONES}
    solver: str

    @with_parameters_of(DiT)
    def __init__(
        self,
        latent_dim: int,
        cond_dim: int,
        *,
        cond_dropout: float = 0.2,
        null_cond: str = "zeros",
        pca_components: int = 0,
        pca_patch: int = 4,
        pca_scale: str = "whiten",
        backbone: str = "dit",
        unet_channels: Sequence[int] = (128, 256, 256),
        unet_blocks: int = 2,
        unet_attention: Sequence[bool] = (False, True, True),
        **dit: Any,
    ) -> None:
        self.check_choices(backbone=backbone)
        super().__init__()
        self.latent_dim, self.cond_dim = latent_dim, cond_dim
        self.space = ModelSpace(latent_dim, pca_components, pca_patch, pca_scale)
        if backbone == "unet":
            self.model: nn.Module = UNet1d(
                self.space.width,
                cond_dim,
                unet_channels,
                unet_blocks,
                unet_attention,
                dit["heads"],
                dit["dropout"],
                dit["pooled_cond"],
                dit["zero_init"],
            )
        else:
            self.model = DiT(latent_dim=self.space.width, cond_dim=cond_dim, **dit)
        self.null = NullCondition(self.name, cond_dim, cond_dropout, null_cond)

    def check_choices(self, **values: str) -> None:
        """One-line errors naming the generator, the key and what it allows, for each ``key=value`` of ``choices``.

        Reads only class attributes, so a subclass checks its arguments before the backbone is allocated.
        """
        for key, value in values.items():
            if value not in self.choices[key]:
                allowed = ", ".join(self.choices[key])
                raise StarKitError(f"generator '{self.name}': {key} '{value}' is not one of {allowed}")

    @torch.no_grad()
    def prepare(self, latents: Sequence[Tensor]) -> None:
        """Fits the latent PCA (``pca_components > 0``) on the training latents, each ``(t, latent_dim)``."""
        self.space.fit(latents)

    def training_inputs(self, target: Frames, cond: Frames) -> tuple[Tensor, Tensor, Tensor]:
        """The start of ``loss``: checks the widths, then gives the target in the modelled space ``x0 (b, n, c)``
        (padding zeroed), its mask ``(b, n)``, and the condition ``(b, k, d)`` (padding zeroed; each row dropped to
        the null context with ``cond_dropout`` in train mode)."""
        check_inputs(self.name, self.latent_dim, self.cond_dim, cond, target)
        (x0, mask), context = self.space.encode(target), self.null(clean(cond))  # (b, n, c), (b, k, d)
        return x0, mask, context

    def start_sampling(
        self,
        cond: Frames,
        num_frames: int,
        *,
        steps: int,
        guidance: float,
        solver: str | None,
        seed: int | None,
        progress: Progress | None,
    ) -> Sampling:
        """The start of ``sample`` (arguments as :meth:`~star_kit.interfaces.Generator.sample`): checks the request,
        draws the starting noise (seeded) and binds the guided backbone."""
        solver = solver or self.solver
        self.check_choices(solver=solver)
        if steps < 1 or num_frames < 1:
            raise StarKitError(f"generator '{self.name}': steps and num_frames must be >= 1, got {steps}, {num_frames}")
        check_inputs(self.name, self.latent_dim, self.cond_dim, cond)
        device, b = cond.values.device, cond.values.shape[0]
        context = clean(cond)  # (b, k, d)
        length = self.space.length(num_frames)
        mask = torch.ones(b, length, dtype=torch.bool, device=device)  # (b, n)
        gen = torch.Generator(device).manual_seed(seed) if seed is not None else None
        noise = torch.randn(b, length, self.space.width, generator=gen, device=device)  # (b, n, c)

        def field(x: Tensor, time: Tensor) -> Tensor:
            return guided(self.model, self.null, x, time, mask, context, cond.mask, guidance).float()

        return Sampling(solver, steps, progress, gen, noise, field)
