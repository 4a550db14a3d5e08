"""STAR's two-stage recipe: (1) bridge representation learning, (2) generator training. Copy it to change it.

    starkit recipe run two_stage --config star-tiny                # single process
    torchrun --nproc_per_node 2 -m star_kit recipe run two_stage --config star-tiny   # DDP (gloo on CPU)

Stage 1 trains bridge + a linear label head on frozen (cached) encoder features with multi-label BCE, scoring mAP and
top-1 accuracy over the whole validation split every epoch (STAR's script scored only the last batch), with early
stopping; the best epoch is kept. Stage 2 freezes the bridge, or all of it but its output projection
(``stage2.train_bridge``; a wholly frozen bridge's condition tokens are computed once), and trains the generator on
cached vocoder latents with condition dropout, EMA weights, gradient clipping and bf16 autocast on GPU. Training
state (``state/*.pt``) is separate from the exported model (``model/``).

Shapes: b batch, t frames, k condition tokens, d width, c classes.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from omegaconf import DictConfig, OmegaConf
from torch import Tensor, nn
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader, DistributedSampler
from tqdm import tqdm

from star_kit.config import instantiate
from star_kit.data.manifest import Manifest, multi_hot, read_manifest
from star_kit.errors import StarKitError
from star_kit.features import audio_latents, cache_for, caption_features, pad_frames, speech_features
from star_kit.files import write_text_atomic
from star_kit.interfaces import Bridge, Frames, Generator
from star_kit.nn import masked_mean
from star_kit.pipeline import MODEL_DIR, WEIGHTS, Models, build_models
from star_kit.registry import get_registry
from star_kit.training import (
    EMA,
    Interrupt,
    LengthPooledBatches,
    Stopwatch,
    all_reduce_mean,
    barrier,
    init_distributed,
    is_main,
    load_partial,
    load_state,
    load_weights,
    mean_average_precision,
    rng_state,
    save_state,
    save_weights,
    seed_everything,
    set_rng_state,
    top1_accuracy,
    warmup_cosine,
)

ALIGN_LOSSES = ("cosine", "contrastive")


# ---------------------------------------------------------------------------------------------------- config schema
@dataclass
class DataConfig:
    corpus: Any = None  # {_component_: spoken-events}: built into `root` when its manifest is missing
    root: str = "data/spoken-events-small"
    size: str = "small"
    seed: int = 0
    manifest: str | None = None  # a manifest of your own instead of a built corpus
    # speech: condition on the spoken caption (STAR). caption: condition on the caption text through the encoder's
    # encode_text (the cascade's text-to-audio model and the text upper bound; see cascade-tiny).
    condition: str = "speech"
    cache_dir: str = "data/cache"
    audio_seconds: float = 3.0  # target audio is cropped to this; generation length defaults to it
    # the manifest splits that train both stages, as one (e.g. [train, train-noisy]: multi-condition training)
    train_splits: list[str] = field(default_factory=lambda: ["train"])
    min_speech_seconds: float = 0.3
    max_speech_seconds: float = 20.0
    encode_batch_size: int = 16


@dataclass
class Stage1Config:
    epochs: int = 40
    batch_size: int = 64
    lr: float = 3.2e-3
    weight_decay: float = 1e-2
    warmup_epochs: int = 5
    patience: int = 20
    # SpecAugment-style regularisation of the cached encoder frames (training only), so the bridge does not memorise
    # the training voices: drop this fraction of valid frames from the mask, and add Gaussian noise of this many
    # standard deviations of the batch's features.
    frame_dropout: float = 0.0
    feature_noise: float = 0.0
    # Batch by speech length within pools of this many shuffled batches (0: plain shuffled batches). Random batches
    # of 0.6-7.7 s requests spend about half their compute on padding; pools of 16 batches spend under a tenth.
    length_pool: int = 0
    # Optional alignment of the pooled bridge output to a sentence embedding of the caption (off by default; STAR
    # trains on labels only): loss = BCE + align_weight * alignment loss, through a linear map to the text width.
    # The text embedding is the masked mean of text_encoder.encode_text tokens (cached like speech features).
    align_weight: float = 0.0
    align_loss: str = "cosine"  # cosine: 1 - cos per pair | contrastive: symmetric InfoNCE over the (per-rank) batch
    align_temperature: float = 0.07
    text_encoder: Any = None  # an encoder with encode_text, e.g. {_component_: cascade}
    # Optional clean-noisy consistency (off by default): a manifest split of noisy copies of the training speech (e.g.
    # train-noisy; each item shares its target audio with one training item). Each batch also runs the noisy copies:
    # loss += BCE on their labels + consistency_weight * the mean squared distance of their condition tokens to the
    # clean copies' (no gradient through the clean side), scaled by the clean tokens' variance, so that noisy speech
    # gives the tokens the generator learned from.
    consistency_split: str | None = None
    consistency_weight: float = 1.0


@dataclass
class Stage2Config:
    max_steps: int = 3000
    batch_size: int = 16
    lr: float = 2.5e-5
    weight_decay: float = 1e-2
    warmup_steps: int = 1000
    grad_clip: float = 1.0
    ema_decay: float = 0.999
    train_bridge: str = "proj"  # none | proj | all
    # manifest splits added to stage 2's training data only (e.g. [train-noisy]: the generator learns what the
    # bridge's tokens of noisy speech mean while stage 1 stays on data.train_splits); joined as ``stage2-train``
    extra_splits: list[str] = field(default_factory=list)
    log_every: int = 50
    val_every: int = 500
    sample_every: int = 0  # render a few validation samples every N steps (0 = only at the end)
    checkpoint_every: int = 500


@dataclass
class SamplingConfig:
    steps: int = 20
    guidance: float = 5.0
    solver: str = "euler"
    seconds: float = 3.0
    seed: int = 0
    num_report_samples: int = 6


@dataclass
class Config:
    data: DataConfig = field(default_factory=DataConfig)
    encoder: Any = None
    bridge: Any = None
    generator: Any = None
    vocoder: Any = None
    stage1: Stage1Config = field(default_factory=Stage1Config)
    stage2: Stage2Config = field(default_factory=Stage2Config)
    sampling: SamplingConfig = field(default_factory=SamplingConfig)
    seed: int = 0
    report: bool = True


# ---------------------------------------------------------------------------------------------------- models
class Stage1Output(NamedTuple):
    logits: Tensor  # (b, c) label logits
    aligned: Tensor | None  # (b, align_dim) projected pooled tokens; None without ``align``
    tokens: Tensor  # (b, n, d) the bridge's condition tokens
    token_mask: Tensor  # (b, n)


class Stage1Model(nn.Module):
    """Bridge + linear head over the mean of its condition tokens: frames -> label logits ``(b, c)``.

    With ``align_dim``, a second linear map ``align`` projects the same pooled tokens to a text embedding's width.
    """

    def __init__(self, bridge: Bridge, num_labels: int, align_dim: int = 0) -> None:
        super().__init__()
        self.bridge = bridge
        self.head = nn.Linear(bridge.out_dim, num_labels)
        self.align = nn.Linear(bridge.out_dim, align_dim) if align_dim else None

    def forward(self, values: Tensor, mask: Tensor) -> Stage1Output:
        cond = self.bridge(Frames(values, mask, 50.0))
        pooled = masked_mean(cond.values, cond.mask, dim=1)  # (b, d)
        aligned = None if self.align is None else self.align(pooled)
        return Stage1Output(self.head(pooled), aligned, cond.values, cond.mask)


class Stage2Model(nn.Module):
    """Bridge + generator; ``forward`` returns the generator loss so DDP sees every step.

    ``values, mask`` are encoder frames, or with ``tokens=True`` the frozen bridge's condition tokens (cached).
    """

    def __init__(self, bridge: Bridge, generator: Generator) -> None:
        super().__init__()
        self.bridge, self.generator = bridge, generator

    def forward(
        self, values: Tensor, mask: Tensor, latents: Tensor, latent_mask: Tensor, tokens: bool = False
    ) -> Tensor:
        cond = Frames(values, mask, 0.0) if tokens else self.bridge(Frames(values, mask, 50.0))
        return self.generator.loss(Frames(latents, latent_mask, 0.0), cond)


# ---------------------------------------------------------------------------------------------------- data
@dataclass
class Split:
    ids: list[str]
    frames: list[Tensor]
    targets: np.ndarray  # (items, c) multi-hot
    latents: list[Tensor] | None = None
    extra: list[dict[str, Any]] = field(default_factory=list)
    text: Tensor | None = None  # (items, text_dim) caption embeddings for the stage-1 alignment loss


class Indexed(torch.utils.data.Dataset):
    def __init__(self, n: int) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> int:
        return i


def loader(
    n: int,
    batch_size: int,
    seed: int,
    world: int,
    rank: int,
    epoch: int,
    lengths: list[int] | None = None,
    pool: int = 0,
) -> DataLoader:
    """Shuffled item indices, sharded across ranks by torch's DistributedSampler; with ``lengths`` and ``pool``,
    batched by length within pools of ``pool`` batches (:class:`LengthPooledBatches`)."""
    sampler = DistributedSampler(Indexed(n), num_replicas=world, rank=rank, shuffle=True, seed=seed, drop_last=False)
    sampler.set_epoch(epoch)
    if lengths is None or pool == 0:
        return DataLoader(Indexed(n), batch_size=batch_size, sampler=sampler, collate_fn=torch.tensor)
    batches = LengthPooledBatches(sampler, lengths, batch_size, pool, seed + epoch)
    return DataLoader(Indexed(n), batch_sampler=batches, collate_fn=torch.tensor)


def frames_batch(split: Split, idx: Tensor, device: torch.device) -> Frames:
    return pad_frames([split.frames[i] for i in idx.tolist()], 50.0).to(device)


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
        latents,
        [e for p in parts for e in p.extra],
    )


def prepare_data(cfg: DictConfig, models: Models, device: torch.device) -> tuple[Manifest, dict[str, Split]]:
    """Builds the corpus if needed (rank 0), then caches encoder frames (and for the training splits and val,
    vocoder latents) of the splits the recipe uses: ``data.train_splits`` (joined into ``train``), with
    ``stage2.extra_splits`` (joined into ``stage2-train``), ``val`` and every ``test*`` split."""
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
    if data.condition not in ("speech", "caption"):
        raise StarKitError(f"data.condition must be speech or caption, not '{data.condition}'")
    if data.condition == "caption" and not hasattr(models.encoder, "encode_text"):
        raise StarKitError(
            f"data.condition=caption needs an encoder with encode_text (e.g. cascade); "
            f"'{cfg.encoder._component_}' has none"
        )
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
    if cfg.stage1.consistency_weight < 0:
        raise StarKitError(f"stage1.consistency_weight must be >= 0, not {cfg.stage1.consistency_weight}")
    if cfg.stage1.length_pool < 0:
        raise StarKitError(f"stage1.length_pool must be >= 0 (0: plain shuffled batches), not {cfg.stage1.length_pool}")
    frames_only = [n for n in found if n.startswith("test")] + ([noisy] if noisy and noisy not in trained else [])
    splits: dict[str, Split] = {}
    for name in trained + frames_only:
        items = [i for i in manifest if i.split == name]
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
        extra = [{"snr_db": i.snr_db, "voice": i.voice} for i in items]
        splits[name] = Split([i.id for i in items], frames, targets, latents, extra)
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
    return Split([noisy.ids[k] for k in order], [noisy.frames[k] for k in order], noisy.targets[order])


def add_caption_embeddings(cfg: DictConfig, manifest: Manifest, splits: dict[str, Split], device: torch.device) -> None:
    """Stage-1 alignment targets: the mean of ``stage1.text_encoder.encode_text`` tokens of each train caption."""
    s1, registry = cfg.stage1, get_registry()
    if s1.align_weight < 0 or s1.align_loss not in ALIGN_LOSSES:
        raise StarKitError(
            f"stage1.align_weight must be >= 0 (got {s1.align_weight}) and stage1.align_loss one of "
            f"{', '.join(ALIGN_LOSSES)} (got '{s1.align_loss}')"
        )
    if s1.text_encoder is None:
        raise StarKitError(
            "stage1.align_weight > 0 needs stage1.text_encoder, an encoder with encode_text: "
            "add stage1.text_encoder=cascade, or set stage1.align_weight=0"
        )
    encoder = instantiate(registry, "stage1.text_encoder", s1.text_encoder).to(device)
    if not hasattr(encoder, "encode_text"):
        raise StarKitError(
            f"stage1.text_encoder '{s1.text_encoder._component_}' cannot read text (no encode_text); use e.g. cascade"
        )
    cache = cache_for(cfg.data.cache_dir, "caption", s1.text_encoder, registry, "encoder")
    by_id = {i.id: i for i in manifest}
    items = [by_id[i] for i in splits["train"].ids]
    if is_main():
        caption_features(encoder, items, cache, device, cfg.data.encode_batch_size, True)
    barrier()
    tokens = caption_features(encoder, items, cache, device, cfg.data.encode_batch_size, False)
    splits["train"].text = torch.stack([t.float().mean(0) for t in tokens])  # (items, text_dim)


# ---------------------------------------------------------------------------------------------------- stage 1
def alignment_loss(pred: Tensor, text: Tensor, kind: str, temperature: float) -> Tensor:
    """Pulls ``pred (b, e)`` towards the caption embeddings ``text (b, e)``.

    ``cosine``: mean ``1 - cos(pred_i, text_i)``. ``contrastive``: symmetric InfoNCE (CLIP) over the batch, where every
    row with the same caption embedding counts as a positive (a corpus repeats captions across voices).
    """
    pred, text = F.normalize(pred.float(), dim=-1), F.normalize(text.float(), dim=-1)
    if kind == "cosine":
        return (1 - (pred * text).sum(-1)).mean()
    same = (text @ text.T > 1 - 1e-5).float()  # (b, b), the diagonal included
    targets = same / same.sum(1, keepdim=True)
    logits = pred @ text.T / temperature  # (b, b)
    return (F.cross_entropy(logits, targets) + F.cross_entropy(logits.T, targets)) / 2


def halves(out: Stage1Output, b: int, paired: bool) -> tuple[Stage1Output, Stage1Output | None]:
    """Splits a forward pass over ``b`` clean items followed by their ``b`` noisy copies (``paired``) into two."""
    if not paired:
        return out, None
    first, second = (
        Stage1Output(*(None if t is None else t[rows] for t in out)) for rows in (slice(b), slice(b, None))
    )
    return first, second


def consistency_loss(noisy: Stage1Output, clean: Stage1Output) -> Tensor:
    """Mean squared distance of the noisy copies' tokens to the clean ones' (held fixed) over valid tokens, in units of
    the clean tokens' variance. Copies of one utterance have the same length, so their tokens line up."""
    target = clean.tokens.detach().float()
    valid = clean.token_mask
    return (noisy.tokens.float() - target)[valid].pow(2).mean() / target[valid].var().clamp_min(1e-8)


