"""Cross-validation under distribution shift: hold out the best designs.

:class:`TopKSplit` trains on the lower-scoring designs and tests on the top-k. The
scorers measure what matters there, the ranking of the held-out better designs:

- :data:`spearman_scorer` (:func:`spearman_score`): rank correlation between the
  predictions and the scores of the held-out designs.
- :func:`make_top_k_auc_scorer`: fraction of (held-out top design, lower design)
  pairs that the model orders correctly.
- :data:`exceedance_scorer` (:func:`exceedance_score`): fraction of held-out designs
  predicted at or above the top-k threshold.
- :func:`mean_overestimation`: a diagnostic, the mean of prediction minus score on
  the held-out designs (positive: over-estimation).

Scikit-learn's ``"neg_mean_squared_error"`` on ``TopKSplit`` folds is a shift-aware
criterion too: it penalizes over-estimating the held-out better designs and
under-estimating them. The rank scorers ignore the level of the predictions; when
a larger alpha mostly lowers that level off the data without reordering designs,
they barely separate the candidate alphas.

Searching an :class:`~skcoms.OfflineDesignOptimizer` (``estimator__alpha``) without
``scoring=`` ranks candidates by :meth:`skcoms.OfflineDesignOptimizer.score`: the
error on the held-out designs pooled with the over-estimation of the optimizer's own
proposals beyond the best held-out score.

Several of them can be passed at once as a dict, e.g.
``scoring={"spearman": spearman_scorer, "auc": make_top_k_auc_scorer(X, y)}`` with
``refit="auc"``.
"""

from ._scorers import (
    exceedance_score,
    exceedance_scorer,
    make_top_k_auc_scorer,
    mean_overestimation,
    spearman_score,
    spearman_scorer,
)
from ._split import TopKSplit, top_k_order

__all__ = [
    "TopKSplit",
    "exceedance_score",
    "exceedance_scorer",
    "make_top_k_auc_scorer",
    "mean_overestimation",
    "spearman_score",
    "spearman_scorer",
    "top_k_order",
]
