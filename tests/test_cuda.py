"""The CUDA path: the same results as on the CPU, with and without CUDA graphs.

Every test here needs a CUDA device and is skipped without one.
"""

import numpy as np
import pytest
import torch

# the small training configuration of the CPU training tests (tests/ is on sys.path)
from test_training import _config

from skcoms import Box, ConservativeObjectiveRegressor, OfflineDesignOptimizer
from skcoms._defaults import default_model
from skcoms._torch.device import make_generator
from skcoms._torch.mlp import StackedMLP
from skcoms._torch.train import train_conservative
from skcoms.baselines import EnsembleObjectiveRegressor
from skcoms.datasets import make_ehrlich_task

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device"),
]


def _train(device, alpha, cuda_graph, n_members=1, **changes):
    gen = make_generator(0)
    # 40 rows in minibatches of 16: two full batches (graph) and one of 8 (eager)
    X = torch.randn(40, 3, generator=gen, dtype=torch.float64)
    y = torch.sin(X).sum(1)
    net = StackedMLP.initialize(
        n_members, [3, 16, 16, 1], "tanh", make_generator(1), device, torch.float64
    )
    history = train_conservative(
        net,
        X.to(device),
        y.to(device),
        _config(alpha, n_epochs=3, n_ascent_steps=6, cuda_graph=cuda_graph, **changes),
        make_generator(2),
    )
    return [p.cpu() for p in net.parameters()], history


@pytest.mark.parametrize("n_members", [1, 3])
@pytest.mark.parametrize("alpha", [None, 0.5])
def test_graphed_training_matches_the_cpu(alpha, n_members):
    cpu, cpu_history = _train("cpu", alpha, False, n_members)
    eager, _ = _train("cuda", alpha, False, n_members)
    graphed, graphed_history = _train("cuda", alpha, True, n_members)
    for c, e, g in zip(cpu, eager, graphed):
        # float64: the devices differ only by the order of summation
        torch.testing.assert_close(e, c, rtol=1e-9, atol=1e-11)
        torch.testing.assert_close(g, e, rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(graphed_history.alpha, cpu_history.alpha, rtol=1e-9)
    np.testing.assert_allclose(graphed_history.loss, cpu_history.loss, rtol=1e-9)


# the fit terms and the constraint of the package's default models, beside the
# squared error of the test above
FIT_SETTINGS = {
    "listnet": {"loss": "listnet", "listnet_temperature": 4.0},
    "sharpness": {"sharpness_limit": 0.05, "sharpness_radius": 0.1},
}


@pytest.mark.parametrize("settings", sorted(FIT_SETTINGS))
@pytest.mark.parametrize("alpha", [None, 0.5])
def test_listnet_and_sharpness_training_match_the_cpu(alpha, settings):
    changes = FIT_SETTINGS[settings]
    cpu, cpu_history = _train("cpu", alpha, False, 3, **changes)
    graphed, graphed_history = _train("cuda", alpha, True, 3, **changes)
    for c, g in zip(cpu, graphed):
        torch.testing.assert_close(g, c, rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(graphed_history.loss, cpu_history.loss, rtol=1e-9)
    # the constraint's sharpness per epoch (empty without it)
    assert len(cpu_history.sharpness) == (3 if settings == "sharpness" else 0)
    np.testing.assert_allclose(
        graphed_history.sharpness, cpu_history.sharpness, rtol=1e-9, atol=1e-12
    )


def test_graph_follows_the_weights_between_steps():
    """A replay after an optimizer step sees the new weights, not the captured ones."""
    from skcoms._torch.train import _Trainer

    device = torch.device("cuda")
    net = StackedMLP.initialize(
        1, [3, 8, 1], "relu", make_generator(0), device, torch.float64
    )
    trainer = _Trainer(net, _config(0.5, cuda_graph=True), device, torch.float64)
    xb = torch.randn(16, 3, generator=make_generator(1), dtype=torch.float64)
    xb = xb.to(device)
    first = trainer.mine(xb).clone()
    with torch.no_grad():
        for w in net.weights:
            w.mul_(-1.0)
    replayed = trainer.mine(xb).clone()
    eager = trainer._ascend(xb)
    assert trainer._graph is not None
    torch.testing.assert_close(replayed, eager, rtol=1e-12, atol=1e-12)
    assert not torch.allclose(replayed, first)


@pytest.mark.parametrize(
    "estimator_cls", [ConservativeObjectiveRegressor, EnsembleObjectiveRegressor]
)
def test_estimators_on_cuda_match_the_cpu(estimator_cls):
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(300, 4))
    y = X.sum(1) - 3 * (X**2).sum(1)
    params = dict(
        hidden_layer_sizes=(32, 32),
        max_iter=5,
        n_ascent_steps=5,
        alpha="auto",
        dtype="float64",
        random_state=0,
    )
    cpu = estimator_cls(**params, device="cpu").fit(X, y)
    gpu = estimator_cls(**params, device="cuda").fit(X, y)
    eager = estimator_cls(**params, device="cuda", cuda_graph=False).fit(X, y)
    assert gpu.device_.type == "cuda"
    np.testing.assert_allclose(gpu.predict(X), cpu.predict(X), rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(gpu.predict(X), eager.predict(X), rtol=1e-9, atol=1e-12)


def test_float32_graphed_fit_learns():
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(2000, 8))
    y = X.sum(1)
    model = ConservativeObjectiveRegressor(
        max_iter=20, device="cuda", random_state=0
    ).fit(X, y)
    assert model.score(X, y) > 0.9


def test_propose_on_cuda_matches_the_cpu():
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(200, 3))
    y = -(X**2).sum(1)
    proposals = {}
    for device in ("cpu", "cuda"):
        estimator = ConservativeObjectiveRegressor(
            (32, 32), max_iter=10, dtype="float64", device=device, random_state=0
        )
        opt = OfflineDesignOptimizer(estimator, random_state=0).fit(X, y)
        proposals[device] = opt.propose(16)
    np.testing.assert_allclose(
        proposals["cuda"], proposals["cpu"], rtol=1e-6, atol=1e-8
    )