def augment(frames: Frames, frame_dropout: float, feature_noise: float) -> Frames:
    """Zeroes a random fraction of the frames (SpecAugment's time masking, frame by frame) and adds feature noise.

    The mask is left as it is: valid frames stay a prefix of each row, as :class:`Frames` promises.
    """
    values = frames.values
    if feature_noise > 0:
        values = values + feature_noise * values[frames.mask].std() * torch.randn_like(values)
    if frame_dropout > 0:
        dropped = torch.rand(frames.mask.shape, device=values.device) < frame_dropout  # (b, t)
        values = values.masked_fill(dropped[..., None], 0.0)
    return Frames(values, frames.mask, frames.frame_rate)


@torch.no_grad()
def stage1_scores(model: Stage1Model, split: Split, device: torch.device, batch_size: int = 128) -> np.ndarray:
    """Sigmoid label scores ``(items, c)`` over the whole split."""
    model.eval()
    out = []
    for start in range(0, len(split.ids), batch_size):
        idx = torch.arange(start, min(start + batch_size, len(split.ids)))
        frames = frames_batch(split, idx, device)
        out.append(torch.sigmoid(model(frames.values, frames.mask).logits).float().cpu())
    return torch.cat(out).numpy()


def stage1_metrics(model: Stage1Model, split: Split, device: torch.device) -> dict[str, float]:
    scores = stage1_scores(model, split, device)
    return {"mAP": mean_average_precision(scores, split.targets), "top1": top1_accuracy(scores, split.targets)}


