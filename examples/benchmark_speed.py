"""Time COMs training against the machine's own matrix-multiply rate.

Prints one table: for each configuration, the time per training step, the epoch time
extrapolated to TFBind8's 32,898 visible designs, the achieved GFLOP/s (counting
(2T + 6) forward-equivalents per sample, T = ascent steps) and its fraction of the
matmul rate measured in the same run for the same layer shapes. It also times a
straightforward implementation (nn.Sequential, a DataLoader, autograd in the inner
loop, a loss read back every step) at the same configuration and prints the ratio.

    python examples/benchmark_speed.py          # CUDA when found, else the CPU
    python examples/benchmark_speed.py --device cuda --steps 200
    python examples/benchmark_speed.py --config default   # one configuration

On CUDA the skcoms rows are timed with the inner ascent replayed as a CUDA graph
(``cuda_graph=True``, the default) and without it, and the default number of steps
is one full TFBind8 epoch (257 minibatches of 128).
"""

import argparse
import math
import resource
import time

import torch
from torch.utils.data import DataLoader, TensorDataset

from skcoms._torch.ascent import gradient_ascent
from skcoms._torch.device import make_generator, resolve_device
from skcoms._torch.mlp import StackedMLP
from skcoms._torch.train import TrainingConfig, train_conservative

N_TFBIND8 = 32_898  # visible designs of TFBind8
N_FEATURES = 24  # 8 positions x (4 - 1) logits

CONFIGS = {
    # name: hidden sizes, ascent steps, batch size
    "reference (2x2048, T=50)": ((2048, 2048), 50, 128),
    "default (2x256, T=10)": ((256, 256), 10, 128),
}


def _sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def flops_per_sample(hidden, n_steps):
    sizes = [N_FEATURES, *hidden, 1]
    forward = 2 * sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    return (2 * n_steps + 6) * forward


def matmul_rate(hidden, batch, device, dtype, seconds=1.0):
    """GFLOP/s of the product that dominates a training step.

    That is a ``rows x h`` by ``h x h`` hidden layer, with rows = ``batch`` (the
    inner ascent) and ``2 * batch`` (the loss on data and negatives); the better of
    the two is the machine's rate for this step.
    """
    width = max(hidden)
    w = torch.randn(width, width, device=device, dtype=dtype) / width**0.5
    rates = []
    for rows in (batch, 2 * batch):
        x = torch.randn(rows, width, device=device, dtype=dtype)
        for _ in range(3):
            x @ w
        _sync(device)
        reps, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds / 2:
            for _ in range(10):
                x @ w
            reps += 10
            _sync(device)
        flop = 2 * rows * width * width * reps
        rates.append(flop / (time.perf_counter() - start) / 1e9)
    return max(rates)


def matmul_floor(hidden, n_steps, batch, device, dtype, seconds=0.5):
    """Seconds per training step spent in its matrix products alone.

    These are the products any implementation must run: per ascent step the
    forward pass through the hidden layers and the input gradient back through
    them, then the forward pass on data and negatives (``2 * batch`` rows) and its
    weight and input gradients. Elementwise work and all overhead are left out, so
    ``straightforward / floor`` bounds the speedup any implementation can reach.
    """
    sizes = [N_FEATURES, *hidden, 1]
    products = []  # (rows, inner, cols) of each product of one step
    for _ in range(n_steps):
        products += [(batch, a, b) for a, b in zip(sizes[:-2], sizes[1:-1])]
        products += [(batch, b, a) for a, b in zip(sizes[:-2], sizes[1:-1])]
    rows = 2 * batch
    products += [(rows, a, b) for a, b in zip(sizes[:-1], sizes[1:])]  # forward
    products += [(a, rows, b) for a, b in zip(sizes[:-1], sizes[1:])]  # weights
    products += [(rows, b, a) for a, b in zip(sizes[1:-1], sizes[2:])]  # inputs
    operands = {}
    for m, k, n in set(products):
        operands[m, k, n] = (
            torch.randn(m, k, device=device, dtype=dtype),
            torch.randn(k, n, device=device, dtype=dtype),
        )

    def one_step():
        for shape in products:
            a, b = operands[shape]
            torch.mm(a, b)

    start = time.perf_counter()
    one_step()
    _sync(device)
    repeats = max(1, int(seconds / (time.perf_counter() - start)))
    best = math.inf
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(repeats):
            one_step()
        _sync(device)
        best = min(best, (time.perf_counter() - start) / repeats)
    return best


