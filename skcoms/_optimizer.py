"""OfflineDesignOptimizer: propose new designs by gradient ascent on a fitted model."""

from numbers import Integral, Real

import numpy as np

from ._base import _BaseModelOptimizer
from ._compat import HasMethods, Interval, StrOptions
from ._defaults import (
    LONG_PATH_FACTOR,
    RECOMBINE,
    is_discrete,
    is_underdetermined,
)
from ._regressor import _draw_seed
from ._torch.ascent import ascend, ascend_iterates
from ._torch.decoded import ascend_decoded, sequence_keys


def _sequence_tokens(Z, sequence_length, n_categories):
    """Category indices ``(n, L)`` of encoded sequences (the space's argmax)."""
    logits = Z.reshape(Z.shape[0], sequence_length, n_categories - 1)
    zeros = np.zeros(logits.shape[:2] + (1,))
    return np.concatenate([zeros, logits], axis=2).argmax(axis=2)


def _single_changes(tokens, n_categories):
    """Every sequence one token away from a row of ``tokens`` (``m x L``).

    Returns the changed sequences ``(m * L * (C - 1), L)``, row by row of
    ``tokens`` (position by position, then category), and the row each came from.
    """
    m, length = tokens.shape
    changed = np.broadcast_to(
        tokens[:, None, None, :], (m, length, n_categories, length)
    )
    changed = changed.copy()
    positions = np.arange(length)
    # changed[i, p, c, p] = c: position p of row i set to category c
    changed[:, positions, :, positions] = np.arange(n_categories)
    new = np.arange(n_categories) != tokens[:, :, None]
    return changed[new], np.nonzero(new)[0]


def _adjacent_pairs(tokens, n_categories):
    """``(C, C)`` bool: whether token ``b`` follows ``a`` somewhere in ``tokens``."""
    seen = np.zeros((n_categories, n_categories), dtype=bool)
    seen[tokens[:, :-1].ravel(), tokens[:, 1:].ravel()] = True
    return seen


# the most single-token changes of the data's designs that ``_fill`` scores, and
# the most numbers (iterates times features) of continuous paths it keeps
_FILL_CANDIDATES = 16384
_FILL_NUMBERS = 2**22
# the most random numbers drawn at once to choose the designs that recombine
# averages
_PERMUTATION_NUMBERS = 2**20


