"""The command line, run as a subprocess: proposals, the demo, errors, exit codes."""

import csv
import importlib.util
import io
import os
import subprocess
import sys

import numpy as np
import pytest

# one thread per process: the suite may share a few cores with other processes
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONWARNINGS": "default"}
SMALL = ["--max-iter", "2", "--hidden", "16"]


def run_cli(*args, cwd=None, stdin=None, timeout=120):
    return subprocess.run(
        [sys.executable, "-m", "skcoms", *map(str, args)],
        capture_output=True,
        text=True,
        input=stdin,
        cwd=cwd,
        env=ENV,
        timeout=timeout,
    )


def read_csv(text):
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], rows[1:]


def write_csv(path, header, rows):
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def continuous_csv(tmp_path_factory):
    rng = np.random.RandomState(0)
    X = rng.uniform(0.0, 1.0, size=(120, 2))
    y = X.sum(axis=1)
    path = tmp_path_factory.mktemp("data") / "designs.csv"
    return write_csv(path, ["x1", "x2", "y"], np.column_stack([X, y]).tolist())


@pytest.fixture(scope="module")
def sequence_csv(tmp_path_factory):
    rng = np.random.RandomState(0)
    sequences = ["".join(rng.choice(list("ACGT"), 5)) for _ in range(120)]
    scores = [s.count("G") + 0.01 * i for i, s in enumerate(sequences)]
    path = tmp_path_factory.mktemp("data") / "sequences.csv"
    rows = [[i, s, v] for i, (s, v) in enumerate(zip(sequences, scores))]
    return write_csv(path, ["id", "seq", "score"], rows)