def time_skcoms(
    hidden,
    n_steps,
    batch,
    n_batches,
    device,
    dtype,
    n_members=1,
    alpha=None,
    cuda_graph=True,
):
    gen = make_generator(0)
    n = batch * n_batches
    X = torch.randn(n, N_FEATURES, generator=gen).to(device, dtype)
    y = torch.randn(n, generator=gen).to(device, dtype)
    sizes = [N_FEATURES, *hidden, 1]
    net = StackedMLP.initialize(n_members, sizes, "relu", gen, device, dtype)
    config = TrainingConfig(
        n_epochs=1,
        batch_size=batch,
        learning_rate=3e-4,
        alpha=alpha,
        overestimation_limit=2.0,
        alpha_init=0.1,
        alpha_learning_rate=0.01,
        n_ascent_steps=n_steps,
        ascent_step_size=2.0 * math.sqrt(N_FEATURES),
        tol=0.0,
        n_iter_no_change=0,
        cuda_graph=cuda_graph,
    )
    warm = TrainingConfig(**{**config.__dict__})
    train_conservative(net, X[: 2 * batch], y[: 2 * batch], warm, gen)
    _sync(device)
    start = time.perf_counter()
    train_conservative(net, X, y, config, gen)
    _sync(device)
    return (time.perf_counter() - start) / n_batches


def time_straightforward(hidden, n_steps, batch, n_batches, device, dtype):
    """COMs as it is usually first written: clear, and slow where overhead dominates."""
    gen = torch.Generator().manual_seed(0)
    n = batch * n_batches
    X = torch.randn(n, N_FEATURES, generator=gen).to(device, dtype)
    y = torch.randn(n, 1, generator=gen).to(device, dtype)
    layers, width = [], N_FEATURES
    for h in hidden:
        layers += [torch.nn.Linear(width, h), torch.nn.ReLU()]
        width = h
    model = torch.nn.Sequential(*layers, torch.nn.Linear(width, 1)).to(device, dtype)
    log_alpha = torch.tensor(
        math.log(0.1), device=device, dtype=dtype, requires_grad=True
    )
    opt = torch.optim.Adam(model.parameters(), lr=3e-4)
    alpha_opt = torch.optim.Adam([log_alpha], lr=0.01)
    loader = DataLoader(
        TensorDataset(X, y), batch_size=batch, shuffle=True, generator=gen
    )
    step = 2.0 * math.sqrt(N_FEATURES)

    def one_epoch(limit):
        for i, (xb, yb) in enumerate(loader):
            if i == limit:
                break
            x_neg = xb.clone()
            for _ in range(n_steps):
                x_neg.requires_grad_(True)
                grad = torch.autograd.grad(model(x_neg).sum(), x_neg)[0]
                x_neg = (x_neg + step * grad).detach()
            pred, neg = model(xb), model(x_neg)
            overestimation = neg.mean() - pred.mean()
            alpha = log_alpha.exp()
            loss = 0.5 * ((pred - yb) ** 2).mean() + alpha.detach() * overestimation
            opt.zero_grad()
            loss.backward()
            opt.step()
            alpha_loss = alpha * (2.0 - overestimation.detach())
            alpha_opt.zero_grad()
            alpha_loss.backward()
            alpha_opt.step()
            loss.item()

    one_epoch(2)
    _sync(device)
    start = time.perf_counter()
    one_epoch(n_batches)
    _sync(device)
    return (time.perf_counter() - start) / n_batches


def time_propose(hidden, n_steps, n_designs, device, dtype, repeats=3):
    """Ascent of ``n_designs`` designs in one batch, and one design at a time."""
    gen = make_generator(0)
    sizes = [N_FEATURES, *hidden, 1]
    net = StackedMLP.initialize(1, sizes, "relu", gen, device, dtype)
    start = torch.randn(n_designs, N_FEATURES, generator=gen).to(device, dtype)
    step = 2.0 * math.sqrt(N_FEATURES)

    def batched():
        return gradient_ascent(
            net.value_and_grad, start, n_steps=n_steps, step_size=step
        )

    def one_at_a_time():
        for i in range(n_designs):
            gradient_ascent(
                net.value_and_grad, start[i : i + 1], n_steps=n_steps, step_size=step
            )

    times = {}
    for name, fn in (("batched", batched), ("one at a time", one_at_a_time)):
        fn()
        _sync(device)
        begin = time.perf_counter()
        for _ in range(repeats):
            fn()
        _sync(device)
        times[name] = (time.perf_counter() - begin) / repeats
    return times


