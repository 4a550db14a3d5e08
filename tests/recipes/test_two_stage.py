"""The two-stage recipe end to end on the tiny config: outputs, resume after SIGKILL and SIGINT, DDP, generate."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch
from omegaconf import DictConfig, OmegaConf

from star_kit.config import load_config
from star_kit.data.splits import (
    Split,
    condition_tokens,
    frames_batch,
    latents_batch,
    paired_split,
    prepare_splits,
    stage2_split,
)
from star_kit.errors import StarKitError
from star_kit.features import pad_frames
from star_kit.pipeline import StarPipeline
from star_kit.registry import get_registry

from .conftest import CONFIG

CLI = [sys.executable, "-m", "star_kit"]


def _run(args: list[str], env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(CLI + args, env=env, capture_output=True, text=True, timeout=timeout)


def _train(run_dir: Path, env: dict[str, str], *extra: str) -> subprocess.CompletedProcess:
    cache = f"data.cache_dir={env['STARKIT_CACHE']}"
    return _run(["recipe", "run", "two_stage", "--config", str(CONFIG), "--run-dir", str(run_dir), cache, *extra], env)


@pytest.fixture(scope="module")
def trained(tiny_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    import os

    tmp = tmp_path_factory.mktemp("trained")
    env = {
        **os.environ,
        "STARKIT_TEST_DATA": str(tiny_corpus),
        "STARKIT_CACHE": str(tmp / "cache"),
        "OMP_NUM_THREADS": "1",
    }
    out = _train(tmp / "run", env)
    assert out.returncode == 0, out.stderr[-3000:]
    return tmp / "run"


def test_run_writes_everything(trained: Path) -> None:
    for name in (
        "config.yaml",
        "components.json",
        "report.md",
        "curves.png",
        "spectrograms.png",
        "model/model.safetensors",
        "model/config.yaml",
        "model/labels.json",
        "stage1/metrics.json",
        "stage1/best.safetensors",
        "stage2/history.json",
        "state/stage1.pt",
        "state/stage2.pt",
    ):
        assert (trained / name).exists(), name
    components = {c["path"]: c for c in json.loads((trained / "components.json").read_text())}
    assert components["encoder"]["name"] == "whisper" and components["encoder"]["plugin"] == "encoders"
    metrics = json.loads((trained / "stage1" / "metrics.json").read_text())
    assert len(metrics["history"]) >= 1 and {"test", "test-noisy"} <= set(metrics)
    history = json.loads((trained / "stage2" / "history.json").read_text())
    assert history["train"][-1][0] == 12 and history["val"][-1][0] == 12
    report = (trained / "report.md").read_text()
    assert "| test |" in report and "samples/" in report


def test_exported_model_is_safetensors_and_state_loads_weights_only(trained: Path) -> None:
    from safetensors import safe_open

    with safe_open(str(trained / "model" / "model.safetensors"), framework="pt") as f:
        keys = list(f.keys())
        assert f.metadata()["step"] == "12"
    assert any(k.startswith("bridge.") for k in keys) and any(k.startswith("generator.") for k in keys)
    state = torch.load(trained / "state" / "stage2.pt", weights_only=True)
    assert state["step"] == 12 and {"optimizer", "ema", "rng", "epoch", "batch"} <= set(state)


def test_pipeline_generates_and_rejects_bad_speech(trained: Path, tiny_corpus: Path) -> None:
    pipe = StarPipeline.from_pretrained(trained)
    speech, rate = sf.read(next((tiny_corpus / "speech").rglob("*.wav")), dtype="float32")
    audio = pipe(speech, rate, steps=3, seed=1)
    assert audio.ndim == 1 and len(audio) == pytest.approx(pipe.sample_rate * 1.0, rel=0.05)
    again = pipe(speech, rate, steps=3, seed=1)
    np.testing.assert_array_equal(audio, again)
    with pytest.raises(StarKitError, match="speech\\[0\\]: the waveform is silent"):
        pipe(np.zeros(16000, dtype=np.float32), 16000)
    with pytest.raises(StarKitError, match="shorter than the minimum"):
        pipe(speech[len(speech) // 2 : len(speech) // 2 + 800], rate)
    with pytest.raises(StarKitError, match="over the limit of 20.0 s"):
        pipe(np.tile(speech, 40), rate)


def test_generate_cli_never_overwrites_without_force(trained: Path, tiny_corpus: Path, tmp_path: Path) -> None:
    import os

    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    speech = next((tiny_corpus / "speech").rglob("*.wav"))
    out = tmp_path / "out.wav"
    first = _run(["generate", str(trained), "--speech", str(speech), "-o", str(out), "--steps", "2"], env)
    assert first.returncode == 0, first.stderr
    assert sf.info(str(out)).samplerate == 22050
    again = _run(["generate", str(trained), "--speech", str(speech), "-o", str(out), "--steps", "2"], env)
    assert again.returncode == 1 and "exists; pass --force" in again.stderr
    silent = tmp_path / "silent.wav"
    sf.write(silent, np.zeros(16000, dtype=np.float32), 16000)
    bad = _run(["generate", str(trained), "--speech", str(silent), "-o", str(tmp_path / "x.wav")], env)
    assert bad.returncode == 1 and f"{silent}: the waveform is silent" in bad.stderr
    short = tmp_path / "short.wav"
    sf.write(short, 0.3 * np.ones(800, dtype=np.float32), 16000)
    bad = _run(["generate", str(trained), "--speech", str(short), "-o", str(tmp_path / "x.wav")], env)
    assert bad.returncode == 1 and f"{short}: 0.05 s is shorter than the minimum" in bad.stderr
    batch = _run(
        [
            "generate",
            str(trained),
            "--manifest",
            str(tiny_corpus),
            "--split",
            "val",
            "-o",
            str(tmp_path / "batch"),
            "--steps",
            "2",
        ],
        env,
    )
    assert batch.returncode == 0, batch.stderr
    assert len(list((tmp_path / "batch").glob("*.wav"))) == sum(
        1 for line in (tiny_corpus / "manifest.jsonl").read_text().splitlines() if '"split": "val"' in line
    )


def _wait_for_checkpoint(run_dir: Path, proc: subprocess.Popen, min_step: int) -> None:
    state = run_dir / "state" / "stage2.pt"
    deadline = time.time() + 240
    while time.time() < deadline and proc.poll() is None:
        if state.exists():
            try:
                if torch.load(state, weights_only=True)["step"] >= min_step:
                    return
            except Exception:  # noqa: BLE001 - the file is replaced atomically; a read may race the rename
                pass
        time.sleep(0.2)
    raise AssertionError(f"no stage-2 checkpoint at step >= {min_step} (process exit {proc.poll()})")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_killed_run_resumes_to_the_same_end(recipe_env: dict[str, str], tmp_path: Path, sig: int) -> None:
    run_dir = tmp_path / "run"
    args = [
        "recipe",
        "run",
        "two_stage",
        "--config",
        str(CONFIG),
        "--run-dir",
        str(run_dir),
        f"data.cache_dir={recipe_env['STARKIT_CACHE']}",
        "stage2.max_steps=60",
        "stage2.checkpoint_every=2",
        "report=false",
    ]
    proc = subprocess.Popen(CLI + args, env=recipe_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _wait_for_checkpoint(run_dir, proc, 4)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    if sig == signal.SIGINT:
        assert proc.returncode == 130 and "interrupted: stage 2 interrupted at step" in err
    else:
        assert proc.returncode == -signal.SIGKILL
    stopped = torch.load(run_dir / "state" / "stage2.pt", weights_only=True)["step"]
    assert 4 <= stopped < 60
    assert not (run_dir / "model").exists()
    resumed = subprocess.run(CLI + args + ["--resume"], env=recipe_env, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert torch.load(run_dir / "state" / "stage2.pt", weights_only=True)["step"] == 60
    assert StarPipeline.from_pretrained(run_dir).models.generator is not None


def test_resume_errors(recipe_env: dict[str, str], tmp_path: Path) -> None:
    missing = _train(tmp_path / "nothing", recipe_env, "--resume")
    assert missing.returncode == 1 and "holds no run (no config.yaml)" in missing.stderr


def test_two_process_ddp(recipe_env: dict[str, str], tmp_path: Path) -> None:
    run_dir = tmp_path / "ddp"
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nproc_per_node",
        "2",
        "--master_port",
        "29517",
        "-m",
        "star_kit",
        "recipe",
        "run",
        "two_stage",
        "--config",
        str(CONFIG),
        "--run-dir",
        str(run_dir),
        f"data.cache_dir={recipe_env['STARKIT_CACHE']}",
        "stage1.consistency_split=train-noisy",  # the clean and noisy copies share one DDP forward pass
    ]
    out = subprocess.run(cmd, env=recipe_env, capture_output=True, text=True, timeout=400)
    assert out.returncode == 0, out.stderr[-3000:]
    timings = json.loads((run_dir / "timings.json").read_text())
    assert timings["world_size"] == 2 and {"data", "stage1", "stage2", "report"} <= set(timings["phases"])
    history = json.loads((run_dir / "stage1" / "metrics.json").read_text())["history"]
    assert all(h["consistency_loss"] > 0 for h in history)
    assert torch.load(run_dir / "state" / "stage2.pt", weights_only=True)["step"] == 12
    StarPipeline.from_pretrained(run_dir)


def test_init_from_reports_unmatched_keys(trained: Path, recipe_env: dict[str, str], tmp_path: Path) -> None:
    out = _train(
        tmp_path / "init",
        recipe_env,
        "--init-from",
        str(trained),
        "generator.depth=3",
        "stage2.max_steps=2",
        "report=false",
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert "--init-from" in out.stdout and "generator: " in out.stdout and "missing" in out.stdout


def test_alignment_loss_pulls_each_clip_to_its_caption() -> None:
    from star_kit.recipes.two_stage import alignment_loss

    text = torch.randn(6, 5, generator=torch.Generator().manual_seed(0))
    assert alignment_loss(3 * text, text, "cosine", 0.07).item() == pytest.approx(0.0, abs=1e-6)
    assert alignment_loss(-text, text, "cosine", 0.07).item() == pytest.approx(2.0)
    assert alignment_loss(text, text, "contrastive", 0.07) < alignment_loss(text.roll(1, 0), text, "contrastive", 0.07)
    repeated = torch.cat([text[:3], text[:3]])  # the same three captions said by two voices
    swapped = repeated[[3, 4, 5, 0, 1, 2]]  # each clip matched with the other voice's copy of its caption
    assert alignment_loss(swapped, repeated, "contrastive", 0.07).item() == pytest.approx(
        alignment_loss(repeated, repeated, "contrastive", 0.07).item()
    )


def test_stage1_alignment_to_caption_embeddings(recipe_env: dict[str, str], tmp_path: Path) -> None:
    from safetensors import safe_open

    off = _train(tmp_path / "no-text", recipe_env, "stage1.align_weight=0.5", "report=false")
    assert off.returncode == 1 and "stage1.align_weight > 0 needs stage1.text_encoder" in off.stderr
    run_dir = tmp_path / "align"
    args = ("stage1.align_weight=0.5", "stage1.text_encoder=cascade", "stage2.max_steps=2", "report=false")
    out = _train(run_dir, recipe_env, *args)
    assert out.returncode == 0, out.stderr[-3000:]
    history = json.loads((run_dir / "stage1" / "metrics.json").read_text())["history"]
    assert all(0.0 < h["align_loss"] < 2.0 for h in history)
    assert history[-1]["align_loss"] < history[0]["align_loss"]
    with safe_open(str(run_dir / "stage1" / "best.safetensors"), framework="pt") as f:
        assert f.get_slice("align.weight").get_shape() == [384, 32]  # bridge out_dim 32 -> MiniLM's 384
    components = {c["path"]: c["name"] for c in json.loads((run_dir / "components.json").read_text())}
    assert components["stage1.text_encoder"] == "cascade"


def test_rendering_samples_mid_training_leaves_the_models_in_train_mode(tmp_path: Path) -> None:
    """Stage 2 renders samples between steps; training must go on with condition dropout (train mode) after it."""
    from star_kit.pipeline import build_models
    from star_kit.recipes import two_stage

    cfg = OmegaConf.merge(
        OmegaConf.structured(two_stage.Config),
        {
            "encoder": {
                "_component_": "whisper",
                "pretrained": None,
                "config": {"d_model": 32, "encoder_layers": 1, "encoder_attention_heads": 2},
            },
            "bridge": {"_component_": "mlp", "out_dim": 16, "hidden_dim": 32, "num_tokens": 2},
            "generator": {"_component_": "flow_matching", "width": 32, "depth": 1, "heads": 2},
            "vocoder": {"_component_": "griffinlim", "n_iter": 2},
            "sampling": {"steps": 2, "seconds": 0.5, "num_report_samples": 1},
        },
    )
    models = build_models(cfg)
    split = Split(["a"], [torch.randn(20, models.encoder.dim)], np.zeros((1, 2)), models.encoder.frame_rate)
    models.bridge.train()
    models.generator.train()
    rows = two_stage.render_samples(tmp_path / "samples", cfg, models, split, 1)
    assert [r["id"] for r in rows] == ["a"] and (tmp_path / "samples" / "a.wav").exists()
    assert models.bridge.training and models.generator.training and models.generator.null.training


def _tiny_config() -> DictConfig:
    from star_kit.recipes import two_stage

    base = load_config(CONFIG, lambda name: get_registry().find_config(name)[1])
    return OmegaConf.merge(OmegaConf.structured(two_stage.Config), base)


def test_cached_condition_tokens_give_the_same_loss_as_the_frozen_bridge() -> None:
    """Stage 2 with a wholly frozen bridge reads its tokens from a cache; the loss must be the bridge's own."""
    from star_kit.pipeline import build_models
    from star_kit.recipes import two_stage

    cfg = OmegaConf.merge(_tiny_config(), {"bridge": {"dropout": 0.5}, "generator": {"pca_components": 0}})
    models = build_models(cfg)
    rng = torch.Generator().manual_seed(0)
    frames = [torch.randn(n, models.encoder.dim, generator=rng) for n in (7, 12, 9)]
    latents = [torch.randn(10, models.vocoder.latent_dim, generator=rng) for _ in frames]
    split = Split(["a", "b", "c"], frames, np.zeros((3, 2)), models.encoder.frame_rate, latents)
    two_stage.set_bridge_trainable(models.bridge, "none")
    model = two_stage.Stage2Model(models.bridge, models.generator, models.encoder.frame_rate).train()
    cached = condition_tokens(models.bridge, split, torch.device("cpu"), batch_size=2)
    assert model.bridge.training  # computing the cache leaves the modes as they were
    idx = torch.tensor([2, 0])
    tokens = pad_frames([cached[i] for i in idx.tolist()], 0.0)
    lat = latents_batch(split, idx, torch.device("cpu"))
    torch.manual_seed(1)
    from_cache = model(tokens.values, tokens.mask, lat.values, lat.mask, True)
    model.bridge.eval()  # the cache holds eval-mode tokens (no dropout): the same as the frozen bridge in eval mode
    inputs = frames_batch(split, idx, torch.device("cpu"))
    torch.manual_seed(1)
    from_bridge = model(inputs.values, inputs.mask, lat.values, lat.mask)
    assert from_cache.item() == pytest.approx(from_bridge.item(), rel=1e-5)
    model.bridge.train()  # with dropout the tokens differ, so the test can tell the two paths apart
    torch.manual_seed(1)
    assert model(inputs.values, inputs.mask, lat.values, lat.mask).item() != pytest.approx(from_cache.item(), rel=1e-5)


