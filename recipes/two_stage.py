"""STAR's two-stage recipe: (1) bridge representation learning, (2) generator training. Copy it to change it.

    starkit recipe run two_stage --config star-tiny                # single process
    torchrun --nproc_per_node 2 -m star_kit recipe run two_stage --config star-tiny   # DDP (gloo on CPU)

Stage 1 trains bridge + a linear label head on frozen (cached) encoder features with multi-label BCE, scoring mAP and
top-1 accuracy over the whole validation split every epoch (STAR's script scored only the last batch), with early
stopping; the best epoch is kept. Stage 2 freezes the bridge, or all of it but its output projection
(``stage2.train_bridge``; a wholly frozen bridge's condition tokens are computed once), and trains the generator on
cached vocoder latents with condition dropout, EMA weights, gradient clipping and bf16 autocast on GPU. Training
state (``state/*.pt``) is separate from the exported model (``model/``, :mod:`star_kit.export`).

The data step (corpus, cached encoder frames and vocoder latents per split) is the library's
:func:`star_kit.data.splits.prepare_splits`; :func:`check_choices` is what ``starkit recipe validate`` checks for this
recipe beyond its schema.

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

from star_kit.data.splits import (
    Split,
    condition_tokens,
    frames_batch,
    latents_batch,
    prepare_splits,
    stage2_split,
    validation_loss,
)
from star_kit.errors import StarKitError
from star_kit.evaluation.metrics import mean_average_precision, top1_accuracy
from star_kit.export import (
    BRIDGE,
    COMPONENTS,
    GENERATOR,
    STAGE1_BEST,
    STAGE1_HEAD,
    STAGE1_METRICS,
    STAGE2_HISTORY,
    export_run,
    read_run,
)
from star_kit.features import pad_frames
from star_kit.files import write_text_atomic
from star_kit.interfaces import Bridge, Frames, Generator, TextEncoder
from star_kit.nn import masked_mean
from star_kit.pipeline import Models, build_models
from star_kit.registry import Registry, get_registry
from star_kit.runs import build_on_meta
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
    load_train_state,
    load_weights,
    save_train_state,
    save_weights,
    seed_everything,
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
    # languages heard only at test time: their items are dropped from every split but the test* ones
    test_languages: list[str] = field(default_factory=list)
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


#: The recipe's own choices: key -> the values it allows.
CHOICES: dict[str, tuple[str, ...]] = {
    "data.condition": ("speech", "caption"),
    "stage1.align_loss": ALIGN_LOSSES,
    "stage2.train_bridge": ("none", "proj", "all"),
}
#: Numeric keys: key -> (lowest allowed, whether the lowest itself is allowed). No upper bounds but the fractions'.
RANGES: dict[str, tuple[float, bool]] = {
    "data.audio_seconds": (0, False),
    "data.min_speech_seconds": (0, True),
    "data.max_speech_seconds": (0, False),
    "data.encode_batch_size": (1, True),
    "stage1.epochs": (1, True),
    "stage1.batch_size": (1, True),
    "stage1.lr": (0, False),
    "stage1.weight_decay": (0, True),
    "stage1.warmup_epochs": (0, True),
    "stage1.patience": (1, True),
    "stage1.feature_noise": (0, True),
    "stage1.length_pool": (0, True),
    "stage1.align_weight": (0, True),
    "stage1.align_temperature": (0, False),
    "stage1.consistency_weight": (0, True),
    "stage2.max_steps": (1, True),
    "stage2.batch_size": (1, True),
    "stage2.lr": (0, False),
    "stage2.weight_decay": (0, True),
    "stage2.warmup_steps": (0, True),
    "stage2.grad_clip": (0, False),
    "stage2.log_every": (1, True),
    "stage2.val_every": (1, True),
    "stage2.sample_every": (0, True),
    "stage2.checkpoint_every": (1, True),
    "sampling.steps": (1, True),
    "sampling.guidance": (0, True),
    "sampling.seconds": (0, False),
    "sampling.num_report_samples": (0, True),
}
FRACTIONS = ("stage1.frame_dropout", "stage2.ema_decay")  # in [0, 1)


def check_choices(cfg: DictConfig, registry: Registry | None = None) -> None:
    """Every choice of this recipe that a typo could break, checked before anything is built or trained (``starkit
    recipe validate`` and the start of :func:`main` both run it): allowed values, ranges, and the combinations that
    need a component to offer something (a bridge's output projection, an encoder that reads text).

    Raises:
        StarKitError: naming the key, its value and what is allowed.
    """
    for key, allowed in CHOICES.items():
        value = OmegaConf.select(cfg, key)
        if value not in allowed:
            raise StarKitError(f"{key}={value!r} is not allowed: one of {', '.join(allowed)}")
    for key, (low, inclusive) in RANGES.items():
        value = OmegaConf.select(cfg, key)
        if value < low or (value == low and not inclusive):
            raise StarKitError(f"{key}={value} is not allowed: {'>=' if inclusive else '>'} {low}")
    for key in FRACTIONS:
        value = OmegaConf.select(cfg, key)
        if not 0 <= value < 1:
            raise StarKitError(f"{key}={value} is not allowed: in [0, 1)")
    if cfg.data.max_speech_seconds <= cfg.data.min_speech_seconds:
        raise StarKitError(
            f"data.max_speech_seconds={cfg.data.max_speech_seconds} must exceed data.min_speech_seconds="
            f"{cfg.data.min_speech_seconds}"
        )
    if not cfg.data.train_splits:
        raise StarKitError("data.train_splits is empty: name at least one manifest split, e.g. [train]")
    registry = registry or get_registry()
    if cfg.data.condition == "caption" and not issubclass(
        registry.load("encoder", cfg.encoder._component_), TextEncoder
    ):
        raise StarKitError(
            f"data.condition=caption needs an encoder with encode_text (e.g. cascade); "
            f"'{cfg.encoder._component_}' has none"
        )
    s1 = cfg.stage1
    if s1.align_weight > 0:
        if s1.text_encoder is None:
            raise StarKitError(
                "stage1.align_weight > 0 needs stage1.text_encoder, an encoder with encode_text: "
                "add stage1.text_encoder=cascade, or set stage1.align_weight=0"
            )
        if not issubclass(registry.load("encoder", s1.text_encoder._component_), TextEncoder):
            raise StarKitError(
                f"stage1.text_encoder '{s1.text_encoder._component_}' cannot read text (no encode_text); "
                "use e.g. cascade"
            )
    if cfg.stage2.train_bridge == "proj":
        bridge = build_on_meta(registry, cfg, ("bridge",))["bridge"]
        if bridge.output_projection() is None:
            raise StarKitError(
                f"stage2.train_bridge=proj but bridge '{cfg.bridge._component_}' ({type(bridge).__name__}) has no "
                "output projection (Bridge.output_projection() returns None); set stage2.train_bridge to none or "
                "all, or implement output_projection()"
            )


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

    def __init__(self, bridge: Bridge, num_labels: int, frame_rate: float, align_dim: int = 0) -> None:
        super().__init__()
        self.bridge, self.frame_rate = bridge, frame_rate
        self.head = nn.Linear(bridge.out_dim, num_labels)
        self.align = nn.Linear(bridge.out_dim, align_dim) if align_dim else None

    def forward(self, values: Tensor, mask: Tensor) -> Stage1Output:
        cond = self.bridge(Frames(values, mask, self.frame_rate))
        pooled = masked_mean(cond.values, cond.mask, dim=1)  # (b, d)
        aligned = None if self.align is None else self.align(pooled)
        return Stage1Output(self.head(pooled), aligned, cond.values, cond.mask)


class Stage2Model(nn.Module):
    """Bridge + generator; ``forward`` returns the generator loss so DDP sees every step.

    ``values, mask`` are encoder frames, or with ``tokens=True`` the frozen bridge's condition tokens (cached).
    """

    def __init__(self, bridge: Bridge, generator: Generator, frame_rate: float) -> None:
        super().__init__()
        self.bridge, self.generator, self.frame_rate = bridge, generator, frame_rate

    def forward(
        self, values: Tensor, mask: Tensor, latents: Tensor, latent_mask: Tensor, tokens: bool = False
    ) -> Tensor:
        cond = Frames(values, mask, 0.0) if tokens else self.bridge(Frames(values, mask, self.frame_rate))
        return self.generator.loss(Frames(latents, latent_mask, 0.0), cond)


# ---------------------------------------------------------------------------------------------------- data
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
    metrics_path, state_path = run_dir / STAGE1_METRICS, run_dir / "state" / "stage1.pt"
    train, noisy = splits["train"], splits.get("stage1-noisy")
    align_dim = 0 if train.text is None else train.text.shape[1]
    model = Stage1Model(models.bridge, train.targets.shape[1], train.frame_rate, align_dim).to(device)
    best_path = run_dir / STAGE1_BEST
    if metrics_path.exists():  # finished earlier (resumed run)
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
    parts = {"model": model, "optimizer": opt, "scheduler": sched}
    if state_path.exists():
        state = load_train_state(state_path, parts)
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
            batch = augment(pad_frames(frames, train.frame_rate).to(device), s1.frame_dropout, s1.feature_noise)
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
            save_train_state(state_path, parts, epoch=epoch + 1, best=best, stale=stale, history=history)
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
            for snr, sub in split.groups("snr_db").items():
                metrics[f"{name}@{snr:g}dB"] = stage1_metrics(model, sub, device)
            by_language = split.groups("language")
            for language, sub in by_language.items() if len(by_language) > 1 else ():
                metrics[f"{name}@{language}"] = stage1_metrics(model, sub, device)
    if is_main():
        write_text_atomic(metrics_path, json.dumps(metrics, indent=2) + "\n")
        summary = ", ".join(
            f"{k} top1 {v['top1']:.3f} mAP {v['mAP']:.3f}"
            for k, v in metrics.items()
            if isinstance(v, dict) and "top1" in v
        )
        print(f"stage 1 done: best val mAP {best:.3f}; {summary}", flush=True)
    return model


# ---------------------------------------------------------------------------------------------------- stage 2
def set_bridge_trainable(bridge: Bridge, mode: str) -> None:
    """``none``: frozen; ``proj``: only the bridge's :meth:`~star_kit.interfaces.Bridge.output_projection` trains;
    ``all``: everything trains (:func:`check_choices` has checked ``mode`` against the bridge)."""
    proj = bridge.output_projection()
    trained = {id(p) for p in proj.parameters()} if mode == "proj" and proj is not None else set()
    for p in bridge.parameters():
        p.requires_grad_(mode == "all" or id(p) in trained)


def export_model(
    run_dir: Path, cfg: DictConfig, model: Stage2Model, stage1: dict[str, Tensor], labels: list[str], step: int
) -> None:
    """Writes ``model/`` (:func:`star_kit.export.export_run`): EMA weights, the resolved config, the component list
    and the label set.

    ``stage1.*`` keeps the bridge and head as stage 1 left them (stage 2 may train the bridge's projection), for
    scoring speech -> labels; ``bridge.*`` and ``generator.*`` are the generation model.
    """
    components = json.loads((run_dir / COMPONENTS).read_text())
    bridge, generator = model.bridge.state_dict(), model.generator.state_dict()
    export_run(run_dir, cfg, bridge, generator, stage1, labels, components, step)


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
    state_path = run_dir / "state" / "stage2.pt"
    set_bridge_trainable(models.bridge, s2.train_bridge)
    train = stage2_split(splits)
    assert train.latents is not None
    models.generator.prepare(train.latents)  # a resumed run's state overwrites this with the same fit
    model = Stage2Model(models.bridge, models.generator, train.frame_rate).to(device)
    if init_from and not state_path.exists():
        report_init(init_from, model, stage1.head)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=s2.lr, weight_decay=s2.weight_decay)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, warmup_cosine(s2.warmup_steps, s2.max_steps))
    ema = EMA(model, s2.ema_decay)
    step, epoch, batch_in_epoch = 0, 0, 0
    history: dict[str, list[list[float]]] = {"train": [], "val": []}
    parts = {"model": model, "optimizer": opt, "scheduler": sched, "ema": ema}
    if state_path.exists():
        state = load_train_state(state_path, parts)
        step, epoch, batch_in_epoch, history = state["step"], state["epoch"], state["batch"], state["history"]
    ddp = DDP(model, find_unused_parameters=True) if world > 1 else model
    autocast = torch.autocast("cuda", dtype=torch.bfloat16, enabled=device.type == "cuda")

    def checkpoint() -> None:
        if is_main():
            save_train_state(state_path, parts, step=step, epoch=epoch, batch=batch_in_epoch, history=history)

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
                    history["val"].append(
                        [step, validation_loss(model.bridge, model.generator, splits["val"], device, s2.batch_size)]
                    )
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
        write_text_atomic(run_dir / STAGE2_HISTORY, json.dumps(history, indent=2) + "\n")
        with ema.applied(model):
            export_model(run_dir, cfg, model, load_weights(run_dir / STAGE1_BEST), labels, step)
    barrier()
    return model


def report_init(init_from: str, model: Stage2Model, head: nn.Linear) -> None:
    """``--init-from``: loads matching weights from another run's exported model and reports what did not match."""
    path = Path(init_from)
    if path.is_dir():
        run = read_run(path)
        path, weights = run.weights_path, run.weights()
    else:
        weights = load_weights(path)
    report = []
    for prefix, module in ((BRIDGE, model.bridge), (GENERATOR, model.generator), (STAGE1_HEAD, head)):
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
    check_choices(cfg)
    rank, world, device = init_distributed()
    seed_everything(cfg.seed + rank)
    torch.set_num_threads(max(1, torch.get_num_threads() // world))
    watch = Stopwatch()
    with watch("data"):
        models = build_models(cfg)
        for m in (models.encoder, models.vocoder, models.bridge, models.generator):
            m.to(device)
        manifest, splits = prepare_splits(cfg, models, device)
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
