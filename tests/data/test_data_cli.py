"""The `starkit data` click group: output formats, exit codes, help examples, no torch at listing time."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner

from star_kit.data.cli import data
from star_kit.data.manifest import Item, read_manifest, write_manifest
from star_kit.errors import StarKitError
from star_kit.hookspecs import hookimpl
from star_kit.interfaces import Corpus
from star_kit.registry import Registry
from tests.data.conftest import _VoicePlugin, tone, write_wav


def run(*args: str):
    return CliRunner().invoke(data, [str(a) for a in args])


@pytest.mark.parametrize("command", [[], ["build"], ["import"], ["speak"], ["check"]])
def test_every_help_ends_with_an_example(command: list[str]) -> None:
    lines = run(*command, "--help").output.split("Options:")[0].strip().splitlines()
    assert lines[-3].strip() == "Example:" and lines[-2] == ""
    assert lines[-1].startswith("    starkit data ")


def test_listing_the_cli_imports_neither_torch_nor_numpy() -> None:
    code = "import sys, star_kit.data.cli, star_kit.data; print(sorted({'torch', 'numpy'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_check_ok_and_problems(good_manifest: Path) -> None:
    result = run("check", good_manifest)
    assert result.exit_code == 0, result.output
    assert result.output == f"{good_manifest}: OK, 3 items (train 2, val 1), 3 labels\n"
    result = run("check", good_manifest, "--speech-rate", "22050")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        f"{good_manifest}:1: speech file speech/item0.wav is 16000 Hz, expected 22050 Hz; resample it"
    )
    assert result.stderr == "3 problems found\n"


def test_check_missing_manifest_raises_a_user_error(tmp_path: Path) -> None:
    result = run("check", tmp_path / "none.jsonl")
    assert isinstance(result.exception, StarKitError) and "no such manifest" in str(result.exception)


def test_import_then_speak_then_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_wav(tmp_path / "audio" / "yt1.wav", tone(1.0, 16_000), 16_000)
    (tmp_path / "val.csv").write_text("audiocap_id,youtube_id,start_time,caption\n1,yt1,0,A bell rings\n2,yt2,0,Wind\n")
    out = tmp_path / "runs"
    result = run("import", tmp_path / "val.csv", "--audio-dir", tmp_path / "audio", "--out", out)
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith(f"skipped {tmp_path / 'val.csv'}:3: no audio file")
    assert f"added 1 items from {tmp_path / 'val.csv'}; {out / 'manifest.jsonl'}: 1 items (val 1)" in result.stdout
    assert run("check", out).exit_code == 1  # not spoken yet

    registry = Registry(load_entrypoints=False, plugins=(("test-voices", _VoicePlugin()),))
    monkeypatch.setattr("star_kit.data.speak.get_registry", lambda: registry)
    result = run("speak", out / "manifest.jsonl", "--voice", "test-formant")
    assert result.exit_code == 0, result.output
    assert f"{out / 'manifest.jsonl'}: spoke 1 captions with voice 'test-formant'" in result.stdout
    assert run("check", out, "--speech-rate", "16000").exit_code == 0


class TinyCorpus(Corpus):
    """Two tones with labels; enough to exercise `data build`."""

    labels = ["low", "high"]

    def __init__(self, low_hz: float = 220.0) -> None:
        self.low_hz = low_hz

    def build(self, out_dir: str, size: str = "small", seed: int = 0) -> str:
        root = Path(out_dir)
        items = []
        for k, (name, freq) in enumerate([("low", self.low_hz), ("high", 880.0)]):
            write_wav(root / f"{name}.wav", tone(0.5, 16_000, freq, seed + k), 16_000)
            items.append(Item(name, f"{name}.wav", f"{name}.wav", f"a {name} tone", [name], ["train", "val"][k],
                              "none", 0.5, 16_000, 16_000))  # fmt: skip
        return str(write_manifest(root, items, labels=self.labels))


class _CorpusPlugin:
    @hookimpl
    def register_corpora(self) -> dict[str, str]:
        return {"tiny-tones": f"{__name__}:TinyCorpus"}


def test_build_looks_up_the_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    registry = Registry(load_entrypoints=False, plugins=(("test-corpus", _CorpusPlugin()),))
    monkeypatch.setattr("star_kit.registry.get_registry", lambda: registry)
    result = run("build", "tiny-tones", "--out", tmp_path / "d", "--size", "tiny", "--seed", "3")
    assert result.exit_code == 0, result.output
    assert result.output == f"{tmp_path / 'd' / 'manifest.jsonl'}: 2 items (train 1, val 1), 2 labels\n"
    assert json.loads((tmp_path / "d" / "labels.json").read_text()) == ["low", "high"]
    assert [i.id for i in read_manifest(tmp_path / "d")] == ["low", "high"]
    result = run("build", "tiny-tone", "--out", tmp_path / "d")
    assert "unknown corpus 'tiny-tone' (did you mean 'tiny-tones'?)" in str(result.exception)


def test_build_passes_constructor_arguments(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--set KEY=VALUE reaches the corpus's constructor; an unknown key or a malformed option is one line."""
    registry = Registry(load_entrypoints=False, plugins=(("test-corpus", _CorpusPlugin()),))
    monkeypatch.setattr("star_kit.registry.get_registry", lambda: registry)
    assert run("build", "tiny-tones", "--out", tmp_path / "d", "--set", "low_hz=440").exit_code == 0
    wav = read_manifest(tmp_path / "d").items[0]
    spectrum = np.abs(np.fft.rfft(sf.read(str(tmp_path / "d" / wav.speech))[0]))
    assert np.argmax(spectrum) / 0.5 == pytest.approx(440, abs=4)  # 0.5 s: 2 Hz per bin
    result = run("build", "tiny-tones", "--out", tmp_path / "e", "--set", "low_herz=440")
    assert "unknown key 'corpus.low_herz' for corpus 'tiny-tones' (did you mean 'low_hz'?)" in str(result.exception)
    result = run("build", "tiny-tones", "--out", tmp_path / "e", "--set", "low_hz")
    assert str(result.exception) == "--set low_hz: expected KEY=VALUE, e.g. --set vocabulary=rich"
    assert not (tmp_path / "e").exists()