def test_train_splits_are_joined_and_a_missing_one_is_named(tiny_corpus: Path, recipe_env: dict[str, str]) -> None:
    from star_kit.pipeline import build_models

    cfg = _tiny_config()
    cfg.data.root, cfg.data.cache_dir = str(tiny_corpus), recipe_env["STARKIT_CACHE"]
    cfg.data.train_splits = ["train", "train-noisy"]
    models = build_models(cfg)
    manifest, splits = prepare_splits(cfg, models, torch.device("cpu"))
    expected = [i.id for i in manifest if i.split == "train"] + [i.id for i in manifest if i.split == "train-noisy"]
    train = splits["train"]
    assert train.ids == expected and len(train.frames) == len(train.latents or []) == len(train.targets) == 2 * 52
    assert "train-noisy" not in splits and {"val", "test", "test-noisy"} <= set(splits)
    assert stage2_split(splits) is train
    # stage2.extra_splits: stage 1 keeps data.train_splits, stage 2 trains on both
    cfg.data.train_splits, cfg.stage2.extra_splits = ["train"], ["train-noisy"]
    _, splits = prepare_splits(cfg, models, torch.device("cpu"))
    assert splits["train"].ids == expected[:52] and stage2_split(splits).ids == expected
    cfg.data.train_splits, cfg.stage2.extra_splits = ["train", "train-loud"], []
    with pytest.raises(StarKitError, match="needs a 'train-loud' split"):
        prepare_splits(cfg, models, torch.device("cpu"))


