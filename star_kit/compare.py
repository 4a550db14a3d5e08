"""``starkit eval``, ``starkit bench latency`` and ``starkit compare``: the evidence commands.

``compare`` evaluates an end-to-end run and a cascade run (trained with ``cascade-tiny``: the same bridge,
generator and vocoder on caption text) on the clean, paraphrased (where the corpus has it) and noisy test splits,
measures both front ends' latency side by side, and writes one table: end-to-end vs cascade (ASR transcripts) vs
text upper bound (true captions).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import click

from star_kit.errors import StarKitError
from star_kit.files import write_text_atomic

SPLITS = ("test", "test-paraphrase", "test-noisy")
OPTIONAL_SPLITS = frozenset({"test-paraphrase"})  # compared where the run's manifest has it (older corpora lack it)
TRANSCRIBERS = ("transformers", "faster-whisper")  # the cascade encoder's (star_kit_eval.cascade), kept in step


def _int_list(ctx: click.Context, param: click.Parameter, value: str) -> list[int]:
    try:
        counts = [int(x) for x in value.split(",") if x.strip()]
    except ValueError:
        counts = []
    if not counts or min(counts) < 1:
        raise click.BadParameter(f"give positive integers separated by commas, e.g. 1,2 (got '{value}')")
    return counts


def _names(ctx: click.Context, param: click.Parameter, value: str | None) -> list[str] | None:
    if value is None:
        return None
    names = [x.strip() for x in value.split(",") if x.strip()]
    unknown = [x for x in names if x not in TRANSCRIBERS]
    if not names or unknown:
        raise click.BadParameter(f"unknown transcriber {unknown or value!r}; choose from {', '.join(TRANSCRIBERS)}")
    return names


def _eval_options(fn: Any) -> Any:
    for option in reversed(
        [
            click.option("--steps", type=int, help="Sampler steps [default: the run's sampling.steps]."),
            click.option("--guidance", type=float, help="Guidance scale [default: the run's]."),
            click.option("--solver", help="Sampler [default: the run's]."),
            click.option("--seed", type=int, default=0, show_default=True),
            click.option("--limit", type=int, help="N clips spread evenly over the split (default: all)."),
        ]
    ):
        fn = option(fn)
    return fn


@click.command("eval")
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--split", default="test", show_default=True)
@click.option(
    "--condition",
    type=click.Choice(["speech", "caption"]),
    default="speech",
    show_default=True,
    help="caption: condition on the true caption text (the text upper bound; cascade runs only).",
)
@click.option("--manifest", type=click.Path(exists=True, path_type=Path), help="[default: the run's corpus]")
@_eval_options
def eval_command(
    run_dir: Path,
    split: str,
    condition: str,
    manifest: Path | None,
    steps: int | None,
    guidance: float | None,
    solver: str | None,
    seed: int,
    limit: int | None,
) -> None:
    """Evaluate a finished run: stage-1 mAP/top-1 and generation judged by aisfx (metrics.json + samples.csv).

    \b
    Example:
      starkit eval runs/star-tiny --split test-noisy
    """
    from star_kit.evaluate import evaluate, summary_lines

    metrics = evaluate(
        run_dir,
        split=split,
        steps=steps,
        guidance=guidance,
        solver=solver,
        seed=seed,
        condition=condition,
        limit=limit,
        manifest=manifest,
        progress=True,
    )
    for line in summary_lines(metrics):
        click.echo(line)


@click.group()
def bench() -> None:
    """Benchmarks that print numbers (and write JSON + markdown).

    \b
    Example:
      starkit bench latency runs/star-tiny runs/cascade-tiny
    """


@bench.command("latency")
@click.argument("e2e")
@click.argument("cascade")
@click.option("-n", "n", type=int, default=30, show_default=True, help="Utterances timed per front end.")
@click.option(
    "--threads", default="2", show_default=True, callback=_int_list, help="Torch thread counts, e.g. 1,2 (each timed)."
)
@click.option("--repeats", type=int, default=1, show_default=True, help="Passes over the utterances (spread shown).")
@click.option(
    "--transcribers",
    "--cascade-transcriber",
    "transcribers",
    callback=_names,
    help=f"Cascade transcribers to time side by side, comma-separated, from: {', '.join(TRANSCRIBERS)} "
    "[default: as the cascade run is configured].",
)
@click.option("--out", type=click.Path(path_type=Path), help="JSON file [default: E2E/bench/latency.json].")
def bench_latency(
    e2e: str,
    cascade: str,
    n: int,
    threads: list[int],
    repeats: int,
    transcribers: list[str] | None,
    out: Path | None,
) -> None:
    """Speech-processing latency: end-to-end front end vs ASR + text encoder, same utterances, same threads.

    E2E and CASCADE are run directories, or config names (random weights: latency does not depend on training).
    Writes the result as JSON (--out) and a markdown table beside it. Add --threads 1,2 to time each thread count.

    \b
    Example:
      starkit bench latency runs/star-tiny runs/cascade-tiny --transcribers transformers,faster-whisper --repeats 3
    """
    from star_kit.bench import latency, markdown

    result = latency(e2e, cascade, n=n, threads=threads, repeats=repeats, transcribers=transcribers, out=out)
    click.echo(markdown(result))
    if "written" in result:
        click.echo(f"written to {result['written']} and {Path(result['written']).with_suffix('.md')}")


def _evaluated(
    run_dir: Path, split: str, condition: str, limit: int | None, encoder_options: dict[str, Any] | None = None
) -> dict[str, Any]:
    from star_kit.evaluate import evaluate

    return evaluate(
        run_dir, split=split, condition=condition, limit=limit, progress=True, encoder_options=encoder_options
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
) -> str:
    """Runs the evaluations and the latency benchmark; returns the markdown section.

    ``transcriber`` runs the cascade's ASR with that transcriber instead of the one the cascade run was configured
    with (its evaluations go to ``eval/<split>-<transcriber>``); the text upper bound does not transcribe. ``only``
    compares those of the compared splits (default: all of them).
    """
    from star_kit.bench import latency, markdown
    from star_kit.evaluate import load_run, with_interval

    options = {"transcriber": transcriber} if transcriber else None
    asr = f"{transcriber} ASR" if transcriber else "ASR"
    systems = {
        "end-to-end (speech -> encoder -> bridge)": (e2e, "speech", None),
        f"cascade ({asr} -> text -> same generator)": (cascade, "speech", options),
        "text upper bound (true caption)": (cascade, "caption", None),
    }
    splits = compared_splits(load_run(e2e).manifest.split_counts())
    if only:
        unknown = [s for s in only if s not in splits]
        if unknown:
            raise StarKitError(f"--splits: '{unknown[0]}' is not compared for {e2e}; its splits: {', '.join(splits)}")
        splits = [s for s in splits if s in only]
    results = {
        (name, split): _evaluated(run, split, cond, limit, opts)
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
    head = (
        "| system | split | stage-1 mAP | stage-1 top-1 | aisfx-acc | aisfx-FAD | aisfx-KL | front end (ms, median) |"
    )
    lines = [head, "|---|---|---|---|---|---|---|---|"]
    for (name, split), m in results.items():
        g, s1 = m["generation"], m["stage1"]
        latency_cell = f"{front[name]:.0f}" if name in front else "-"
        lines.append(
            f"| {name} | {split} | {with_interval(s1, 'mAP')} | {with_interval(s1, 'top1')} | "
            f"{with_interval(g, 'aisfx-acc')} | {g['aisfx-FAD']:.1f} | {g['aisfx-KL']:.3f} | {latency_cell} |"
        )
    ceiling = results[(next(iter(systems)), splits[0])]
    c = ceiling["resynthesis_ceiling"]
    settings = ceiling["settings"]
    boot = settings["bootstrap"]
    lines += [
        "",
        f"[low, high]: {100 * boot['level']:g} % percentile-bootstrap intervals over the split's clips "
        f"({boot['resamples']} resamples, seed {boot['seed']}).",
        f"Vocoder resynthesis ceiling ({splits[0]}, reference audio through the vocoder): aisfx-acc "
        f"{with_interval(c, 'aisfx-acc')}, aisfx-FAD {c['aisfx-FAD']:.1f}, aisfx-KL {c['aisfx-KL']:.3f}; real audio "
        f"aisfx-acc {with_interval(ceiling['reference'], 'aisfx-acc')}.",
        f"Speech-processing latency reduction of end-to-end over the cascade: "
        f"**{100 * reduction:.1f} %** (STAR reports 76.9 %: 156 ms -> 36 ms).",
        f"Settings: {settings['solver']}, {settings['steps']} steps, guidance {settings['guidance']}, seed "
        f"{settings['seed']}, {settings['seconds']} s clips; judge aisfx (sha256 "
        f"{settings['judge']['checkpoint_sha256'][:12]}), probe fitted on the real train audio. aisfx-* numbers "
        "are not comparable with published VGGish/PANNs FAD or KL.",
        "",
        "### Latency",
        "",
        markdown(bench),
    ]
    return "\n".join(lines) + "\n"


@click.command("compare")
@click.argument("e2e", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("cascade", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--limit", type=int, help="N clips spread evenly over each split (default: all).")
@click.option("-n", "n", type=int, default=30, show_default=True, help="Utterances for the latency benchmark.")
@click.option(
    "--cascade-transcriber",
    type=click.Choice(TRANSCRIBERS),
    help="Run the cascade's ASR with this transcriber (nothing retrained) [default: as the cascade run is configured]; "
    "the table then goes to E2E/eval/report-TRANSCRIBER.md and E2E/report.md is left as it is.",
)
@click.option(
    "--splits", help="Comma-separated: compare only these of test, test-paraphrase, test-noisy [default: all]."
)
def compare(
    e2e: Path, cascade: Path, limit: int | None, n: int, cascade_transcriber: str | None, splits: str | None
) -> None:
    """End-to-end vs cascade vs text upper bound, clean, paraphrased and noisy: one table, added to E2E/report.md.

    \b
    Example:
      starkit compare runs/star-tiny runs/cascade-tiny --cascade-transcriber faster-whisper
    """
    table = comparison(e2e, cascade, limit, n, cascade_transcriber, splits.split(",") if splits else None)
    if cascade_transcriber:
        written = e2e / "eval" / f"report-{cascade_transcriber}.md"
        write_text_atomic(written, table)
        click.echo(table)
        click.echo(f"written to {written}")
        return
    write_text_atomic(e2e / "eval" / "report.md", table)
    report = e2e / "report.md"
    if report.exists():
        text = report.read_text().split("\n## Evaluation\n")[0].rstrip("\n")
        write_text_atomic(report, f"{text}\n\n## Evaluation\n\n{table}")
    click.echo(table)
    click.echo(f"written to {e2e / 'eval' / 'report.md'}" + (f" and {report}" if report.exists() else ""))
