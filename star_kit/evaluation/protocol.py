"""``starkit eval``: the pinned evaluation protocol of a trained run.

Two questions, answered on one manifest split:

* **Stage 1** (did the bridge hear the sound events in the speech?): mAP and top-1 accuracy of the run's label head
  (``stage1.*`` in ``model/model.safetensors``) over the masked mean of the bridge's condition tokens.
* **Generation** (does the generated sound contain those events?), scored by an independent judge, never by anything
  the run trained: a registered metric implementing :class:`~star_kit.interfaces.Judge` (``--judge NAME``; by default
  the one installed, e.g. ``aisfx``, the sound-effects embedding network of the star-kit-eval plugin). Its name
  prefixes the keys:

  - ``<judge>-acc``: a linear probe fitted on judge embeddings of the corpus's *real* train-split audio gives each
    clip class posteriors; a clip is correct when its top class is one of its labels.
  - ``<judge>-FAD``: Frechet distance between Gaussians fitted to the judge embeddings of the generated clips and of
    the split's real reference clips (see :func:`~star_kit.evaluation.metrics.frechet_distance`). Not comparable to
    published (VGGish) FAD.
  - ``<judge>-KL``: mean over clips of KL(p_ref || p_gen), the probe posteriors of the reference clip against those
    of the clip generated for it (the direction of audioldm_eval's ``kl_div(log p_gen, p_ref)``);
    ``<judge>-KL-reverse`` is KL(p_gen || p_ref).

The same metrics for the reference audio passed through the vocoder (encode -> decode) give the ceiling a perfect
generator could reach in the run's latent space. For a cascade run (an encoder that is a
:class:`~star_kit.interfaces.Transcriber`), the ASR transcripts and their word error rate against the captions are
reported too. Every setting that changes a number (judge and checkpoint sha256, probe, clip counts, sample rates,
steps, guidance, solver, seed, limit) is written next to the numbers, and the per-clip rows go to ``samples.csv``.
Everything is deterministic: the same run and settings give identical files.

The stages of :func:`evaluate`: :func:`load_run` and :func:`split_items` (what is evaluated), :func:`train_probe`
(the judge's probe), :func:`score` (stage-1 scores, generation and judge embeddings of every clip) and
:func:`assemble` (the metrics and per-clip rows), then :func:`write_results`.

Shapes: n clips, d embedding width, c classes, t frames.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from omegaconf import DictConfig, OmegaConf
from torch import Tensor, nn

from star_kit.data.manifest import Item, Manifest, atomic_write_bytes, multi_hot, read_manifest
from star_kit.errors import StarKitError
from star_kit.evaluation.metrics import (
    BOOTSTRAP,
    CI,
    Probe,
    ci,
    event_correct,
    fit_probe,
    generation_metrics,
    map_interval,
    mean_average_precision,
    with_interval,
    word_errors,
)
from star_kit.export import COMPONENTS, LABELS, MODEL_DIR, read_run
from star_kit.interfaces import Frames, Judge, TextEncoder, Transcriber
from star_kit.nn import masked_mean

CONDITIONS = ("speech", "caption")


@dataclass(frozen=True)
class EvalSettings:
    """What an evaluation may change; every field that changes a number is recorded in ``metrics.json``.

    Attributes:
        split: the manifest split (``test``, ``test-noisy``, ``val``).
        steps, guidance, solver: sampler settings (default: the run's ``sampling`` section).
        seed: batch ``k`` (of ``batch_size`` clips, in manifest order) samples with seed ``seed + k``.
        condition: ``speech`` (the spoken captions) or ``caption`` (the caption text, through the encoder's
            ``encode_text``: the text upper bound of the cascade baseline).
        limit: only ``limit`` clips, spread evenly over the split (so every voice and SNR stays; :func:`split_items`).
        manifest: another manifest than the run's (its label set must be the run's).
        batch_size: clips per generation batch (it changes the noise each clip gets, so it is recorded).
        device: where the models run.
        probe_mode: ``softmax`` or ``sigmoid`` judge probe (see :func:`~star_kit.evaluation.metrics.fit_probe`).
        save_audio: also write the generated clips to ``<out>/audio/<id>.wav``.
        progress: show progress bars.
        encoder_options: keys of the run's (untrained) encoder config to replace, e.g. ``{"transcriber":
            "faster-whisper"}`` for a cascade run; their values name the output folder (``test-faster-whisper``).
        judge: the registered judge (kind ``metric``); default: :func:`default_judge`.
    """

    split: str = "test"
    steps: int | None = None
    guidance: float | None = None
    solver: str | None = None
    seed: int = 0
    condition: str = "speech"
    limit: int | None = None
    manifest: str | Path | None = None
    batch_size: int = 16
    device: str = "cpu"
    probe_mode: str = "softmax"
    save_audio: bool = False
    progress: bool = True
    encoder_options: dict[str, Any] | None = None
    judge: str | None = None

    def __post_init__(self) -> None:
        if self.condition not in CONDITIONS:
            raise StarKitError(f"condition must be one of {', '.join(CONDITIONS)}, not '{self.condition}'")
        if self.limit is not None and self.limit < 1:
            raise StarKitError(f"limit must be a positive number of clips, not {self.limit}")


# ---------------------------------------------------------------------------------------------------- the run
@dataclass
class RunFiles:
    """What an evaluation reads from a finished run."""

    run_dir: Path
    cfg: DictConfig
    manifest: Manifest
    labels: list[str]
    labels_checked: str  # how the manifest's label set was checked against the run's


def manifest_of(cfg: DictConfig, override: str | Path | None = None) -> Path:
    """The manifest a run's config names (``data.manifest``, else ``data.root/manifest.jsonl``), or ``override``."""
    if override is not None:
        return Path(override)
    data = cfg.get("data", {})
    if data.get("manifest"):
        return Path(data.manifest)
    if data.get("root"):
        return Path(data.root) / "manifest.jsonl"
    raise StarKitError("the run's config names no data.manifest or data.root; pass --manifest")


