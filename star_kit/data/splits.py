"""The cached features a recipe trains and scores on: a :class:`Split` per manifest split, built by
:func:`prepare_splits` from a two-stage config (the corpus, encoder frames and vocoder latents, cached on disk), and
the batching and conditioning helpers that stages, evaluation and benchmarks share.

Shapes: b batch, t frames, k condition tokens, d width, c classes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from omegaconf import DictConfig
from torch import Tensor

from star_kit.config import instantiate
from star_kit.data.manifest import Manifest, multi_hot, read_manifest
from star_kit.errors import StarKitError
from star_kit.features import audio_latents, cache_for, caption_features, pad_frames, speech_features
from star_kit.interfaces import Bridge, Frames, Generator
from star_kit.pipeline import Models
from star_kit.registry import get_registry
from star_kit.training import barrier, is_main


@dataclass
class Split:
    """The cached features of one manifest split, item by item (or of several joined)."""

    ids: list[str]
    frames: list[Tensor]  # (t_i, d) encoder frames (or caption tokens) per item
    targets: np.ndarray  # (items, c) multi-hot
    frame_rate: float  # of ``frames``: the encoder's
    latents: list[Tensor] | None = None
    extra: list[dict[str, Any]] = field(default_factory=list)
    text: Tensor | None = None  # (items, text_dim) caption embeddings for the stage-1 alignment loss

    def groups(self, key: str) -> dict[Any, Split]:
        """The split's frames and targets per value of ``extra[key]`` (e.g. "snr_db", "language"), in sorted order;
        items without a value are left out."""
        values = sorted({e[key] for e in self.extra if e[key] is not None}, key=lambda v: (isinstance(v, str), v))
        out = {}
        for value in values:
            keep = [k for k, e in enumerate(self.extra) if e[key] == value]
            out[value] = Split(
                [self.ids[k] for k in keep], [self.frames[k] for k in keep], self.targets[keep], self.frame_rate
            )
        return out


def frames_batch(split: Split, idx: Tensor, device: torch.device) -> Frames:
    return pad_frames([split.frames[i] for i in idx.tolist()], split.frame_rate).to(device)


def latents_batch(split: Split, idx: Tensor, device: torch.device) -> Frames:
    assert split.latents is not None
    return pad_frames([split.latents[i] for i in idx.tolist()], 0.0).to(device)


def stage2_split(splits: dict[str, Split]) -> Split:
    """Stage 2's training split: ``train`` plus ``stage2.extra_splits`` where the config has them."""
    return splits.get("stage2-train", splits["train"])


def join_splits(parts: list[Split]) -> Split:
    """One split of the items of ``parts``, in order (each with latents)."""
    if len(parts) == 1:
        return parts[0]
    latents = [lat for p in parts for lat in p.latents or []]
    return Split(
        [i for p in parts for i in p.ids],
        [f for p in parts for f in p.frames],
        np.concatenate([p.targets for p in parts]),
        parts[0].frame_rate,
        latents,
        [e for p in parts for e in p.extra],
    )


def held_out_languages(manifest: Manifest, languages: list[str]) -> set[str]:
    """``data.test_languages``: languages that only the test splits keep; each must be spoken in the manifest."""
    held_out = set(languages)
    present = sorted({i.language for i in manifest if i.language})
    missing = sorted(held_out - set(present))
    if missing:
        raise StarKitError(
            f"data.test_languages: {manifest.path} has no items in {', '.join(missing)}; its languages: "
            f"{', '.join(present) or 'none (its rows have no language key)'}"
        )
    if held_out and held_out == set(present):
        raise StarKitError(f"data.test_languages holds every language of {manifest.path}; leave one to train on")
    return held_out