def run_stage1(
    cfg: DictConfig,
    run_dir: Path,
    models: Models,
    splits: dict[str, Split],
    device: torch.device,
    rank: int,
    world: int,
    interrupt: Interrupt,
) -> Stage1Model:
    s1 = cfg.stage1
    out_dir, state_path = run_dir / "stage1", run_dir / "state" / "stage1.pt"
    train, noisy = splits["train"], splits.get("stage1-noisy")
    align_dim = 0 if train.text is None else train.text.shape[1]
    model = Stage1Model(models.bridge, train.targets.shape[1], align_dim).to(device)
    best_path = out_dir / "best.safetensors"
    if (out_dir / "metrics.json").exists():  # finished earlier (resumed run)
        model.load_state_dict(load_weights(best_path))
        return model
    steps_per_epoch = -(-len(train.ids) // (s1.batch_size * world))
    lengths = [f.shape[0] for f in train.frames]
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=s1.lr, weight_decay=s1.weight_decay)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, warmup_cosine(s1.warmup_epochs * steps_per_epoch, s1.epochs * steps_per_epoch)
    )
    ddp = DDP(model, find_unused_parameters=True) if world > 1 else model
    history: list[dict[str, float]] = []
    start, best, stale = 0, -1.0, 0
    if state_path.exists():
        state = load_state(state_path)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        sched.load_state_dict(state["scheduler"])
        set_rng_state(state["rng"])
        start, best, stale, history = state["epoch"], state["best"], state["stale"], state["history"]
    bar = tqdm(
        range(start, s1.epochs), desc="stage 1", unit="epoch", disable=not is_main(), initial=start, total=s1.epochs
    )
    for epoch in bar:
        model.train()
        losses, align_losses, consistency_losses = [], [], []
        for idx in loader(len(train.ids), s1.batch_size, cfg.seed, world, rank, epoch, lengths, s1.length_pool):
            frames = [train.frames[i] for i in idx.tolist()]
            if noisy is not None:  # the noisy copies ride in the same forward pass (one DDP forward per backward)
                frames += [noisy.frames[i] for i in idx.tolist()]
            batch = augment(pad_frames(frames, 50.0).to(device), s1.frame_dropout, s1.feature_noise)
            target = torch.from_numpy(train.targets[idx.numpy()]).float().to(device)
            out, noisy_out = halves(ddp(batch.values, batch.mask), len(idx), noisy is not None)
            loss = F.binary_cross_entropy_with_logits(out.logits, target)
            if out.aligned is not None:
                assert train.text is not None
                align = alignment_loss(out.aligned, train.text[idx].to(device), s1.align_loss, s1.align_temperature)
                align_losses.append(align.item())
                loss = loss + s1.align_weight * align
            if noisy_out is not None:
                consistency = consistency_loss(noisy_out, out)
                consistency_losses.append(consistency.item())
                loss = loss + F.binary_cross_entropy_with_logits(noisy_out.logits, target)
                loss = loss + s1.consistency_weight * consistency
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            losses.append(loss.item())
        val = stage1_metrics(model, splits["val"], device)
        history.append({"epoch": epoch + 1, "loss": all_reduce_mean(float(np.mean(losses)), device), **val})
        if align_losses:
            history[-1]["align_loss"] = all_reduce_mean(float(np.mean(align_losses)), device)
        if consistency_losses:
            history[-1]["consistency_loss"] = all_reduce_mean(float(np.mean(consistency_losses)), device)
        bar.set_postfix(loss=f"{history[-1]['loss']:.3f}", val_mAP=f"{val['mAP']:.3f}", val_top1=f"{val['top1']:.3f}")
        if val["mAP"] > best:
            best, stale = val["mAP"], 0
            if is_main():
                save_weights(best_path, model.state_dict(), {"epoch": str(epoch + 1), "val_mAP": f"{best:.5f}"})
        else:
            stale += 1
        if is_main():
            save_state(
                state_path,
                {
                    "model": model.state_dict(),
                    "optimizer": opt.state_dict(),
                    "scheduler": sched.state_dict(),
                    "rng": rng_state(),
                    "epoch": epoch + 1,
                    "best": best,
                    "stale": stale,
                    "history": history,
                },
            )
        if interrupt.requested:
            raise KeyboardInterrupt(f"stage 1 interrupted after epoch {epoch + 1}; saved {state_path}")
        if stale >= s1.patience:
            print(f"stage 1: early stop at epoch {epoch + 1} (no val mAP gain for {s1.patience} epochs)", flush=True)
            break
    bar.close()
    barrier()
    model.load_state_dict(load_weights(best_path))
    metrics: dict[str, Any] = {"best_val_mAP": best, "history": history}
    for name, split in splits.items():
        if name.startswith("test"):
            metrics[name] = stage1_metrics(model, split, device)
            if name == "test-noisy":
                for snr in sorted({e["snr_db"] for e in split.extra if e["snr_db"] is not None}):
                    keep = [k for k, e in enumerate(split.extra) if e["snr_db"] == snr]
                    sub = Split([split.ids[k] for k in keep], [split.frames[k] for k in keep], split.targets[keep])
                    metrics[f"test-noisy@{snr:g}dB"] = stage1_metrics(model, sub, device)
    if is_main():
        (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
        summary = ", ".join(
            f"{k} top1 {v['top1']:.3f} mAP {v['mAP']:.3f}"
            for k, v in metrics.items()
            if isinstance(v, dict) and "top1" in v
        )
        print(f"stage 1 done: best val mAP {best:.3f}; {summary}", flush=True)
    return model


# ---------------------------------------------------------------------------------------------------- stage 2
def set_bridge_trainable(bridge: Bridge, mode: str) -> None:
    """``none``: frozen; ``proj``: only the output projection (``bridge.proj``) trains; ``all``: everything trains."""
    if mode not in ("none", "proj", "all"):
        raise StarKitError(f"stage2.train_bridge must be none, proj or all, not '{mode}'")
    if mode == "proj" and not hasattr(bridge, "proj"):
        raise StarKitError(
            f"stage2.train_bridge=proj but bridge {type(bridge).__name__} has no 'proj' submodule; use none or all"
        )
    for name, p in bridge.named_parameters():
        p.requires_grad_(mode == "all" or (mode == "proj" and name.startswith("proj.")))


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
def validation_loss(model: Stage2Model, split: Split, device: torch.device, batch_size: int) -> float:
    """Mean generator loss over the whole split with fixed noise and times (comparable across steps)."""
    model.eval()
    losses = []
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(1234)
        for start in range(0, len(split.ids), batch_size):
            idx = torch.arange(start, min(start + batch_size, len(split.ids)))
            frames, lat = frames_batch(split, idx, device), latents_batch(split, idx, device)
            losses.append(model(frames.values, frames.mask, lat.values, lat.mask).item() * len(idx))
    model.train()
    return float(np.sum(losses) / len(split.ids))


def export_model(
    run_dir: Path, cfg: DictConfig, model: Stage2Model, stage1: dict[str, Tensor], labels: list[str], step: int
) -> None:
    """Writes ``model/``: EMA weights (safetensors), the resolved config, the component list and the label set.

    ``stage1.*`` keeps the bridge and head as stage 1 left them (stage 2 may train the bridge's projection), for
    scoring speech -> labels; ``bridge.*`` and ``generator.*`` are the generation model.
    """
    folder = run_dir / MODEL_DIR
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "labels.json").write_text(json.dumps(labels, indent=1) + "\n")
    tensors = {f"bridge.{k}": v for k, v in model.bridge.state_dict().items()}
    tensors |= {f"generator.{k}": v for k, v in model.generator.state_dict().items()}
    tensors |= {f"stage1.{k}": v for k, v in stage1.items()}
    (folder / "config.yaml").write_text(OmegaConf.to_yaml(cfg, resolve=True))
    (folder / "components.json").write_text((run_dir / "components.json").read_text())
    save_weights(folder / WEIGHTS, tensors, {"step": str(step)})


