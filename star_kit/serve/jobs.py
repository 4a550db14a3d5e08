"""One model, one worker thread, a bounded queue of jobs served in order, and results kept in memory.

Shapes: n samples, c classes.
"""

from __future__ import annotations

import io
import threading
import time
import uuid
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from star_kit.errors import StarKitError
from star_kit.export import read_run
from star_kit.pipeline import StarPipeline

STATES = ("queued", "running", "done", "error")


@dataclass
class Options:
    """Sampling settings of one request (validated by the app; defaults are the run's sampling section)."""

    seconds: float
    steps: int
    guidance: float
    seed: int


@dataclass
class Result:
    wav: bytes  # 16-bit mono WAV at the vocoder's rate
    png: bytes  # spectrogram picture
    labels: list[tuple[str, float]]  # the stage-1 head's top labels with their scores
    seconds: float  # audio length


@dataclass
class Job:
    id: str
    speech: np.ndarray  # (n,) float32 at the encoder's rate, already checked
    options: Options
    state: str = "queued"
    stage: str = "queued"  # queued, encoding, sampling, decoding, done, error
    step: int = 0
    steps: int = 0
    error: str | None = None
    result: Result | None = None
    finished: float | None = None  # time.monotonic() when done or failed


class QueueFull(StarKitError):
    def __init__(self, size: int, retry_after: int) -> None:
        super().__init__(f"the queue is full ({size} requests waiting); try again in {retry_after} s")
        self.retry_after = retry_after


class LabelHead:
    """The run's stage-1 bridge and label head: speech -> sound-event labels with scores (what the model heard)."""

    def __init__(self, pipe: StarPipeline, run_dir: str | Path, labels: list[str]) -> None:
        self.labels, self.pipe = labels, pipe
        self.bridge, self.head = pipe.stage1_head(run_dir, len(self.labels))

    @classmethod
    def load(cls, pipe: StarPipeline, run_dir: str | Path) -> LabelHead | None:
        """None when the run has no label list or stage-1 weights (then the page shows no labels); weights that do
        not fit the run's bridge are an error at start-up."""
        labels = read_run(run_dir).labels
        if labels is None:
            return None
        try:
            return cls(pipe, run_dir, labels)
        except StarKitError:  # no stage1.* weights
            return None

    @torch.no_grad()
    def top(self, speech: np.ndarray, k: int = 3) -> list[tuple[str, float]]:
        from star_kit.evaluation.protocol import pooled_head_scores
        from star_kit.features import pad_waves

        wav, lengths = pad_waves([speech])
        frames = self.pipe.models.encoder(wav.to(self.pipe.device), lengths.to(self.pipe.device))
        scores = pooled_head_scores(self.bridge, self.head, frames)[0].float().cpu()  # (c,)
        best = torch.topk(scores, min(k, len(self.labels)))
        return [(self.labels[i], round(float(s), 3)) for s, i in zip(best.values, best.indices, strict=True)]


def wav_bytes(wav: np.ndarray, sample_rate: int) -> bytes:
    import soundfile as sf

    buf = io.BytesIO()
    sf.write(buf, np.clip(wav, -1.0, 1.0), sample_rate, subtype="PCM_16", format="WAV")
    return buf.getvalue()


def spectrogram_png(wav: np.ndarray, sample_rate: int) -> bytes:
    """The report's log-mel spectrogram as a picture (matplotlib's object API: no pyplot state shared between
    threads)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from star_kit.report import log_mel_image

    image = log_mel_image(wav, sample_rate)  # (bands, frames)
    fig = Figure(figsize=(6, 2.2), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    extent = (0.0, len(wav) / sample_rate, 0.0, float(image.shape[0]))
    ax.imshow(image, origin="lower", aspect="auto", cmap="magma", extent=extent)
    ax.set_xlabel("seconds")
    ax.set_ylabel("mel band")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


@dataclass
class Service:
    """Holds the pipeline; :meth:`submit` queues a job, one worker thread runs them in order.

    Args:
        queue_size: waiting jobs at most (the running one not counted); one more raises :class:`QueueFull`.
        keep: finished jobs kept (the oldest go first).
        keep_seconds: finished jobs are forgotten after this long.
    """

    pipe: StarPipeline
    labels: LabelHead | None = None
    queue_size: int = 4
    keep: int = 20
    keep_seconds: float = 1800.0
    jobs: OrderedDict[str, Job] = field(default_factory=OrderedDict)
    waiting: deque[Job] = field(default_factory=deque)
    job_seconds: float = 5.0  # running mean of a job's time, for Retry-After
    _cond: threading.Condition = field(default_factory=threading.Condition)
    _worker: threading.Thread | None = None
    _stopping: bool = False

    def submit(self, speech: np.ndarray, options: Options) -> Job:
        with self._cond:
            self._prune()
            if len(self.waiting) >= self.queue_size:
                raise QueueFull(len(self.waiting), max(1, round(self.job_seconds * len(self.waiting))))
            job = Job(uuid.uuid4().hex, speech, options)
            self.jobs[job.id] = job
            self.waiting.append(job)
            self._cond.notify()
            return job

    def get(self, job_id: str) -> Job | None:
        with self._cond:
            self._prune()
            return self.jobs.get(job_id)

    def position(self, job: Job) -> int:
        """1 for the next job to run, 2 behind it, ...; 0 once running or finished."""
        with self._cond:
            return next((i + 1 for i, j in enumerate(self.waiting) if j is job), 0)

    def start(self) -> None:
        if self._worker is None:
            self._worker = threading.Thread(target=self._loop, name="starkit-serve-worker", daemon=True)
            self._worker.start()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._worker is not None:
            self._worker.join(timeout=30)

    def _prune(self) -> None:
        now = time.monotonic()
        finished = [j for j in self.jobs.values() if j.finished is not None]
        expired = [j for j in finished if now - j.finished > self.keep_seconds]  # type: ignore[operator]
        expired += [j for j in finished[: max(0, len(finished) - self.keep)] if j not in expired]
        for job in expired:
            del self.jobs[job.id]

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self.waiting and not self._stopping:
                    self._cond.wait()
                if self._stopping:
                    return
                job = self.waiting.popleft()
                job.state = "running"
            started = time.monotonic()
            self._run(job)
            self.job_seconds = 0.7 * self.job_seconds + 0.3 * (time.monotonic() - started)

    def _run(self, job: Job) -> None:
        def progress(stage: str, done: int, total: int) -> None:
            job.stage = stage
            if stage == "sampling":  # the step counter stays at its last value while decoding and once done
                job.step, job.steps = done, total

        try:
            o, pipe = job.options, self.pipe
            job.stage = "encoding"
            heard = self.labels.top(job.speech) if self.labels else []
            options = {"seconds": o.seconds, "steps": o.steps, "guidance": o.guidance, "seed": o.seed}
            speech_rate, rate = pipe.models.encoder.sample_rate, pipe.sample_rate
            wav = pipe.generate([job.speech], speech_rate, names=["the speech"], progress=progress, **options)[0]
            job.result = Result(wav_bytes(wav, rate), spectrogram_png(wav, rate), heard, len(wav) / rate)
            job.state = job.stage = "done"
        except Exception as exc:  # noqa: BLE001 - one failed job must not stop the worker
            message = str(exc) if isinstance(exc, StarKitError) else f"{type(exc).__name__}: {exc}"
            job.error = message.splitlines()[0] if message else type(exc).__name__
            job.state = job.stage = "error"
        finally:
            job.speech = np.zeros(0, np.float32)  # the speech is not needed any more
            job.finished = time.monotonic()
