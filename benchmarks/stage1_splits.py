"""Stage-1 recognition per split: top-1 and mAP of a run's bridge and label head, with 95 % intervals, and its misses.

    python benchmarks/stage1_splits.py runs/star-tiny --splits test,dev-paraphrase,test-paraphrase [--manifest M]
    python benchmarks/stage1_splits.py runs/cascade-multilingual --by language --set encoder.task=translate

Encodes each item of ``--splits`` (of the run's corpus, or ``--manifest`` with the same labels) with the run's
encoder, runs the stage-1 bridge and head (``stage1/best.safetensors``), and prints one table row per split plus
the first ``--misses`` misclassified single-event items of each split as ``caption -> predicted class`` (which
words the bridge does not know), except test-paraphrase's: its requests stay unread, and dev-paraphrase's misses are
the ones to learn from. Needs only stage 1, so it scores stage-1 ablations that never trained stage 2. A split's rows
break down by ``--by`` (voice, or language in a multilingual corpus); ``--set`` overrides the run's config, e.g. a
cascade run's Whisper task; ``--out`` writes one CSV row per item (split, id, language, voice, correct) for paired
comparisons of two runs on the same items.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch
from omegaconf import OmegaConf

from star_kit.audio import load_audio
from star_kit.config import apply_overrides
from star_kit.data.manifest import multi_hot, read_manifest
from star_kit.errors import StarKitError
from star_kit.evaluation.metrics import bootstrap_interval, event_correct, map_interval, mean_average_precision
from star_kit.evaluation.protocol import manifest_of, pooled_head_scores
from star_kit.export import CONFIG, read_stage1
from star_kit.features import pad_waves
from star_kit.files import write_text_atomic
from star_kit.interfaces import Frames
from star_kit.pipeline import build_models
from star_kit.registry import get_registry


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run_dir", type=Path, help="A two_stage run whose stage 1 finished.")
    parser.add_argument("--splits", default="test,dev-paraphrase,test-paraphrase")
    parser.add_argument("--manifest", type=Path, help="[default: the run's corpus]")
    parser.add_argument("--misses", type=int, default=20, help="Misclassified items listed per split.")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--by", choices=("voice", "language"), default="voice", help="Rows per voice or language.")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="Override the run's config.")
    parser.add_argument("--out", type=Path, help="Per-item CSV (split, id, language, voice, correct).")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    try:
        cfg = apply_overrides(OmegaConf.load(args.run_dir / CONFIG), args.set, get_registry())
    except StarKitError as exc:  # an unknown key: one line naming it and the closest known key
        raise SystemExit(f"--set: {exc}") from None
    models = build_models(cfg)
    encoder = models.encoder.eval()
    head = read_stage1(args.run_dir, models.bridge).eval()
    bridge = models.bridge.eval()
    path = manifest_of(cfg, args.manifest)
    manifest = read_manifest(path)
    present = manifest.split_counts()
    absent = [s for s in args.splits.split(",") if s not in present]
    if absent:  # star-tiny's corpus leaves dev-paraphrase out (data.corpus.dev_paraphrase)
        raise SystemExit(
            f"{path} has no {', '.join(absent)} items (splits: {', '.join(present)}); "
            "pass --manifest with a build that has them, e.g. `starkit data build spoken-events --size small`"
        )
    rows, misses = ["| split | items | stage-1 top-1 | stage-1 mAP |", "|---|---|---|---|"], []
    per_item = ["split,id,language,voice,correct"]
    for split in args.splits.split(","):
        items = [i for i in manifest if i.split == split]
        targets = np.stack([multi_hot(i.labels, manifest.labels) for i in items])
        scores = []
        for start in range(0, len(items), 16):
            sr = encoder.sample_rate
            wav, lengths = pad_waves([load_audio(manifest.speech_path(i), sr)[0] for i in items[start:][:16]])
            with torch.no_grad():
                frames = encoder(wav, lengths)
                scores.append(
                    pooled_head_scores(bridge, head, Frames(frames.values.float(), frames.mask, frames.frame_rate))
                )
        s = torch.cat(scores).numpy()
        correct = event_correct(s, targets)
        top1, (lo, hi) = correct.mean(), bootstrap_interval(correct)
        m, (mlo, mhi) = mean_average_precision(s, targets), map_interval(s, targets)
        rows.append(f"| {split} | {len(items)} | {top1:.3f} [{lo:.3f}, {hi:.3f}] | {m:.3f} [{mlo:.3f}, {mhi:.3f}] |")
        per_item += [f"{split},{i.id},{i.language},{i.voice},{int(c)}" for i, c in zip(items, correct, strict=True)]
        groups = [getattr(i, args.by) or "unknown" for i in items]
        for group in sorted(set(groups)):
            hit = correct[[k for k, g in enumerate(groups) if g == group]]
            lo, hi = bootstrap_interval(hit)
            rows.append(f"| {split}, {group} | {len(hit)} | {hit.mean():.3f} [{lo:.3f}, {hi:.3f}] | |")
        wrong = [(i, manifest.labels[int(s[k].argmax())]) for k, i in enumerate(items) if not correct[k]]
        singles = [f"{split}: {i.caption} ({i.labels[0]}) -> {p}" for i, p in wrong if len(i.labels) == 1]
        misses += singles[: args.misses] if split != "test-paraphrase" else []
    print("\n".join(rows + [""] + misses))
    if args.out:
        write_text_atomic(args.out, "\n".join(per_item) + "\n")


if __name__ == "__main__":
    main()
