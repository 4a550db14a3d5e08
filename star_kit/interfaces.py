"""The component interfaces every plugin implements.

Ein-notation used in shapes:
    b  batch
    n  waveform samples
    t  frames (encoder frames, condition tokens or latent frames)
    d  feature width

Components are ``nn.Module`` subclasses with small abstract contracts. Tensors of variable length always travel as
:class:`Frames` (values plus a boolean validity mask), and waveforms as ``(wav (b, n), lengths (b,))``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from star_kit.sources import Corpus, Voice

__all__ = [
    "Bridge",
    "Component",
    "Corpus",
    "Encoder",
    "Frames",
    "Generator",
    "Judge",
    "Progress",
    "TextEncoder",
    "Transcriber",
    "Vocoder",
    "Voice",
    "lengths_to_mask",
]

# Called by ``Generator.sample`` after each finished step with ``(steps done, total steps)``.
Progress = Callable[[int, int], None]


@dataclass
class Frames:
    """A padded batch of frame sequences.

    Attributes:
        values: ``(b, t, d)`` features; padded positions hold arbitrary values and must be ignored.
        mask: ``(b, t)`` bool, True on valid frames. Valid frames are a prefix of each row.
        frame_rate: frames per second (``0.0`` for sequences without a time axis, e.g. learned query tokens).
    """

    values: Tensor
    mask: Tensor
    frame_rate: float

    def __post_init__(self) -> None:
        if self.values.dim() != 3:
            raise ValueError(f"Frames.values must be (b, t, d), got shape {tuple(self.values.shape)}")
        if self.mask.shape != self.values.shape[:2] or self.mask.dtype != torch.bool:
            raise ValueError(
                f"Frames.mask must be bool (b, t) = {tuple(self.values.shape[:2])}, "
                f"got {self.mask.dtype} {tuple(self.mask.shape)}"
            )

    @property
    def lengths(self) -> Tensor:
        """``(b,)`` number of valid frames per row."""
        return self.mask.sum(dim=1)

    @property
    def dim(self) -> int:
        return self.values.shape[-1]

    def to(self, device: torch.device | str) -> Frames:
        return Frames(self.values.to(device), self.mask.to(device), self.frame_rate)

    def detach(self) -> Frames:
        return Frames(self.values.detach(), self.mask, self.frame_rate)

    @classmethod
    def from_lengths(cls, values: Tensor, lengths: Tensor, frame_rate: float) -> Frames:
        """Builds the mask from ``lengths (b,)``; ``values (b, t, d)``."""
        return cls(values, lengths_to_mask(lengths, values.shape[1]), frame_rate)


def lengths_to_mask(lengths: Tensor, max_len: int | None = None) -> Tensor:
    """``lengths (b,)`` -> bool mask ``(b, t)`` with True on the first ``lengths[i]`` positions."""
    max_len = int(lengths.max()) if max_len is None else max_len
    return torch.arange(max_len, device=lengths.device)[None, :] < lengths[:, None]


class Component(nn.Module):
    """Shared helpers of every neural component."""

    def freeze(self) -> None:
        """Stops gradients and switches to eval mode (dropout and batch-norm statistics fixed)."""
        for p in self.parameters():
            p.requires_grad_(False)
        self.eval()

    def num_parameters(self, trainable_only: bool = False) -> int:
        return sum(p.numel() for p in self.parameters() if p.requires_grad or not trainable_only)


class Encoder(Component, ABC):
    """Speech waveform -> frame features.

    Attributes:
        sample_rate: the rate ``forward`` expects; callers resample with :func:`star_kit.audio.resample`.
        dim: feature width ``d`` of the output frames.
        frame_rate: output frames per second.
    """

    sample_rate: int
    dim: int
    frame_rate: float

    @abstractmethod
    def forward(self, wav: Tensor, lengths: Tensor) -> Frames:
        """Encodes a padded batch.

        Args:
            wav: ``(b, n)`` float waveform at ``self.sample_rate``, zero-padded after each clip.
            lengths: ``(b,)`` valid samples per clip.

        Returns:
            Frames ``(b, t, dim)`` whose mask covers exactly the frames computed from valid samples.
        """


class Bridge(Component, ABC):
    """Speech frames -> condition tokens for the generator (STAR's MLP probe or Q-Former).

    Attributes:
        in_dim: width of the input frames (wired from the encoder's ``dim``).
        out_dim: width of the condition tokens (what the generator cross-attends to).
    """

    in_dim: int
    out_dim: int

    @abstractmethod
    def forward(self, frames: Frames) -> Frames:
        """``frames (b, t, in_dim)`` -> condition tokens ``(b, k, out_dim)``; ``k`` may be fixed (queries)."""

    def output_projection(self) -> nn.Module | None:
        """The submodule that stage 2 may fine-tune while the rest stays frozen (``stage2.train_bridge=proj``; STAR
        trains the Q-Former's final Linear), or None when the bridge has no such part (the default).

        It must be a submodule of the bridge whose parameters change the condition tokens.
        """
        return None


class Generator(Component, ABC):
    """A conditional generative model of latent frame sequences (flow matching, diffusion, ...).

    Attributes:
        latent_dim: width of the latent frames (wired from the vocoder's ``latent_dim``).
        cond_dim: width of the condition tokens (wired from the bridge's ``out_dim``).
    """

    latent_dim: int
    cond_dim: int

    def prepare(self, latents: Sequence[Tensor]) -> None:  # noqa: B027 - optional hook, a no-op by default
        """Fits data-dependent parts (e.g. a latent transform) on the training latents, each ``(t, latent_dim)``,
        before training starts. What it fits must be buffers, so it is saved and loaded with the weights."""

    @abstractmethod
    def loss(self, target: Frames, cond: Frames) -> Tensor:
        """Training loss (scalar) for latents ``target (b, t, latent_dim)`` given ``cond (b, k, cond_dim)``.

        Padded target frames contribute nothing. Condition dropout for guidance happens inside, in train mode.
        """

    @abstractmethod
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
        """Draws latents ``(b, num_frames, latent_dim)`` for condition tokens ``cond (b, k, cond_dim)``.

        Args:
            steps: number of solver / sampler steps.
            guidance: classifier-free guidance scale (1.0 = no guidance).
            solver: sampler name; ``None`` means the component's default.
            seed: makes the output reproducible when given.
            progress: called after every step with ``(done, total)``, ending at ``done == total``; a sampler whose
                number of steps is not known in advance (an adaptive solver) reports ``(1, 1)`` once at the end.
                It must not change the output.
        """


class Vocoder(Component, ABC):
    """The latent space the generator models, and its decoder back to waveform.

    Attributes:
        sample_rate: waveform rate of ``encode`` input and ``decode`` output.
        latent_dim: width ``d`` of latent frames.
        frame_rate: latent frames per second.
    """

    sample_rate: int
    latent_dim: int
    frame_rate: float

    @abstractmethod
    def encode(self, wav: Tensor, lengths: Tensor) -> Frames:
        """``wav (b, n)`` at ``sample_rate`` -> normalised latents ``(b, t, latent_dim)`` (the generator's target)."""

    @abstractmethod
    def decode(self, latents: Frames) -> tuple[Tensor, Tensor]:
        """Latents ``(b, t, latent_dim)`` -> ``(wav (b, n), lengths (b,))`` at ``sample_rate``."""

    def num_frames(self, seconds: float) -> int:
        """Latent frames needed for ``seconds`` of audio."""
        return max(1, round(seconds * self.frame_rate))


class TextEncoder(ABC):
    """A capability an :class:`Encoder` may add: reading text into the same frame space as speech (the cascade).

    Conditioning on caption text (``data.condition=caption``, ``starkit eval --condition caption``) and the stage-1
    text alignment targets need it; check with ``isinstance(encoder, TextEncoder)``.
    """

    @abstractmethod
    def encode_text(self, texts: Sequence[str]) -> Frames:
        """Texts -> frames ``(b, k, dim)`` whose mask covers each text's tokens (``frame_rate`` may be 0)."""


class Transcriber(ABC):
    """A capability an :class:`Encoder` may add: speech recognition (the cascade's ASR, scored by word error rate).

    Attributes:
        sample_rate: the rate ``transcribe`` expects.
    """

    sample_rate: int

    @abstractmethod
    def transcribe(self, wav: Tensor, lengths: Tensor) -> list[str]:
        """``wav (b, n)`` at ``sample_rate``, zero-padded, with ``lengths (b,)`` valid samples -> one text per clip."""


class Judge(ABC):
    """An independent judge of generated sound: embeds clips for the probe, FAD and KL of ``starkit eval``.

    Registered with ``register_metrics`` and built as ``cls(device=...)``. Its ``name`` prefixes the metric keys
    (``<name>-acc``, ``<name>-FAD``, ``<name>-KL``, ``<name>-KL-reverse``) and must equal its registered name.

    Attributes:
        name: the registered name.
        dim: embedding width ``d``.
        sample_rate: the network's input rate; ``embed`` resamples other rates to it.
    """

    name: str
    dim: int
    sample_rate: int

    @abstractmethod
    def embed(self, wav: np.ndarray, sample_rate: int) -> np.ndarray:
        """One mono clip ``wav (n,)`` at ``sample_rate`` -> its embedding ``(dim,)``, the same for the same input
        whatever else is judged. An empty, multi-channel or non-finite clip is a ``StarKitError``."""

    @abstractmethod
    def describe(self) -> dict[str, Any]:
        """What an evaluation records to be reproducible, JSON-serialisable and the same on every call; at least
        ``name``, ``sample_rate`` and ``checkpoint_sha256`` (of the weights). It also keys the embedding cache."""
