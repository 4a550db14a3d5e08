"""A tiny run trained in seconds (the recipe tests' tiny config and corpus), and `starkit serve`'s app on a real
uvicorn server in a thread, on a free local port."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from star_kit.registry import get_registry

CONFIG = Path(__file__).parents[1] / "recipes" / "tiny.yaml"


@pytest.fixture(scope="session")
def tiny_run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run of the tiny config on the shared tiny corpus (random Whisper-shaped encoder, Griffin-Lim decoding), or
    the finished run that ``STARKIT_SERVE_RUN`` names (to time the browser test on a real model)."""
    if os.environ.get("STARKIT_SERVE_RUN"):
        return Path(os.environ["STARKIT_SERVE_RUN"])
    corpus = request.getfixturevalue("tiny_corpus")  # built only when this run is
    root = tmp_path_factory.mktemp("serve-run")
    env = {
        **os.environ,
        "STARKIT_TEST_DATA": str(corpus),
        "STARKIT_CACHE": str(root / "cache"),
        "OMP_NUM_THREADS": "1",
        "HF_HUB_OFFLINE": "1",
    }
    args = ["recipe", "run", "two_stage", "--config", str(CONFIG), "--run-dir", str(root / "run")]
    out = subprocess.run(
        [sys.executable, "-m", "star_kit", *args, f"data.cache_dir={root / 'cache'}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return root / "run"


@pytest.fixture(scope="session")
def pipe(tiny_run: Path):  # noqa: ANN201 - a StarPipeline
    import torch

    from star_kit.pipeline import StarPipeline

    torch.set_num_threads(1)
    return StarPipeline.from_pretrained(tiny_run)


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


class Running:
    """An app served by uvicorn in a daemon thread on 127.0.0.1 (a port the OS picks)."""

    def __init__(self, app: object) -> None:
        import uvicorn

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline and self.thread.is_alive(), "uvicorn did not start"
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)

    def call(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> Reply:
        request = urllib.request.Request(self.url + path, data=body, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=60) as r:
                return Reply(r.status, dict(r.headers), r.read())
        except urllib.error.HTTPError as e:
            return Reply(e.code, dict(e.headers), e.read())

    def post_json(self, data: dict) -> Reply:
        return self.call("POST", "/api/jobs", json.dumps(data).encode(), {"Content-Type": "application/json"})

    def wait(self, job_id: str, timeout: float = 120) -> dict:
        """Polls a job until it is done or failed."""
        deadline = time.monotonic() + timeout
        while True:
            job = self.call("GET", f"/api/jobs/{job_id}").json()
            if job["state"] in ("done", "error"):
                return job
            assert time.monotonic() < deadline, f"job {job_id} still {job['state']} after {timeout} s"
            time.sleep(0.05)


@pytest.fixture
def serve(pipe, tiny_run: Path):  # noqa: ANN001, ANN201 - a factory of Running servers
    """``serve(queue_size=..., start_worker=..., **limits)`` -> a Running server over the shared tiny pipeline."""
    from star_kit.serve.app import Limits, Voices, create_app
    from star_kit.serve.jobs import LabelHead, Service

    started: list[Running] = []

    def make(queue_size: int = 4, start_worker: bool = True, **limits: object) -> Running:
        service = Service(pipe, LabelHead.load(pipe, tiny_run), queue_size=queue_size)
        running = Running(create_app(service, Voices(), Limits(**limits), start_worker=start_worker))  # type: ignore[arg-type]
        running.service = service  # type: ignore[attr-defined]
        started.append(running)
        return running

    yield make
    for running in started:
        running.stop()


@pytest.fixture(scope="session")
def spoken_request(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real spoken request: espeak saying it, 16-bit mono at 48 kHz, with 0.5 s of silence at both ends."""
    import numpy as np
    import soundfile as sf

    from star_kit.audio import resample

    voice = get_registry().load("voice", "espeak-en-us")()
    speech = resample(voice.synthesize("a dog barking in the rain"), voice.sample_rate, 48000)
    pad = np.zeros(24000, np.float32)
    path = tmp_path_factory.mktemp("speech") / "request.wav"
    sf.write(str(path), np.concatenate([pad, 0.8 * speech / np.abs(speech).max(), pad]), 48000, subtype="PCM_16")
    return path
