"""How actviz compares activations: one package for every statistic it reports.

- :mod:`.paired`: per-race summaries (mean and CI per activation, paired comparisons
  with a baseline, Holm), what the results table, JSON and figures show.
- :mod:`.intervals`: the interval and test they use (smoothed bootstrap-t), P(A > B).
- :mod:`.ranks`, :mod:`.across`, :mod:`.stratified`, :mod:`.posthoc`: across tasks (mean
  ranks, Friedman, Iman-Davenport, Nemenyi's critical difference, Holm over the
  benchmark, IQM, mean, optimality gap, performance profiles, pairwise Wilcoxon,
  Bayesian signed-rank).
- :mod:`.until_decided` and :mod:`.sequential`: adding seed batches until every
  comparison is decided, with group-sequential levels.
- :mod:`.power`: seeds needed for a difference (``actviz plan``).
- :mod:`.simulate`, :mod:`.coverage`, :mod:`.sequential_check`, :mod:`.no_signal`: the
  measured error rates of all of the above (docs/comparisons.md).

The names other modules use are re-exported here (``from actviz.stats import summarise``).
Qt-free and torch-free; scipy is imported only when a statistic is computed.
"""

from .paired import (
    ALPHA,
    CONFIDENCE,
    bootstrap_ci,
    cohens_dz,
    compare,
    flat_rows,
    format_ci,
    format_p,
    holm,
    mean_ci,
    mean_std,
    method_notes,
    paired_p_value,
    summarise,
    values_by_seed,
    verdict,
)

__all__ = [
    "ALPHA",
    "CONFIDENCE",
    "bootstrap_ci",
    "cohens_dz",
    "compare",
    "flat_rows",
    "format_ci",
    "format_p",
    "holm",
    "mean_ci",
    "mean_std",
    "method_notes",
    "paired_p_value",
    "summarise",
    "values_by_seed",
    "verdict",
]
