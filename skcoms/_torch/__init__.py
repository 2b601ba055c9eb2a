"""Torch-only internals: the stacked MLP, the batched ascent and the training loop.

Nothing in this package imports scikit-learn.
"""
