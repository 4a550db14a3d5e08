"""What every encoder of this plugin shares: layer selection, backbone freezing, input checks, file encoding.

Ein-notation: b batch, n samples, t frames, d width, l hidden states (embeddings + one per layer).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path

import torch
from einops import einsum
from torch import Tensor, nn

from star_kit.errors import StarKitError
from star_kit.interfaces import Encoder, Frames


class LayerSelect(nn.Module):
    """Picks one hidden state, or a learned softmax-weighted sum of all of them (SUPERB's featurizer).

    Args:
        num_hidden: number of hidden states ``l`` (embeddings + one per transformer layer).
        layer: an index into them (negative counts from the end) or ``"weighted"``.
        component: the registered name, for error messages.
    """

    def __init__(self, num_hidden: int, layer: int | str, component: str) -> None:
        super().__init__()
        self.index: int | None = None
        if layer == "weighted":
            self.weights = nn.Parameter(torch.zeros(num_hidden))  # softmax(0) = a plain average at the start
        elif isinstance(layer, int) and not isinstance(layer, bool) and -num_hidden <= layer < num_hidden:
            self.index = layer % num_hidden
        else:
            raise StarKitError(
                f"{component}: layer {layer!r} does not exist; the model has {num_hidden} hidden states "
                f"(0 = embeddings, {num_hidden - 1} = last layer): use an index in [{-num_hidden}, {num_hidden - 1}] "
                "or 'weighted'"
            )
        self.num_hidden = num_hidden

    @property
    def needed(self) -> int:
        """How many hidden states must be computed (a prefix of them)."""
        return self.num_hidden if self.index is None else self.index + 1

    def forward(self, hidden: Sequence[Tensor]) -> Tensor:
        """``hidden``: ``l`` tensors ``(b, t, d)`` (at least :attr:`needed`) -> ``(b, t, d)``."""
        if self.index is not None:
            return hidden[self.index]
        w = torch.softmax(self.weights, dim=0)  # (l,)
        return einsum(torch.stack(list(hidden)), w, "l b t d, l -> b t d")


class SpeechEncoder(Encoder):
    """An encoder around a transformers backbone that can stay frozen while the layer weights train.

    With ``freeze=True`` the backbone's parameters never require gradients and the backbone stays in eval mode
    (no dropout) even when the encoder is put in train mode; a ``layer: weighted`` mixture still trains.
    :meth:`freeze` (the contract's) freezes everything, the mixture included.
    """

    sample_rate = 16000

    def __init__(self, backbone: nn.Module, num_hidden: int, layer: int | str, freeze: bool, component: str) -> None:
        super().__init__()
        self.backbone = backbone
        self.select = LayerSelect(num_hidden, layer, component)
        self.component = component
        self.frozen = freeze
        if freeze:
            self.backbone.requires_grad_(False)
        self.train(False)

    def train(self, mode: bool = True) -> SpeechEncoder:
        super().train(mode)
        if self.frozen:
            self.backbone.eval()
        return self

    def freeze(self) -> None:
        self.frozen = True
        super().freeze()

    def backbone_grad(self) -> AbstractContextManager:
        """A context that skips the backbone's autograd graph when it is frozen."""
        return torch.set_grad_enabled(torch.is_grad_enabled() and not self.frozen)

    def check_batch(self, wav: Tensor, lengths: Tensor) -> None:
        """One-line errors for a malformed batch: ``wav (b, n)`` float, ``lengths (b,)`` in ``[1, n]``."""
        if wav.dim() != 2 or not wav.is_floating_point():
            raise StarKitError(
                f"{self.component}: wav must be a float (batch, samples) tensor, got {wav.dtype} {tuple(wav.shape)}"
            )
        if lengths.shape != (wav.shape[0],) or int(lengths.min()) < 1 or int(lengths.max()) > wav.shape[1]:
            raise StarKitError(
                f"{self.component}: lengths {lengths.tolist()} must give 1..{wav.shape[1]} samples for "
                f"each of the {wav.shape[0]} clips"
            )

    def encode_file(self, path: str | Path) -> Frames:
        """Encodes one audio file, resampled to :attr:`sample_rate` with :func:`star_kit.audio.resample`.

        ``forward`` cannot tell the rate of a tensor, so audio at another rate must be resampled by the caller; this
        helper does it for files. Returns Frames ``(1, t, dim)``.
        """
        from star_kit.audio import load_audio

        wav, _ = load_audio(path, sample_rate=self.sample_rate)
        device = next(self.parameters()).device
        with torch.no_grad():
            return self(torch.from_numpy(wav)[None].to(device), torch.tensor([wav.shape[0]], device=device))
