"""The comparison table of ``starkit compare``: end-to-end vs cascade (ASR transcripts) vs text upper bound.

:func:`comparison` evaluates an end-to-end run and a cascade run (trained with ``cascade-tiny``: the same bridge,
generator and vocoder on caption text) on the clean, paraphrased (where the corpus has it) and noisy test splits,
measures both front ends' latency side by side, and returns one markdown section.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from star_kit.errors import StarKitError

SPLITS = ("test", "test-paraphrase", "test-noisy")
OPTIONAL_SPLITS = frozenset({"test-paraphrase"})  # compared where the run's manifest has it (older corpora lack it)


def _evaluated(
    run_dir: Path,
    split: str,
    condition: str,
    limit: int | None,
    judge: str | None,
    encoder_options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    from star_kit.evaluation.protocol import evaluate

    return evaluate(
        run_dir,
        split=split,
        condition=condition,
        limit=limit,
        progress=True,
        encoder_options=encoder_options,
        judge=judge,
    )


def compared_splits(present: Iterable[str]) -> list[str]:
    """``SPLITS`` less the optional ones a manifest with splits ``present`` lacks."""
    found = set(present)
    return [s for s in SPLITS if s in found or s not in OPTIONAL_SPLITS]


def comparison(
    e2e: Path,
    cascade: Path,
    limit: int | None = None,
    n: int = 30,
    transcriber: str | None = None,
    only: Sequence[str] | None = None,
    judge: str | None = None,
    tasks: Sequence[str] = (),
) -> str:
    """Runs the evaluations and the latency benchmark; returns the markdown section.

    ``transcriber`` runs the cascade's ASR with that transcriber instead of the one the cascade run was configured
    with (its evaluations go to ``eval/<split>-<transcriber>``); the text upper bound does not transcribe. ``only``
    compares those of the compared splits (default: all of them). ``judge``: the registered judge that scores the
    generated sound (default: the one installed). ``tasks``: one cascade row per Whisper task (``translate``,
    ``transcribe``; evaluations in ``eval/<split>-<task>``) instead of the cascade as configured. Where the manifest
    speaks several languages, every row is followed by one row per language.
    """
    from star_kit.evaluation.latency import latency, markdown
    from star_kit.evaluation.metrics import with_interval
    from star_kit.evaluation.protocol import judge_of, load_run

    systems: dict[str, tuple[Path, str, dict[str, str] | None]] = {
        "end-to-end (speech -> encoder -> bridge)": (e2e, "speech", None)
    }
    for task in tasks or [None]:
        options = {k: v for k, v in (("transcriber", transcriber), ("task", task)) if v} or None
        asr = " ".join(part for part in (transcriber, "ASR", task) if part)
        systems[f"cascade ({asr} -> text -> same generator)"] = (cascade, "speech", options)
    systems["text upper bound (true caption)"] = (cascade, "caption", None)
    splits = compared_splits(load_run(e2e).manifest.split_counts())
    if only:
        unknown = [s for s in only if s not in splits]
        if unknown:
            raise StarKitError(f"--splits: '{unknown[0]}' is not compared for {e2e}; its splits: {', '.join(splits)}")
        splits = [s for s in splits if s in only]
    results = {
        (name, split): _evaluated(run, split, cond, limit, judge, opts)
        for name, (run, cond, opts) in systems.items()
        for split in splits
    }
    bench = latency(e2e, cascade, n=n, transcribers=[transcriber] if transcriber else None)
    timed = next(iter(bench["by_threads"].values()))["systems"]
    e2e_name, cascade_name = list(systems)[:2]
    front = {
        e2e_name: timed["end-to-end"]["front_end_ms"]["median"],
        cascade_name: next(v for k, v in timed.items() if k != "end-to-end")["front_end_ms"]["median"],
    }
    reduction = next(iter(bench["by_threads"].values()))["front_end_reduction"]
    ceiling = results[(next(iter(systems)), splits[0])]
    j = judge_of(ceiling)
    lines = [
        f"| system | split | stage-1 mAP | stage-1 top-1 | {j}-acc | {j}-FAD | {j}-KL | front end (ms, median) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for (name, split), m in results.items():
        g, s1 = m["generation"], m["stage1"]
        latency_cell = f"{front[name]:.0f}" if name in front else "-"
        lines.append(
            f"| {name} | {split} | {with_interval(s1, 'mAP')} | {with_interval(s1, 'top1')} | "
            f"{with_interval(g, f'{j}-acc')} | {g[f'{j}-FAD']:.1f} | {g[f'{j}-KL']:.3f} | {latency_cell} |"
        )
        languages = m.get("by_language", {})
        for language, b in languages.items() if len(languages) > 1 else ():
            lines.append(
                f"| {name} | {split}, {language} ({b['clips']}) | {b['stage1_mAP']:.3f} | "
                f"{with_interval(b, 'stage1_top1')} | {with_interval(b, f'{j}-acc')} | - | {b[f'{j}-KL']:.3f} | - |"
            )
    c = ceiling["resynthesis_ceiling"]
    settings = ceiling["settings"]
    boot = settings["bootstrap"]
    lines += [
        "",
        f"[low, high]: {100 * boot['level']:g} % percentile-bootstrap intervals over the split's clips "
        f"({boot['resamples']} resamples, seed {boot['seed']}).",
        f"Vocoder resynthesis ceiling ({splits[0]}, reference audio through the vocoder): {j}-acc "
        f"{with_interval(c, f'{j}-acc')}, {j}-FAD {c[f'{j}-FAD']:.1f}, {j}-KL {c[f'{j}-KL']:.3f}; real audio "
        f"{j}-acc {with_interval(ceiling['reference'], f'{j}-acc')}.",
        f"Speech-processing latency reduction of end-to-end over the cascade: "
        f"**{100 * reduction:.1f} %** (STAR reports 76.9 %: 156 ms -> 36 ms).",
        f"Settings: {settings['solver']}, {settings['steps']} steps, guidance {settings['guidance']}, seed "
        f"{settings['seed']}, {settings['seconds']} s clips; judge {j} (sha256 "
        f"{settings['judge']['checkpoint_sha256'][:12]}), probe fitted on the real train audio. {j}-* numbers "
        "are not comparable with published VGGish/PANNs FAD or KL.",
        "",
        "### Latency",
        "",
        markdown(bench),
    ]
    return "\n".join(lines) + "\n"
