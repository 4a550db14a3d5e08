"""The contract mixins. Shapes: b batch, n samples, t frames, d width."""

from __future__ import annotations

import inspect
import json
from typing import Any, ClassVar

import numpy as np
import pytest
import torch
from torch import Tensor

from star_kit.errors import StarKitError
from star_kit.interfaces import Bridge, Component, Encoder, Frames, Generator, Judge, Vocoder
from star_kit.registry import constructor_parameters, get_registry


def _assert_frames(out: Frames, batch: int, dim: int) -> None:
    assert isinstance(out, Frames), f"expected Frames, got {type(out).__name__}"
    assert out.values.shape[0] == batch and out.values.shape[2] == dim, tuple(out.values.shape)
    assert torch.isfinite(out.values[out.mask]).all(), "non-finite values on valid frames"


class _Contract:
    """Shared machinery: build the component by its registered name with ``kwargs``."""

    kind: ClassVar[str]
    base: ClassVar[type]
    name: ClassVar[str]
    kwargs: ClassVar[dict[str, Any]] = {}
    #: arguments a recipe wires at build time (``in_dim`` etc.), used when binding the registered defaults
    wired: ClassVar[dict[str, Any]] = {}
    #: whether the registered defaults can be built here (False when they name weights that are not available)
    build_defaults: ClassVar[bool] = True
    atol: ClassVar[float] = 1e-4

    def make(self, seed: int = 0, **overrides: Any) -> Component:
        torch.manual_seed(seed)
        cls = get_registry().load(self.kind, self.name)
        module = cls(**{**self.kwargs, **overrides})
        assert isinstance(module, self.base), f"{cls.__name__} is not a {self.base.__name__}"
        return module.eval()

    def test_state_dict_round_trip(self) -> None:
        a, b = self.make(seed=0), self.make(seed=1)
        b.load_state_dict(a.state_dict())
        for (ka, va), (kb, vb) in zip(a.state_dict().items(), b.state_dict().items(), strict=True):
            assert ka == kb and torch.equal(va, vb), ka
        torch.testing.assert_close(self.run(b), self.run(a))

    def test_freeze_freezes(self) -> None:
        module = self.make()
        module.train()
        module.freeze()
        assert not module.training
        assert all(not p.requires_grad for p in module.parameters())
        before = {k: v.clone() for k, v in module.state_dict().items()}
        with torch.no_grad():
            self.run(module)
        for k, v in module.state_dict().items():
            assert torch.equal(before[k], v), f"{k} changed in a frozen forward pass"

    def test_binds_registered_defaults(self) -> None:
        entry = get_registry().get(self.kind, self.name)
        cls = entry.load()
        kwargs = {k: v for k, v in entry.defaults().items() if v != "???"}
        kwargs.update(self.wired)
        missing = [k for k, v in entry.defaults().items() if v == "???" and k not in kwargs]
        assert not missing, f"required arguments without a registered default: {missing}"
        inspect.signature(cls).bind(**kwargs)
        assert set(constructor_parameters(cls)) >= set(self.kwargs), "kwargs name unknown constructor arguments"
        if self.build_defaults:
            assert isinstance(cls(**kwargs), self.base)

    def run(self, module: Component) -> Tensor:
        """One deterministic forward pass whose output the round-trip test compares."""
        raise NotImplementedError


def _waves(sample_rate: int, seconds: float, batch_lengths: tuple[float, ...]) -> tuple[Tensor, Tensor]:
    """A padded batch of deterministic noisy tones: ``(wav (b, n), lengths (b,))``."""
    gen = torch.Generator().manual_seed(0)
    n = int(sample_rate * seconds)
    t = torch.arange(n) / sample_rate
    wav = 0.3 * torch.sin(2 * torch.pi * 440 * t)[None].repeat(len(batch_lengths), 1)
    wav = wav + 0.05 * torch.randn(wav.shape, generator=gen)
    lengths = torch.tensor([int(n * f) for f in batch_lengths])
    wav = wav * (torch.arange(n)[None] < lengths[:, None])
    return wav, lengths


