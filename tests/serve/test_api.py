"""`starkit serve`'s job API on a real server and the tiny run: results, every bad input, the full queue, order."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from star_kit.serve.cli import serve as serve_command


def wav(seconds: float, rate: int = 16000, amplitude: float = 0.3, seed: int = 0) -> bytes:
    """Noise bursts standing in for speech (the checks look at length and level, not content)."""
    noise = np.random.default_rng(seed).standard_normal(int(seconds * rate)).astype(np.float32)
    buf = io.BytesIO()
    sf.write(buf, amplitude * noise / 4, rate, subtype="PCM_16", format="WAV")
    return buf.getvalue()


def post_audio(server, body: bytes, query: str = ""):  # noqa: ANN001, ANN201
    return server.call("POST", f"/api/jobs{query}", body, {"Content-Type": "audio/wav"})


def test_a_recording_becomes_sound_with_its_spectrogram_and_labels(serve, spoken_request: Path) -> None:  # noqa: ANN001
    server = serve()
    reply = post_audio(server, spoken_request.read_bytes(), "?duration=1.5&steps=3&seed=2")
    assert reply.status == 202, reply.body
    job = server.wait(reply.json()["id"])
    assert job["state"] == "done" and job["stage"] == "done" and (job["step"], job["steps"]) == (3, 3), job
    result = job["result"]
    audio, rate = sf.read(io.BytesIO(server.call("GET", result["audio"]).body))
    assert abs(len(audio) / rate - 1.5) < 0.05 and np.abs(audio).max() > 1e-3
    png = server.call("GET", result["spectrogram"])
    assert png.status == 200 and png.body.startswith(b"\x89PNG") and png.headers["content-type"] == "image/png"
    labels = result["labels"]
    assert len(labels) == 3 and all(0.0 <= score <= 1.0 for _, score in labels)
    assert [s for _, s in labels] == sorted((s for _, s in labels), reverse=True)


def test_a_typed_request_is_spoken_by_the_chosen_voice(serve, pipe) -> None:  # noqa: ANN001
    server = serve()
    info = server.call("GET", "/api/info").json()
    assert "espeak-en-us" in info["voices"] and info["sampling"]["steps"] == pipe.cfg.sampling.steps
    reply = server.post_json({"text": "rain on a tin roof", "voice": "espeak-en-us", "steps": 2})
    assert reply.status == 202, reply.body
    assert server.wait(reply.json()["id"])["state"] == "done"


def test_bad_input_gets_one_clear_message_and_the_server_keeps_serving(serve) -> None:  # noqa: ANN001
    server = serve(max_upload_bytes=200_000)
    cases = [
        (post_audio(server, b"this is not audio at all"), 415, "not audio"),
        (post_audio(server, b""), 415, "empty"),
        (post_audio(server, wav(10.0)), 413, "over the limit"),
        (post_audio(server, wav(1.0, amplitude=0.0)), 422, "silent"),
        (post_audio(server, wav(0.1)), 422, "shorter than the minimum"),
        (post_audio(server, wav(21.0, rate=4000)), 422, "over the limit of 20"),
        (post_audio(server, wav(1.0), "?steps=many"), 422, "steps must be a number"),
        (post_audio(server, wav(1.0), "?duration=500"), 422, "duration must be between"),
        (server.post_json({"text": "   ", "voice": "espeak-en-us"}), 422, "the text is empty"),
        (server.post_json({"text": "dog " * 60, "voice": "espeak-en-us"}), 422, "over the limit of 200"),
        (server.post_json({"text": "a dog", "voice": "no-such-voice"}), 422, "unknown voice 'no-such-voice'"),
        (server.call("POST", "/api/jobs", b"{", {"Content-Type": "application/json"}), 400, "not valid JSON"),
        (server.call("GET", "/api/jobs/0123456789abcdef"), 404, "no such job"),
        (server.call("GET", "/api/jobs/0123456789abcdef/audio.wav"), 404, "no such job"),
    ]
    for reply, status, text in cases:
        message = reply.json()["error"]
        assert reply.status == status and text in message and "\n" not in message, (status, text, reply)
    good = post_audio(server, wav(1.0), "?steps=1")
    assert good.status == 202 and server.wait(good.json()["id"])["state"] == "done"


def test_the_size_cap_is_checked_while_the_body_streams_in(serve) -> None:  # noqa: ANN001
    """A chunked upload with no length is refused once it passes the cap, while its end is still unsent."""
    server = serve(max_upload_bytes=100_000)
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        head = "POST /api/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: audio/wav\r\nTransfer-Encoding: chunked\r\n\r\n"
        sock.sendall(head.encode())
        chunk = b"\0" * 16384
        for _ in range(8):  # 128 KiB, and never the terminating chunk
            sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        answer = b""
        while not answer.endswith(b"}"):  # the status line and headers, then the JSON body
            part = sock.recv(65536)
            assert part, f"the connection closed after {answer!r}"
            answer += part
    answer = answer.decode()
    assert answer.startswith("HTTP/1.1 413") and "over the limit" in answer, answer


def test_a_full_queue_answers_503_and_queued_jobs_run_in_order_on_one_model(serve) -> None:  # noqa: ANN001
    server = serve(queue_size=2, start_worker=False)
    first, second = (post_audio(server, wav(1.0, seed=s), "?steps=2") for s in (1, 2))
    assert first.status == second.status == 202
    ids = [first.json()["id"], second.json()["id"]]
    assert [server.call("GET", f"/api/jobs/{i}").json()["position"] for i in ids] == [1, 2]
    full = post_audio(server, wav(1.0), "?steps=2")
    assert full.status == 503 and int(full.headers["retry-after"]) >= 1 and "queue is full" in full.json()["error"]
    server.service.start()
    assert [server.wait(i)["state"] for i in ids] == ["done", "done"]
    jobs = [server.service.get(i) for i in ids]
    assert jobs[0].finished < jobs[1].finished


def test_results_are_bounded_in_count_and_time(serve) -> None:  # noqa: ANN001
    server = serve()
    server.service.keep = 1
    ids = [post_audio(server, wav(1.0, seed=s), "?steps=1").json()["id"] for s in range(2)]
    server.wait(ids[1])
    assert server.call("GET", f"/api/jobs/{ids[0]}").status == 404
    assert server.call("GET", f"/api/jobs/{ids[1]}").status == 200
    server.service.keep_seconds = 0.0
    assert server.call("GET", f"/api/jobs/{ids[1]}/audio.wav").status == 404


def test_no_request_path_reaches_the_file_system(serve) -> None:  # noqa: ANN001
    server = serve()
    for path in ("/static/../../pyproject.toml", "/static/%2e%2e%2fapp.py", "/static/index.html", "/etc/passwd"):
        assert server.call("GET", path).status == 404, path
    assert server.call("GET", "/").body.startswith(b"<!doctype html>")
    assert b"getUserMedia" in server.call("GET", "/static/app.js").body


def test_serve_binds_to_localhost_unless_told_otherwise() -> None:
    defaults = {p.name: p.default for p in serve_command.params}
    assert defaults["host"] == "127.0.0.1" and defaults["port"] == 7860


@pytest.mark.parametrize("page_text", ["http://", "https://", "//fonts", "@import"])
def test_the_page_names_no_other_host(page_text: str) -> None:
    from importlib import resources

    static = resources.files("star_kit.serve") / "static"
    for name in ("index.html", "app.js", "style.css"):
        assert page_text not in (static / name).read_text(), name


def test_the_serve_command_starts_on_localhost_and_names_a_run_without_a_model(tiny_run: Path, tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "star_kit", "serve", str(tiny_run), "--port", str(port)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, proc.communicate()[1][-2000:]
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/info", timeout=5) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, "starkit serve did not answer within 120 s"
                time.sleep(0.2)
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=60)
    assert f"on http://127.0.0.1:{port}/" in out
    bad = subprocess.run(cmd[:4] + [str(tmp_path)], env=env, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1 and "has no exported model" in bad.stderr, bad.stderr