def prepare_splits(cfg: DictConfig, models: Models, device: torch.device) -> tuple[Manifest, dict[str, Split]]:
    """Builds the corpus if needed (rank 0), then caches encoder frames (and for the training splits and val,
    vocoder latents) of the splits the recipe uses: ``data.train_splits`` (joined into ``train``), with
    ``stage2.extra_splits`` (joined into ``stage2-train``), ``val`` and every ``test*`` split. Items in
    ``data.test_languages`` are kept only in the ``test*`` splits."""
    registry = get_registry()
    data = cfg.data
    if data.manifest is None:
        manifest_path = Path(data.root) / "manifest.jsonl"
        if is_main() and not manifest_path.exists():
            corpus = instantiate(registry, "data.corpus", data.corpus)
            print(f"building corpus '{data.corpus._component_}' ({data.size}) into {data.root} ...", flush=True)
            corpus.build(str(data.root), size=data.size, seed=data.seed)
        barrier()
    else:
        manifest_path = Path(data.manifest)
    manifest = read_manifest(manifest_path)
    if not manifest.labels:
        raise StarKitError(f"{manifest.path}: stage 1 needs labels (labels.json or per-item labels); none found")
    speech_cache = cache_for(data.cache_dir, data.condition, cfg.encoder, registry, "encoder")

    def features(items: list, progress: bool) -> list[Tensor]:
        if data.condition == "caption":
            return caption_features(models.encoder, items, speech_cache, device, data.encode_batch_size, progress)
        return speech_features(models.encoder, manifest, items, speech_cache, device, data.encode_batch_size, progress)

    latent_cache = cache_for(data.cache_dir, "latents", cfg.vocoder, registry, "vocoder")
    found = sorted({i.split for i in manifest})
    stage2_extra = list(cfg.stage2.extra_splits)
    trained = list(dict.fromkeys([*data.train_splits, *stage2_extra, "val"]))
    for needed in trained:
        if needed not in found:
            raise StarKitError(
                f"{manifest.path}: the recipe needs a '{needed}' split (data.train_splits, stage2.extra_splits and "
                f"val); found {', '.join(found)}"
            )
    noisy = cfg.stage1.consistency_split
    if noisy is not None and noisy not in found:
        raise StarKitError(
            f"{manifest.path}: stage1.consistency_split '{noisy}' is not a split of it; found {', '.join(found)} "
            "(build one with data.corpus.train_snr_db, or set stage1.consistency_split=null)"
        )
    held_out = held_out_languages(manifest, data.test_languages)
    frames_only = [n for n in found if n.startswith("test")] + ([noisy] if noisy and noisy not in trained else [])
    splits: dict[str, Split] = {}
    for name in trained + frames_only:
        items = [i for i in manifest if i.split == name and (name.startswith("test") or i.language not in held_out)]
        if is_main():  # rank 0 fills the cache; the others read it after the barrier
            features(items, True)
            if name in trained:
                audio_latents(models.vocoder, manifest, items, latent_cache, data.audio_seconds, device)
        barrier()
        frames = features(items, False)
        latents = None
        if name in trained:
            latents = audio_latents(
                models.vocoder, manifest, items, latent_cache, data.audio_seconds, device, progress=False
            )
        targets = np.stack([multi_hot(i.labels, manifest.labels) for i in items])
        extra = [{"snr_db": i.snr_db, "voice": i.voice, "language": i.language or "unknown"} for i in items]
        splits[name] = Split([i.id for i in items], frames, targets, models.encoder.frame_rate, latents, extra)
    parts = {name: splits.pop(name) for name in trained if name != "val"}
    splits["train"] = join_splits([parts[name] for name in data.train_splits])
    if stage2_extra:
        splits["stage2-train"] = join_splits([parts[name] for name in [*data.train_splits, *stage2_extra]])
    if noisy is not None:
        copies = parts[noisy] if noisy in parts else splits.pop(noisy)
        splits["stage1-noisy"] = paired_split(manifest, splits["train"], copies, noisy)
    if cfg.stage1.align_weight:
        add_caption_embeddings(cfg, manifest, splits, device)
    return manifest, splits


def paired_split(manifest: Manifest, train: Split, noisy: Split, name: str) -> Split:
    """The items of ``noisy`` in ``train``'s order: for each training item, the first ``name`` item with its audio."""
    audio = {i.id: i.audio for i in manifest}
    first: dict[str, int] = {}
    for k, item_id in enumerate(noisy.ids):
        first.setdefault(audio[item_id], k)
    missing = [i for i in train.ids if audio[i] not in first]
    if missing:
        raise StarKitError(
            f"{manifest.path}: stage1.consistency_split '{name}' has no copy of {len(missing)} training items "
            f"(e.g. '{missing[0]}'); each training item needs a noisy copy with the same audio"
        )
    order = [first[audio[i]] for i in train.ids]
    return Split(
        [noisy.ids[k] for k in order], [noisy.frames[k] for k in order], noisy.targets[order], noisy.frame_rate
    )


def add_caption_embeddings(cfg: DictConfig, manifest: Manifest, splits: dict[str, Split], device: torch.device) -> None:
    """Stage-1 alignment targets: the mean of ``stage1.text_encoder.encode_text`` tokens of each train caption."""
    s1, registry = cfg.stage1, get_registry()
    encoder = instantiate(registry, "stage1.text_encoder", s1.text_encoder).to(device)
    cache = cache_for(cfg.data.cache_dir, "caption", s1.text_encoder, registry, "encoder")
    by_id = {i.id: i for i in manifest}
    items = [by_id[i] for i in splits["train"].ids]
    if is_main():
        caption_features(encoder, items, cache, device, cfg.data.encode_batch_size, True)
    barrier()
    tokens = caption_features(encoder, items, cache, device, cfg.data.encode_batch_size, False)
    splits["train"].text = torch.stack([t.float().mean(0) for t in tokens])  # (items, text_dim)


@torch.no_grad()
def condition_tokens(bridge: Bridge, split: Split, device: torch.device, batch_size: int = 64) -> list[Tensor]:
    """The bridge's condition tokens ``(k_i, d)`` for every item of a split, in eval mode (a frozen bridge's tokens
    do not change, so stage 2 computes them once)."""
    was_training, out = bridge.training, []
    bridge.eval()
    for start in range(0, len(split.ids), batch_size):
        cond = bridge(frames_batch(split, torch.arange(start, min(start + batch_size, len(split.ids))), device))
        out += [cond.values[k, : int(cond.lengths[k])].cpu() for k in range(cond.values.shape[0])]
    bridge.train(was_training)
    return out


@torch.no_grad()
def validation_loss(bridge: Bridge, generator: Generator, split: Split, device: torch.device, batch_size: int) -> float:
    """The generator's mean loss over the whole split, conditioned through ``bridge``, with fixed noise and times
    (comparable across steps). Leaves both in train mode."""
    bridge.eval()
    generator.eval()
    losses = []
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(1234)
        for start in range(0, len(split.ids), batch_size):
            idx = torch.arange(start, min(start + batch_size, len(split.ids)))
            frames, lat = frames_batch(split, idx, device), latents_batch(split, idx, device)
            losses.append(generator.loss(lat, bridge(frames)).item() * len(idx))
    bridge.train()
    generator.train()
    return float(np.sum(losses) / len(split.ids))
