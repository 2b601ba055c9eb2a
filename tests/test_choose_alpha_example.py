"""The choose_alpha example runs end to end in its quick mode."""

import subprocess
import sys
from pathlib import Path

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
