"""Does the ``aisfx`` judge tell sound events apart? A check on the spoken-events sound classes.

    python -m star_kit_eval.verify --train 8 --test 4 --out judge_check.json

Renders ``train + test`` clips of 3 s per class with the corpus plugin's sound generators (the 10 animal classes are
augmented CC0 recordings: crop, pitch shift, time stretch, random reverb; the other 16 are procedural), embeds them,
and reports 1-nearest-neighbour (cosine) and linear-probe accuracy (probe fitted on clean clips) of held-out clips:
clean, with white noise at 20 and 5 dB SNR, low-passed at 4 kHz, and resynthesised from an 80-band mel by Griffin-Lim
(the ``griffinlim`` vocoder: the kind of damage a weak vocoder does). As a control, the same scores for a feature
without the network: mean and standard deviation over time of the judge's own log-mel input.

Ein-notation: n clips, d width, c classes.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

import numpy as np
import torch

from star_kit.audio import resample
from star_kit.evaluation.metrics import event_correct, fit_probe
from star_kit_eval.judge import AisfxJudge

CONDITIONS = ("clean", "noise20dB", "noise5dB", "lowpass4k", "griffinlim")


def _degrade(wav: np.ndarray, sr: int, kind: str, rng: np.random.Generator) -> np.ndarray:
    from scipy.signal import butter, sosfilt

    if kind.startswith("noise"):
        snr = float(kind.removeprefix("noise").removesuffix("dB"))
        noise = rng.standard_normal(wav.size)
        return wav + noise * np.sqrt(np.mean(wav**2) / np.mean(noise**2) / 10 ** (snr / 10))
    if kind == "lowpass4k":
        return sosfilt(butter(8, 4000, fs=sr, output="sos"), wav)
    if kind == "griffinlim":
        from star_kit.registry import get_registry

        vocoder = get_registry().load("vocoder", "griffinlim")()
        x = torch.from_numpy(resample(wav.astype(np.float32), sr, vocoder.sample_rate))[None]
        with torch.no_grad():
            out, lengths = vocoder.decode(vocoder.encode(x, torch.tensor([x.shape[1]])))
        return resample(out[0, : int(lengths[0])].numpy(), vocoder.sample_rate, sr)
    return wav


def _nn1(x: np.ndarray, y: np.ndarray, train: np.ndarray, test: np.ndarray) -> float:
    f = x / np.linalg.norm(x, axis=1, keepdims=True)
    nearest = (f[test] @ f[train].T).argmax(1)
    return float((y[train][nearest] == y[test]).mean())


def judge_check(train: int = 8, test: int = 4, seconds: float = 3.0, seed: int = 0) -> dict[str, Any]:
    """Accuracy of held-out clips per condition and feature; chance is ``1 / classes``."""
    from star_kit_corpus.sounds import CLASSES, SAMPLE_RATE, render_event

    judge = AisfxJudge()
    conditions = CONDITIONS
    clips, labels, is_test, cond = [], [], [], []
    for c, name in enumerate(CLASSES):
        for k in range(train + test):
            wav = render_event(name, np.random.default_rng([seed, c, k]), int(seconds * SAMPLE_RATE))
            for kind in conditions if k >= train else ("clean",):
                clips.append(_degrade(wav, SAMPLE_RATE, kind, np.random.default_rng([seed, c, k, 1])))
                labels.append(c)
                is_test.append(k >= train)
                cond.append(kind)
    y, is_test, cond = np.array(labels), np.array(is_test), np.array(cond)
    start = time.perf_counter()
    features = {"aisfx": judge.embed_batch(clips, SAMPLE_RATE)}
    seconds_per_clip = (time.perf_counter() - start) / len(clips)
    stats = []
    for wav in clips:
        spec = judge.log_mel(torch.from_numpy(resample(wav.astype(np.float32), SAMPLE_RATE, judge.sample_rate)))
        stats.append(torch.cat([spec.mean(0), spec.std(0)]).numpy())
    features["log-mel mean+std (control)"] = np.stack(stats)
    targets = np.eye(len(CLASSES))[y]
    result: dict[str, Any] = {
        "classes": len(CLASSES),
        "chance": 1 / len(CLASSES),
        "train_clips_per_class": train,
        "test_clips_per_class": test,
        "seconds": seconds,
        "judge": judge.describe(),
        "judge_seconds_per_clip": round(seconds_per_clip, 3),
    }
    for name, x in features.items():
        probe = fit_probe(x[~is_test], targets[~is_test])
        scores = {}
        for kind in conditions:
            held_out = is_test & (cond == kind)
            scores[kind] = {
                "1-NN": _nn1(x, y, ~is_test, held_out),
                "probe": float(event_correct(probe.posteriors(x[held_out]), targets[held_out]).mean()),
            }
        result[name] = scores
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--train", type=int, default=8)
    parser.add_argument("--test", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out")
    args = parser.parse_args()
    result = judge_check(args.train, args.test, seed=args.seed)
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
