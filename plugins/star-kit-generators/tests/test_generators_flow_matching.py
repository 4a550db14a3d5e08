"""The ``flow_matching`` generator: masked loss, condition dropout, solvers, grids, time shift, x0 prediction, latent
PCA, sampling from a reference (the contract runs in test_generators_contract.py)."""

import pytest
import torch

from star_kit.errors import StarKitError
from star_kit.interfaces import Frames
from star_kit_generators.conditioning import NullCondition
from star_kit_generators.flow_matching import SOLVERS, FlowMatching

# zero_init=False: an untrained DiT with zero init predicts exactly 0, so seeds and guidance could not matter.
TINY = {"latent_dim": 4, "cond_dim": 8, "width": 32, "depth": 2, "heads": 4, "zero_init": False}


def _cond(b: int = 2, k: int = 5, lengths: tuple[int, ...] = (5, 3)) -> Frames:
    return Frames.from_lengths(
        torch.randn(b, k, 8, generator=torch.Generator().manual_seed(1)), torch.tensor(lengths), 0
    )


def test_loss_has_no_gradient_on_padded_frames() -> None:
    torch.manual_seed(0)
    gen = FlowMatching(**TINY).train()
    values = torch.randn(2, 12, 4, requires_grad=True)
    gen.loss(Frames.from_lengths(values, torch.tensor([12, 5]), 50.0), _cond()).backward()
    assert values.grad[1, 5:].abs().max() == 0
    assert (values.grad[0].abs().sum(-1) > 0).all() and (values.grad[1, :5].abs().sum(-1) > 0).all()


@pytest.mark.parametrize("null_cond", ["zeros", "learned"])
def test_condition_dropout_rate_in_train_mode_only(null_cond: str) -> None:
    torch.manual_seed(0)
    gen = FlowMatching(**TINY, cond_dropout=0.3, null_cond=null_cond)
    seen: list[torch.Tensor] = []
    gen.model.register_forward_pre_hook(lambda _, args, kwargs: seen.append(kwargs["cond"]), with_kwargs=True)
    cond = Frames.from_lengths(torch.randn(2000, 2, 8) + 3.0, torch.full((2000,), 2), 0.0)
    target = Frames.from_lengths(torch.randn(2000, 3, 4), torch.full((2000,), 3), 50.0)
    null = gen.null.null_like(cond.values)  # (b, k, d)
    gen.train()
    gen.loss(target, cond)
    dropped = (seen[-1] == null).all(dim=(1, 2))  # (b,)
    kept = (seen[-1] == cond.values).all(dim=(1, 2))
    assert (dropped | kept).all()
    assert abs(dropped.float().mean() - 0.3) < 0.04
    gen.eval()
    gen.loss(target, cond)
    assert torch.equal(seen[-1], cond.values)


def test_null_condition_rejects_bad_settings() -> None:
    with pytest.raises(StarKitError, match="null_cond"):
        NullCondition("flow_matching", 8, 0.2, "random")
    with pytest.raises(StarKitError, match="cond_dropout"):
        FlowMatching(**TINY, cond_dropout=1.0)


def test_grids_run_from_noise_to_data_and_cosine_is_denser_near_noise() -> None:
    gen = FlowMatching(**TINY)
    uniform, cosine = gen.time_grid(10, "uniform"), gen.time_grid(10, "cosine")
    for grid in (uniform, cosine):
        assert grid[0] == 1 and grid[-1] == 0 and (grid.diff() < 0).all() and grid.shape == (11,)
    assert not torch.allclose(uniform, cosine)
    steps = -cosine.diff()
    assert steps[0] < steps[-1] and (steps.diff() > 0).all()
    torch.testing.assert_close(uniform, torch.linspace(1, 0, 11))


def test_fixed_grid_solvers_evaluate_on_the_grid_with_one_batched_guided_call() -> None:
    torch.manual_seed(0)
    gen = FlowMatching(**TINY, schedule="cosine").eval()
    calls: list[tuple[float, int]] = []
    hook = lambda _, args, kwargs: calls.append((float(kwargs["time"][0]), kwargs["x"].shape[0]))  # noqa: E731
    gen.model.register_forward_pre_hook(hook, with_kwargs=True)
    gen.sample(_cond(), 6, steps=4, guidance=3.0, solver="euler", seed=0)
    torch.testing.assert_close(torch.tensor([t for t, _ in calls]), gen.time_grid(4)[:-1])
    assert all(b == 4 for _, b in calls), "conditional and unconditional halves must share one forward"


@pytest.mark.parametrize("solver", SOLVERS)
def test_every_solver_runs_and_converges_to_the_adaptive_one(solver: str) -> None:
    torch.manual_seed(0)
    gen = FlowMatching(**TINY).eval()
    reference = gen.sample(_cond(), 6, steps=1, guidance=2.0, solver="dopri5", seed=3).values
    coarse, fine = (gen.sample(_cond(), 6, steps=n, guidance=2.0, solver=solver, seed=3).values for n in (8, 32))
    assert fine.shape == (2, 6, 4) and torch.isfinite(fine).all()
    err_coarse, err_fine = (reference - coarse).abs().max(), (reference - fine).abs().max()
    if solver == "dopri5":  # adaptive: steps are ignored
        assert err_coarse == err_fine == 0
    else:
        assert err_fine < {"euler": 0.15, "midpoint": 0.02, "rk4": 0.01}[solver], float(err_fine)
        assert err_fine < err_coarse


