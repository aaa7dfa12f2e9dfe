"""How actviz compares activations: one package for every statistic it reports.

- :mod:`.paired`: per-race summaries (mean and CI per activation, paired comparisons
  with a baseline, Holm), what the results table, JSON and figures show.
- :mod:`.ranks`: across tasks (mean ranks, Friedman, Nemenyi's critical difference).
- :mod:`.until_decided`: adding seed batches until every comparison is decided.

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
