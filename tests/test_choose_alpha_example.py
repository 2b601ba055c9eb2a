"""The choose_alpha example runs end to end in its quick mode."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "choose_alpha.py"


def test_choose_alpha_quick():
    result = subprocess.run(
        [sys.executable, str(EXAMPLE), "--quick"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    out = result.stdout
    for task in ("tfbind8", "branin", "hartmann6"):
        for method in ("topk", "kfold", "hindsight"):
            assert f"| {task} | {method} |" in out
    # the hindsight choice is the best of the grid by the oracle
    assert out.count("| 100.0% |") >= 6


def _load_example():
    import importlib.util

    spec = importlib.util.spec_from_file_location("choose_alpha_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_an_alpha_without_new_designs_is_scored_by_the_data_it_keeps(
    monkeypatch, capsys
):
    # a model so conservative that no path leaves the data makes propose return
    # nothing and evaluate raise (its own error, not a copy of its text); the
    # example scores that alpha with drop_duplicates=False instead of stopping
    example = _load_example()
    optimizer_class = example.OfflineDesignOptimizer
    real_propose = optimizer_class.propose
    calls = []

    def propose(self, n_designs, **kwargs):
        params = self.get_params()
        calls.append((params["estimator__alpha"], params["drop_duplicates"]))
        if params["estimator__alpha"] == 1.0 and params["drop_duplicates"]:
            return self.design_space_.decode(np.empty((0, self.n_features_in_)))
        return real_propose(self, n_designs, **kwargs)

    monkeypatch.setattr(optimizer_class, "propose", propose)
    task = example.make_tasks(True, 0)["branin"]
    scores = example.oracle_scores(task, 0, True)
    assert sorted(scores) == sorted(example.ALPHAS)
    assert calls[-2:] == [(1.0, True), (1.0, False)]
    assert all(p50 <= p100 for p100, p50 in scores.values())
    assert "alpha 1: no new design" in capsys.readouterr().out

    def broken(optimizer, task, **kwargs):
        raise ValueError("something else")

    monkeypatch.setattr(example, "evaluate", broken)
    with pytest.raises(ValueError, match="something else"):
        example.oracle_scores(task, 0, True)