def test_consistency_split_pairs_each_training_item_with_its_noisy_copy(
    tiny_corpus: Path, recipe_env: dict[str, str]
) -> None:
    from star_kit.pipeline import build_models

    cfg = _tiny_config()
    cfg.data.root, cfg.data.cache_dir = str(tiny_corpus), recipe_env["STARKIT_CACHE"]
    cfg.stage1.consistency_split = "train-noisy"
    models = build_models(cfg)
    manifest, splits = prepare_splits(cfg, models, torch.device("cpu"))
    audio = {i.id: i.audio for i in manifest}
    train, noisy = splits["train"], splits["stage1-noisy"]
    assert "train-noisy" not in splits and len(noisy.ids) == len(train.ids) == 52
    assert [audio[i] for i in noisy.ids] == [audio[i] for i in train.ids]
    assert all(i.startswith("train-noisy-") for i in noisy.ids) and (noisy.targets == train.targets).all()
    assert all(n.shape == c.shape and not torch.equal(n, c) for n, c in zip(noisy.frames, train.frames, strict=True))
    fewer = Split(noisy.ids[1:], noisy.frames[1:], noisy.targets[1:], noisy.frame_rate)
    with pytest.raises(StarKitError, match=f"has no copy of 1 training items \\(e.g. '{train.ids[0]}'\\)"):
        paired_split(manifest, train, fewer, "train-noisy")
    cfg.stage1.consistency_split = "train-loud"
    with pytest.raises(StarKitError, match="stage1.consistency_split 'train-loud' is not a split of it"):
        prepare_splits(cfg, models, torch.device("cpu"))


