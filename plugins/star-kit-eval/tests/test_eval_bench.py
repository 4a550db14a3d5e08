"""star_kit.evaluation.latency on tiny random configs: the end-to-end front end against the real cascade front end."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from star_kit.audio import resample
from star_kit.errors import StarKitError
from star_kit.evaluation.latency import latency, load_system, markdown
from star_kit.registry import get_registry


@pytest.fixture(scope="module")
def speech() -> list[tuple[np.ndarray, int]]:
    voice = get_registry().load("voice", "espeak-en-us")()
    return [(resample(voice.synthesize(t), voice.sample_rate, 16000), 16000) for t in ("a dog barks", "rain falls")]


def test_latency_of_both_front_ends_and_generation(make_config, speech, tmp_path: Path) -> None:
    e2e = make_config()
    cascade = make_config(encoder={"_component_": "cascade", "asr_max_new_tokens": 16})
    out = tmp_path / "bench" / "latency.json"
    result = latency(e2e, cascade, n=2, warmup=1, threads=1, steps=(2, 4), n_generate=1, speech=speech, out=out)
    block = result["by_threads"]["1"]
    e, c = block["systems"]["end-to-end"], block["systems"]["cascade"]
    assert set(e["parts_ms"]) == {"encoder", "bridge"} and set(c["parts_ms"]) == {"asr", "text_encoder", "bridge"}
    assert (
        result["systems"]["cascade"]["encoder"] == "cascade" and e["front_end_ms"]["n"] == c["front_end_ms"]["n"] == 2
    )
    assert result["systems"]["cascade"]["transcriber"] == "transformers"
    parts = sum(v["median"] for v in c["parts_ms"].values())
    assert c["front_end_ms"]["median"] == pytest.approx(parts, rel=0.5)
    # Whisper decoding on a 30 s window costs far more than a 1-layer random encoder on 1.5 s of speech
    assert c["front_end_ms"]["median"] > e["front_end_ms"]["median"] and block["front_end_reduction"] > 0
    assert block["fastest_cascade"] == "cascade" and block["front_end_reduction_vs"] == {
        "cascade": block["front_end_reduction"]
    }
    for system in (e, c):
        assert set(system["generation"]) == {"2", "4"}
        g = system["generation"]["2"]
        assert g["end_of_speech_to_waveform_ms"]["median"] > g["sampling_ms"]["median"] > 0
        assert g["real_time_factor"] > 0
    assert result["settings"]["threads"] == [1] and result["settings"]["n"] == 2 and result["settings"]["repeats"] == 1
    assert json.loads(out.read_text())["systems"]["cascade"]["encoder"] == "cascade"
    table = out.with_suffix(".md").read_text()
    assert table == markdown({k: v for k, v in result.items() if k != "written"})
    assert "| cascade | 1 | cascade + mlp |" in table and "| end-to-end | 1 | whisper + mlp |" in table


def test_transcribers_side_by_side_over_threads_and_repeats(make_config, speech, tmp_path: Path) -> None:
    cascade = make_config(encoder={"_component_": "cascade", "asr_max_new_tokens": 16})
    result = latency(
        make_config(),
        cascade,
        n=1,
        warmup=1,
        threads=[1, 2],
        repeats=2,
        steps=(2,),
        n_generate=1,
        speech=speech[:1],
        transcribers=["transformers", "faster-whisper"],
        out=tmp_path / "latency.json",
    )
    names = ["end-to-end", "cascade (transformers)", "cascade (faster-whisper)"]
    assert list(result["systems"]) == names and list(result["by_threads"]) == ["1", "2"]
    assert result["systems"]["cascade (faster-whisper)"]["transcriber"] == "faster-whisper"
    for block in result["by_threads"].values():
        assert list(block["systems"]) == names and block["fastest_cascade"] in names[1:]
        assert block["front_end_reduction"] == min(block["front_end_reduction_vs"].values())
        front = block["systems"]["cascade (faster-whisper)"]["front_end_ms"]
        assert front["n"] == 2 and len(front["repeat_medians"]) == 2 and front["spread"] >= 0
        waveform = block["systems"]["end-to-end"]["generation"]["2"]["end_of_speech_to_waveform_ms"]
        assert len(waveform["repeat_medians"]) == 2
    assert json.loads((tmp_path / "latency.json").read_text())["settings"]["transcribers"] == [
        "transformers",
        "faster-whisper",
    ]
    assert "| cascade (faster-whisper) | 2 |" in (tmp_path / "latency.md").read_text()


def test_a_run_directory_is_a_system(tiny_run: Path, make_config, speech) -> None:
    models, cfg, what = load_system(tiny_run)
    assert what.startswith("run ") and cfg.encoder._component_ == "whisper"
    result = latency(tiny_run, make_config(), n=1, warmup=0, steps=(2,), n_generate=1, speech=speech[:1])
    assert Path(result["written"]) == tiny_run / "bench" / "latency.json"


def test_bad_arguments_are_named(make_config, tmp_path: Path) -> None:
    with pytest.raises(StarKitError, match="n >= 1"):
        latency(make_config(), make_config(), n=0)
    with pytest.raises(StarKitError, match="repeats >= 1"):
        latency(make_config(), make_config(), repeats=0)
    with pytest.raises(StarKitError, match="no exported model"):
        load_system(tmp_path)
