"""The ``diffusion`` generator: schedules, DDIM steps, masked loss, condition dropout, seeded DDPM sampling (the
contract runs in test_generators_contract.py)."""

import pytest
import torch

from star_kit.errors import StarKitError
from star_kit.interfaces import Frames
from star_kit_generators.diffusion import Diffusion, alphas_cumprod
from star_kit_generators.flow_matching import FlowMatching

# zero_init=False: an untrained DiT with zero init predicts exactly 0, so seeds and guidance could not matter.
TINY = {"latent_dim": 4, "cond_dim": 8, "width": 32, "depth": 2, "heads": 4, "zero_init": False}


def _cond() -> Frames:
    return Frames.from_lengths(
        torch.randn(2, 5, 8, generator=torch.Generator().manual_seed(1)), torch.tensor([5, 3]), 0
    )


@pytest.mark.parametrize("schedule", ["cosine", "linear"])
def test_schedules_decay_from_signal_to_noise(schedule: str) -> None:
    abar = alphas_cumprod(schedule, 1000)
    assert abar.shape == (1000,) and (abar.diff() < 0).all()
    assert abar[0] > 0.999 and 0 < abar[-1] < 1e-4


def test_ddim_steps_are_trailing_and_start_at_pure_noise() -> None:
    gen = Diffusion(**TINY)
    assert gen.timesteps(4).tolist() == [999, 749, 499, 249]
    steps = gen.timesteps(20)
    assert steps.shape == (20,) and steps[0] == 999 and (steps.diff() < 0).all()
    assert gen.timesteps(1000).tolist() == list(range(999, -1, -1))
    with pytest.raises(StarKitError, match="steps"):
        gen.timesteps(1001)


def test_loss_has_no_gradient_on_padded_frames() -> None:
    torch.manual_seed(0)
    gen = Diffusion(**TINY).train()
    values = torch.randn(2, 12, 4, requires_grad=True)
    gen.loss(Frames.from_lengths(values, torch.tensor([12, 5]), 50.0), _cond()).backward()
    assert values.grad[1, 5:].abs().max() == 0 and (values.grad[1, :5].abs().sum(-1) > 0).all()


def test_condition_dropout_rate_in_train_mode_only() -> None:
    torch.manual_seed(0)
    gen = Diffusion(**TINY, cond_dropout=0.2)
    seen: list[torch.Tensor] = []
    gen.model.register_forward_pre_hook(lambda _, args, kwargs: seen.append(kwargs["cond"]), with_kwargs=True)
    cond = Frames.from_lengths(torch.randn(2000, 2, 8) + 3.0, torch.full((2000,), 2), 0.0)
    target = Frames.from_lengths(torch.randn(2000, 3, 4), torch.full((2000,), 3), 50.0)
    gen.train()
    gen.loss(target, cond)
    assert abs((seen[-1] == 0).all(dim=(1, 2)).float().mean() - 0.2) < 0.04
    gen.eval()
    gen.loss(target, cond)
    assert torch.equal(seen[-1], cond.values)


def test_same_backbone_as_flow_matching() -> None:
    sizes = {"latent_dim": 8, "cond_dim": 16, "width": 32, "depth": 3, "heads": 4}
    assert Diffusion(**sizes).num_parameters() == FlowMatching(**sizes).num_parameters()


def test_ddpm_sampling_is_stochastic_but_seeded() -> None:
    gen = Diffusion(**TINY).eval()
    ddim = gen.sample(_cond(), 6, steps=5, seed=1).values
    ddpm = gen.sample(_cond(), 6, steps=5, solver="ddpm", seed=1).values
    assert not torch.allclose(ddim, ddpm)
    torch.testing.assert_close(ddpm, gen.sample(_cond(), 6, steps=5, solver="ddpm", seed=1).values)
    with pytest.raises(StarKitError, match="solver 'euler'"):
        gen.sample(_cond(), 6, solver="euler")
    with pytest.raises(StarKitError, match="prediction"):
        Diffusion(**TINY, prediction="x0")
