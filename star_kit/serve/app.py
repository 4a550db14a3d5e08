"""The ASGI app of ``starkit serve``: one static page and a small job API over :class:`~star_kit.serve.jobs.Service`.

Routes (every error is ``{"error": "<one line>"}`` with its status):
    GET  /                              the page
    GET  /static/{name}                 the page's script and style (looked up by name in memory, never on disk)
    GET  /api/info                      sampling defaults, limits and the registered voices
    POST /api/jobs                      audio body (options in the query) or JSON {text, voice, options} -> 202 job
    GET  /api/jobs/{id}                 state, position, stage, step, steps, error, result URLs and labels
    GET  /api/jobs/{id}/audio.wav       the generated sound (16-bit WAV)
    GET  /api/jobs/{id}/spectrogram.png its spectrogram
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from star_kit.errors import StarKitError
from star_kit.registry import Registry, get_registry
from star_kit.serve.jobs import Job, Options, QueueFull, Service

ASSETS = {"app.js": "text/javascript; charset=utf-8", "style.css": "text/css; charset=utf-8"}
AUDIO_KINDS = "WAV, FLAC, OGG or MP3"


@dataclass(frozen=True)
class Limits:
    """What one request may ask for."""

    max_upload_bytes: int = 10 * 2**20
    max_text_chars: int = 200
    max_seconds: float = 20.0
    max_steps: int = 200
    max_guidance: float = 20.0


class ApiError(Exception):
    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, dict(headers or {})


class Voices:
    """The registered text-to-speech voices, each loaded on first use and then kept.

    Args:
        registry: where the voices are registered (default: the installed plugins).
        default: the voice of a typed request that names none; None (or a voice that is not registered): the one
            :meth:`~star_kit.registry.Registry.default_voice` picks.
    """

    def __init__(self, registry: Registry | None = None, default: str | None = None) -> None:
        self.registry = registry or get_registry()
        self.names = list(self.registry.components("voice"))
        self.default = default if default in self.names else self.registry.default_voice()
        self.loaded: dict[str, Any] = {}
        self.lock = threading.Lock()

    def speak(self, name: str, text: str) -> tuple[np.ndarray, int]:
        with self.lock:
            if name not in self.loaded:
                self.loaded[name] = self.registry.load("voice", name)()
        voice = self.loaded[name]
        return voice.synthesize(text), voice.sample_rate


def decode_audio(body: bytes) -> tuple[np.ndarray, int]:
    """An uploaded file -> mono float32 and its rate; anything libsndfile cannot read is not audio (415)."""
    import soundfile as sf

    if not body:
        raise ApiError(415, f"the upload is empty; send a {AUDIO_KINDS} file")
    try:
        wav, rate = sf.read(io.BytesIO(body), dtype="float32", always_2d=True)
    except Exception as exc:  # noqa: BLE001 - libsndfile raises several types for undecodable bytes
        raise ApiError(415, f"the upload is not audio that can be read ({AUDIO_KINDS} expected)") from exc
    return wav.mean(axis=1), int(rate)


async def read_body(request: Request, cap: int) -> bytes:
    """The request body, refused with 413 as soon as it passes ``cap`` bytes (never read whole first)."""
    too_big = ApiError(413, f"the upload is over the limit of {cap / 2**20:.1f} MiB; send a shorter recording")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise too_big
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise too_big
        chunks.append(chunk)
    return b"".join(chunks)


def parse_options(values: Mapping[str, Any], sampling: Any, limits: Limits) -> Options:
    """``duration``, ``steps``, ``guidance`` and ``seed`` from a query or JSON object; missing ones are the run's."""

    def number(key: str, kind: type, default: Any, low: float, high: float) -> Any:
        raw = values.get(key)
        if raw is None or raw == "":
            return kind(default)
        try:
            value = kind(float(raw)) if kind is float else int(str(raw))
        except (TypeError, ValueError):
            raise ApiError(422, f"{key} must be a number, not '{str(raw)[:20]}'") from None
        if not low <= value <= high:  # NaN fails too
            raise ApiError(422, f"{key} must be between {low:g} and {high:g}, not {value:g}")
        return value

    return Options(
        seconds=number("duration", float, sampling.seconds, 0.1, limits.max_seconds),
        steps=number("steps", int, sampling.steps, 1, limits.max_steps),
        guidance=number("guidance", float, sampling.guidance, 0.0, limits.max_guidance),
        seed=number("seed", int, sampling.get("seed", 0), 0, 2**31 - 1),
    )


def job_json(service: Service, job: Job) -> dict[str, Any]:
    base = f"/api/jobs/{job.id}"
    result = job.result and {
        "audio": f"{base}/audio.wav",
        "spectrogram": f"{base}/spectrogram.png",
        "labels": job.result.labels,
        "seconds": round(job.result.seconds, 3),
    }
    return {
        "id": job.id,
        "state": job.state,
        "position": service.position(job),
        "stage": job.stage,
        "step": job.step,
        "steps": job.steps,
        "error": job.error,
        "result": result or None,
    }