def test_default_sequence_model_on_cuda_matches_the_cpu():
    """The sequence default (alpha chosen, five networks, each one's sharpness held)
    chooses the same alpha and proposes the same designs on both devices."""
    task = make_ehrlich_task(4, 8, 2, 2, n_samples=400, random_state=0)
    fitted = {}
    for device in ("cpu", "cuda"):
        model = default_model(
            True,
            hidden_layer_sizes=(16, 16),
            max_iter=3,
            device=device,
            dtype="float64",
            random_state=0,
        )
        fitted[device] = OfflineDesignOptimizer(model, random_state=0).fit(
            task.X, task.y
        )
    cpu, gpu = fitted["cpu"], fitted["cuda"]
    assert gpu.estimator_.device_.type == "cuda"
    assert (gpu.estimator_.n_members, gpu.estimator_.sharpness_limit) == (5, 0.1)
    assert gpu.estimator_.alpha_ == cpu.estimator_.alpha_
    np.testing.assert_array_equal(gpu.propose(16), cpu.propose(16))


def test_continuous_designs_far_from_float32_keep_their_resolution_on_cuda():
    """The search keeps designs in float64 on the device as on the CPU
    (tests/test_reliability.py): designs at 1e8 + x, where float32 spaces numbers
    8 apart, give the proposals of x with a float32 network."""
    rng = np.random.RandomState(0)
    X = rng.uniform(-1.0, 1.0, size=(40, 3))
    y = -((X - 0.3) ** 2).sum(axis=1)
    results = []
    for shift in (0.0, 1e8):
        estimator = ConservativeObjectiveRegressor(
            (16, 16), max_iter=5, device="cuda", random_state=0
        )
        box = Box(shift - 1.2, shift + 1.2)
        opt = OfflineDesignOptimizer(estimator, design_space=box, random_state=0)
        results.append(opt.fit(X + shift, y).propose(6) - shift)
    assert results[0].shape == results[1].shape == (6, 3)
    np.testing.assert_allclose(results[1], results[0], rtol=0, atol=1e-4)


def test_grid_search_with_threads_on_cuda():
    """Graph captures in several threads at once do not disturb one another."""
    from sklearn.model_selection import GridSearchCV

    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(400, 4))
    y = X.sum(1)
    estimator = ConservativeObjectiveRegressor(
        (32, 32), max_iter=5, n_ascent_steps=5, device="cuda", random_state=0
    )
    search = GridSearchCV(estimator, {"alpha": [0.0, 0.1, 1.0, "auto"]}, cv=2, n_jobs=4)
    from joblib import parallel_config

    with parallel_config(backend="threading", n_jobs=4):
        search.fit(X, y)
    serial = GridSearchCV(estimator, {"alpha": [0.0, 0.1, 1.0, "auto"]}, cv=2).fit(X, y)
    np.testing.assert_allclose(
        search.cv_results_["mean_test_score"],
        serial.cv_results_["mean_test_score"],
        rtol=1e-4,
    )
