"""A benchmark across tasks: every activation on every task with the same paired seeds.

``run`` says what to run and analyses it; ``shards`` cuts it into batched races and
trains one; ``executors`` runs shards here, in worker processes or on Ray; ``store``
keeps finished shards in the run database; ``report`` writes tables and figures.
Qt-free, so ``actviz bench`` and the notebook API run on a machine with torch alone.
"""

from .run import FAILED, BenchSpec, analyse, run_benchmark, run_shards

__all__ = ["FAILED", "BenchSpec", "analyse", "run_benchmark", "run_shards"]