def test_propose_continuous_writes_bounded_proposals_best_first(
    continuous_csv, tmp_path
):
    out = tmp_path / "proposals.csv"
    result = run_cli(
        "propose", continuous_csv, "--target", "y", "--n", 8, "-o", out,
        "--bounds", 0.0, 1.0, "--seed", 0, *SMALL,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "proposed 8 designs" in result.stderr
    header, rows = read_csv(out.read_text())
    assert header == ["x1", "x2", "predicted_y"]
    values = np.array(rows, dtype=float)
    assert values.shape == (8, 3)
    assert np.all(values[:, :2] >= 0.0) and np.all(values[:, :2] <= 1.0)
    assert np.all(np.diff(values[:, 2]) <= 0), "proposals must be best first"


def test_propose_sequences_to_stdout(sequence_csv):
    result = run_cli(
        "propose", sequence_csv, "--target", "score", "--sequence-column", "seq",
        "--alphabet", "ACGT", "--method", "gradient-ascent", "--n", 6,
        "--drop-duplicates", "-q", *SMALL,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    header, rows = read_csv(result.stdout)
    assert header == ["seq", "predicted_score"]
    assert len(rows) == 6
    sequences = [sequence for sequence, _ in rows]
    for sequence in sequences:
        assert len(sequence) == 5 and set(sequence) <= set("ACGT")
    # --drop-duplicates: new designs only, each once
    assert len(set(sequences)) == 6
    assert not set(sequences) & set(sequence_csv.read_text().split(","))
    scores = [float(score) for _, score in rows]
    assert scores == sorted(scores, reverse=True)


def test_propose_with_the_proposer_options(sequence_csv):
    result = run_cli(
        "propose", sequence_csv, "--target", "score", "--sequence-column", "seq",
        "--alphabet", "ACGT", "--n", 4, "--max-changes", 1, "--paths-per-design",
        2, "--path-selection", "best", "--support", "none", "-q", *SMALL,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    _, rows = read_csv(result.stdout)
    data = [line.split(",")[1] for line in sequence_csv.read_text().splitlines()[1:]]
    for sequence, _ in rows:
        # new, and one token away from a design of the data
        changes = min(sum(a != b for a, b in zip(sequence, s)) for s in data)
        assert changes == 1, sequence


def test_min_separation_keeps_numeric_proposals_apart(continuous_csv):
    result = run_cli(
        "propose", continuous_csv, "--target", "y", "--n", 6, "--seed", 0,
        "--min-separation", 0.3, "-q", *SMALL,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    _, rows = read_csv(result.stdout)
    designs = np.array(rows, dtype=float)[:, :2]
    _, data = read_csv(continuous_csv.read_text())
    scale = np.array(data, dtype=float)[:, :2].std(axis=0)
    diff = (designs[:, None] - designs[None]) / scale
    rms = np.sqrt((diff**2).mean(axis=2)) + np.diag([np.inf] * len(designs))
    assert len(designs) == 6 and rms.min() >= 0.3


def test_recombine_none_starts_every_path_from_the_data(continuous_csv):
    # the default starts half of the paths from means: other designs
    outputs = {}
    for options in ([], ["--recombine", "none"], ["--recombine", 8]):
        result = run_cli(
            "propose", continuous_csv, "--target", "y", "--n", 6, "--seed", 0,
            *options, "-q", *SMALL,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        outputs[" ".join(map(str, options))] = result.stdout
    assert outputs[""] == outputs["--recombine 8"] != outputs["--recombine none"]


def test_recombine_does_not_apply_to_sequences(sequence_csv):
    result = run_cli(
        "propose", sequence_csv, "--target", "score", "--sequence-column", "seq",
        "--alphabet", "ACGT", "--recombine", 4, *SMALL,
    )  # fmt: skip
    assert result.returncode == 2
    assert "do not apply to sequences" in result.stderr


@pytest.mark.parametrize(
    "options, message",
    [
        (["--max-changes", 1], "--max-changes does not apply to numeric designs"),
        (["--max-distance", 0], "must be a number > 0"),
        (["--min-separation", -1], "must be a number >= 0"),
        (["--min-separation", "nan"], "--min-separation"),
        (["--paths-per-design", 0], "must be a positive integer"),
        (["--recombine", 1], "must be an integer >= 2 or 'none'"),
        (["--recombine-fraction", 0], "must be a number in (0, 1]"),
        (["--support", "triples"], "invalid choice"),
        (
            ["--method", "best-of-dataset", "--paths-per-design", 2],
            "--paths-per-design: for --method coms",
        ),
    ],
)
def test_bad_proposer_options_are_usage_errors(continuous_csv, options, message):
    result = run_cli("propose", continuous_csv, "--target", "y", *options, *SMALL)
    assert result.returncode == 2
    assert message in result.stderr


def test_best_of_dataset_reads_stdin_and_returns_the_top_rows(sequence_csv):
    """No model: the output is exactly the best rows of the data (the I/O path).

    The id column is dropped, so the only design column holds text and is read as
    sequences without --sequence-column.
    """
    lines = [line.split(",", 1)[1] for line in sequence_csv.read_text().splitlines()]
    result = run_cli(
        "propose", "-", "--target", "score", "--n", 4, "--method", "best-of-dataset",
        stdin="\n".join(lines) + "\n",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    header, rows = read_csv(result.stdout)
    assert header == ["seq", "predicted_score"]
    data = [
        (seq, float(score)) for seq, score in (line.split(",") for line in lines[1:])
    ]
    expected = sorted(data, key=lambda row: -row[1])[:4]
    # scores are written with repr(), so they round-trip exactly
    assert [(seq, float(score)) for seq, score in rows] == expected


BAD_FILES = {
    "non-numeric": (
        [["x1", "y"], ["0.5", "1.0"], ["abc", "2.0"]],
        ["line 3, column 'x1': 'abc' is not a number"],
    ),
    "nan": (
        [["x1", "y"], ["0.5", "1.0"], ["0.7", "NaN"]],
        ["line 3, column 'y': 'NaN' is not a finite number"],
    ),
    "empty cell": (
        [["x1", "x2", "y"], ["0.5", "", "1.0"]],
        ["line 2, column 'x2': missing value"],
    ),
    "ragged row": (
        [["x1", "y"], ["0.5", "1.0", "3.0"]],
        ["line 2: 3 fields, but the header has 2"],
    ),
    "no rows": ([["x1", "y"]], ["no data rows"]),
    "repeated column": ([["x", "x", "y"], ["1", "2", "3"]], ["repeated column"]),
    "sequence lengths": (
        [["seq", "y"], ["ACGT", "1.0"], ["ACG", "2.0"]],
        ["line 3", "'ACG' has length 3", "same length"],
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_values_are_data_errors(case, tmp_path):
    rows, fragments = BAD_FILES[case]
    path = write_csv(tmp_path / "bad.csv", rows[0], rows[1:])
    result = run_cli("propose", path, "--target", "y")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    for fragment in fragments:
        assert fragment in result.stderr


def test_missing_file_and_missing_column(continuous_csv, tmp_path):
    result = run_cli("propose", tmp_path / "nowhere.csv", "--target", "y")
    assert result.returncode == 1
    assert "nowhere.csv: no such file" in result.stderr
    assert "Traceback" not in result.stderr

    result = run_cli("propose", continuous_csv, "--target", "yield")
    assert result.returncode == 1
    assert "no column 'yield' (given by --target)" in result.stderr
    assert "'x1', 'x2', 'y'" in result.stderr

    result = run_cli("propose", continuous_csv, "--target", "y", "--columns", "x1,x9")
    assert result.returncode == 1
    assert "no column 'x9' (given by --columns)" in result.stderr


def test_data_outside_the_given_bounds(continuous_csv):
    result = run_cli(
        "propose", continuous_csv, "--target", "y", "--column-bounds", "x2", 0.5, 1,
    )  # fmt: skip
    assert result.returncode == 1
    assert "column 'x2' holds values from" in result.stderr
    assert "outside its bounds [0.5, 1]" in result.stderr


def test_token_outside_the_alphabet(sequence_csv):
    result = run_cli(
        "propose", sequence_csv, "--target", "score", "--sequence-column", "seq",
        "--alphabet", "ACG",
    )  # fmt: skip
    assert result.returncode == 1
    assert "not in the alphabet 'ACG'" in result.stderr


def test_unwritable_output_fails_before_the_fit(continuous_csv, tmp_path):
    result = run_cli(
        "propose", continuous_csv, "--target", "y", "-o", tmp_path / "no" / "out.csv"
    )
    assert result.returncode == 1
    assert "cannot write: no directory" in result.stderr
    assert "fitting" not in result.stderr
    assert "Traceback" not in result.stderr


USAGE_ERRORS = {
    "unknown method": (["--method", "magic"], "invalid choice: 'magic'"),
    "zero proposals": (["--n", "0"], "--n: must be a positive integer"),
    "negative alpha": (["--alpha", "-1"], "--alpha: must be 'auto' or a finite"),
    "alpha for a baseline": (
        ["--alpha", "0.1", "--method", "gradient-ascent"],
        "--alpha applies to --method coms only",
    ),
    "bounds for sequences": (
        ["--sequence-column", "x1", "--bounds", "0", "1"],
        "--bounds and --column-bounds are for numeric designs",
    ),
    "inverted bounds": (["--bounds", "1", "0"], "lower bound must be below"),
    "unknown loss": (["--loss", "hinge"], "invalid choice: 'hinge'"),
    "loss for a baseline": (
        ["--loss", "listnet", "--method", "mins"],
        "--loss applies to --method coms only",
    ),
    "zero temperature": (
        ["--listnet-temperature", "0"],
        "--listnet-temperature: must be a number > 0",
    ),
    "temperature for a baseline": (
        ["--listnet-temperature", "2", "--method", "gradient-ascent"],
        "--listnet-temperature applies to --method coms only",
    ),
    "zero sharpness limit": (
        ["--sharpness-limit", "0"],
        "--sharpness-limit: must be a number > 0",
    ),
    "sharpness limit at the radius": (
        ["--sharpness-limit", "0.05"],
        "--sharpness-limit must be above 0.05",
    ),
    "sharpness limit for a baseline": (
        ["--sharpness-limit", "0.2", "--method", "ensemble-mean"],
        "--sharpness-limit applies to --method coms only",
    ),
    "alphabet for numbers": (["--alphabet", "AB"], "--alphabet is for sequence"),
    "bad device": (["--device", "tpu"], "device='tpu' is not understood"),
}


@pytest.mark.parametrize("case", sorted(USAGE_ERRORS))
def test_usage_errors_exit_with_2(case, continuous_csv):
    options, fragment = USAGE_ERRORS[case]
    result = run_cli("propose", continuous_csv, "--target", "y", *options)
    assert result.returncode == 2, result.stderr
    assert fragment in result.stderr
    assert "usage: skcoms propose" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_target_option_is_a_usage_error(continuous_csv):
    result = run_cli("propose", continuous_csv)
    assert result.returncode == 2
    assert "--target" in result.stderr


@pytest.mark.parametrize("command", [[], ["propose"], ["demo"]])
def test_help_documents_the_exit_codes(command):
    result = run_cli(*command, "--help")
    assert result.returncode == 0
    assert "exit codes:" in result.stdout
    assert "usage error" in result.stdout


def test_demo_quick_prints_the_comparison_table():
    result = run_cli("demo", "--quick", "--device", "cpu", timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    methods = ["COMs", "gradient ascent", "ensemble mean", "best of dataset"]
    for method in methods:
        assert f"] {method}: 100th pct" in result.stderr  # progress, one per method
    rows = {}
    for line in result.stdout.splitlines():
        for method in [*methods, "CMA-ES"]:
            if line.startswith(method + " "):
                rows[method] = line[len(method) :].split()
    assert set(methods) <= set(rows)
    for method, cells in rows.items():
        p100, p50, published = float(cells[0]), float(cells[3]), float(cells[6])
        assert 0.0 <= p50 <= p100 <= 1.0
        assert published == pytest.approx(
            {"COMs": 0.945, "gradient ascent": 0.977, "ensemble mean": 0.986,
             "CMA-ES": 0.953, "best of dataset": 0.439}[method]
        )  # fmt: skip
    # the best designs of the 2,000-design subsample score 0.439 (tolerance: +-0.01)
    assert float(rows["best of dataset"][0]) == pytest.approx(0.439, abs=0.01)


# ---- Ctrl-C --------------------------------------------------------------------


def test_an_interrupted_fit_stops_propose_without_output(
    continuous_csv, tmp_path, monkeypatch, capsys
):
    """In Python an interrupted fit keeps its last epoch; the command stops."""
    import skcoms._torch.train as train
    from skcoms._cli import main

    real_order = train._epoch_order
    calls = []

    def interrupt_in_third_epoch(*args):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real_order(*args)

    monkeypatch.setattr(train, "_epoch_order", interrupt_in_third_epoch)
    out = tmp_path / "proposals.csv"
    code = main(
        ["propose", str(continuous_csv), "--target", "y", "-o", str(out)]
        + ["--max-iter", "10", "--hidden", "8", "--device", "cpu"]
    )
    assert code == 130
    assert len(calls) == 3  # two epochs were complete: fit alone would go on
    assert not out.exists()
    assert "interrupted" in capsys.readouterr().err


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT is a POSIX signal")
def test_ctrl_c_during_training_exits_130_without_output(tmp_path):
    import signal

    # epochs long enough (about 0.3 s here) that early stopping, 10 epochs after
    # the best at the soonest, cannot end the run before the signal lands on a
    # loaded machine
    rng = np.random.RandomState(0)
    X = rng.uniform(0.0, 1.0, size=(8000, 4))
    data = write_csv(
        tmp_path / "big.csv",
        ["a", "b", "c", "d", "y"],
        np.column_stack([X, X.sum(axis=1)]).tolist(),
    )
    out = tmp_path / "proposals.csv"
    command = [sys.executable, "-m", "skcoms", "propose", str(data), "--target", "y"]
    options = ["-o", str(out), "--max-iter", "5000", "--hidden", "128,128", "-v"]
    process = subprocess.Popen(
        [*command, *options, "--device", "cpu"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=ENV,
        # a shell starts background jobs with SIGINT ignored, and Python then
        # keeps it ignored: the child gets the default, as in a terminal
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        # past the first epoch, where fit alone would keep the model
        for line in process.stderr:
            if line.startswith("Epoch 2/"):
                break
        process.send_signal(signal.SIGINT)
        rest = process.stderr.read()
        assert process.wait(timeout=60) == 130
    finally:
        process.kill()
    assert "interrupted" in rest
    assert not out.exists()


# ---- registries ----------------------------------------------------------------


def test_demo_rejects_an_unknown_task():
    result = run_cli("demo", "--task", "no-such-task")
    assert result.returncode == 2
    assert "tfbind8" in result.stderr  # the choices are listed


@pytest.mark.parametrize("discrete", [True, False])
def test_every_method_builds_its_optimizer_with_the_reference_settings(discrete):
    from skcoms._cli._methods import METHODS, make_optimizer

    for name, method in METHODS.items():
        params = {"max_iter": 3}
        optimizer = make_optimizer(name, discrete=discrete, model_params=params)
        assert {"fit", "propose"} <= set(dir(optimizer)), name
        params = optimizer.get_params()
        model = params.get("estimator")
        # CbAS trains its own regressors: it takes no estimator
        own_models = "estimator" not in params and method.trains_model
        assert (model is None) == (not method.trains_model or own_models), name
        if model is not None:
            assert model.max_iter == 3
            assert model.ascent_step_size == (2.0 if discrete else 0.05)
            if name == "coms":  # alpha chosen among candidates that include 0
                assert model.alphas == (0.0, 0.01, 0.1, 1.0)
                assert model.loss == ("squared_error" if discrete else "listnet")
            else:
                assert model.alpha == 0.0
        # the optimizers' own defaults: new designs for coms, the published
        # protocol for the baselines
        if method.proposer:
            assert optimizer.drop_duplicates == (name == "coms"), name
            expected = "auto" if name == "coms" else 1
            assert optimizer.paths_per_design == expected, name


@pytest.mark.parametrize(
    "name",
    [
        "ehrlich",
        pytest.param(
            "rna14",
            marks=pytest.mark.skipif(
                importlib.util.find_spec("RNA") is None,
                reason='needs ViennaRNA (pip install "skcoms[rna]")',
            ),
        ),
    ],
)
def test_demo_tasks_load_as_sequence_tasks(name):
    from types import SimpleNamespace

    from skcoms._cli._demo import TASKS, _demo_task

    task = _demo_task(SimpleNamespace(task=name, quick=True))
    assert task.is_discrete
    assert task.n_samples <= TASKS[name].quick_size
    assert np.all(np.isfinite(task.y))


@pytest.mark.parametrize(
    "options, expected",
    [
        ({"loss": "listnet"}, ("ConservativeObjectiveRegressorCV", "listnet")),
        ({"alpha": "auto"}, ("ConservativeObjectiveRegressor", "squared_error")),
        ({"loss": "auto"}, ("ConservativeObjectiveRegressorCV", "auto")),
    ],
)
def test_coms_options_reach_its_model(options, expected):
    from skcoms._cli._methods import make_optimizer

    optimizer = make_optimizer(
        "coms", discrete=True, model_params={"max_iter": 3}, **options
    )
    model = optimizer.estimator
    assert (type(model).__name__, model.loss) == expected


@pytest.mark.parametrize(
    "discrete, options, expected",
    [
        (False, {}, 8.0),
        (True, {"loss": "listnet"}, 1.0),
        (True, {"loss": "listnet", "listnet_temperature": 2.5}, 2.5),
        (False, {"listnet_temperature": 0.5}, 0.5),
    ],
)
def test_listnet_temperature_default_per_design_space_and_option(
    discrete, options, expected
):
    from skcoms._cli._methods import make_optimizer

    model = make_optimizer("coms", discrete=discrete, **options).estimator
    assert model.listnet_temperature == expected


@pytest.mark.parametrize("discrete", [True, False])
def test_sharpness_limit_reaches_the_coms_model(discrete):
    from skcoms._cli._methods import make_optimizer

    default = make_optimizer("coms", discrete=discrete).estimator.sharpness_limit
    assert default == (0.1 if discrete else None)
    model = make_optimizer("coms", discrete=discrete, sharpness_limit=0.2).estimator
    assert model.sharpness_limit == 0.2


@pytest.mark.parametrize("option", [{"alpha": 0.5}, {"overestimation_limit": 1.0}])
def test_loss_auto_with_a_fixed_conservative_setting_is_a_clear_error(option):
    from skcoms._cli._common import DataError
    from skcoms._cli._methods import make_optimizer

    with pytest.raises(DataError, match="--loss auto is chosen together with alpha"):
        make_optimizer("coms", discrete=False, loss="auto", **option)


@pytest.mark.parametrize(
    "underdetermined, loss, n_steps, plain, n_repeats, margin",
    [
        (True, "squared_error", 10, True, 3, 0.0),
        (False, "listnet", 15, "auto", 1, 2.0),
    ],
)
def test_coms_model_follows_the_shape_of_numeric_data(
    underdetermined, loss, n_steps, plain, n_repeats, margin
):
    from skcoms._cli._methods import make_optimizer

    model = make_optimizer(
        "coms", discrete=False, underdetermined=underdetermined
    ).estimator
    assert (model.loss, model.n_ascent_steps) == (loss, n_steps)
    assert (model.allow_plain, model.n_repeats) == (plain, n_repeats)
    assert model.plain_margin == margin
    # an explicit --loss wins, at the default temperature of numeric designs
    model = make_optimizer(
        "coms", discrete=False, underdetermined=underdetermined, loss="listnet"
    ).estimator
    assert (model.loss, model.listnet_temperature) == ("listnet", 8.0)
    # the baselines' plain model does not depend on the shape
    plain = make_optimizer(
        "gradient-ascent", discrete=False, underdetermined=underdetermined
    )
    assert plain.estimator.alpha == 0.0 and plain.estimator.loss == "squared_error"


@pytest.mark.parametrize("n_rows, loss", [(3, "squared_error"), (4, "listnet")])
def test_propose_builds_the_model_of_the_datas_shape(tmp_path, n_rows, loss):
    # 3 designs of 3 numeric columns are underdetermined, 4 are not
    from skcoms._cli._arguments import build_parser
    from skcoms._cli._io import load_designs
    from skcoms._cli._propose import _build_optimizer

    rows = np.random.RandomState(0).uniform(size=(n_rows, 4)).tolist()
    path = write_csv(tmp_path / "wide.csv", ["a", "b", "c", "y"], rows)
    parser = build_parser(None, None)
    args = parser.parse_args(["propose", str(path), "--target", "y"])
    optimizer = _build_optimizer(args, load_designs(args))
    assert optimizer.estimator.loss == loss