def run_stage2(
    cfg: DictConfig,
    run_dir: Path,
    stage1: Stage1Model,
    models: Models,
    splits: dict[str, Split],
    device: torch.device,
    rank: int,
    world: int,
    interrupt: Interrupt,
    init_from: str | None,
    labels: list[str],
) -> Stage2Model:
    s2 = cfg.stage2
    state_path, out_dir = run_dir / "state" / "stage2.pt", run_dir / "stage2"
    set_bridge_trainable(models.bridge, s2.train_bridge)
    train = stage2_split(splits)
    assert train.latents is not None
    models.generator.prepare(train.latents)  # a resumed run's state overwrites this with the same fit
    model = Stage2Model(models.bridge, models.generator).to(device)
    if init_from and not state_path.exists():
        report_init(init_from, model, stage1.head)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=s2.lr, weight_decay=s2.weight_decay)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, warmup_cosine(s2.warmup_steps, s2.max_steps))
    ema = EMA(model, s2.ema_decay)
    step, epoch, batch_in_epoch = 0, 0, 0
    history: dict[str, list[list[float]]] = {"train": [], "val": []}
    if state_path.exists():
        state = load_state(state_path)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        sched.load_state_dict(state["scheduler"])
        ema.load_state_dict(state["ema"])
        set_rng_state(state["rng"])
        step, epoch, batch_in_epoch, history = state["step"], state["epoch"], state["batch"], state["history"]
    ddp = DDP(model, find_unused_parameters=True) if world > 1 else model
    autocast = torch.autocast("cuda", dtype=torch.bfloat16, enabled=device.type == "cuda")

    def checkpoint() -> None:
        if is_main():
            save_state(
                state_path,
                {
                    "model": model.state_dict(),
                    "optimizer": opt.state_dict(),
                    "scheduler": sched.state_dict(),
                    "ema": ema.state_dict(),
                    "rng": rng_state(),
                    "step": step,
                    "epoch": epoch,
                    "batch": batch_in_epoch,
                    "history": history,
                },
            )

    # a frozen bridge (train_bridge: none) gives the same tokens every step: computed once, a step skips the bridge
    cached = condition_tokens(models.bridge, train, device) if s2.train_bridge == "none" else None
    bar = tqdm(total=s2.max_steps, initial=step, desc="stage 2", unit="step", disable=not is_main())
    window: list[float] = []
    model.train()
    while step < s2.max_steps:
        batches = loader(len(train.ids), s2.batch_size, cfg.seed, world, rank, epoch)
        for idx in itertools.islice(batches, batch_in_epoch, None):
            lat = latents_batch(train, idx, device)
            if cached is None:
                frames = frames_batch(train, idx, device)
            else:
                frames = pad_frames([cached[i] for i in idx.tolist()], 0.0).to(device)
            with autocast:
                loss = ddp(frames.values, frames.mask, lat.values, lat.mask, cached is not None)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, s2.grad_clip)
            opt.step()
            sched.step()
            ema.update(model, step)
            step, batch_in_epoch = step + 1, batch_in_epoch + 1
            window.append(loss.item())
            bar.update(1)
            if step % s2.log_every == 0 or step == s2.max_steps:
                history["train"].append([step, all_reduce_mean(float(np.mean(window)), device)])
                bar.set_postfix(loss=f"{history['train'][-1][1]:.4f}")
                window = []
            if step % s2.val_every == 0 or step == s2.max_steps:
                with ema.applied(model):
                    history["val"].append([step, validation_loss(model, splits["val"], device, s2.batch_size)])
                bar.set_postfix(
                    loss=f"{history['train'][-1][1]:.4f}" if history["train"] else "",
                    val=f"{history['val'][-1][1]:.4f}",
                )
            if is_main() and s2.sample_every and step % s2.sample_every == 0:
                with ema.applied(model):
                    render_samples(run_dir / "stage2" / f"samples-{step:06d}", cfg, models, splits["val"], 2)
            if step % s2.checkpoint_every == 0 or interrupt.requested:
                checkpoint()
            if interrupt.requested:
                raise KeyboardInterrupt(f"stage 2 interrupted at step {step}; saved {state_path}")
            if step >= s2.max_steps:
                break
        else:
            epoch, batch_in_epoch = epoch + 1, 0
    bar.close()
    checkpoint()
    if is_main():
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "history.json").write_text(json.dumps(history, indent=2) + "\n")
        with ema.applied(model):
            export_model(run_dir, cfg, model, load_weights(run_dir / "stage1" / "best.safetensors"), labels, step)
    barrier()
    return model


