"""The TFBind8 reproduction script runs end to end on a tiny budget."""

import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "examples" / "tfbind8_reproduction.py"

pytest.importorskip("matplotlib")
pytest.importorskip("cma")


def test_quick_run_prints_the_table_and_saves_the_plot(tmp_path):
    plot = tmp_path / "tfbind8.png"
    env = {**os.environ, "MPLBACKEND": "Agg"}
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--plot", str(plot)],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    elapsed = time.perf_counter() - start
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "| method | seeds | 100th pct | 50th pct |" in out
    for label in (
        "COMs package default",
        "COMs reference",
        "Grad.:",
        "Grad. Mean",
        "CMA-ES",
        "Best of dataset",
    ):
        assert label in out
    for published in ("0.945", "0.517", "0.977", "0.986", "0.953", "0.439"):
        assert published in out
    assert plot.exists() and plot.stat().st_size > 0
    assert elapsed < 600


def _load_script():
    spec = importlib.util.spec_from_file_location("tfbind8_reproduction", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_unknown_method_is_an_error(capsys):
    script = _load_script()
    with pytest.raises(SystemExit):
        script.parse_args(["--methods", "nope"])
    assert "unknown methods" in capsys.readouterr().err


def test_seeds_are_a_count_or_a_list():
    script = _load_script()
    assert script.parse_args(["--seeds", "3"]).seeds == 3
    args = script.parse_args(["--seeds", "2,3", "--methods", "grad"])
    assert args.seeds == [2, 3] and args.reference_seeds == [2, 3]
    assert args.methods == ["grad"]