class EncoderContract(_Contract):
    kind = "encoder"
    base = Encoder
    seconds: ClassVar[float] = 1.0

    def batch(self, module: Encoder) -> tuple[Tensor, Tensor]:
        return _waves(module.sample_rate, self.seconds, (1.0, 0.55))

    def run(self, module: Component) -> Tensor:
        with torch.no_grad():
            out = module(*self.batch(module))
        return out.values * out.mask[..., None]

    def test_output_shapes(self) -> None:
        enc = self.make()
        wav, lengths = self.batch(enc)
        with torch.no_grad():
            out = enc(wav, lengths)
        _assert_frames(out, 2, enc.dim)
        if enc.frame_rate:  # frame_rate 0: token sequences (e.g. ASR + text), no length proportional to time
            expected = self.seconds * enc.frame_rate
            assert abs(out.values.shape[1] - expected) <= 2, (out.values.shape, expected)

    def test_mask_follows_lengths(self) -> None:
        enc = self.make()
        wav, lengths = self.batch(enc)
        with torch.no_grad():
            out = enc(wav, lengths)
        valid_prefix = out.mask.long().cumsum(1) == torch.arange(1, out.mask.shape[1] + 1)
        assert (valid_prefix == out.mask).all(), "valid frames must be a prefix of each row"
        assert (out.lengths >= 1).all(), "every clip needs at least one valid frame"
        if not enc.frame_rate:
            return
        assert out.mask[0].all(), "the longest clip must have every frame valid"
        expected = lengths.float() / enc.sample_rate * enc.frame_rate
        assert (out.lengths.float() - expected).abs().max() <= 2, (out.lengths, expected)

    def test_padding_does_not_change_valid_frames(self) -> None:
        enc = self.make()
        wav, lengths = self.batch(enc)
        with torch.no_grad():
            batched = enc(wav, lengths)
            alone = enc(wav[1:2, : lengths[1]], lengths[1:2])
        n = int(alone.lengths[0])
        assert int(batched.lengths[1]) == n
        torch.testing.assert_close(batched.values[1, :n], alone.values[0, :n], atol=self.atol, rtol=1e-3)


class BridgeContract(_Contract):
    kind = "bridge"
    base = Bridge

    def batch(self, module: Bridge) -> Frames:
        values = torch.randn(2, 12, module.in_dim, generator=torch.Generator().manual_seed(0))
        return Frames.from_lengths(values, torch.tensor([12, 7]), frame_rate=50.0)

    def run(self, module: Component) -> Tensor:
        with torch.no_grad():
            out = module(self.batch(module))
        return out.values * out.mask[..., None]

    def test_output_shapes(self) -> None:
        bridge = self.make()
        with torch.no_grad():
            out = bridge(self.batch(bridge))
        _assert_frames(out, 2, bridge.out_dim)
        assert out.mask.any(dim=1).all(), "every row needs at least one valid condition token"

    def test_mask_follows_lengths(self) -> None:
        bridge = self.make()
        frames = self.batch(bridge)
        with torch.no_grad():
            short = bridge(Frames.from_lengths(frames.values[:, :3], torch.tensor([3, 3]), 50.0))
            long = bridge(frames)
        # Token counts may depend on length (a frame-rate bridge) or not (queries); never beyond the input's.
        assert short.values.shape[1] <= long.values.shape[1]
        assert (long.lengths >= 1).all() and (short.lengths >= 1).all()

    def test_padding_does_not_change_valid_frames(self) -> None:
        bridge = self.make()
        frames = self.batch(bridge)
        garbage = frames.values.clone()
        garbage[~frames.mask] = 1e3
        with torch.no_grad():
            a = bridge(frames)
            b = bridge(Frames(garbage, frames.mask, frames.frame_rate))
            alone = bridge(Frames.from_lengths(frames.values[1:2, :7], torch.tensor([7]), 50.0))
        torch.testing.assert_close(a.values[a.mask], b.values[b.mask], atol=self.atol, rtol=1e-3)
        n = int(alone.lengths[0])
        torch.testing.assert_close(a.values[1, :n], alone.values[0, :n], atol=self.atol, rtol=1e-3)

    def test_output_projection_is_a_part_that_shapes_the_tokens(self) -> None:
        bridge = self.make()
        proj = bridge.output_projection()
        if proj is None:  # stage2.train_bridge=proj is refused for this bridge at validation
            return
        assert any(proj is m for m in bridge.modules()), "output_projection() must return a submodule of the bridge"
        params = list(proj.parameters())
        assert params, "output_projection() has no parameters for stage 2 to train"
        frames = self.batch(bridge)
        with torch.no_grad():
            before = bridge(frames)
            for p in params:
                p.add_(1.0)
            after = bridge(frames)
        assert not torch.allclose(before.values[before.mask], after.values[after.mask]), (
            "changing output_projection()'s parameters left the condition tokens unchanged"
        )


