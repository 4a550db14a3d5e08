"""star_kit.bench.latency on tiny random configs: the end-to-end front end against the real cascade front end."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from star_kit.audio import resample
from star_kit.bench import latency, load_system, markdown, stats
from star_kit.errors import StarKitError
from star_kit.registry import get_registry


@pytest.fixture(scope="module")
def speech() -> list[tuple[np.ndarray, int]]:
    voice = get_registry().load("voice", "espeak-en-us")()
    return [(resample(voice.synthesize(t), voice.sample_rate, 16000), 16000) for t in ("a dog barks", "rain falls")]


def test_stats_median_and_p90() -> None:
    s = stats([float(x) for x in range(1, 11)])
    assert (s["median"], s["p90"], s["n"]) == (5.5, pytest.approx(9.1), 10)


def test_latency_of_both_front_ends_and_generation(make_config, speech, tmp_path: Path) -> None:
    e2e = make_config()
    cascade = make_config(encoder={"_component_": "cascade", "asr_max_new_tokens": 16})
    out = tmp_path / "bench" / "latency.json"
    result = latency(e2e, cascade, n=2, warmup=1, threads=1, steps=(2, 4), n_generate=1, speech=speech, out=out)
    e, c = result["systems"]["end-to-end"], result["systems"]["cascade"]
    assert set(e["parts_ms"]) == {"encoder", "bridge"} and set(c["parts_ms"]) == {"asr", "text_encoder", "bridge"}
    assert c["encoder"] == "cascade" and e["front_end_ms"]["n"] == c["front_end_ms"]["n"] == 2
    parts = sum(v["median"] for v in c["parts_ms"].values())
    assert c["front_end_ms"]["median"] == pytest.approx(parts, rel=0.5)
    # Whisper decoding on a 30 s window costs far more than a 1-layer random encoder on 1.5 s of speech
    assert c["front_end_ms"]["median"] > e["front_end_ms"]["median"] and result["front_end_reduction"] > 0
    for system in (e, c):
        assert set(system["generation"]) == {"2", "4"}
        g = system["generation"]["2"]
        assert g["end_of_speech_to_waveform_ms"]["median"] > g["sampling_ms"]["median"] > 0
        assert g["real_time_factor"] > 0
    assert result["settings"]["threads"] == 1 and result["settings"]["n"] == 2
    assert json.loads(out.read_text())["systems"]["cascade"]["encoder"] == "cascade"
    table = out.with_suffix(".md").read_text()
    assert table == markdown({k: v for k, v in result.items() if k != "written"})
    assert "| cascade | cascade + mlp |" in table and "| end-to-end | whisper + mlp |" in table


def test_a_run_directory_is_a_system(tiny_run: Path, make_config, speech) -> None:
    models, cfg, what = load_system(tiny_run)
    assert what.startswith("run ") and cfg.encoder._component_ == "whisper"
    result = latency(tiny_run, make_config(), n=1, warmup=0, steps=(2,), n_generate=1, speech=speech[:1])
    assert Path(result["written"]) == tiny_run / "bench" / "latency.json"


def test_bad_arguments_are_named(make_config, tmp_path: Path) -> None:
    with pytest.raises(StarKitError, match="n >= 1"):
        latency(make_config(), make_config(), n=0)
    with pytest.raises(StarKitError, match="no exported model"):
        load_system(tmp_path)
