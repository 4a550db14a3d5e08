"""The exported run (star_kit.export): a real round trip of a tiny, randomly initialised model, and the refusals."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch
from omegaconf import DictConfig, OmegaConf
from torch import Tensor

from star_kit.config import load_config
from star_kit.errors import StarKitError
from star_kit.export import (
    COMPONENTS,
    CONFIG,
    FORMAT,
    MODEL_DIR,
    STAGE1_BEST,
    STAGE1_METRICS,
    WEIGHTS,
    export_run,
    read_run,
    read_stage1,
    resume_command,
)
from star_kit.pipeline import StarPipeline, build_models
from star_kit.registry import get_registry
from star_kit.training import load_weights, save_weights

TINY = Path(__file__).parents[1] / "recipes" / "tiny.yaml"
LABELS = ["bell", "dog", "rain"]
COMPONENT_ROWS = [{"path": "bridge", "kind": "bridge", "name": "qformer", "plugin": "bridges", "version": "0"}]


@dataclass
class Exported:
    run_dir: Path
    cfg: DictConfig
    bridge: dict[str, Tensor]
    generator: dict[str, Tensor]
    stage1: dict[str, Tensor]


def _export(run_dir: Path, step: int = 12, labels: list[str] = LABELS) -> Exported:
    from star_kit.recipes import two_stage

    base = load_config(TINY, lambda name: get_registry().find_config(name)[1])
    cfg = OmegaConf.merge(OmegaConf.structured(two_stage.Config), base)
    torch.manual_seed(step)
    models = build_models(cfg)
    # stage 1's bridge is another random one, so that a mix-up of bridge.* and stage1.bridge.* shows
    stage1 = two_stage.Stage1Model(build_models(cfg).bridge, len(labels), 50.0).state_dict()
    bridge, generator = models.bridge.state_dict(), models.generator.state_dict()
    export_run(run_dir, cfg, bridge, generator, stage1, labels, COMPONENT_ROWS, step)
    return Exported(run_dir, cfg, bridge, generator, stage1)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Exported:
    return _export(tmp_path_factory.mktemp("exported") / "run")


@pytest.fixture
def run(exported: Exported, tmp_path: Path) -> Path:
    """A copy of the export to break."""
    shutil.copytree(exported.run_dir, tmp_path / "run")
    return tmp_path / "run"


def _assert_same(loaded: dict[str, Tensor], saved: dict[str, Tensor]) -> None:
    assert loaded.keys() == saved.keys()
    for key, value in saved.items():
        torch.testing.assert_close(loaded[key], value, rtol=0, atol=0, msg=key)


def _under(tensors: dict[str, Tensor], prefix: str) -> dict[str, Tensor]:
    return {k.removeprefix(prefix): v for k, v in tensors.items() if k.startswith(prefix)}


def test_round_trip_rebuilds_the_exported_model(exported: Exported) -> None:
    run = read_run(exported.run_dir)
    folder = exported.run_dir / MODEL_DIR
    assert sorted(p.name for p in folder.iterdir()) == sorted([CONFIG, COMPONENTS, "labels.json", FORMAT, WEIGHTS])
    assert json.loads((folder / FORMAT).read_text()) == {"format": "star_kit.exported_run", "version": 1}
    assert (run.version, run.step, run.labels, run.components) == (1, 12, LABELS, COMPONENT_ROWS)
    assert run.weights_path == folder / WEIGHTS and run.head_classes() == len(LABELS)
    assert OmegaConf.to_container(run.config) == OmegaConf.to_container(exported.cfg, resolve=True)
    _assert_same(run.weights("stage1."), exported.stage1)

    pipe = StarPipeline.from_pretrained(exported.run_dir)
    _assert_same(pipe.models.bridge.state_dict(), exported.bridge)
    _assert_same(pipe.models.generator.state_dict(), exported.generator)
    bridge, head = pipe.stage1_head(exported.run_dir, len(LABELS))
    _assert_same(bridge.state_dict(), _under(exported.stage1, "bridge."))
    _assert_same(head.state_dict(), _under(exported.stage1, "head."))
    assert not torch.equal(bridge.state_dict()["proj.weight"], pipe.models.bridge.state_dict()["proj.weight"])


def test_a_new_export_replaces_the_old_one_whole(run: Path) -> None:
    again = _export(run, step=30, labels=["cat", "owl"])
    found = read_run(run)
    assert (found.step, found.labels, found.head_classes()) == (30, ["cat", "owl"], 2)
    _assert_same(found.weights("generator."), again.generator)
    assert sorted(p.name for p in run.iterdir()) == [MODEL_DIR]  # no temporary or old folder left behind


def test_an_export_without_format_json_reads_as_version_0(run: Path, exported: Exported) -> None:
    """What the recipe wrote before format.json: the same files, so the same model (and no step when unsaid)."""
    (run / MODEL_DIR / FORMAT).unlink()
    weights = run / MODEL_DIR / WEIGHTS
    save_weights(weights, load_weights(weights))  # without the "step" metadata, like the eval plugin's fixture
    found = read_run(run)
    assert (found.version, found.step, found.labels) == (0, None, LABELS)
    pipe = StarPipeline.from_pretrained(run)
    _assert_same(pipe.models.generator.state_dict(), exported.generator)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ({"format": "star_kit.exported_run", "version": 2}, "exported-run format version 2, but this star_kit reads"),
        ({"format": "something_else", "version": 1}, "not an exported-run format file"),
        ('{"format": ', "not valid JSON"),
    ],
)
def test_an_unknown_format_is_refused_with_the_reexport_command(run: Path, content: object, expected: str) -> None:
    path = run / MODEL_DIR / FORMAT
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    with pytest.raises(StarKitError) as info:
        StarPipeline.from_pretrained(run)
    message = str(info.value)
    assert message.startswith(f"{path}: ") and expected in message and "\n" not in message
    assert f"; re-export the run with `{resume_command(run)}`" in message


def test_the_version_message_names_what_is_supported(run: Path) -> None:
    path = run / MODEL_DIR / FORMAT
    path.write_text(json.dumps({"format": "star_kit.exported_run", "version": 7}))
    with pytest.raises(StarKitError) as info:
        read_run(run)
    assert str(info.value) == (
        f"{path}: exported-run format version 7, but this star_kit reads versions 0, 1; re-export the run with "
        f"`starkit recipe run two_stage --config {run}/config.yaml --run-dir {run} --resume` "
        "(or install the star_kit that exported it)"
    )


@pytest.mark.parametrize("keep", [0.5, 0.999, None])
def test_truncated_or_corrupt_weights_are_refused_naming_the_file(run: Path, keep: float | None) -> None:
    weights = run / MODEL_DIR / WEIGHTS
    data = weights.read_bytes()
    # a cut file, or one whose header length is garbage ("invalid header length")
    weights.write_bytes(data[: int(len(data) * keep)] if keep else b"\xff" * 8 + data[8:])
    for load in (read_run, StarPipeline.from_pretrained):
        with pytest.raises(StarKitError) as info:
            load(run)
        message = str(info.value)
        assert message.startswith(f"weights file {weights} cannot be read (SafetensorError: ")
        assert message.endswith(f"re-export the run with `{resume_command(run)}`") and "\n" not in message


def test_a_truncated_stage1_checkpoint_is_refused_naming_it(tmp_path: Path) -> None:
    best = tmp_path / "best.safetensors"
    save_weights(best, {"head.weight": torch.ones(3, 4)})
    best.write_bytes(best.read_bytes()[:-5])
    with pytest.raises(StarKitError, match=f"^weights file {best} cannot be read .*; train the run first"):
        load_weights(best)


def test_stage1_reads_from_its_checkpoint_without_an_export(exported: Exported, tmp_path: Path) -> None:
    run = tmp_path / "ablation"
    (run / "stage1").mkdir(parents=True)
    missing = f"weights file {run / STAGE1_BEST} does not exist; finish stage 1 with `{resume_command(run)}`"
    with pytest.raises(StarKitError, match=f"^{re.escape(missing)}$"):
        read_stage1(run, build_models(exported.cfg).bridge)
    save_weights(run / STAGE1_BEST, exported.stage1)
    bridge = build_models(exported.cfg).bridge
    head = read_stage1(run, bridge)
    _assert_same(bridge.state_dict(), _under(exported.stage1, "bridge."))
    _assert_same(head.state_dict(), _under(exported.stage1, "head."))
    assert head.out_features == len(LABELS)


def test_an_export_without_the_stage1_model_is_refused_by_name(tmp_path: Path, exported: Exported) -> None:
    run = tmp_path / "run"
    export_run(run, exported.cfg, exported.bridge, exported.generator, {}, LABELS, COMPONENT_ROWS, 1)
    StarPipeline.from_pretrained(run)  # the generation model is all there
    with pytest.raises(StarKitError, match=r"model.safetensors has no stage-1 model \(stage1\.\*\); re-export"):
        StarPipeline.from_pretrained(run).stage1_head(run, len(LABELS))


def test_a_run_without_export_names_the_unfinished_stage(tmp_path: Path) -> None:
    with pytest.raises(StarKitError, match="has no exported model and is not a run directory"):
        read_run(tmp_path)
    (tmp_path / CONFIG).write_text("seed: 0\n")
    with pytest.raises(StarKitError, match=r"stage 1 \(no stage1/metrics.json\) and stage 2 not finished; finish"):
        read_run(tmp_path)
    (tmp_path / STAGE1_METRICS).parent.mkdir()
    (tmp_path / STAGE1_METRICS).write_text("{}\n")
    with pytest.raises(StarKitError) as info:
        read_run(tmp_path)
    assert str(info.value) == (
        f"{tmp_path} has no exported model (no model/model.safetensors): stage 2 not finished; "
        f"finish the run with `{resume_command(tmp_path)}`"
    )