class GeneratorContract(_Contract):
    kind = "generator"
    base = Generator
    num_frames: ClassVar[int] = 12
    steps: ClassVar[int] = 4

    def make(self, seed: int = 0, **overrides: Any) -> Component:
        """Builds the generator and runs its ``prepare`` on seeded latents (a fitted latent transform differs by
        seed, so the state-dict round trip covers it)."""
        module = super().make(seed, **overrides)
        assert isinstance(module, Generator)
        draw = torch.Generator().manual_seed(100 + seed)
        module.prepare([torch.randn(2 * self.num_frames, module.latent_dim, generator=draw) for _ in range(4)])
        return module

    def cond(self, module: Generator) -> Frames:
        values = torch.randn(2, 5, module.cond_dim, generator=torch.Generator().manual_seed(1))
        return Frames.from_lengths(values, torch.tensor([5, 3]), frame_rate=0.0)

    def target(self, module: Generator) -> Frames:
        values = torch.randn(2, self.num_frames, module.latent_dim, generator=torch.Generator().manual_seed(2))
        return Frames.from_lengths(values, torch.tensor([self.num_frames, self.num_frames - 4]), frame_rate=50.0)

    def run(self, module: Component) -> Tensor:
        with torch.no_grad():
            return module.sample(self.cond(module), self.num_frames, steps=self.steps, guidance=2.0, seed=0).values

    def test_loss_is_finite_and_trains(self) -> None:
        gen = self.make()
        gen.train()
        loss = gen.loss(self.target(gen), self.cond(gen))
        assert loss.dim() == 0 and torch.isfinite(loss)
        loss.backward()
        grads = [p.grad for p in gen.parameters() if p.requires_grad]
        assert grads and any(g is not None and g.abs().sum() > 0 for g in grads)

    def test_padding_does_not_change_valid_frames(self) -> None:
        gen = self.make()
        target, cond = self.target(gen), self.cond(gen)
        noisy_target, noisy_cond = target.values.clone(), cond.values.clone()
        noisy_target[~target.mask] = 1e3
        noisy_cond[~cond.mask] = 1e3
        torch.manual_seed(3)
        a = gen.loss(target, cond)
        torch.manual_seed(3)
        b = gen.loss(Frames(noisy_target, target.mask, 50.0), Frames(noisy_cond, cond.mask, 0.0))
        torch.testing.assert_close(a, b, atol=self.atol, rtol=1e-4)

    def test_output_shapes(self) -> None:
        gen = self.make()
        out = gen.sample(self.cond(gen), self.num_frames, steps=self.steps, guidance=1.0, seed=0)
        _assert_frames(out, 2, gen.latent_dim)
        assert out.values.shape[1] == self.num_frames and out.mask.all()

    def test_mask_follows_lengths(self) -> None:
        gen = self.make()
        out = gen.sample(self.cond(gen), 7, steps=self.steps, seed=0)
        assert out.values.shape[1] == 7 and out.lengths.tolist() == [7, 7]

    def test_seed_reproducible_and_guidance_matters(self) -> None:
        gen = self.make()
        cond = self.cond(gen)
        a = gen.sample(cond, self.num_frames, steps=self.steps, guidance=3.0, seed=7).values
        b = gen.sample(cond, self.num_frames, steps=self.steps, guidance=3.0, seed=7).values
        c = gen.sample(cond, self.num_frames, steps=self.steps, guidance=3.0, seed=8).values
        d = gen.sample(cond, self.num_frames, steps=self.steps, guidance=1.0, seed=7).values
        torch.testing.assert_close(a, b)
        assert not torch.allclose(a, c), "a different seed gave the same sample"
        assert not torch.allclose(a, d), "guidance had no effect"

    def test_progress_reports_every_step_and_changes_nothing(self) -> None:
        gen = self.make()
        cond = self.cond(gen)
        calls: list[tuple[int, int]] = []
        a = gen.sample(cond, self.num_frames, steps=self.steps, seed=5, progress=lambda *p: calls.append(p)).values
        b = gen.sample(cond, self.num_frames, steps=self.steps, seed=5).values
        torch.testing.assert_close(a, b)
        total = calls[-1][1] if calls else 0
        assert calls == [(i, total) for i in range(1, total + 1)] and total in (1, self.steps), calls

    @pytest.mark.slow
    def test_overfits_one_target_and_samples_toward_it(self) -> None:
        """300 steps on one (target, condition) pair: the samples land near the target, which fails if the sampler
        runs the wrong way or does not follow what the loss trained."""
        gen = self.make()
        target = torch.randn(1, 8, gen.latent_dim, generator=torch.Generator().manual_seed(5))  # (1, t, d)
        cond = torch.randn(1, 3, gen.cond_dim, generator=torch.Generator().manual_seed(6))  # (1, k, c)
        gen.prepare([target[0]])  # the training latents are this one target
        batch = 16
        targets = Frames.from_lengths(target.expand(batch, -1, -1), torch.full((batch,), 8), 50.0)
        conds = Frames.from_lengths(cond.expand(batch, -1, -1), torch.full((batch,), 3), 0.0)
        opt = torch.optim.Adam(gen.parameters(), lr=3e-3)
        gen.train()
        for _ in range(300):
            loss = gen.loss(targets, conds)
            opt.zero_grad()
            loss.backward()
            opt.step()
        gen.eval()
        sample = gen.sample(Frames.from_lengths(cond, torch.tensor([3]), 0.0), 8, steps=20, seed=0).values
        noise = torch.randn(1, 8, gen.latent_dim, generator=torch.Generator().manual_seed(0))  # an untrained start
        error, start = (sample - target).square().mean(), (noise - target).square().mean()
        assert error < 0.3 * start, (float(error), float(start))