def load_run(run_dir: str | Path, manifest: str | Path | None = None) -> RunFiles:
    """Checks that ``run_dir`` is a finished run and that the manifest's label set is the run's.

    Raises:
        StarKitError: naming the unfinished stage, the missing manifest, or the labels that differ.
    """
    run = read_run(run_dir)  # an unfinished stage, a folder that is no run, an unknown format: each by name
    path = manifest_of(run.config, manifest)
    if not path.exists():
        source = "--manifest" if manifest else "data.manifest or data.root of the run's config"
        raise StarKitError(f"{path}: the manifest (from {source}) does not exist; build the corpus or pass --manifest")
    found = read_manifest(path)
    num_classes = run.head_classes()
    labels_file = run.folder / LABELS
    if run.labels is not None:
        run_labels = run.labels
        if len(run_labels) != num_classes:
            raise StarKitError(f"{labels_file} lists {len(run_labels)} labels but the head has {num_classes} outputs")
        if run_labels != found.labels:
            missing = ", ".join(x for x in run_labels if x not in found.labels) or "-"
            extra = ", ".join(x for x in found.labels if x not in run_labels) or "-"
            detail = (
                f"the run's labels missing from the manifest: {missing}; the manifest's labels the run lacks: {extra}"
            )
            if missing == extra == "-":
                detail = "the same classes in another order"
            raise StarKitError(f"{found.path}: label set differs from the run's ({labels_file}): {detail}")
        checked = f"equal to {labels_file}"
    else:
        if len(found.labels) != num_classes:
            raise StarKitError(
                f"{found.path}: {len(found.labels)} labels but the run's head has {num_classes} outputs; "
                "evaluate with the manifest the run was trained on (--manifest)"
            )
        checked = f"count only ({num_classes} classes; the run has no {MODEL_DIR}/{LABELS})"
    return RunFiles(run.run_dir, run.config, found, found.labels, checked)


