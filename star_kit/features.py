"""Frozen-component features for training and evaluation: encoder frames of the speech, vocoder latents of the audio.

Both are cached on disk by :class:`star_kit.data.cache.FeatureCache` keyed by the component's resolved config, so
stage-2 epochs, evaluation and repeated runs never re-run a frozen encoder.

Shapes: b batch, n samples, t frames, d width.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from torch import Tensor
from tqdm import tqdm

from star_kit.audio import SILENCE_PEAK, load_audio
from star_kit.data.cache import FeatureCache, file_fingerprint
from star_kit.data.manifest import Item, Manifest
from star_kit.interfaces import Encoder, Frames, TextEncoder, Vocoder


def pad_frames(seqs: Sequence[Tensor], frame_rate: float) -> Frames:
    """``[(t_i, d)]`` -> Frames ``(b, max t_i, d)`` with the mask of each length."""
    lengths = torch.tensor([s.shape[0] for s in seqs])
    values = torch.zeros(len(seqs), int(lengths.max()), seqs[0].shape[-1], dtype=torch.float32)
    for i, s in enumerate(seqs):
        values[i, : s.shape[0]] = s.float()
    return Frames.from_lengths(values, lengths, frame_rate)


def pad_waves(waves: Sequence[np.ndarray]) -> tuple[Tensor, Tensor]:
    """``[(n_i,)]`` -> ``(wav (b, max n_i), lengths (b,))``."""
    lengths = torch.tensor([len(w) for w in waves])
    wav = torch.zeros(len(waves), int(lengths.max()))
    for i, w in enumerate(waves):
        wav[i, : len(w)] = torch.from_numpy(np.asarray(w, dtype=np.float32))
    return wav, lengths


def first_audible_window(wav: np.ndarray, num_samples: int) -> np.ndarray:
    """The first ``num_samples`` samples, or, when those are silent (a sound that starts late), the window of
    ``num_samples`` that starts at the first audible sample."""
    head = wav[:num_samples]
    if np.abs(head).max(initial=0.0) >= SILENCE_PEAK:
        return head
    audible = np.flatnonzero(np.abs(wav) >= SILENCE_PEAK)
    return wav[audible[0] : audible[0] + num_samples] if len(audible) else head


def _cached(
    items: Sequence[Item],
    cache: FeatureCache,
    fingerprints: Sequence[str],
    encode: Callable[[list[Item]], Frames],
    name: str,
    desc: str,
    batch_size: int,
    progress: bool,
    dtype: torch.dtype = torch.float32,
) -> list[Tensor]:
    """Per-item valid frames ``(t_i, d)`` of ``encode(batch of items)``, read from or written to ``cache``."""
    by_id = {i.id: i for i in items}
    bar = tqdm(total=len(items), desc=desc, unit="item", disable=not progress, leave=False)

    def compute(ids: list[str]) -> list[dict[str, Tensor]]:
        out = encode([by_id[i] for i in ids])
        bar.update(len(ids))
        return [{name: out.values[k, : int(out.lengths[k])].to(dtype)} for k in range(len(ids))]

    found = cache.get_or_compute([i.id for i in items], compute, batch_size, fingerprints)
    bar.close()
    return [f[name].float() for f in found]


@torch.no_grad()
def speech_features(
    encoder: Encoder,
    manifest: Manifest,
    items: Sequence[Item],
    cache: FeatureCache,
    device: torch.device,
    batch_size: int = 16,
    progress: bool = True,
) -> list[Tensor]:
    """Encoder frames ``(t_i, d)`` (fp16 on disk) of each item's speech, computed once per encoder config."""

    def encode(batch: list[Item]) -> Frames:
        wav, lengths = pad_waves([load_audio(manifest.speech_path(i), encoder.sample_rate)[0] for i in batch])
        return encoder(wav.to(device), lengths.to(device))

    ordered = sorted(items, key=lambda i: i.duration)  # similar lengths per batch: less padding
    prints = [file_fingerprint(manifest.speech_path(i)) for i in ordered]
    found = _cached(ordered, cache, prints, encode, "frames", "encoding speech", batch_size, progress, torch.half)
    result = {i.id: f for i, f in zip(ordered, found, strict=True)}
    return [result[i.id] for i in items]


@torch.no_grad()
def caption_features(
    encoder: TextEncoder,
    items: Sequence[Item],
    cache: FeatureCache,
    device: torch.device,
    batch_size: int = 16,
    progress: bool = True,
) -> list[Tensor]:
    """Text-encoder tokens ``(t_i, d)`` of each item's caption (``encoder.encode_text``), cached like speech."""
    prints = [hashlib.sha256(i.caption.encode()).hexdigest()[:16] for i in items]

    def encode(batch: list[Item]) -> Frames:
        return encoder.encode_text([i.caption for i in batch])

    return _cached(items, cache, prints, encode, "frames", "encoding captions", batch_size, progress, torch.half)


@torch.no_grad()
def audio_latents(
    vocoder: Vocoder,
    manifest: Manifest,
    items: Sequence[Item],
    cache: FeatureCache,
    seconds: float,
    device: torch.device,
    batch_size: int = 16,
    progress: bool = True,
) -> list[Tensor]:
    """Vocoder latents ``(t_i, d)`` of each item's audio, cropped to ``seconds`` (shorter clips keep their length)."""
    num_samples = int(seconds * vocoder.sample_rate)

    def encode(batch: list[Item]) -> Frames:
        waves = [load_audio(manifest.audio_path(i), vocoder.sample_rate)[0] for i in batch]
        wav, lengths = pad_waves([first_audible_window(w, num_samples) for w in waves])
        return vocoder.encode(wav.to(device), lengths.to(device))

    prints = [f"{file_fingerprint(manifest.audio_path(i))}-{seconds}" for i in items]
    return _cached(items, cache, prints, encode, "latents", "encoding audio", batch_size, progress)


def cache_for(root: str, namespace: str, node: Any, registry: Any, kind: str) -> FeatureCache:
    """The feature cache of one component node (its resolved config, name and plugin version form the key)."""
    from omegaconf import OmegaConf

    config = OmegaConf.to_container(node, resolve=True) if not isinstance(node, dict) else dict(node)
    entry = registry.get(kind, str(config["_component_"]))
    full = {**entry.defaults(), **config}
    return FeatureCache(root, namespace, full, entry.name, entry.version)