def report_init(init_from: str, model: Stage2Model, head: nn.Linear) -> None:
    """``--init-from``: loads matching weights from another run's exported model and reports what did not match."""
    path = Path(init_from)
    path = path / MODEL_DIR / WEIGHTS if path.is_dir() else path
    weights = load_weights(path)
    report = []
    for prefix, module in (("bridge.", model.bridge), ("generator.", model.generator), ("stage1.head.", head)):
        missing, rejected = load_partial(module, weights, prefix)
        report.append(f"{prefix.rstrip('.')}: {len(missing)} missing, {len(rejected)} mismatched")
        for key in rejected[:5]:
            report.append(f"  mismatched: {key}")
    print(f"--init-from {path}: " + "; ".join(r for r in report if not r.startswith("  ")), flush=True)
    for line in report:
        if line.startswith("  "):
            print(line, flush=True)


# ---------------------------------------------------------------------------------------------------- samples
@torch.no_grad()
def render_samples(folder: Path, cfg: DictConfig, models: Models, split: Split, count: int) -> list[dict[str, Any]]:
    """Generates audio for the first ``count`` items of a split (speech features from the cache) into ``folder``."""
    from star_kit.audio import write_audio
    from star_kit.report import save_spectrogram

    s = cfg.sampling
    folder.mkdir(parents=True, exist_ok=True)
    device = next(models.generator.parameters()).device
    idx = torch.arange(min(count, len(split.ids)))
    modes = models.bridge.training, models.generator.training
    models.bridge.eval()
    models.generator.eval()
    cond = models.bridge(frames_batch(split, idx, device))
    latents = models.generator.sample(
        cond, models.vocoder.num_frames(s.seconds), steps=s.steps, guidance=s.guidance, solver=s.solver, seed=s.seed
    )
    # Rendered during stage 2, training resumes in train mode (condition dropout for guidance, bridge dropout).
    models.bridge.train(modes[0])
    models.generator.train(modes[1])
    wav, lengths = models.vocoder.decode(latents)
    rows = []
    for k in range(len(idx)):
        path = folder / f"{split.ids[k]}.wav"
        audio = wav[k, : int(lengths[k])].float().cpu().numpy()
        write_audio(path, audio, models.vocoder.sample_rate)
        save_spectrogram(path.with_suffix(".png"), audio, models.vocoder.sample_rate, split.ids[k])
        rows.append({"id": split.ids[k], "generated": path})
    return rows


