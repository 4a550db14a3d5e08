from pathlib import Path

import pytest
from omegaconf import OmegaConf

from star_kit import runs
from star_kit.config import apply_overrides, bind_component, instantiate, load_yaml
from star_kit.errors import StarKitError
from star_kit.registry import Registry


def test_overrides_set_add_delete(fake_registry: Registry) -> None:
    _, cfg, name = runs.resolve(fake_registry, "fake-tiny", ("train.lr=1e-4", "+bridge.layers=2", "~bridge.out_dim"))
    assert name == "fake-tiny"
    assert cfg.train.lr == pytest.approx(1e-4) and isinstance(cfg.train.lr, float)
    assert "out_dim" not in cfg.bridge and cfg.bridge.layers == 2


def test_unknown_key_suggests_the_closest(fake_registry: Registry) -> None:
    with pytest.raises(StarKitError, match="unknown config key 'train.lrr' \\(did you mean 'train.lr'\\?\\)"):
        runs.resolve(fake_registry, "fake-tiny", ("train.lrr=0.1",))


def test_unknown_key_in_a_yaml_file_suggests_the_closest(fake_registry: Registry, tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("# recipe: fake\ntrain:\n  stepz: 3\n")
    with pytest.raises(StarKitError, match="unknown config key 'train.stepz' \\(did you mean 'train.steps'\\?\\)"):
        runs.resolve(fake_registry, str(path))


def test_unknown_component_argument_suggests_the_closest(fake_registry: Registry) -> None:
    _, cfg, _ = runs.resolve(fake_registry, "fake-tiny", ("+bridge.layerz=2",))
    with pytest.raises(
        StarKitError, match="unknown key 'bridge.layerz' for bridge 'tiny_bridge' \\(did you mean 'layers'\\?\\)"
    ):
        runs.validate(fake_registry, cfg)


def test_component_argument_not_in_yaml_can_be_set(fake_registry: Registry) -> None:
    _, cfg, _ = runs.resolve(fake_registry, "fake-tiny", ("bridge.layers=3",))
    assert cfg.bridge.layers == 3


def test_swap_component_for_its_registered_defaults(fake_registry: Registry) -> None:
    _, cfg, _ = runs.resolve(fake_registry, "fake-tiny", ("bridge=other_bridge",))
    assert OmegaConf.to_container(cfg.bridge) == {"_component_": "other_bridge", "out_dim": 6, "depth": 2}
    assert [r["name"] for r in runs.validate(fake_registry, cfg)] == ["tiny_encoder", "other_bridge"]


def test_swap_fills_an_unset_component_slot(fake_registry: Registry) -> None:
    _, cfg, _ = runs.resolve(fake_registry, "fake-tiny", ("train.text_encoder=tiny_encoder",))
    assert OmegaConf.to_container(cfg.train.text_encoder) == {
        "_component_": "tiny_encoder",
        "dim": 8,
        "pretrained": "none",
    }
    assert "train.text_encoder" in [r["path"] for r in runs.validate(fake_registry, cfg)]


def test_swap_to_unknown_component_lists_names(fake_registry: Registry) -> None:
    with pytest.raises(StarKitError, match="unknown bridge 'mlp'; registered bridges: other_bridge, tiny_bridge"):
        runs.resolve(fake_registry, "fake-tiny", ("bridge=mlp",))


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("# recipe: fake\ntrain:\n  lr: 0.1\n  steps: [1, 2\nname: x\n")
    with pytest.raises(StarKitError, match=f"{path}:5: YAML syntax error"):
        load_yaml(path)


def test_missing_required_value_names_the_key(fake_registry: Registry) -> None:
    _, cfg, _ = runs.resolve(fake_registry, "fake-tiny", ("encoder.pretrained=???",))
    with pytest.raises(StarKitError, match="missing required value for 'encoder.pretrained'"):
        runs.validate(fake_registry, cfg)


def test_dimension_mismatch_names_both_components_and_sizes(fake_registry: Registry) -> None:
    encoder = instantiate(fake_registry, "encoder", {"_component_": "tiny_encoder", "dim": 8})
    with pytest.raises(
        StarKitError, match="dimension mismatch: bridge 'tiny_bridge' in_dim=16 but encoder 'tiny_encoder' dim=8"
    ):
        bind_component(
            fake_registry,
            "bridge",
            {"_component_": "tiny_bridge", "in_dim": 16},
            in_dim=("encoder 'tiny_encoder' dim", encoder.dim),
        )
    bridge = instantiate(
        fake_registry, "bridge", {"_component_": "tiny_bridge"}, in_dim=("encoder 'tiny_encoder' dim", encoder.dim)
    )
    assert bridge.in_dim == 8


def test_add_existing_and_delete_missing_are_errors(fake_registry: Registry) -> None:
    cfg = load_yaml(fake_registry.find_config("fake-tiny")[1])
    with pytest.raises(StarKitError, match="cannot add 'train.lr': it exists already"):
        apply_overrides(cfg, ["+train.lr=1"], fake_registry)
    with pytest.raises(StarKitError, match="cannot delete 'train.lrr': no such key \\(did you mean 'train.lr'\\?\\)"):
        apply_overrides(cfg, ["~train.lrr"], fake_registry)


def test_run_writes_config_and_components_and_never_overwrites(fake_registry: Registry, tmp_path: Path) -> None:
    recipe, cfg, _ = runs.resolve(fake_registry, "fake-tiny", ("train.steps=3",))
    run_dir = tmp_path / "run"
    runs.run(fake_registry, recipe, cfg, run_dir)
    assert (run_dir / "ran.txt").read_text() == "3 resume=False"
    assert OmegaConf.load(run_dir / "config.yaml").train.steps == 3
    assert '"plugin": "fake"' in (run_dir / "components.json").read_text()
    with pytest.raises(StarKitError, match="exists; pass --resume to continue it or --force"):
        runs.run(fake_registry, recipe, cfg, run_dir)
    runs.run(fake_registry, recipe, cfg, run_dir, resume=True)
    assert (run_dir / "ran.txt").read_text() == "3 resume=True"
    _, other, _ = runs.resolve(fake_registry, "fake-tiny", ("train.steps=4",))
    with pytest.raises(StarKitError, match="--resume: config key 'train.steps' differs"):
        runs.run(fake_registry, recipe, other, run_dir, resume=True)