@pytest.mark.parametrize("solver", SOLVERS)
def test_progress_counts_grid_steps_and_the_adaptive_solver_reports_once(solver: str) -> None:
    gen = FlowMatching(**TINY).eval()
    calls: list[tuple[int, int]] = []
    gen.sample(_cond(), 6, steps=3, solver=solver, seed=3, progress=lambda *p: calls.append(p))
    assert calls == ([(1, 1)] if solver == "dopri5" else [(1, 3), (2, 3), (3, 3)])


def test_bad_requests_are_one_line_errors() -> None:
    gen = FlowMatching(**TINY).eval()
    with pytest.raises(StarKitError, match="solver 'heun'"):
        gen.sample(_cond(), 4, solver="heun")
    with pytest.raises(StarKitError, match="cond_dim=8"):
        gen.sample(Frames.from_lengths(torch.randn(1, 2, 7), torch.tensor([2]), 0.0), 4)
    with pytest.raises(StarKitError, match="schedule"):
        FlowMatching(**TINY, schedule="sway")


def test_time_shift_moves_training_times_and_the_grid_towards_noise() -> None:
    torch.manual_seed(0)
    plain, shifted = FlowMatching(**TINY), FlowMatching(**TINY, time_shift=3.0)
    assert shifted.sample_time(20000, torch.device("cpu")).mean() > plain.sample_time(20000, torch.device("cpu")).mean()
    grid = shifted.time_grid(10)
    assert grid[0] == 1 and grid[-1] == 0 and (grid.diff() < 0).all()
    torch.testing.assert_close(grid[1:-1], 3 * plain.time_grid(10)[1:-1] / (1 + 2 * plain.time_grid(10)[1:-1]))
    for gen in (plain, shifted):  # a later start keeps the grid's shape and starts exactly there
        assert gen.time_grid(10, start=0.4)[0] == pytest.approx(0.4) and gen.time_grid(10, start=0.4)[-1] == 0
    with pytest.raises(StarKitError, match="time_shift"):
        FlowMatching(**TINY, time_shift=0.0)
    with pytest.raises(StarKitError, match="start time"):
        plain.time_grid(10, start=1.5)


def test_x0_prediction_trains_through_the_velocity_it_implies() -> None:
    """The backbone's output o at (x_t, t) is read as x0, so the velocity is (x_t - o) / t."""
    torch.manual_seed(0)
    gen = FlowMatching(**TINY, prediction="x0")
    x, out, time = torch.randn(2, 3, 4), torch.randn(2, 3, 4), torch.tensor([0.5, 0.01])
    v = gen.velocity(out, x, time)
    torch.testing.assert_close(v[0], (x[0] - out[0]) / 0.5)
    torch.testing.assert_close(v[1], (x[1] - out[1]) / 0.05)  # t is floored so the field stays bounded


def test_latent_pca_is_exact_on_its_subspace_and_saved_with_the_weights() -> None:
    torch.manual_seed(0)
    basis = torch.randn(3, 8)  # the data lives in 3 directions of the 2-frame tokens (2 frames x 4 channels)
    latents = [(torch.randn(10, 3) @ basis).reshape(20, 4) + 0.5 for _ in range(30)]
    gen = FlowMatching(**TINY, pca_components=3, pca_patch=2)
    with pytest.raises(StarKitError, match="not fitted"):
        gen.loss(Frames.from_lengths(torch.stack(latents[:2]), torch.tensor([20, 20]), 50.0), _cond())
    gen.prepare(latents)
    pca = gen.space.pca
    assert pca is not None and float(pca.explained) == pytest.approx(1.0, abs=1e-5)
    x = torch.stack(latents[:2])
    z, mask = pca.encode(x, torch.ones(2, 20, dtype=torch.bool))
    assert z.shape == (2, 10, 3) and mask.all()
    assert z.reshape(-1, 3).std(0).sub(1).abs().max() < 0.3  # whitened: unit variance per component
    torch.testing.assert_close(pca.decode(z, 19), x[:, :19], atol=1e-4, rtol=1e-4)
    loaded = FlowMatching(**TINY, pca_components=3, pca_patch=2)
    loaded.load_state_dict(gen.state_dict())
    torch.testing.assert_close(loaded.space.pca.decode(z, 20), x, atol=1e-4, rtol=1e-4)


def test_sampling_from_a_noised_reference_keeps_it_at_small_start_times() -> None:
    torch.manual_seed(0)
    gen = FlowMatching(**TINY).eval()
    init = Frames.from_lengths(torch.randn(2, 6, 4), torch.tensor([6, 6]), 0.0)
    near = gen.sample(_cond(), 6, steps=4, seed=0, init=init, start=0.01).values
    far = gen.sample(_cond(), 6, steps=4, seed=0, init=init, start=1.0).values
    assert (near - init.values).abs().mean() < 0.1 * (far - init.values).abs().mean()
    with pytest.raises(StarKitError, match="init latents"):
        gen.sample(_cond(), 5, steps=4, init=init, start=0.5)
