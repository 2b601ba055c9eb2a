"""Device, dtype and seeding helpers."""

import re

import torch

_DTYPES = {"float32": torch.float32, "float64": torch.float64}
_DEVICE_PATTERN = re.compile(r"^(auto|cpu|cuda(:\d+)?)$")


def resolve_device(device):
    """Turn ``"auto"``, ``"cpu"``, ``"cuda"`` or ``"cuda:N"`` into a ``torch.device``.

    Raises ``ValueError`` naming the problem when the string is unknown or the CUDA
    device does not exist on this machine.
    """
    if not isinstance(device, str) or not _DEVICE_PATTERN.match(device):
        raise ValueError(
            f"device={device!r} is not understood; use 'auto', 'cpu', 'cuda' or "
            "'cuda:N'."
        )
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    resolved = torch.device(device)
    if resolved.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(
                f"device={device!r} was requested but CUDA is not available on this "
                "machine; use device='cpu' or device='auto'."
            )
        index = resolved.index if resolved.index is not None else 0
        if index >= torch.cuda.device_count():
            raise ValueError(
                f"device={device!r} does not exist: this machine has "
                f"{torch.cuda.device_count()} CUDA device(s)."
            )
    return resolved


def resolve_dtype(dtype):
    """Map ``"float32"`` / ``"float64"`` to the torch dtype."""
    return _DTYPES[dtype]


def make_generator(seed):
    """A private CPU generator: the global torch RNG is never touched."""
    generator = torch.Generator(device="cpu")
    generator.manual_seed(int(seed))
    return generator