def split_items(manifest: Manifest, split: str, limit: int | None) -> list[Item]:
    """The split's items; with ``limit``, that many spread evenly over the split (so every voice and SNR stays)."""
    items = [i for i in manifest if i.split == split]
    if not items:
        counts = ", ".join(f"{s} ({n})" for s, n in manifest.split_counts().items())
        raise StarKitError(f"{manifest.path}: no items in split '{split}'; splits present: {counts}")
    if not limit or limit >= len(items):
        return items
    return [items[k * len(items) // limit] for k in range(limit)]


def output_dir(run_dir: Path, settings: EvalSettings) -> Path:
    """``run_dir/eval/<split>[-caption][-<encoder option values>]``."""
    name = settings.split if settings.condition == "speech" else f"{settings.split}-{settings.condition}"
    out = run_dir / "eval" / name
    if settings.encoder_options:
        out = out.with_name("-".join([out.name, *map(str, settings.encoder_options.values())]))
    return out


# ---------------------------------------------------------------------------------------------------- the judge
def default_judge(registry: Any = None) -> str:
    """The judge ``starkit eval`` uses without ``--judge``: the one registered metric.

    Raises:
        StarKitError: when none is installed, or several are (naming them and ``--judge``).
    """
    from star_kit.registry import get_registry

    names = sorted((registry or get_registry()).components("metric"))
    if len(names) == 1:
        return names[0]
    if not names:
        raise StarKitError(
            "no judge is installed: install a plugin that registers one (register_metrics), e.g. star-kit-eval"
        )
    raise StarKitError(f"{len(names)} judges are installed ({', '.join(names)}); choose one with --judge NAME")


def load_judge(name: str | None = None, device: str = "cpu", registry: Any = None) -> Judge:
    """The registered judge ``name`` (default: :func:`default_judge`) built on ``device``.

    Raises:
        StarKitError: for an unknown name, or a registered metric that is not a :class:`Judge`.
    """
    from star_kit.registry import get_registry

    registry = registry or get_registry()
    name = name or default_judge(registry)
    judge = registry.load("metric", name)(device=device)
    if not isinstance(judge, Judge):
        entry = registry.get("metric", name)
        raise StarKitError(
            f"metric '{name}' (plugin {entry.plugin}) is not a judge (star_kit.interfaces.Judge); "
            f"choose another with --judge, from: {', '.join(sorted(registry.components('metric')))}"
        )
    return judge


def train_probe(
    judge: Judge,
    manifest: Manifest,
    seconds: float,
    cache_root: str | Path,
    mode: str = "softmax",
    progress: bool = False,
) -> tuple[Probe, dict[str, Any]]:
    """The judge's probe, fitted on the embeddings of the manifest's real ``train`` audio cropped to ``seconds``.

    Returns:
        The probe and what it was fitted on (``mode``, ``fitted_on``, ``train_accuracy``), as metrics.json records it.
    """
    train = [i for i in manifest if i.split == "train"]
    if not train:
        raise StarKitError(f"{manifest.path}: the judge's probe is fitted on the 'train' split, which is empty")
    embeddings = reference_embeddings(judge, manifest, train, seconds, cache_root, progress=progress)
    targets = np.stack([multi_hot(i.labels, manifest.labels) for i in train])
    probe = fit_probe(embeddings, targets, mode)
    fitted_on = f"judge embeddings of the real audio of the 'train' split ({len(train)} clips, first {seconds:g} s)"
    return probe, {
        "mode": mode,
        "fitted_on": fitted_on,
        "train_accuracy": float(event_correct(probe.posteriors(embeddings), targets).mean()),
    }


def reference_embeddings(
    judge: Judge,
    manifest: Manifest,
    items: list[Item],
    seconds: float,
    cache_root: str | Path,
    vocoder: Any = None,
    vocoder_node: Any = None,
    device: torch.device | str = "cpu",
    progress: bool = False,
) -> np.ndarray:
    """Judge embeddings ``(n, d)`` of the items' real audio cropped to ``seconds``, cached per audio file.

    With ``vocoder``, the audio first goes through ``vocoder.encode`` -> ``decode`` (the resynthesis ceiling).
    """
    from tqdm import tqdm

    from star_kit.audio import SILENCE_PEAK, load_audio
    from star_kit.data.cache import FeatureCache, file_fingerprint
    from star_kit.registry import get_registry

    key: dict[str, Any] = {"_component_": judge.name, **judge.describe(), "seconds": seconds}
    namespace = "judge-reference"
    if vocoder is not None:
        node = (
            OmegaConf.to_container(vocoder_node, resolve=True) if isinstance(vocoder_node, DictConfig) else vocoder_node
        )
        entry = get_registry().get("vocoder", str(node["_component_"]))
        key["vocoder"] = {**entry.defaults(), **node, "version": entry.version}
        namespace = "judge-resynthesis"
    cache = FeatureCache(cache_root, namespace, key, judge.name)
    files = sorted({i.audio for i in items})
    bar = tqdm(total=len(files), desc=f"judge: {namespace}", unit="clip", disable=not progress, leave=False)

    def compute(names: list[str]) -> list[dict[str, Tensor]]:
        out = []
        for name in names:
            rate = vocoder.sample_rate if vocoder is not None else None
            wav, rate = load_audio(manifest.root / name, rate)
            wav = wav[: int(seconds * rate)]
            if vocoder is not None and np.abs(wav).max() >= SILENCE_PEAK:  # resynthesised silence stays silence
                with torch.no_grad():
                    x, n = torch.from_numpy(wav)[None].to(device), torch.tensor([len(wav)], device=device)
                    audio, lengths = vocoder.decode(vocoder.encode(x, n))
                wav = audio[0, : int(lengths[0])].float().cpu().numpy()
            out.append({"embedding": torch.from_numpy(judge.embed(wav, rate))})
            bar.update()
        return out

    found = cache.get_or_compute(files, compute, 8, [file_fingerprint(manifest.root / f) for f in files])
    bar.close()
    by_file = {f: e["embedding"].numpy() for f, e in zip(files, found, strict=True)}
    return np.stack([by_file[i.audio] for i in items])


# ---------------------------------------------------------------------------------------------------- scoring
@dataclass
class Scored:
    """Per-clip arrays of one evaluation, in the order of its items."""

    targets: np.ndarray  # (n, c) multi-hot labels
    stage1: np.ndarray  # (n, c) stage-1 scores
    generated: np.ndarray  # (n, d) judge embeddings of the generated clips
    reference: np.ndarray  # (n, d) ... of the real audio
    resynthesis: np.ndarray  # (n, d) ... of the real audio through the vocoder (encode -> decode)
    transcripts: list[str] | None  # the encoder's ASR of the speech (a Transcriber), else None


def sampling_settings(cfg: DictConfig, settings: EvalSettings) -> dict[str, Any]:
    """The sampler settings of the generation: the run's ``sampling`` section where ``settings`` leaves them."""
    s = cfg.sampling
    return {
        "steps": int(settings.steps or s.steps),
        "guidance": float(s.guidance if settings.guidance is None else settings.guidance),
        "solver": str(settings.solver or s.solver),
        "seed": settings.seed,
        "seconds": float(s.seconds),
        "batch_size": settings.batch_size,
    }


def condition_frames(
    encoder: Any,
    cfg: DictConfig,
    manifest: Manifest,
    items: list[Item],
    condition: str,
    device: torch.device,
    batch_size: int,
) -> list[Tensor]:
    """Encoder frames ``[(t_i, d)]`` of each item's spoken caption (cached) or of its caption text."""
    from star_kit.features import cache_for, speech_features
    from star_kit.registry import get_registry

    if condition == "speech":
        cache = cache_for(cfg.data.cache_dir, "speech", cfg.encoder, get_registry(), "encoder")
        return speech_features(encoder, manifest, items, cache, device, batch_size, progress=False)
    if not isinstance(encoder, TextEncoder):
        raise StarKitError(
            f"condition=caption needs an encoder that reads text (encode_text, e.g. 'cascade'); this run's encoder is "
            f"'{cfg.encoder._component_}'"
        )
    out: list[Tensor] = []
    with torch.no_grad():
        for start in range(0, len(items), batch_size):
            frames = encoder.encode_text([i.caption for i in items[start : start + batch_size]])
            out += [frames.values[k, : int(frames.lengths[k])].float().cpu() for k in range(frames.values.shape[0])]
    return out


def _batches(frames: list[Tensor], batch_size: int, frame_rate: float, device: torch.device) -> Iterator[Frames]:
    """The clips' frames padded into batches of ``batch_size``, in order (batch ``k`` samples with ``seed + k``)."""
    from star_kit.features import pad_frames

    for start in range(0, len(frames), batch_size):
        yield pad_frames(frames[start : start + batch_size], frame_rate).to(device)


def pooled_head_scores(bridge: nn.Module, head: nn.Linear, frames: Frames) -> Tensor:
    """The recipe's stage-1 scores: sigmoid of the head over the masked mean of the condition tokens ``(b, c)``."""
    cond = bridge(frames)
    return torch.sigmoid(head(masked_mean(cond.values, cond.mask, dim=1)))


@torch.no_grad()
def stage1_scores(bridge: nn.Module, head: nn.Linear, batches: Iterator[Frames]) -> np.ndarray:
    """Stage-1 scores ``(n, c)`` of every clip (:func:`pooled_head_scores`)."""
    return np.concatenate([pooled_head_scores(bridge, head, batch).float().cpu().numpy() for batch in batches])


@torch.no_grad()
def generate_and_embed(
    models: Any,
    judge: Judge,
    batches: Iterator[Frames],
    items: list[Item],
    sampling: dict[str, Any],
    settings: EvalSettings,
    out_dir: Path,
) -> np.ndarray:
    """Generates a clip per item (batch ``k`` with seed ``seed + k``) and returns their judge embeddings ``(n, d)``;
    with ``save_audio`` the clips also go to ``out_dir/audio/<id>.wav``."""
    from tqdm import tqdm

    from star_kit.audio import write_audio

    num_frames, rate = models.vocoder.num_frames(sampling["seconds"]), models.vocoder.sample_rate
    embeddings: list[np.ndarray] = []
    bar = tqdm(total=len(items), desc=f"eval {settings.split}: generating", unit="clip", disable=not settings.progress)
    for k, batch in enumerate(batches):
        latents = models.generator.sample(
            models.bridge(batch),
            num_frames,
            steps=sampling["steps"],
            guidance=sampling["guidance"],
            solver=sampling["solver"],
            seed=settings.seed + k,
        )
        wav, lengths = models.vocoder.decode(latents)
        for j in range(wav.shape[0]):
            clip = wav[j, : int(lengths[j])].float().cpu().numpy()
            if settings.save_audio:
                write_audio(out_dir / "audio" / f"{items[len(embeddings)].id}.wav", clip, rate)
            embeddings.append(judge.embed(clip, rate))
            bar.update()
    bar.close()
    return np.stack(embeddings)


def transcribe_items(
    encoder: Transcriber, manifest: Manifest, items: list[Item], device: torch.device, batch_size: int
) -> list[str]:
    """The encoder's ASR transcripts of the items' speech."""
    from star_kit.audio import load_audio
    from star_kit.features import pad_waves

    out: list[str] = []
    for start in range(0, len(items), batch_size):
        waves = [load_audio(manifest.speech_path(i), encoder.sample_rate)[0] for i in items[start : start + batch_size]]
        wav, lengths = pad_waves(waves)
        out += encoder.transcribe(wav.to(device), lengths.to(device))
    return out


def score(
    run: RunFiles,
    items: list[Item],
    settings: EvalSettings,
    sampling: dict[str, Any],
    judge: Judge,
    pipe: Any,
    out_dir: Path,
) -> Scored:
    """Stage-1 scores and judge embeddings of every clip (generated, real, real through the vocoder), and the
    transcripts of a cascade's ASR."""
    models, dev, cfg = pipe.models, pipe.device, run.cfg
    # Stage 1 is scored with the bridge and head as stage 1 left them (stage 2 may have trained the bridge's proj).
    stage1_bridge, head = pipe.stage1_head(run.run_dir, len(run.labels))
    frames = condition_frames(models.encoder, cfg, run.manifest, items, settings.condition, dev, settings.batch_size)

    def batches() -> Iterator[Frames]:
        return _batches(frames, settings.batch_size, models.encoder.frame_rate, dev)

    stage1 = stage1_scores(stage1_bridge, head, batches())
    generated = generate_and_embed(models, judge, batches(), items, sampling, settings, out_dir)
    seconds, cache_root = sampling["seconds"], cfg.data.cache_dir
    reference = reference_embeddings(judge, run.manifest, items, seconds, cache_root, progress=settings.progress)
    resynthesis = reference_embeddings(
        judge, run.manifest, items, seconds, cache_root, models.vocoder, cfg.vocoder, dev, settings.progress
    )
    transcripts = None  # the cascade: how wrong was its ASR?
    if settings.condition == "speech" and isinstance(models.encoder, Transcriber):
        transcripts = transcribe_items(models.encoder, run.manifest, items, dev, settings.batch_size)
    targets = np.stack([multi_hot(i.labels, run.labels) for i in items])  # (n, c)
    return Scored(targets, stage1, generated, reference, resynthesis, transcripts)


# ---------------------------------------------------------------------------------------------------- assembly
def _breakdown(
    keys: list[Any], rows: dict[str, np.ndarray], scores: np.ndarray, targets: np.ndarray, judge: str
) -> dict[str, Any]:
    """Stage-1 and generation metrics per group of clips (voice, SNR, language), accuracies with their 95 %
    intervals."""
    out = {}
    for key in sorted({k for k in keys if k is not None}, key=lambda k: (isinstance(k, str), k)):
        keep = np.array([k == key for k in keys])
        top1 = event_correct(scores[keep], targets[keep])
        out[f"{key:g}" if isinstance(key, float) else str(key)] = {
            "clips": int(keep.sum()),
            "stage1_top1": float(top1.mean()),
            "stage1_top1" + CI: ci(top1),
            "stage1_mAP": mean_average_precision(scores[keep], targets[keep]),
            f"{judge}-acc": float(rows["correct"][keep].mean()),
            f"{judge}-acc" + CI: ci(rows["correct"][keep]),
            f"{judge}-KL": float(rows["kl"][keep].mean()),
        }
    return out


def assemble(
    items: list[Item], labels: list[str], scored: Scored, probe: Probe, judge: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The metrics of ``metrics.json`` (stage 1, generation, ceiling, reference, breakdowns) and the rows of
    ``samples.csv``, one per clip. ``judge``: the judge's name, the prefix of its keys."""
    t, s1 = scored.targets, scored.stage1
    gen_metrics, rows = generation_metrics(scored.generated, scored.reference, probe, t, judge)
    ceiling, ceiling_rows = generation_metrics(scored.resynthesis, scored.reference, probe, t, judge)
    ref_correct = event_correct(probe.posteriors(scored.reference), t)
    stage1_correct = event_correct(s1, t)
    metrics: dict[str, Any] = {
        "stage1": {
            "mAP": mean_average_precision(s1, t),
            "mAP" + CI: list(map_interval(s1, t, **BOOTSTRAP)),
            "top1": float(stage1_correct.mean()),
            "top1" + CI: ci(stage1_correct),
        },
        "generation": gen_metrics,
        "resynthesis_ceiling": ceiling,
        "reference": {f"{judge}-acc": float(ref_correct.mean()), f"{judge}-acc" + CI: ci(ref_correct)},
        "by_voice": _breakdown([i.voice for i in items], rows, s1, t, judge),
        "by_snr_db": _breakdown([i.snr_db for i in items], rows, s1, t, judge),
        "by_language": _breakdown([i.language or "unknown" for i in items], rows, s1, t, judge),
    }
    if not metrics["by_snr_db"]:
        del metrics["by_snr_db"]
    names = np.array(labels)
    samples = [
        {
            "id": item.id,
            "caption": item.caption,
            "labels": ";".join(item.labels),
            "voice": item.voice,
            "snr_db": "" if item.snr_db is None else item.snr_db,
            "language": item.language,
            "stage1_top": names[s1[n].argmax()],
            "stage1_correct": int(stage1_correct[n]),
            "judge_top": names[rows["top"][n]],
            "correct": int(rows["correct"][n]),
            "kl": round(float(rows["kl"][n]), 6),
            "reference_judge_top": names[probe.posteriors(scored.reference[n : n + 1])[0].argmax()],
            "resynthesis_judge_top": names[ceiling_rows["top"][n]],
            **({"transcript": scored.transcripts[n]} if scored.transcripts is not None else {}),
        }
        for n, item in enumerate(items)
    ]
    return metrics, samples


def asr_metrics(items: list[Item], transcripts: list[str]) -> dict[str, float]:
    """Word error rate of the transcripts against the captions (word edits / caption words, over all clips) and the
    fraction of clips transcribed exactly."""
    errors = np.array([word_errors(i.caption, h) for i, h in zip(items, transcripts, strict=True)])  # (n, 2)
    return {"wer": float(errors[:, 0].sum() / max(1, errors[:, 1].sum())), "exact": float((errors[:, 0] == 0).mean())}


def _components(run_dir: Path) -> Any:
    path = run_dir / COMPONENTS
    return json.loads(path.read_text()) if path.exists() else None


def settings_record(
    run: RunFiles,
    items: list[Item],
    settings: EvalSettings,
    sampling: dict[str, Any],
    judge: Judge,
    probe_info: dict[str, Any],
    models: Any,
) -> dict[str, Any]:
    """The ``settings`` block of ``metrics.json``: everything that changes a number."""
    return {
        **sampling,
        "device": settings.device,
        **({"encoder_options": dict(settings.encoder_options)} if settings.encoder_options else {}),
        "sample_rates": {
            "speech_encoder": models.encoder.sample_rate,
            "speech_manifest": sorted({i.speech_sample_rate for i in items}),
            "reference_audio": sorted({i.audio_sample_rate for i in items}),
            "generated": models.vocoder.sample_rate,
            "judge": judge.sample_rate,
        },
        "judge": judge.describe(),
        "bootstrap": {"unit": "clip", "method": "percentile", **BOOTSTRAP},
        "probe": probe_info,
        "manifest": str(run.manifest.path),
        "labels": run.labels,
        "labels_checked": run.labels_checked,
        "components": _components(run.run_dir),
    }


def evaluate(run_dir: str | Path, **options: Any) -> dict[str, Any]:
    """Evaluates a finished run on one split; writes ``run_dir/eval/<split>[-caption][-<option values>]/``
    ``{metrics.json,samples.csv}``.

    Args:
        run_dir: a finished run (``model/model.safetensors`` with ``bridge.*``, ``generator.*``, ``stage1.head.*``).
        options: fields of :class:`EvalSettings` (``split="test-noisy"``, ``limit=8``, ``judge="aisfx"``, ...).

    Returns:
        The metrics dict written to ``metrics.json``.
    """
    from star_kit.pipeline import StarPipeline, override_encoder

    settings = EvalSettings(**options)
    run = load_run(run_dir, settings.manifest)
    override_encoder(run.cfg, settings.encoder_options)  # before anything reads cfg.encoder: it keys the feature cache
    items = split_items(run.manifest, settings.split, settings.limit)
    judge = load_judge(settings.judge, settings.device)
    out_dir = output_dir(run.run_dir, settings)
    previous = out_dir / "metrics.json"  # a re-evaluation by the same judge replaces it; another judge's is kept
    if previous.exists() and (other := judge_of(json.loads(previous.read_text()))) != judge.name:
        raise StarKitError(
            f"{previous} holds the results of judge '{other}'; move that folder away before judging with '{judge.name}'"
        )
    sampling = sampling_settings(run.cfg, settings)
    probe, probe_info = train_probe(
        judge, run.manifest, sampling["seconds"], run.cfg.data.cache_dir, settings.probe_mode, settings.progress
    )
    pipe = StarPipeline.from_pretrained(run.run_dir, device=settings.device, encoder_options=settings.encoder_options)
    scored = score(run, items, settings, sampling, judge, pipe, out_dir)
    found, samples = assemble(items, run.labels, scored, probe, judge.name)
    metrics: dict[str, Any] = {
        "run": str(run.run_dir),
        "split": settings.split,
        "condition": settings.condition,
        "clips": len(items),
        "limit": settings.limit,
        **found,
        "settings": settings_record(run, items, settings, sampling, judge, probe_info, pipe.models),
        **({"asr": asr_metrics(items, scored.transcripts)} if scored.transcripts is not None else {}),
    }
    write_results(out_dir, metrics, samples)
    return metrics


# ---------------------------------------------------------------------------------------------------- results
def write_results(out_dir: Path, metrics: dict[str, Any], samples: list[dict[str, Any]]) -> None:
    """``metrics.json`` and ``samples.csv`` (one row per clip), each written atomically."""
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(samples[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(samples)
    atomic_write_bytes(out_dir / "samples.csv", text.getvalue().encode("utf-8"))
    atomic_write_bytes(out_dir / "metrics.json", (json.dumps(metrics, indent=2) + "\n").encode("utf-8"))


def judge_of(metrics: dict[str, Any]) -> str:
    """The name of the judge that scored ``metrics`` (a metrics.json dict): the prefix of its ``-acc`` key."""
    return next(k.removesuffix("-acc") for k in metrics["generation"] if k.endswith("-acc"))


def summary_lines(metrics: dict[str, Any]) -> list[str]:
    """A short human-readable summary (for the CLI); ``[low, high]``: 95 % bootstrap intervals over clips."""
    g, c, s1, j = metrics["generation"], metrics["resynthesis_ceiling"], metrics["stage1"], judge_of(metrics)
    return [
        f"{metrics['split']} ({metrics['condition']}, {metrics['clips']} clips): stage 1 top-1 "
        f"{with_interval(s1, 'top1')}, mAP {with_interval(s1, 'mAP')}",
        f"generated:   {j}-acc {with_interval(g, f'{j}-acc')}  {j}-FAD {g[f'{j}-FAD']:.2f}  {j}-KL {g[f'{j}-KL']:.3f}",
        f"resynthesis: {j}-acc {with_interval(c, f'{j}-acc')}  {j}-FAD {c[f'{j}-FAD']:.2f}  "
        f"{j}-KL {c[f'{j}-KL']:.3f}  (real audio: {j}-acc {with_interval(metrics['reference'], f'{j}-acc')})",
        *([f"ASR: word error rate {metrics['asr']['wer']:.3f}"] if "asr" in metrics else []),
        *(
            f"  {language} ({g['clips']} clips): stage 1 top-1 {with_interval(g, 'stage1_top1')}, mAP "
            f"{g['stage1_mAP']:.3f}, {j}-acc {with_interval(g, f'{j}-acc')}"
            for language, g in metrics.get("by_language", {}).items()
            if len(metrics["by_language"]) > 1
        ),
        "[low, high]: 95 % percentile-bootstrap intervals over clips",
    ]
