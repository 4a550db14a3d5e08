"""The evidence commands: ``starkit eval``, ``starkit compare`` and ``starkit bench latency``.

Only click is imported here: the protocol, the benchmark and the models load inside each command.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from star_kit.files import write_text_atomic

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


_judge_option = click.option(
    "--judge",
    metavar="NAME",
    help="Registered judge (a metric; `starkit components --kind metric`) that scores the generated sound "
    "[default: the one installed].",
)


def _eval_options(fn: Any) -> Any:
    for option in reversed(
        [
            click.option("--steps", type=int, help="Sampler steps [default: the run's sampling.steps]."),
            click.option("--guidance", type=float, help="Guidance scale [default: the run's]."),
            click.option("--solver", help="Sampler [default: the run's]."),
            click.option("--seed", type=int, default=0, show_default=True),
            click.option("--limit", type=int, help="N clips spread evenly over the split (default: all)."),
            _judge_option,
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
    judge: str | None,
) -> None:
    """Evaluate a finished run: stage-1 mAP/top-1 and generation scored by a judge (metrics.json + samples.csv).

    \b
    Example:
      starkit eval runs/star-tiny --split test-noisy
    """
    from star_kit.evaluation.protocol import evaluate, summary_lines

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
        judge=judge,
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
    from star_kit.evaluation.latency import latency, markdown

    result = latency(e2e, cascade, n=n, threads=threads, repeats=repeats, transcribers=transcribers, out=out)
    click.echo(markdown(result))
    if "written" in result:
        click.echo(f"written to {result['written']} and {Path(result['written']).with_suffix('.md')}")


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
@click.option(
    "--cascade-task",
    "tasks",
    type=click.Choice(["translate", "transcribe"]),
    multiple=True,
    help="One cascade row per Whisper task (repeatable; multilingual checkpoints) [default: as configured]; the "
    "latency benchmark times the cascade as configured.",
)
@_judge_option
def compare(
    e2e: Path,
    cascade: Path,
    limit: int | None,
    n: int,
    cascade_transcriber: str | None,
    splits: str | None,
    tasks: tuple[str, ...],
    judge: str | None,
) -> None:
    """End-to-end vs cascade vs text upper bound, clean, paraphrased and noisy: one table, added to E2E/report.md.

    \b
    Example:
      starkit compare runs/star-tiny runs/cascade-tiny --cascade-transcriber faster-whisper
    """
    from star_kit.evaluation.compare import comparison

    only = splits.split(",") if splits else None
    table = comparison(e2e, cascade, limit, n, cascade_transcriber, only, judge, tasks)
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