def peak_memory_mb(device):
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device) / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", default="auto")
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    parser.add_argument(
        "--steps", type=int, default=None, help="training steps timed per configuration"
    )
    parser.add_argument(
        "--quick", action="store_true", help="a few steps, for a smoke test"
    )
    parser.add_argument(
        "--config",
        choices=["all", "reference", "default"],
        default="all",
        help="which training configurations to time",
    )
    parser.add_argument(
        "--tf32",
        action="store_true",
        help="let CUDA float32 matrix products use TF32 (off by default)",
    )
    args = parser.parse_args(argv)
    device = resolve_device(args.device)
    dtype = getattr(torch, args.dtype)
    torch.backends.cuda.matmul.allow_tf32 = args.tf32
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU"
    print(
        f"device: {device} ({name})  dtype: {args.dtype}  tf32: {args.tf32}  "
        f"torch {torch.__version__}, threads: {torch.get_num_threads()}"
    )
    header = (
        f"{'configuration':<26}{'impl':<18}{'ms/step':>9}{'s/epoch':>9}"
        f"{'GFLOP/s':>9}{'matmul':>9}{'of peak':>9}{'speedup':>9}"
    )
    print(header)
    print("-" * len(header))
    for name, (hidden, n_steps, batch) in CONFIGS.items():
        epoch_batches = math.ceil(N_TFBIND8 / batch)
        big = hidden[0] >= 1024
        if args.quick and big:
            continue
        if args.config != "all" and not name.startswith(args.config):
            continue
        if args.quick:
            n_batches = 3
        elif args.steps is not None:
            n_batches = args.steps
        elif device.type == "cpu":
            n_batches = 5 if big else 200
        else:
            n_batches = epoch_batches  # one full epoch
        rate = matmul_rate(
            hidden, batch, device, dtype, seconds=0.2 if args.quick else 1.0
        )
        flop = flops_per_sample(hidden, n_steps) * batch
        args_ = (hidden, n_steps, batch, n_batches, device, dtype)
        results = {"skcoms": time_skcoms(*args_)}
        if device.type == "cuda":
            results["skcoms, no graph"] = time_skcoms(*args_, cuda_graph=False)
        results["straightforward"] = time_straightforward(*args_)
        floor = matmul_floor(hidden, n_steps, batch, device, dtype)
        for impl, seconds in results.items():
            achieved = flop / seconds / 1e9
            speedup = results["straightforward"] / seconds
            print(
                f"{name:<26}{impl:<18}{seconds * 1e3:>9.1f}"
                f"{seconds * epoch_batches:>9.1f}"
                f"{achieved:>9.1f}{rate:>9.1f}{achieved / rate:>9.0%}{speedup:>8.2f}x"
            )
        ceiling = results["straightforward"] / floor
        print(
            f"{name:<26}{'products alone':<18}{floor * 1e3:>9.1f}"
            f"{floor * epoch_batches:>9.1f}{flop / floor / 1e9:>9.1f}{rate:>9.1f}"
            f"{flop / floor / 1e9 / rate:>9.0%}{ceiling:>8.2f}x  (the ceiling)"
        )
    hidden, n_steps, batch = CONFIGS["default (2x256, T=10)"]
    n_batches = 3 if args.quick else (args.steps or 100)
    print()
    print("ensemble, trained together (default network, alpha=0 and alpha=auto)")
    for alpha in (0.0, None):
        one = time_skcoms(hidden, n_steps, batch, n_batches, device, dtype, 1, alpha)
        eight = time_skcoms(hidden, n_steps, batch, n_batches, device, dtype, 8, alpha)
        label = "auto" if alpha is None else alpha
        print(
            f"  alpha={label}: K=1 {one * 1e3:.1f} ms/step, K=8 {eight * 1e3:.1f} "
            f"ms/step: K=8 costs {eight / one:.2f}x one model"
        )
    print()
    print("propose: 50 ascent steps for 128 designs (default network)")
    times = time_propose(hidden, 50, 128, device, dtype, repeats=1 if args.quick else 3)
    print(
        f"  batched {times['batched'] * 1e3:.1f} ms, one at a time "
        f"{times['one at a time'] * 1e3:.1f} ms: "
        f"{times['one at a time'] / times['batched']:.1f}x faster batched"
    )
    print(f"peak memory: {peak_memory_mb(device):.0f} MiB")


if __name__ == "__main__":
    main()