# ---------------------------------------------------------------------------------------------------- main
def main(cfg: DictConfig, run_dir: Path, resume: bool = False, init_from: str | None = None) -> dict[str, Any]:
    """Runs both stages (skipping what a resumed run already finished), then writes the report."""
    rank, world, device = init_distributed()
    seed_everything(cfg.seed + rank)
    torch.set_num_threads(max(1, torch.get_num_threads() // world))
    watch = Stopwatch()
    with watch("data"):
        models = build_models(cfg)
        for m in (models.encoder, models.vocoder, models.bridge, models.generator):
            m.to(device)
        manifest, splits = prepare_data(cfg, models, device)
    with Interrupt() as interrupt:
        with watch("stage1"):
            stage1 = run_stage1(cfg, run_dir, models, splits, device, rank, world, interrupt)
        with watch("stage2"):
            run_stage2(cfg, run_dir, stage1, models, splits, device, rank, world, interrupt, init_from, manifest.labels)
    result: dict[str, Any] = {"phases": watch.phases, "world_size": world}
    if is_main() and cfg.report:
        from star_kit.report import write_report

        with watch("report"):
            path = write_report(run_dir, cfg, models, manifest, splits, render_samples)
        result["report"] = path
        print(f"done in {watch.total_seconds / 60:.1f} min: report at {path}", flush=True)
    if is_main():
        write_text_atomic(
            run_dir / "timings.json", json.dumps({**result, "report": str(result.get("report"))}, indent=2)
        )
    if torch.distributed.is_initialized():
        torch.distributed.destroy_process_group()
    return result
