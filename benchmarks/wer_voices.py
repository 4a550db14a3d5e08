"""Intelligibility of the spoken-events voices: word error rate of bundled Whisper tiny.en against the captions.

    python benchmarks/wer_voices.py --corpus DIR [--per-voice 12] [--json OUT.json]

Samples up to ``--per-voice`` clean clips per voice (test voices from ``test``, training voices from ``train``) and
as many ``test-noisy`` clips per SNR, transcribes them greedily and prints a markdown table (WER = word edits /
reference words, after lower-casing and dropping punctuation). Deterministic: the first clips of each group.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import soundfile as sf


def words(text: str) -> list[str]:
    return re.sub(r"[^a-z0-9' ]", " ", text.lower().replace("-", " ")).split()


def edit_distance(ref: list[str], hyp: list[str]) -> int:
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[:], i
        for j, h in enumerate(hyp, 1):
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (r != h))
    return row[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", required=True, help="a built spoken-events folder")
    parser.add_argument("--per-voice", type=int, default=12)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--json", help="also write the numbers here")
    args = parser.parse_args()

    from star_kit_encoders.asr import WhisperASR

    root = Path(args.corpus)
    rows = [json.loads(line) for line in (root / "manifest.jsonl").read_text().splitlines()]
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for r in rows:
        key = (r["split"], f"{r['snr_db']:g} dB" if "snr_db" in r else r["voice"])
        if r["split"] in ("train", "test", "test-noisy") and len(groups[key]) < args.per_voice:
            groups[key].append(r)
    asr = WhisperASR("bundled:tiny.en")
    start = time.perf_counter()
    results = []
    for (split, group), items in sorted(groups.items()):
        hyps: list[str] = []
        for k in range(0, len(items), args.batch):
            batch = items[k : k + args.batch]
            hyps += asr.transcribe_batch([sf.read(str(root / r["speech"]), dtype="float32")[0] for r in batch], 16000)
        errors = sum(edit_distance(words(r["caption"]), words(h)) for r, h in zip(items, hyps, strict=True))
        total = sum(len(words(r["caption"])) for r in items)
        results.append({"split": split, "group": group, "clips": len(items), "wer": errors / total,
                        "example": {"caption": items[0]["caption"], "heard": hyps[0]}})  # fmt: skip
    print("| split | voice / SNR | clips | WER | example: caption -> heard |")
    print("|---|---|---|---|---|")
    for r in results:
        ex = r["example"]
        print(f"| {r['split']} | {r['group']} | {r['clips']} | {r['wer']:.2f} | {ex['caption']} -> {ex['heard']} |")
    clips = sum(r["clips"] for r in results)
    print(f"\n{clips} clips in {time.perf_counter() - start:.0f} s; overall WER "
          f"{np.average([r['wer'] for r in results], weights=[r['clips'] for r in results]):.2f}")  # fmt: skip
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