def create_app(service: Service, voices: Voices, limits: Limits | None = None, start_worker: bool = True) -> Starlette:
    """The app over a loaded service; ``start_worker=False`` leaves jobs queued until ``service.start()``."""
    limits = limits or Limits()
    static = resources.files("star_kit.serve") / "static"
    page = (static / "index.html").read_bytes()
    assets = {name: (kind, (static / name).read_bytes()) for name, kind in ASSETS.items()}
    pipe = service.pipe
    sampling = pipe.cfg.sampling

    def find(request: Request) -> Job:
        job = service.get(request.path_params["job_id"])
        if job is None:
            raise ApiError(404, "no such job (it never existed or its result has expired); submit the request again")
        return job

    async def index(request: Request) -> Response:
        return Response(page, media_type="text/html; charset=utf-8")

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in assets:
            raise ApiError(404, f"no static file '{name[:40]}'")
        kind, body = assets[name]
        return Response(body, media_type=kind)

    async def info(request: Request) -> Response:
        return JSONResponse(
            {
                "sampling": {
                    "duration": float(sampling.seconds),
                    "steps": int(sampling.steps),
                    "guidance": float(sampling.guidance),
                    "seed": int(sampling.get("seed", 0)),
                },
                "voices": voices.names,
                "default_voice": voices.default,
                "limits": vars(limits),
                "sample_rate": pipe.sample_rate,
            }
        )

    async def speech_of_text(request: Request) -> tuple[np.ndarray, int, str, Options]:
        try:
            data = json.loads(await read_body(request, limits.max_upload_bytes))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise ApiError(400, "the request body is not valid JSON") from None
        if not isinstance(data, dict):
            raise ApiError(422, 'send a JSON object: {"text": "...", "voice": "..."}')
        options = parse_options(data, sampling, limits)
        text = str(data.get("text") or "").strip()
        if not text:
            raise ApiError(422, "the text is empty; type what you want to hear")
        if len(text) > limits.max_text_chars:
            raise ApiError(422, f"the text has {len(text)} characters, over the limit of {limits.max_text_chars}")
        voice = str(data.get("voice") or voices.default)
        if voice not in voices.names:
            raise ApiError(422, f"unknown voice '{voice[:40]}'; voices: {', '.join(voices.names) or 'none installed'}")
        wav, rate = await run_in_threadpool(voices.speak, voice, text)
        return wav, rate, f"the text spoken by '{voice}'", options

    async def submit(request: Request) -> Response:
        if request.headers.get("content-type", "").startswith("application/json"):
            wav, rate, name, options = await speech_of_text(request)
        else:
            options = parse_options(request.query_params, sampling, limits)
            wav, rate = decode_audio(await read_body(request, limits.max_upload_bytes))
            name = "the speech"
        try:
            speech = await run_in_threadpool(pipe.check_speech, wav, rate, name)
            job = service.submit(speech, options)
        except QueueFull as exc:
            raise ApiError(503, str(exc), {"Retry-After": str(exc.retry_after)}) from None
        except StarKitError as exc:
            raise ApiError(422, str(exc).splitlines()[0]) from None
        return JSONResponse(job_json(service, job), status_code=202)

    async def status(request: Request) -> Response:
        return JSONResponse(job_json(service, find(request)))

    def result_of(request: Request) -> Any:
        job = find(request)
        if job.result is None:
            raise ApiError(404, f"job {job.id} has no result yet (state {job.state})")
        return job.result

    async def audio(request: Request) -> Response:
        return Response(result_of(request).wav, media_type="audio/wav")

    async def spectrogram(request: Request) -> Response:
        return Response(result_of(request).png, media_type="image/png")

    async def api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return JSONResponse({"error": exc.message}, status_code=exc.status, headers=exc.headers)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code)

    async def server_error(request: Request, exc: Exception) -> Response:
        return JSONResponse({"error": f"server error: {type(exc).__name__}: {exc}".splitlines()[0]}, status_code=500)

    @asynccontextmanager
    async def lifespan(app: Starlette):  # type: ignore[no-untyped-def]
        if start_worker:
            service.start()
        yield
        service.stop()

    routes = [
        Route("/", index),
        Route("/static/{name}", asset),
        Route("/api/info", info),
        Route("/api/jobs", submit, methods=["POST"]),
        Route("/api/jobs/{job_id}", status),
        Route("/api/jobs/{job_id}/audio.wav", audio),
        Route("/api/jobs/{job_id}/spectrogram.png", spectrogram),
    ]
    handlers = {ApiError: api_error, HTTPException: http_error, Exception: server_error}
    return Starlette(routes=routes, exception_handlers=handlers, lifespan=lifespan)  # type: ignore[arg-type]
