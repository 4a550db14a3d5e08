"""`starkit serve` in a real browser: Debian's chromium, driven by playwright, speaking through a fake microphone.

The fake microphone plays a real spoken request once (``%noloop``). Screenshots of each state go to the test's
output folder (``screenshots/``); ``STARKIT_SERVE_SCREENSHOT=path`` also saves the finished request there (the
README's picture: ``docs/images/serve.png``).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import urllib.request
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from star_kit.audio import resample

CHROMIUM = Path("/usr/bin/chromium")
RESULT = "#results .result"


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    """The peak normalised cross-correlation of two waveforms over all lags (1.0: one is a shifted copy)."""
    from scipy.signal import correlate

    a, b = a - a.mean(), b - b.mean()
    return float(np.abs(correlate(a, b, mode="full", method="fft")).max() / (np.linalg.norm(a) * np.linalg.norm(b)))


@pytest.fixture
def browser_page(serve, spoken_request: Path, tmp_path: Path):  # noqa: ANN001, ANN201
    if not CHROMIUM.exists():
        pytest.skip(
            f"{CHROMIUM} is absent: install it with "
            "`apt-get install -y --no-install-recommends chromium fonts-liberation` (.ci/run does)"
        )
    from playwright.sync_api import sync_playwright

    server = serve()
    args = [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={spoken_request}%noloop",
        "--autoplay-policy=no-user-gesture-required",
    ]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=args)
        page = browser.new_page(viewport={"width": 900, "height": 1000})
        requests: list[str] = []
        uploads: list[bytes] = []
        page.on("request", lambda r: requests.append(r.url))
        page.on("request", lambda r: r.method == "POST" and uploads.append(r.post_data_buffer or b""))
        page.goto(server.url + "/")
        page.wait_for_function("document.querySelector('#voice').options.length > 0")
        yield server, page, requests, uploads, tmp_path / "screenshots"
        browser.close()


def shot(page, folder: Path, name: str) -> Path:  # noqa: ANN001
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
    return folder / f"{name}.png"


def wait_results(page, count: int) -> None:  # noqa: ANN001
    page.wait_for_function(f"document.querySelectorAll('{RESULT}').length >= {count}", timeout=120_000)


def test_speak_upload_and_type_in_the_browser(browser_page, pipe, spoken_request: Path) -> None:  # noqa: ANN001
    server, page, requests, uploads, screenshots = browser_page
    seconds = float(pipe.cfg.sampling.seconds) + 0.5  # not the run's default, so the option must reach the server
    page.fill("#duration", str(seconds))
    shot(page, screenshots, "1-ready")

    # Speak: Record, let the fake microphone play the request, Stop.
    page.click("#record")
    page.wait_for_selector("#rec-state:has-text('recording')")
    shot(page, screenshots, "2-recording")
    source, rate = sf.read(str(spoken_request), dtype="float32")
    page.wait_for_timeout(int(1000 * len(source) / rate) + 700)
    page.click("#stop")
    page.wait_for_function("document.querySelector('#status').textContent !== ''")
    shot(page, screenshots, "3-running")
    wait_results(page, 1)
    page.wait_for_function(f"document.querySelector('{RESULT}').dataset.stopToPlayableMs !== undefined")
    shot(page, screenshots, "4-done")
    if os.environ.get("STARKIT_SERVE_SCREENSHOT"):
        page.locator("main").screenshot(path=os.environ["STARKIT_SERVE_SCREENSHOT"])

    # The upload is a 16-bit mono WAV of the spoken request.
    uploaded, up_rate = sf.read(io.BytesIO(uploads[0]), dtype="float32")
    assert sf.info(io.BytesIO(uploads[0])).subtype == "PCM_16" and uploaded.ndim == 1
    r = correlation(resample(uploaded, up_rate, 16000), resample(source, rate, 16000))
    assert r > 0.5, f"the uploaded recording does not match the spoken request (correlation {r:.2f})"

    # The result: playable audio of the requested length, not silent; the spectrogram; what the model heard.
    result = page.locator(RESULT).first
    duration = result.locator("audio").evaluate("a => a.duration")
    assert abs(duration - seconds) < 0.05, duration
    src = result.locator("audio").evaluate("a => a.src")
    audio, _ = sf.read(io.BytesIO(urllib.request.urlopen(src, timeout=30).read()))
    assert np.abs(audio).max() > 1e-3, "the generated audio is silent"
    assert result.locator("img").evaluate("i => i.complete && i.naturalWidth > 0")
    assert result.locator(".result-heard").inner_text().startswith("heard: ")
    assert result.locator("a.result-download").get_attribute("href") == src.removeprefix(server.url)
    stop_to_playable = int(result.get_attribute("data-stop-to-playable-ms") or 0)
    print(f"\nupload correlation with the spoken request {r:.2f}; Stop to playable audio {stop_to_playable} ms")
    (screenshots / "timing.json").write_text(json.dumps({"stop_to_playable_ms": stop_to_playable}))

    # Upload a file.
    page.set_input_files("#file", str(spoken_request))
    wait_results(page, 2)
    # Type a request with a chosen voice.
    page.fill("#text", "a dog barking in the rain")
    page.select_option("#voice", "espeak-en-us")
    page.click("#say")
    wait_results(page, 3)
    shot(page, screenshots, "5-three-results")
    assert page.locator(RESULT).first.locator(".result-meta").inner_text().startswith('"a dog barking')

    # Not audio: one clear message on the page, and the page keeps working.
    bad = screenshots.parent / "notes.txt"
    bad.write_text("this is not a recording")
    page.set_input_files("#file", str(bad))
    page.wait_for_selector("#error:not([hidden])")
    assert "not audio" in page.inner_text("#error")
    shot(page, screenshots, "6-error")

    foreign = [u for u in requests if not u.startswith(server.url + "/") and not u.startswith(("blob:", "data:"))]
    assert not foreign, f"the page asked other hosts: {foreign}"
    if os.environ.get("STARKIT_SERVE_SCREENSHOTS_TO"):
        shutil.copytree(screenshots, os.environ["STARKIT_SERVE_SCREENSHOTS_TO"], dirs_exist_ok=True)