class VocoderContract(_Contract):
    kind = "vocoder"
    base = Vocoder
    seconds: ClassVar[float] = 0.5

    def batch(self, module: Vocoder) -> tuple[Tensor, Tensor]:
        return _waves(module.sample_rate, self.seconds, (1.0, 0.6))

    def run(self, module: Component) -> Tensor:
        with torch.no_grad():
            out = module.encode(*self.batch(module))
        return out.values * out.mask[..., None]

    def test_output_shapes(self) -> None:
        voc = self.make()
        with torch.no_grad():
            latents = voc.encode(*self.batch(voc))
            wav, lengths = voc.decode(latents)
        _assert_frames(latents, 2, voc.latent_dim)
        assert abs(latents.values.shape[1] - voc.num_frames(self.seconds)) <= 2
        assert wav.dim() == 2 and wav.shape[0] == 2 and torch.isfinite(wav).all()
        assert lengths.shape == (2,) and int(lengths.max()) <= wav.shape[1]

    def test_mask_follows_lengths(self) -> None:
        voc = self.make()
        wav, lengths = self.batch(voc)
        with torch.no_grad():
            latents = voc.encode(wav, lengths)
            _, out_lengths = voc.decode(latents)
        expected = lengths.float() / voc.sample_rate * voc.frame_rate
        assert (latents.lengths.float() - expected).abs().max() <= 2, (latents.lengths, expected)
        ratio = out_lengths.float() / lengths.float()
        assert ((ratio - 1).abs() < 0.1).all(), f"decoded lengths {out_lengths} vs input {lengths}"

    def test_padding_does_not_change_valid_frames(self) -> None:
        voc = self.make()
        wav, lengths = self.batch(voc)
        with torch.no_grad():
            batched = voc.encode(wav, lengths)
            alone = voc.encode(wav[1:2, : lengths[1]], lengths[1:2])
        n = int(alone.lengths[0])
        assert int(batched.lengths[1]) == n
        torch.testing.assert_close(batched.values[1, :n], alone.values[0, :n], atol=self.atol, rtol=1e-3)


