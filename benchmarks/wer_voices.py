"""Intelligibility of the spoken-events voices: word error rate of bundled Whisper against the captions.

    python benchmarks/wer_voices.py --corpus DIR [--per-voice 12] [--json OUT.json]
    python benchmarks/wer_voices.py --corpus DIR --transcribers transformers,faster-whisper
    python benchmarks/wer_voices.py --corpus DIR --asr bundled:base --by-language   # a multilingual build

Samples up to ``--per-voice`` clean clips per voice (test voices from ``test``, training voices from ``train``) and
as many ``test-noisy`` clips per SNR, transcribes them greedily and prints a markdown table (WER = word edits /
reference words, after lower-casing and dropping punctuation). Deterministic: the first clips of each group. With
several ``--transcribers`` (the cascade's: ``transformers`` fp32, ``faster-whisper`` CTranslate2 int8) every one
hears the same clips, one WER column each; the example shows what the first one heard. ``--by-language``: every
clip is transcribed in its manifest ``language`` (one transcriber per language; a multilingual ``--asr``) and the rows
are grouped by language first.
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
    return re.sub(r"[^\w' ]|_", " ", text.lower().replace("-", " ")).split()


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
    parser.add_argument("--transcribers", default="transformers", help="comma-separated: transformers, faster-whisper")
    parser.add_argument("--threads", type=int, help="torch (and CTranslate2) CPU threads [default: torch's]")
    parser.add_argument("--asr", default="bundled:tiny.en", help="the Whisper checkpoint [default: bundled:tiny.en]")
    parser.add_argument("--by-language", action="store_true", help="transcribe each clip in its manifest language")
    args = parser.parse_args()

    import torch

    from star_kit_encoders.asr import WhisperASR
    from star_kit_encoders.fast_asr import FasterWhisperASR

    kinds = {"transformers": WhisperASR, "faster-whisper": FasterWhisperASR}
    names = [t.strip() for t in args.transcribers.split(",") if t.strip()]
    if not names or any(t not in kinds for t in names):
        parser.error(f"--transcribers: choose from {', '.join(kinds)} (got '{args.transcribers}')")
    if args.threads:
        torch.set_num_threads(args.threads)
    root = Path(args.corpus)
    rows = [json.loads(line) for line in (root / "manifest.jsonl").read_text().splitlines()]
    groups: dict[tuple[str, str, str], list[dict]] = defaultdict(list)
    for r in rows:
        language = r.get("language", "en") if args.by_language else ""
        key = (language, r["split"], f"{r['snr_db']:g} dB" if "snr_db" in r else r["voice"])
        if r["split"] in ("train", "test", "test-noisy") and len(groups[key]) < args.per_voice:
            groups[key].append(r)
    languages = sorted({language for language, _, _ in groups}, key=lambda code: (code != "en", code))
    transcribers = {
        (t, language): kinds[t](args.asr, language=language or "en") for t in names for language in languages
    }
    seconds = dict.fromkeys(names, 0.0)
    results = []
    for (language, split, group), items in sorted(groups.items(), key=lambda g: (languages.index(g[0][0]), g[0][1:])):
        wavs = [sf.read(str(root / r["speech"]), dtype="float32")[0] for r in items]
        wer, heard = {}, {}
        for name in names:
            asr = transcribers[name, language]
            start = time.perf_counter()
            hyps = []
            for k in range(0, len(wavs), args.batch):
                hyps += asr.transcribe_batch(wavs[k : k + args.batch], 16000)
            seconds[name] += time.perf_counter() - start
            errors = sum(edit_distance(words(r["caption"]), words(h)) for r, h in zip(items, hyps, strict=True))
            wer[name], heard[name] = errors / sum(len(words(r["caption"])) for r in items), hyps[0]
        example = {"caption": items[0]["caption"], "heard": heard[names[0]], "heard_by_transcriber": heard}
        results.append(
            {"language": language, "split": split, "group": group, "clips": len(items), "wer": wer[names[0]]}
            | {"wer_by_transcriber": wer, "example": example}
        )
    first = "| language " if args.by_language else ""
    columns = " | ".join(f"WER {t}" for t in names)
    print(f"{first}| split | voice / SNR | clips | {columns} | example: caption -> heard |")
    print("|---" * bool(first) + "|---|---|---|" + "---|" * len(names) + "---|")
    for r in results:
        ex, cells = r["example"], " | ".join(f"{r['wer_by_transcriber'][t]:.2f}" for t in names)
        lead = f"| {r['language']} " if args.by_language else ""
        print(f"{lead}| {r['split']} | {r['group']} | {r['clips']} | {cells} | {ex['caption']} -> {ex['heard']} |")
    clips, weights = sum(r["clips"] for r in results), [r["clips"] for r in results]
    for t in names:
        overall = np.average([r["wer_by_transcriber"][t] for r in results], weights=weights)
        print(
            f"\n{t}: {clips} clips in {seconds[t]:.0f} s ({torch.get_num_threads()} threads); overall WER {overall:.2f}"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