def test_consistency_loss_pulls_only_the_noisy_tokens_towards_the_clean_ones() -> None:
    from star_kit.recipes.two_stage import Stage1Output, consistency_loss

    rng = torch.Generator().manual_seed(0)
    clean_tokens = (3 * torch.randn(4, 5, 8, generator=rng)).requires_grad_()
    mask = torch.ones(4, 5, dtype=torch.bool)
    mask[0, 3:] = False  # padded tokens do not count

    def out(tokens: torch.Tensor) -> Stage1Output:
        return Stage1Output(torch.zeros(4, 2), None, tokens, mask)

    assert consistency_loss(out(clean_tokens.detach()), out(clean_tokens)).item() == pytest.approx(0.0)
    noisy_tokens = clean_tokens.detach().clone()
    noisy_tokens[0, 3:] += 100.0  # only padding differs
    assert consistency_loss(out(noisy_tokens), out(clean_tokens)).item() == pytest.approx(0.0)
    noisy_tokens = (clean_tokens.detach() + torch.randn(4, 5, 8, generator=rng)).requires_grad_()
    loss = consistency_loss(out(noisy_tokens), out(clean_tokens))
    assert loss.item() == pytest.approx(1 / 9, rel=0.3)  # unit-variance noise in units of the clean variance (9)
    loss.backward()
    assert clean_tokens.grad is None and noisy_tokens.grad is not None and noisy_tokens.grad[0, 3:].abs().sum() == 0


