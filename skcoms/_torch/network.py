"""numpy in, numpy out: what the scikit-learn estimators ask of torch.

The estimators standardize, validate and keep their fitted state in numpy; these
functions turn arrays into tensors on the model's device, run the torch code and
return arrays. The network itself (a :class:`~skcoms._torch.mlp.StackedMLP`) is an
opaque handle to the estimators.
"""

import warnings

import numpy as np
import torch

from .device import make_generator, resolve_dtype
from .mlp import StackedMLP
from .objective import DesignObjective
from .train import train_conservative

_PREDICT_CHUNK = 16384
# training data larger than this fraction of the free GPU memory stays in host memory
_RESIDENT_FRACTION = 0.25


def _place_training_data(Z, t, device):
    """Copy the training data to ``device`` when it fits comfortably, else pin it.

    Pinned host memory lets the training loop stream minibatches asynchronously.
    """
    if device.type != "cuda":
        return Z.to(device), t.to(device)
    free, _ = torch.cuda.mem_get_info(device)
    if Z.nbytes + t.nbytes <= _RESIDENT_FRACTION * free:
        return Z.to(device), t.to(device)
    return Z.pin_memory(), t.pin_memory()


def fit_network(
    Z,
    t,
    *,
    layer_sizes,
    activation,
    n_members,
    config,
    seed,
    device,
    dtype,
    n_shared_init=1,
):
    """Initialize ``n_members`` MLPs and train them with the COMs objective.

    Parameters
    ----------
    Z : ndarray of shape (n, d)
        Standardized designs.
    t : ndarray of shape (n,)
        Standardized scores.
    layer_sizes : list of int
        ``[d, *hidden, 1]``.
    activation : str
        Hidden-layer activation.
    n_members : int
        Networks trained together.
    config : TrainingConfig
        The training settings.
    seed : int
        Seeds the initialization and the minibatch order (a private generator).
    device : torch.device
        Where to train.
    dtype : {"float32", "float64"}
        Precision of the network.
    n_shared_init : int, default=1
        Each block of this many consecutive members starts from one
        initialization (candidates compared on equal terms).

    Returns
    -------
    network : StackedMLP
        The trained networks (weights on ``device``).
    history : TrainingHistory
        Per-epoch curves; ``history.interrupted`` after a Ctrl-C past the first
        epoch.
    """
    torch_dtype = resolve_dtype(dtype)
    Z, t = _place_training_data(
        torch.as_tensor(Z, dtype=torch_dtype),
        torch.as_tensor(t, dtype=torch_dtype),
        device,
    )
    generator = make_generator(seed)
    network = StackedMLP.initialize(
        n_members,
        layer_sizes,
        activation,
        generator,
        device,
        torch_dtype,
        n_shared=n_shared_init,
    )
    history = train_conservative(network, Z, t, config, generator)
    return network, history


def network_dtype(network):
    """The precision of a network's weights, as a numpy dtype."""
    return np.float64 if network.weights[0].dtype == torch.float64 else np.float32


def _standardization(network, x_mean, x_scale, device):
    """The input standardization as tensors on ``device``, in the network's dtype."""
    kw = {"device": device, "dtype": network.weights[0].dtype}
    return torch.as_tensor(x_mean, **kw), torch.as_tensor(x_scale, **kw)


def predict_network(network, X, *, x_mean, x_scale, aggregate, device):
    """Standardized predictions of ``X`` (numpy), members combined by ``aggregate``.

    A float32 network is evaluated in float64, so that a row's prediction does not
    depend on the rows it comes with (matrix-product kernels sum in an order that
    depends on the row count). Rows are sent to the device in chunks.

    Parameters
    ----------
    aggregate : {"mean", "min"} or None
        How members are combined; None keeps one row per member.

    Returns
    -------
    pred : ndarray of shape (n,), or (n_members, n) with ``aggregate=None``; float64
    """
    if network.weights[0].dtype != torch.float64:
        network = network.astype(torch.float64)
    # in float64 from the stored values: a column's mean and scale in tiny or huge
    # units (1e-178, say) are zero or infinite in float32
    mean, scale = _standardization(network, x_mean, x_scale, device)
    out = np.empty((network.n_members, X.shape[0]), dtype=np.float64)
    with torch.no_grad():
        for start in range(0, X.shape[0], _PREDICT_CHUNK):
            chunk = torch.as_tensor(X[start : start + _PREDICT_CHUNK])
            chunk = chunk.to(device=device, dtype=mean.dtype)
            pred = network.forward((chunk - mean) / scale)
            out[:, start : start + _PREDICT_CHUNK] = pred.double().cpu().numpy()
    if not np.isfinite(out).all():
        with np.errstate(over="ignore", invalid="ignore"):
            distance = np.abs((X - np.asarray(x_mean)) / np.asarray(x_scale)).max()
        raise ValueError(
            "The model's predictions overflow: X holds designs up to "
            f"{distance:.3g} standard deviations of the training data from its "
            "mean, beyond what the network can evaluate. Check the units of X."
        )
    if aggregate is None:
        return out
    return out.min(0) if aggregate == "min" else out.mean(0)


def design_objective(network, *, x_mean, x_scale, y_mean, y_scale, aggregate, device):
    """The :class:`DesignObjective` of a fitted network, on its device."""
    kw = {"device": device, "dtype": torch.float64}
    mean, scale = torch.as_tensor(x_mean, **kw), torch.as_tensor(x_scale, **kw)
    # the weights' views are prepared once, not at every ascent step
    return DesignObjective(
        network.value_and_grad_function(),
        mean,
        scale,
        y_mean,
        y_scale,
        aggregate,
        dtype=network.weights[0].dtype,
    )


def restore_network(network, device, stacklevel=3):
    """Move an unpickled network to its device, or to the CPU when CUDA is gone.

    Returns
    -------
    network : StackedMLP
    device : torch.device
    """
    if device.type == "cuda" and not torch.cuda.is_available():
        warnings.warn(
            f"This model was fitted on {device} but CUDA is not available; "
            "it was loaded on the CPU.",
            UserWarning,
            stacklevel=stacklevel,
        )
        device = torch.device("cpu")
    return network.to(device), device
