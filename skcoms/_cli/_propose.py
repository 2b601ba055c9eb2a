"""``skcoms propose``: fit on a CSV file, write the proposals."""

import contextlib
import sys
import time

from ._common import EXIT_OK, DataError, UsageError, check_device, note
from ._io import build_box, check_output, load_designs, write_proposals
from ._methods import METHODS, PROPOSER_OPTIONS, check_available, make_optimizer

# method-specific options: (option, attribute of the parsed arguments)
_METHOD_OPTIONS = (
    ("--alpha", "alpha"),
    ("--overestimation-limit", "overestimation_limit"),
    ("--loss", "loss"),
    ("--listnet-temperature", "listnet_temperature"),
    ("--sharpness-limit", "sharpness_limit"),
)


def check_propose_options(args):
    """Reject contradicting or out-of-range options, before any data is read."""
    method = METHODS[args.method]
    for option, key in _METHOD_OPTIONS:
        if getattr(args, key) is not None and key not in method.options:
            takers = [name for name, m in METHODS.items() if key in m.options]
            raise UsageError(f"{option} applies to --method {', '.join(takers)} only")
    if not method.proposer:
        given = [key for key in PROPOSER_OPTIONS if getattr(args, key) is not None]
        if given:
            options = ", ".join("--" + k.replace("_", "-") for k in given)
            takers = [name for name, m in METHODS.items() if m.proposer]
            raise UsageError(f"{options}: for --method {', '.join(takers)} only")
    if not method.trains_model:
        for option, value in (("--max-iter", args.max_iter), ("--hidden", args.hidden)):
            if value is not None:
                raise UsageError(f"{option} does not apply to --method {args.method}")
    if args.sharpness_limit is not None:
        from .. import ConservativeObjectiveRegressor

        radius = ConservativeObjectiveRegressor().sharpness_radius
        if args.sharpness_limit <= radius:
            raise UsageError(
                f"--sharpness-limit must be above {radius:g}: the output bias alone "
                f"moves the mean output by that much, got {args.sharpness_limit:g}"
            )
    if args.alphabet is not None:
        if len(args.alphabet) < 2 or len(set(args.alphabet)) != len(args.alphabet):
            raise UsageError(
                f"--alphabet must hold at least two distinct characters, got "
                f"{args.alphabet!r}"
            )
    if args.bounds is not None and not args.bounds[0] < args.bounds[1]:
        raise UsageError(
            f"--bounds: the lower bound must be below the upper one, got "
            f"{args.bounds[0]:g} {args.bounds[1]:g}"
        )
    if len(args.delimiter) != 1:
        raise UsageError("--delimiter must be a single character")


def _build_optimizer(args, data):
    """The design space and optimizer of the options, for the loaded data."""
    from .._defaults import is_underdetermined

    if not data["discrete"]:
        space = build_box(args, data["X"], data["columns"])
    if METHODS[args.method].trains_model:
        check_device(args.device)
    if data["discrete"]:
        from ..spaces import CategoricalSequence

        space = CategoricalSequence(alphabet=args.alphabet)
    model_params = {"device": args.device, "verbose": args.verbose}
    if args.max_iter is not None:
        model_params["max_iter"] = args.max_iter
    if args.hidden is not None:
        model_params["hidden_layer_sizes"] = args.hidden
    kind = "sequences" if data["discrete"] else "numeric designs"
    wrong = "--max-distance" if data["discrete"] else "--max-changes"
    if getattr(args, wrong[2:].replace("-", "_")) is not None:
        other = "--max-changes" if data["discrete"] else "--max-distance"
        raise UsageError(f"{wrong} does not apply to {kind}; use {other}")
    given = args.recombine not in (None, "none") or args.recombine_fraction
    if data["discrete"] and given:
        raise UsageError(
            "--recombine and --recombine-fraction average numeric designs; they "
            "do not apply to sequences"
        )
    accepted = METHODS[args.method].options
    method_options = {
        key: getattr(args, key) for _, key in _METHOD_OPTIONS if key in accepted
    }
    return make_optimizer(
        args.method,
        discrete=data["discrete"],
        design_space=space,
        model_params=model_params,
        drop_duplicates=args.drop_duplicates,
        random_state=args.seed,
        proposer={key: getattr(args, key) for key in PROPOSER_OPTIONS},
        underdetermined=not data["discrete"] and is_underdetermined(data["X"]),
        **method_options,
    )


def run_propose(args):
    """Check the options, read the data, fit, propose and write the proposals."""
    check_propose_options(args)
    check_available(args.method)
    # the data first: its checks need only numpy, not torch and scikit-learn
    data = load_designs(args)
    check_output(args.output)
    optimizer = _build_optimizer(args, data)
    kind = (
        f"sequences of length {len(data['X'][0])}"
        if data["discrete"]
        else f"{len(data['columns'])} numeric columns"
    )
    note(args, f"fitting {args.method} on {len(data['y'])} designs ({kind})")
    start = time.perf_counter()
    try:
        # the models' per-epoch lines (--verbose) must not mix with CSV on stdout
        with contextlib.redirect_stdout(sys.stderr):
            optimizer.fit(data["X"], data["y"])
            designs, scores = optimizer.propose(args.n, return_scores=True)
    except (ValueError, TypeError, FloatingPointError) as exc:
        # FloatingPointError: training diverged; its message names what to lower
        raise DataError(f"cannot fit {args.method} on {args.data}: {exc}") from None
    note(
        args,
        f"proposed {len(scores)} designs in {time.perf_counter() - start:.1f} s"
        + ("" if args.output in (None, "-") else f", written to {args.output}"),
    )
    write_proposals(
        args.output,
        data["columns"],
        designs,
        scores,
        f"predicted_{args.target}",
        data["discrete"],
    )
    return EXIT_OK