def test_test_languages_are_heard_only_in_the_test_splits(tiny_corpus: Path, recipe_env: dict[str, str]) -> None:
    from star_kit.data.manifest import read_manifest, write_manifest
    from star_kit.pipeline import build_models

    manifest = read_manifest(tiny_corpus)
    for k, item in enumerate(manifest.items):
        item.language = ("en", "es")[k % 2]
    path = write_manifest(tiny_corpus / "manifest-languages.jsonl", manifest.items, manifest.labels)
    cfg = _tiny_config()
    cfg.data.manifest, cfg.data.cache_dir = str(path), recipe_env["STARKIT_CACHE"]
    cfg.data.test_languages = ["es"]
    models = build_models(cfg)
    _, splits = prepare_splits(cfg, models, torch.device("cpu"))
    spoken = {i.id: i.language for i in manifest.items}
    assert {spoken[i] for i in splits["train"].ids} == {spoken[i] for i in splits["val"].ids} == {"en"}
    assert {spoken[i] for i in splits["test"].ids} == {e["language"] for e in splits["test"].extra} == {"en", "es"}
    assert set(splits["test"].groups("language")) == {"en", "es"}
    for held_out, message in (
        (["ro"], r"data.test_languages: .* has no items in ro; its languages: en, es"),
        (["es", "en"], r"data.test_languages holds every language of .*; leave one to train on"),
    ):
        cfg.data.test_languages = held_out
        with pytest.raises(StarKitError, match=message):
            prepare_splits(cfg, models, torch.device("cpu"))
    cfg.data.manifest, cfg.data.test_languages = None, ["es"]
    cfg.data.root = str(tiny_corpus)
    with pytest.raises(StarKitError, match=r"its languages: none \(its rows have no language key\)"):
        prepare_splits(cfg, models, torch.device("cpu"))