class OfflineDesignOptimizer(_BaseModelOptimizer):
    """Propose designs that score higher than the data, by ascent on a fitted model.

    ``fit(X, y)`` encodes the designs through ``design_space`` and fits a clone of
    ``estimator`` on them. ``propose(n_designs)`` runs ``n_steps`` of gradient
    ascent on the fitted model from the best designs of the data (by measured
    score), all paths at once on the model's device (for continuous designs,
    every other path twice as long by default), and returns one design per
    path, best predicted score first, in the representation of the ``X`` seen in
    fit (strings in, strings out). This is the final stage of Conservative
    Objective Models (COMs); with a plain regression model it is the naive
    gradient-ascent baseline.

    The proposer, by default:

    - runs ``paths_per_design`` paths per requested design, from the
      ``paths_per_design * n_designs`` best designs of the data, and the model
      keeps the best ``n_designs`` of their results; for continuous designs
      half of the paths start from the best half of those designs and the
      others from means of 8 of them (``recombine``);
    - keeps from each path its best design as scored by the model
      (``path_selection="best"``). For sequences every iterate of the ascent is
      decoded (argmax per position), and the decoded design, not the logits
      being climbed, is scored: the ascent moves logits off the one-hot designs
      the model was fitted on, and the design they decode to can score worse
      than the logits claim, or fall back onto a design of the data;
    - proposes only new designs (``drop_duplicates=True``): a design of the
      data is a wasted experiment. When too few remain (paths that reach the
      same designs, near-copies), more paths start from the next best designs
      of the data; on sequences each of them keeps its best design that is
      neither in the data nor already proposed;
    - for sequences, proposes only designs whose adjacent token pairs all occur
      in the data (``support="pairs"``);
    - for continuous designs, proposes no two designs closer than
      ``min_separation`` (a near-copy of a better proposal is a wasted
      experiment too).

    ``max_changes`` (sequences) and ``max_distance`` (continuous designs) add a
    trust region around each start design. ``n_steps=None, paths_per_design=1,
    path_selection="last", support=None, drop_duplicates=False,
    min_separation=None, recombine=None`` is the published protocol: the end
    point of one path per design, every path as long as the negatives.

    The ascent is the routine the regressor uses to mine its negatives, driven by
    ``estimator_.design_objective()``: any fitted estimator that offers that method
    can be optimized.

    Parameters
    ----------
    estimator : estimator or None, default=None
        The model of the score. It must offer ``design_objective()`` after fit.
        ``None`` uses a :class:`~skcoms.ConservativeObjectiveRegressorCV`, which
        chooses alpha among ``(0, 0.01, 0.1, 1)`` by its error on the top 10% of
        the data held out (alpha > 0 only when clearly better than 0,
        ``plain_margin=2.0``), with the reference's ascent step for the design
        space: for continuous designs its default, ``loss="listnet"`` (the
        ranking loss, ``listnet_temperature=8.0``) and ``n_ascent_steps=15``, or,
        when the data have no more designs than features, the squared error with
        10-step paths and the held-out error averaged over three sets of
        candidates, the smallest winning (``allow_plain=True, n_repeats=3,
        plain_margin=0``); for categorical ones
        ``ascent_step_size=2.0``, the squared error, five final networks
        averaged (``n_members=5``) and each network's sharpness held at most
        0.1 (``sharpness_limit=0.1``). To search its parameters
        (``estimator__alpha``), pass it explicitly.
    design_space : Box, CategoricalSequence or None, default=None
        How designs are encoded. ``None`` infers it from ``X`` (see
        :func:`skcoms.spaces.infer_design_space`): floats give ``Box()`` (bounds
        from the data with a 10% margin), strings give a ``CategoricalSequence``
        over the sorted tokens of the data, and integer arrays give a
        ``CategoricalSequence`` over ``0 .. X.max()``.
    n_steps : int >= 0, tuple of int >= 0, "auto" or None, default="auto"
        Ascent steps per path. ``None`` uses ``estimator_.n_ascent_steps``
        (50 when the estimator has no such parameter): the paths then go as
        far as the negatives the model was trained to score down, as in the COMs
        reference, which uses 50 steps for both. A tuple gives paths of several
        lengths, cycled over the start points in their order (best design of the
        data first): with ``(15, 30)`` the paths from the best, third, fifth...
        designs take 15 steps and the others 30. Read when ``propose`` runs, so
        ``set_params(n_steps=...)`` on a fitted optimizer searches its model
        with other paths without refitting. ``"auto"``: ``None``'s length
        ``n``, and for continuous designs with more designs than features
        ``(n, 2 * n)``. There longer paths raised the Ackley functions'
        proposals and lowered Branin's median and Hartmann-6's best; half of
        the paths at each length kept most of the gains and few of the losses
        (21 continuous test tasks, 8 seeds: the README's "The path length"). On
        fewer designs than features (the Hopper controller) longer paths
        lowered the proposals, and sequences are not measured with two lengths,
        so there every path takes ``n`` steps.
    step_size : float > 0 or None, default=None
        Step length in the units of the direction of ``design_objective()`` (the
        estimator's standardized inputs). ``None`` uses
        ``estimator_.ascent_step_size_``, the step the model mined its negatives
        with, so the paths follow those the model was trained to be
        conservative along.
    paths_per_design : int >= 1 or "auto", default="auto"
        Paths per requested design in the first search: ``propose(n)`` starts
        from the ``paths_per_design * n`` best designs of the data and keeps the
        ``n`` results of highest predicted score. Later searches, when
        ``drop_duplicates`` needs more designs, start from ``n`` more.
        ``"auto"``: 4 for sequences, 1 for continuous designs (on the continuous
        test functions the model's ranking of 4 paths per design lowered the
        best proposal; see the README's "Design quality"; on sequences one path
        per design lowered TFBind8's median proposal by 0.054 and the Ehrlich
        functions' best ones by up to 0.14, and moved RNA binding's by at most
        0.03: "One path per design on sequences").
    path_selection : {"best", "last"}, default="best"
        What each path contributes. ``"best"``: its design of highest predicted
        score among its iterates, start included; for sequences, among the
        designs its iterates decode to (re-encoded and scored as designs) that
        pass ``max_changes`` and ``support`` and, with ``drop_duplicates``, are
        not designs of the data. ``"last"``: its end point (for sequences with
        ``max_changes`` or ``support``, the last decoded design that passes
        them), the classic protocol.
    max_changes : int >= 0 or None, default=None
        Trust region for sequences: each decoded design keeps its start's token
        at all but at most ``max_changes`` positions (those where the ascent's
        logits favour the new token most). ``None``: no limit; on every
        sequence task of the README's benchmarks, limits of 1 to 4 lowered the
        proposals' median ("The trust regions"). Only for
        ``CategoricalSequence`` designs.
    max_distance : float > 0 or None, default=None
        Trust region for continuous designs: after every step each iterate is
        moved back to at most this root-mean-square displacement from its start,
        in the model's standardized units (standard deviations of the data).
        Iterates inside the region are left as they are. ``None``: no limit; on
        the continuous test functions of the README's benchmarks every radius
        below their paths' length (about 0.4 to 0.7) lowered the proposals
        ("The trust regions"). Only for ``Box`` designs.
    recombine : int >= 2, "auto" or None, default="auto"
        Continuous designs: start paths of the first search from the mean of
        ``recombine`` designs drawn at random (without replacement, seeded by
        ``random_state``) among the data's ``paths_per_design * n`` best (at
        least ``recombine`` of them), instead of from one of them; a share
        ``recombine_fraction`` of the paths, the others from the data's best
        designs. Later searches start from the data's designs as without it.
        A mean of good designs is the recombination step of evolution
        strategies: where the good designs scatter around a better one it lies
        nearer to it, and where they sit on separate peaks it falls between
        them. ``"auto"``: 8 for continuous designs, None for sequences (a mean
        of sequences is no sequence) and with ``max_distance`` (whose region
        lies around each path's start: around a mean, it would not keep the
        proposals near designs of the data). ``None``: every path starts from
        a design of the data. Over 8 seeds of 23 continuous test tasks (README,
        "Paths from means of the data's best designs"), half of the paths from
        means of 8 raised the median proposal of every Ackley instance by 0.018
        to 0.147 and lowered Hartmann-6's by at most 0.048 (its best by at most
        0.028) and Branin's by at most 0.003; on 256-D functions and the Hopper
        controller it raised the proposals but on a linear function.
        Every path from means (``recombine_fraction=1``) gained more on the
        Ackleys and lost more on Hartmann-6. Only for ``Box`` designs.
    recombine_fraction : float in (0, 1], default=0.5
        With ``recombine``, the share of the first search's paths that start
        from means (rounded, at least one): the data's best designs start the
        others.
    support : {"pairs"} or None, default="pairs"
        A data-support rule for sequences (conservatism in design space rather
        than in the model): ``"pairs"`` never proposes a design in which token
        ``b`` follows token ``a`` unless ``b`` follows ``a`` somewhere in the
        data. Where every pair occurs in the data (TFBind8) it changes nothing;
        where some pairs never occur (banned transitions, as in Ehrlich
        functions) it keeps the proposals among sequences the data supports.
        ``None``: no rule. Ignored for continuous designs.
    min_separation : float >= 0 or None, default=0.01
        Continuous designs: a proposal whose root-mean-square distance to a
        proposal of higher predicted score is below this, in standard deviations
        of the data (the units of ``max_distance``), is dropped as a near-copy,
        and the ascent goes on from the next-best designs of the data as for
        ``drop_duplicates``. Paths from neighbouring starts can converge on one
        maximum of the model; on Branin a quarter of them met on a false one.
        Over 32 seeds 0.01 raised Branin's median proposal by 0.012 and moved
        Hartmann-6's by at most 0.003; over 8 it raised the toy quadratic's by
        0.003 and left the scores of the other continuous test functions and
        the proposals on the Hopper controller as they were (README,
        "Near-copies"). ``None`` or 0: only exact duplicates are dropped.
        Ignored for sequences, where two distinct designs differ by a whole
        token.
    drop_duplicates : bool, default=True
        Propose only new designs: drop proposals identical to a design of the
        data and repeated proposals (the best-scored copy is kept); with
        ``path_selection="best"``, sequence paths skip designs of the data as
        they go. To make up for dropped ones, the ascent is rerun from the
        next-best designs of the data until ``n_designs`` distinct new designs
        are found. When every design of the data has been used as a start, the
        rest are made up with designs close to the data's best distinct ones,
        best predicted score first: for sequences those one token away (within
        ``support``; none with ``max_changes=0``), for continuous designs the
        iterates along their paths (none within ``min_separation`` of a
        proposal). When those run out too, fewer are returned with a
        ``UserWarning``.
    random_state : int, RandomState instance or None, default=None
        When not None, seeds the estimator's fit (it replaces the clone's own
        ``random_state``) and the designs that ``recombine`` averages; with
        None each ``propose`` draws other means. The search itself is
        deterministic.

    Attributes
    ----------
    estimator_ : estimator
        The fitted model of the score, fitted on encoded designs.
    design_space_ : Box or CategoricalSequence
        The fitted design space.
    n_steps_ : int
        The number of ascent steps of the longest path (of the last ``propose``
        call once it has run).
    path_lengths_ : tuple of int
        The number of ascent steps of each path, cycled over the start points
        (one entry when every path takes ``n_steps_``).
    step_size_ : float
        The ascent step in use.
    trajectory_ : ndarray of shape (n_steps_ + 1, n_proposals)
        The model's predicted score along the path of each proposal of the last
        ``propose`` call, start first; column ``j`` is proposal ``j``; after
        its last step a shorter path's score is repeated. For
        sequences searched decoding-aware (``path_selection="best"``, or
        ``max_changes`` or ``support`` set), row ``t`` scores the design the
        path's logits decode to at step ``t``, the proposal being the best (or
        last) valid one of them; otherwise it scores the iterates themselves
        (for sequences, the logits being climbed). A design made up once every
        start was searched (see ``drop_duplicates``) has no path of its own: its
        column is NaN.
    n_features_in_ : int
        Number of columns of ``X`` when it is a 2-D array (not set for 1-D string
        designs).
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when X was a DataFrame with string column names.

    See Also
    --------
    skcoms.baselines.GradientAscentOptimizer : The same ascent on a plain
        regression model, with the published protocol by default.
    skcoms.baselines.BestOfDataset : The best designs of the data.

    Notes
    -----
    The sequence search decodes, scores and checks every iterate on the model's
    device and copies its result to the host once. The designs never to propose
    are held there as integer keys: exact base-``C`` numbers when
    ``C ** L < 2 ** 62``, two 31-bit polynomial hashes otherwise. A hash collision
    can only make a new design look like one of the data (the path skips it),
    never the reverse, and the final de-duplication compares designs exactly.

    References
    ----------
    B. Trabucco, A. Kumar, X. Geng, S. Levine. "Conservative Objective Models for
    Effective Offline Model-Based Optimization." ICML 2021.

    Examples
    --------
    >>> import numpy as np
    >>> from skcoms import ConservativeObjectiveRegressor, OfflineDesignOptimizer
    >>> rng = np.random.RandomState(0)
    >>> X = rng.uniform(-2, 2, size=(200, 2))
    >>> y = -(X ** 2).sum(axis=1)
    >>> model = ConservativeObjectiveRegressor((32, 32), max_iter=20)
    >>> opt = OfflineDesignOptimizer(model, random_state=0).fit(X, y)
    >>> designs, scores = opt.propose(4, return_scores=True)
    >>> opt.path_lengths_, opt.n_steps_
    ((10, 20), 20)
    >>> designs.shape, opt.trajectory_.shape
    ((4, 2), (21, 4))
    >>> bool(np.all(np.diff(scores) <= 0))
    True

    Sequences, with at most two tokens changed from each start design:

    >>> tokens = rng.randint(0, 4, size=(300, 6))
    >>> opt = OfflineDesignOptimizer(
    ...     ConservativeObjectiveRegressor((16,), max_iter=5, ascent_step_size=2.0),
    ...     max_changes=2,
    ...     random_state=0,
    ... ).fit(tokens, (tokens == 3).sum(axis=1))
    >>> proposals = opt.propose(5)
    >>> int((proposals != tokens[:, None]).sum(axis=2).min(axis=0).max()) <= 2
    True
    """

    _parameter_constraints = {
        **_BaseModelOptimizer._parameter_constraints,
        "estimator": [HasMethods(["fit", "design_objective"]), None],
        "n_steps": [
            Interval(Integral, 0, None, closed="left"),
            tuple,
            StrOptions({"auto"}),
            None,
        ],
        "step_size": [Interval(Real, 0, None, closed="neither"), None],
        "paths_per_design": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "path_selection": [StrOptions({"best", "last"})],
        "max_changes": [Interval(Integral, 0, None, closed="left"), None],
        "max_distance": [Interval(Real, 0, None, closed="neither"), None],
        "recombine": [
            Interval(Integral, 2, None, closed="left"),
            StrOptions({"auto"}),
            None,
        ],
        "recombine_fraction": [Interval(Real, 0, 1, closed="right")],
        "support": [StrOptions({"pairs"}), None],
        "min_separation": [Interval(Real, 0, None, closed="left"), None],
    }
    # sequences: keys of the designs never proposed, adjacent pairs of the data
    _private_fitted = ("_known_keys", "_allowed_pairs")

    def __init__(
        self,
        estimator=None,
        *,
        design_space=None,
        n_steps="auto",
        step_size=None,
        paths_per_design="auto",
        path_selection="best",
        max_changes=None,
        max_distance=None,
        recombine="auto",
        recombine_fraction=0.5,
        support="pairs",
        min_separation=0.01,
        drop_duplicates=True,
        random_state=None,
    ):
        self.estimator = estimator
        self.design_space = design_space
        self.n_steps = n_steps
        self.step_size = step_size
        self.paths_per_design = paths_per_design
        self.path_selection = path_selection
        self.max_changes = max_changes
        self.max_distance = max_distance
        self.recombine = recombine
        self.recombine_fraction = recombine_fraction
        self.support = support
        self.min_separation = min_separation
        self.drop_duplicates = drop_duplicates
        self.random_state = random_state

    def _fit_designs(self, Z, y):
        # before the model's fit: a trust region of the wrong kind fails at once
        discrete = is_discrete(self.design_space_)
        if discrete and self.max_distance is not None:
            raise ValueError(
                "max_distance is the trust region of continuous designs; for "
                "sequences use max_changes (a number of tokens)."
            )
        if not discrete and self.max_changes is not None:
            raise ValueError(
                "max_changes is the trust region of sequences (CategoricalSequence); "
                "for continuous designs use max_distance."
            )
        self._check_recombine()
        super()._fit_designs(Z, y)

    def _recombine_size(self):
        """Designs per mean, or None for no means (``recombine`` resolved)."""
        if self.recombine == "auto":
            # a trust region keeps the proposals near designs of the data
            none = is_discrete(self.design_space_) or self.max_distance is not None
            return None if none else RECOMBINE
        return self.recombine

    def _check_recombine(self):
        if self.recombine not in (None, "auto") and is_discrete(self.design_space_):
            raise ValueError(
                "recombine averages continuous designs (Box); a mean of "
                f"sequences is no sequence. Got recombine={self.recombine!r} with "
                "a CategoricalSequence."
            )

    def _fit_search(self):
        self._set_path_lengths()
        if self.step_size is not None:
            self.step_size_ = float(self.step_size)
        elif hasattr(self.estimator_, "ascent_step_size_"):
            self.step_size_ = float(self.estimator_.ascent_step_size_)
        else:
            raise ValueError(
                f"{type(self.estimator_).__name__} has no ascent_step_size_; pass "
                "step_size explicitly."
            )
        self._known_keys = self._allowed_pairs = None
        space = self.design_space_
        if is_discrete(space):
            L, C = space.sequence_length_, space.n_categories_
            known = _sequence_tokens(self._known_designs(), L, C)
            self._known_keys = sequence_keys(known, C)
            data = _sequence_tokens(self._designs, L, C)
            self._allowed_pairs = _adjacent_pairs(data, C)

    def _set_path_lengths(self):
        """``path_lengths_`` and ``n_steps_`` from ``n_steps``, at fit and propose.

        Read again when ``propose`` runs, so the parameter can change after fit.
        """
        self.path_lengths_ = self._path_lengths()
        self.n_steps_ = max(self.path_lengths_)

    def _path_lengths(self):
        """The steps of each path, cycled over the start points (see ``n_steps``)."""
        lengths = self.n_steps
        if lengths is None or lengths == "auto":
            n = int(getattr(self.estimator_, "n_ascent_steps", 50))
            longer = not is_discrete(self.design_space_) and not is_underdetermined(
                self._designs
            )
            if lengths == "auto" and longer and n > 0:
                return (n, LONG_PATH_FACTOR * n)
            return (n,)
        single = not isinstance(lengths, tuple)
        if single:
            lengths = (lengths,)
        bad = [
            n
            for n in lengths
            if not isinstance(n, Integral) or isinstance(n, bool) or n < 0
        ]
        if not lengths or bad:
            expected = "an int >= 0, a non-empty tuple of them, 'auto' or None"
            if not single:
                expected = "a non-empty tuple of ints >= 0 (the steps of each path)"
            raise ValueError(f"n_steps must be {expected}, got {self.n_steps!r}.")
        return tuple(int(n) for n in lengths)

    def _propose(self, n_designs, stacklevel=2):
        # the path lengths are read when the search runs, as max_distance is
        self._set_path_lengths()
        return super()._propose(n_designs, stacklevel=stacklevel)

    def _shortfall_message(self, n_designs, n_found):
        message = super()._shortfall_message(n_designs, n_found)
        if self.drop_duplicates and is_discrete(self.design_space_):
            if self.max_changes != 0:
                # the fill ran out too (see _fill)
                message += (
                    " The designs one token away from the data's best ones are "
                    "all designs of the data, proposals already or outside the "
                    "support (support=None lifts that rule)."
                )
                return message
            # a path whose every step lands on a design of the data or off the
            # support keeps nothing: it never moves (a model conservative enough
            # to hold every start) or smaller moves would visit designs in between
            message += (
                " A path finds none when its ascent never changes the decoded design"
                " (a strongly conservative model: a smaller alpha or more n_steps)"
                " or jumps past every new design the rules allow (a smaller"
                " step_size or a max_changes lets it stop in between)."
            )
        return message

    def _separation(self):
        if not self.min_separation or is_discrete(self.design_space_):
            return None
        return self.min_separation, self._designs.std(axis=0)

    def _fill(self):
        """Designs near the data's once every start has been searched, best first.

        When the paths from every design of the data found fewer new designs
        than were asked for (few distinct designs, a model that holds its
        starts, or paths that meet), the rest come from the designs closest to
        the data, best predicted score first:

        - sequences: the designs one token away from the data's best distinct
          designs that pass ``support`` (none with ``max_changes=0``);
        - continuous designs: the iterates along the paths from the data's best
          distinct designs, start excluded (``propose`` then drops those within
          ``min_separation`` of a proposal).

        As many designs are used as keep the candidates to ``_FILL_CANDIDATES``
        sequences or ``_FILL_NUMBERS`` numbers.
        """
        space = self.design_space_
        none = super()._fill()
        order = np.argsort(-self._scores, kind="stable")
        # distinct designs, best measured score first
        keys = self._key_array(self._designs[order])
        first = np.sort(np.unique(keys, axis=0, return_index=True)[1])
        starts, scores = self._designs[order][first], self._scores[order][first]
        if is_discrete(space):
            if self.max_changes == 0:
                return none
            L, C = space.sequence_length_, space.n_categories_
            starts = starts[: max(1, _FILL_CANDIDATES // (L * (C - 1)))]
            changed, parent = _single_changes(_sequence_tokens(starts, L, C), C)
            if self.support is not None:
                allowed = self._allowed_pairs[changed[:, :-1], changed[:, 1:]]
                allowed = allowed.all(axis=1)
                changed, parent = changed[allowed], parent[allowed]
            if not len(changed):
                return none
            Z = space.encode(space._format(changed))
        else:
            if self.n_steps_ == 0:
                return none
            d = starts.shape[1]
            starts = starts[: max(1, _FILL_NUMBERS // (self.n_steps_ * d))]
            iterates = ascend_iterates(
                self.estimator_.design_objective(),
                starts,
                n_steps=self.n_steps_,
                step_size=self.step_size_,
                bounds=space.encoded_bounds(),
                max_distance=self.max_distance,
            )
            Z = iterates.reshape(-1, d)
            parent = np.tile(np.arange(len(starts)), self.n_steps_)
            finite = np.isfinite(Z).all(axis=1)
            Z, parent = Z[finite], parent[finite]
        if not len(Z):
            return none
        y0 = scores[parent]
        best = np.argsort(-self._rank_scores(Z, y0), kind="stable")
        return Z[best], y0[best]

    def _start_points(self, n_designs):
        """The data's best designs: ``paths_per_design`` per design, then more;
        with ``recombine``, means of them first."""
        paths = self.paths_per_design
        if paths == "auto":
            paths = 4 if is_discrete(self.design_space_) else 1
        self._check_recombine()  # set after fit
        m = self._recombine_size()
        if m is None:
            return self._best_designs_first(n_designs * paths, n_designs)
        return self._recombined_first(n_designs * paths, n_designs, m)

    def _recombined_first(self, n_paths, size, m):
        """A batch of ``n_paths`` start points: the data's best designs, then
        means of ``m`` of them (``recombine_fraction`` of the batch, with the
        means of their scores); then the data's next designs, ``size`` at a
        time."""
        n_means = min(n_paths, max(1, round(self.recombine_fraction * n_paths)))
        order = np.argsort(-self._scores, kind="stable")
        pool = order[: max(n_paths, m)]
        m = min(m, pool.size)
        rng = np.random.default_rng((_draw_seed(self.random_state), 1))
        # m distinct designs per mean: the first m of a random permutation of
        # the pool, drawn a few rows at a time (the same stream of numbers)
        rows = max(1, _PERMUTATION_NUMBERS // pool.size)
        sets = np.concatenate(
            [
                np.argsort(rng.random((min(rows, n_means - i), pool.size)), axis=1)
                for i in range(0, n_means, rows)
            ]
        )
        sets = pool[sets[:, :m]]
        first = order[: n_paths - n_means]
        Z0 = np.concatenate([self._designs[first], self._designs[sets].mean(axis=1)])
        y0 = np.concatenate([self._scores[first], self._scores[sets].mean(axis=1)])
        yield Z0, y0
        # then the data's designs not yet started from, best first
        for start in range(first.size, order.size, size):
            idx = order[start : start + size]
            yield self._designs[idx], self._scores[idx]

    def _search_more(self, Z0, y0, kept):
        """Paths of a later batch keep their best design not yet proposed.

        Each decoded path keeps its best new design; when the paths of the first
        batch all reach the same few designs, those of the next batches keep the
        best of what they pass that is neither in the data nor already kept.
        """
        space = self.design_space_
        best = self.path_selection == "best"
        if not (is_discrete(space) and self.drop_duplicates and best):
            return self._search(Z0, y0)
        L, C = space.sequence_length_, space.n_categories_
        proposed = sequence_keys(_sequence_tokens(kept, L, C), C)
        return self._search(Z0, y0, np.union1d(self._known_keys, proposed))

    def _search(self, Z0, y0, known_keys=None):
        """Ascent on the model from every start point, ``path_lengths_`` cycled.

        ``known_keys``: the sequences a decoded path may not keep, the data's
        when None.
        """
        if len(set(self.path_lengths_)) == 1:
            return self._paths(Z0, known_keys, self.path_lengths_[0])
        lengths = np.resize(self.path_lengths_, len(Z0))
        Z = trajectory = None
        for n_steps in sorted(set(lengths.tolist())):
            rows = np.flatnonzero(lengths == n_steps)
            Z_part, values = self._paths(Z0[rows], known_keys, n_steps)
            if Z is None:
                Z = np.empty((len(Z0),) + Z_part.shape[1:], dtype=Z_part.dtype)
                trajectory = np.empty((self.n_steps_ + 1, len(Z0)))
            Z[rows] = Z_part
            # a shorter path stays where it ended: its last score repeated
            trajectory[: n_steps + 1, rows] = values
            trajectory[n_steps + 1 :, rows] = values[-1]
        return Z, trajectory

    def _paths(self, Z0, known_keys, n_steps):
        """``n_steps`` of gradient ascent on the model from every row of ``Z0``."""
        if known_keys is None:
            known_keys = self._known_keys
        objective = self.estimator_.design_objective()
        space = self.design_space_
        best = self.path_selection == "best"
        if is_discrete(space) and (
            best or self.max_changes is not None or self.support is not None
        ):
            return ascend_decoded(
                objective,
                Z0,
                n_steps=n_steps,
                step_size=self.step_size_,
                sequence_length=space.sequence_length_,
                n_categories=space.n_categories_,
                soft_interpolation=space.soft_interpolation,
                selection=self.path_selection,
                known_keys=known_keys if best and self.drop_duplicates else None,
                allowed_pairs=self._allowed_pairs if self.support else None,
                max_changes=self.max_changes,
            )
        return ascend(
            objective,
            Z0,
            n_steps=n_steps,
            step_size=self.step_size_,
            bounds=space.encoded_bounds(),
            max_distance=self.max_distance,
            selection=self.path_selection,
            include_start=not self.drop_duplicates,
        )