def _clip(sample_rate: int, kind: str, seconds: float = 1.5) -> np.ndarray:
    """A deterministic mono clip ``(n,)``: an amplitude-modulated tone or white noise."""
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    if kind == "tone":
        return (0.5 * np.sin(2 * np.pi * 660 * t) * (1 + np.sin(2 * np.pi * 3 * t)) / 2).astype(np.float32)
    return (0.3 * np.random.default_rng(0).standard_normal(t.size)).astype(np.float32)


class JudgeContract:
    """The contract of a judge (:class:`~star_kit.interfaces.Judge`, registered as a ``metric``).

    Subclass with ``name`` (the registered name) and ``kwargs`` (a cheap configuration); the judge is built once per
    test class. Checks: it is a ``Judge`` named as registered, embeddings are ``(dim,)``, finite, deterministic and
    independent of what else was judged, any input rate is accepted, different sounds get different embeddings,
    ``describe()`` is stable JSON with the name, sample rate and checkpoint hash, and bad waveforms are refused.
    """

    kind: ClassVar[str] = "metric"
    name: ClassVar[str]
    kwargs: ClassVar[dict[str, Any]] = {}
    sample_rate: ClassVar[int] = 22050  # the rate of the test clips (the judge resamples them)

    @pytest.fixture(scope="class")
    def judge(self) -> Judge:
        cls = get_registry().load(self.kind, self.name)
        judge = cls(**{"device": "cpu", **self.kwargs})
        assert isinstance(judge, Judge), f"{cls.__name__} is not a Judge"
        return judge

    def test_is_named_as_registered(self, judge: Judge) -> None:
        assert judge.name == self.name, "a judge's name prefixes its metric keys and must be its registered name"
        assert judge.dim > 0 and judge.sample_rate > 0

    def test_embedding_is_deterministic_and_alone(self, judge: Judge) -> None:
        tone = _clip(self.sample_rate, "tone")
        first = judge.embed(tone, self.sample_rate)
        assert first.shape == (judge.dim,) and np.isfinite(first).all()
        judge.embed(_clip(self.sample_rate, "noise"), self.sample_rate)
        np.testing.assert_array_equal(judge.embed(tone, self.sample_rate), first)

    def test_any_input_rate(self, judge: Judge) -> None:
        for rate in (16000, judge.sample_rate):
            out = judge.embed(_clip(rate, "tone"), rate)
            assert out.shape == (judge.dim,) and np.isfinite(out).all(), rate

    def test_different_sounds_differ(self, judge: Judge) -> None:
        tone, noise = (judge.embed(_clip(self.sample_rate, k), self.sample_rate) for k in ("tone", "noise"))
        assert not np.allclose(tone, noise), "a tone and white noise got the same embedding"

    def test_describe_is_stable_json(self, judge: Judge) -> None:
        info = judge.describe()
        assert json.loads(json.dumps(info)) == info == judge.describe()
        assert info["name"] == judge.name and info["sample_rate"] == judge.sample_rate
        sha = info["checkpoint_sha256"]
        assert isinstance(sha, str) and len(sha) == 64 and int(sha, 16) >= 0

    def test_bad_waveforms_are_refused(self, judge: Judge) -> None:
        for bad in (np.zeros((2, 100), np.float32), np.zeros(0, np.float32), np.full(100, np.nan, np.float32)):
            with pytest.raises(StarKitError):
                judge.embed(bad, self.sample_rate)

    def test_binds_registered_defaults(self) -> None:
        entry = get_registry().get(self.kind, self.name)
        params = constructor_parameters(entry.load())
        assert "device" in params, "judges are built as cls(device=...)"
        missing = [k for k, v in entry.defaults().items() if v == "???"]
        assert not missing, f"required arguments without a registered default: {missing}"
        assert set(params) >= set(self.kwargs), "kwargs name unknown constructor arguments"
