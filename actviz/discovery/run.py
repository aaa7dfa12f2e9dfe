"""The search: proposes formulas, races them in batches, ranks, measures cost, verifies.

:func:`run_search` is what ``actviz search`` and ``actviz.search(...)`` call. Races go
through an executor (in-process, local processes or Ray) as :class:`~.races.RaceJob`
shards; each finished candidate race is stored (see :mod:`.store`) before the next
batch starts, so a killed search replays its (seeded) proposals, finds those races in
the store and goes on from where it stopped, with the time it had already spent.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Sequence
from typing import Any

from .grammar import Grammar
from .pool import Candidate, CandidatePool
from .races import RaceJob, run_job
from .settings import SearchSettings
from .store import SearchStore, content_key

Progress = Callable[[dict[str, Any]], None]

#: the search phase stops at this fraction of the budget; the rest confirms and verifies
SEARCH_SHARE = 0.85
#: candidates re-raced at full fidelity after the search (halving and evolution leave
#: some of their best at lower fidelity), and then again at the final fidelity (twice
#: the steps on twice the seeds), which orders the top of the ranking
CONFIRM_TOP = 8
#: rows of the live leaderboard each progress event carries (the Discover panel shows them)
LEADERS = 10


def level(steps: int, seeds: int) -> str:
    return f"{steps}x{seeds}"


class Search:
    """One search's state; strategies (``strategies.py``) drive it."""

    def __init__(
        self,
        settings: SearchSettings,
        store: SearchStore | None = None,
        progress: Progress | None = None,
        plugin_dirs: Sequence[str] = (),
    ) -> None:
        from ..benchmark.executors import make_executor

        self.settings = settings
        self.store = store
        self.progress = progress
        self.plugin_dirs = tuple(str(p) for p in plugin_dirs)
        self.search_id = content_key(settings.identity())
        self.rng = random.Random(settings.seed)
        self.grammar = Grammar()
        self.pool = CandidatePool(sandboxed=settings.sandboxed)
        self.executor = make_executor(settings.executor, settings.workers, settings.cluster)
        self.trained = 0  # candidate x task races trained by this process
        self.reused = 0  # ... found in the store instead
        self.evaluations = 0  # candidate x seed x step updates trained
        self.race_seconds = 0.0
        self._spent_before = store.spent(self.search_id) if store is not None else 0.0
        #: a finished search, run again, replays exactly its strategy's races (all stored);
        #: a killed one replays what it stored and goes on with the time it had left
        finished = store.run_result(self.search_id) if store is not None else None
        self._replay_until = int((finished or {}).get("strategy_races", 0))
        self._start = time.perf_counter()

    # -- budget ---------------------------------------------------------------------------

    def elapsed(self) -> float:
        return self._spent_before + time.perf_counter() - self._start

    def time_left(self) -> float:
        return self.settings.budget_s - self.elapsed()

    def races_done(self) -> int:
        return self.trained + self.reused

    def done(self) -> bool:
        s = self.settings
        if s.max_races is not None:
            return self.races_done() >= s.max_races
        if self._replay_until:
            return self.races_done() >= self._replay_until
        return self.elapsed() + self.reserve_s() >= s.budget_s

    def reserve_s(self) -> float:
        """Time kept for confirming, costing and verifying the best: their updates at the
        rate measured so far, plus a cost measurement each; at least 1 - SEARCH_SHARE of
        the budget while no rate is known."""
        s = self.settings
        if self.race_seconds <= 0:
            return (1 - SEARCH_SHARE) * s.budget_s
        rate = self.evaluations / self.race_seconds
        n_verify = (s.verify_top + len(s.baselines)) * s.verify_seeds * s.steps * len(s.tasks)
        n_confirm = 5 * CONFIRM_TOP * s.seeds * s.steps * len(s.tasks)
        return 1.2 * (n_verify + n_confirm) / rate + 0.1 * 20

    # -- candidates -----------------------------------------------------------------------

    def new_random(self, n: int) -> list[Candidate]:
        out: list[Candidate] = []
        tries = 0
        while len(out) < n and tries < 50 * n:
            tries += 1
            candidate = self.pool.propose(self.grammar.random_expr(self.rng))
            if candidate is not None:
                out.append(candidate)
        return out

    def score_at(self, candidate: Candidate, steps: int, seeds: int) -> float:
        value = candidate.scores.get(level(steps, seeds))
        return value if value is not None else -math.inf

    # -- races ----------------------------------------------------------------------------

    def _race_key(self, candidate: Candidate, task: str, steps: int, seeds: int) -> str:
        from ..benchmark.shards import versions

        s = self.settings
        return content_key(
            {
                "formula": candidate.formula,
                "task": task,
                "steps": steps,
                "seeds": list(range(seeds)),
                "hidden": list(s.hidden),
                "lr": s.lr,
                "versions": versions(),
                # only when not the default mlp: races stored before stay found
                **{k: v for k, v in s.race_options().items() if k.startswith("arch")},
            }
        )

    def evaluate(self, candidates: Sequence[Candidate], steps: int, seeds: int) -> None:
        """Race ``candidates`` at ``steps`` x ``seeds`` on every task (stored races reused).

        Candidates are cut into shards of ``shard_size`` in their given order whatever the
        executor, and a shard races whole or not at all: a candidate's race mates, and so
        its score to the last bit, are the same in-process, in worker processes, on Ray
        and after a resume."""
        s = self.settings
        per_task: dict[str, dict[int, list[float | None]]] = {t: {} for t in s.tasks}
        size = s.shard_size
        chunks = [list(candidates[i : i + size]) for i in range(0, len(candidates), size)]
        for task in s.tasks:
            todo = []
            for chunk in chunks:
                stored = [self._load(c, task, steps, seeds) for c in chunk]
                if all(r is not None for r in stored):
                    for c, r in zip(chunk, stored, strict=True):
                        per_task[task][c.id] = r["scores"]  # type: ignore[index]
                    self.reused += len(chunk)
                else:
                    todo.append(chunk)
            self._run(todo, task, steps, seeds, per_task[task])
        key = level(steps, seeds)
        for c in candidates:
            values = [per_task[t].get(c.id) for t in s.tasks]
            if any(v is None for v in values):
                c.scores[key] = None
                c.status = "failed"
                continue
            means = []
            for seed_values in values:
                finite = [v for v in seed_values if v is not None and math.isfinite(v)]
                means.append(sum(finite) / len(finite) if finite else None)
            diverged = any(len([v for v in sv if v is not None]) < len(sv) for sv in values)
            c.scores[key] = None if any(m is None for m in means) else sum(means) / len(means)
            c.seeds[key] = seeds
            c.status = "diverged" if diverged else "raced"
        self._save_progress("running")
        self._report()

    def _load(self, c: Candidate, task: str, steps: int, seeds: int) -> dict[str, Any] | None:
        if self.store is None:
            return None
        return self.store.load_race(self._race_key(c, task, steps, seeds))

    def _run(self, chunks: list[list[Candidate]], task: str, steps: int, seeds: int, into) -> None:
        """Race each chunk as one job on the executor; store each result as it arrives."""
        if not chunks:
            return
        s = self.settings
        jobs = [
            RaceJob(
                task=task,
                formulas={c.name: c.parts for c in chunk},
                seeds=tuple(range(seeds)),
                steps=steps,
                options=s.race_options(),
                plugin_dirs=self.plugin_dirs,
            )
            for chunk in chunks
        ]
        for outcome in self.executor.run(jobs, run_job):
            if not outcome.ok or outcome.result is None:
                continue
            members = chunks[outcome.index]
            result = outcome.result
            self.race_seconds += result["seconds"]
            self.evaluations += jobs[outcome.index].size
            share = result["seconds"] / max(1, len(members))
            for c in members:
                scores = result["scores"][c.name]
                into[c.id] = scores
                self.trained += 1
                if self.store is not None:
                    status = result["status"].get(c.name, "finished")
                    self.store.save_race(
                        self._race_key(c, task, steps, seeds),
                        self.search_id,
                        c.formula,
                        task,
                        steps,
                        list(range(seeds)),
                        scores,
                        status,
                        share,
                    )

    # -- reporting ------------------------------------------------------------------------

    def _save_progress(self, status: str, result: dict[str, Any] | None = None) -> None:
        if self.store is not None:
            self.store.save_run(
                self.search_id, self.settings.to_dict(), self.elapsed(), status, result
            )

    def _report(self) -> None:
        if self.progress is None:
            return
        ranked = self.ranking()
        best = ranked[:1]
        self.progress(
            {
                "elapsed_s": self.elapsed(),
                "left_s": max(0.0, self.time_left()),
                "races": self.races_done(),
                "candidates": len(self.pool.candidates),
                "best": best[0].formula if best else None,
                "best_score": _best_score(best[0]) if best else None,
                "leaders": [self.leader(c) for c in ranked[:LEADERS]],
            }
        )

    def leader(self, c: Candidate) -> dict[str, Any]:
        """One row of the live leaderboard: the candidate's best score so far, its cost
        (measured once, when it first leads), where it came from and its parents."""
        c.measured_cost()
        return {
            "id": c.id,
            "formula": c.formula,
            "score": _best_score(c),
            "level": self.reported_level(c) or max(c.scores, key=_level_size, default=None),
            "cost": c.cost,
            "origin": c.origin,
            "parents": [self.pool.candidates[p].formula for p in c.parents],
            "status": c.status,
        }

    def full_level(self) -> str:
        return level(self.settings.steps, self.settings.seeds)

    def final_level(self) -> str:
        return level(2 * self.settings.steps, 2 * self.settings.seeds)

    def reported_level(self, c: Candidate) -> str | None:
        """The highest of the final and full fidelities ``c`` was raced at, if either."""
        for key in (self.final_level(), self.full_level()):
            if key in c.scores:
                return key
        return None

    def ranking(self) -> list[Candidate]:
        """Raced candidates, best first: those raced at the final fidelity, then those at
        full fidelity, then the rest (pruned at lower fidelity)."""
        final, full = self.final_level(), self.full_level()

        def key(c: Candidate) -> tuple[int, float]:
            for rank, name in ((2, final), (1, full)):
                if name in c.scores:
                    value = c.scores[name]
                    return (rank, value if value is not None else -math.inf)
            best = _best_score(c)
            return (0, best if best is not None else -math.inf)

        raced = [c for c in self.pool.candidates if c.scores]
        return sorted(raced, key=key, reverse=True)

    def confirm(self, top: int = CONFIRM_TOP) -> None:
        """Race the best ``top`` at full fidelity where they were not, then the best
        ``top`` at the final fidelity: more seeds and steps order the top three."""
        s = self.settings
        full = self.full_level()
        todo = [c for c in self.ranking()[:top] if full not in c.scores]
        if todo:
            self.evaluate(todo, s.steps, s.seeds)
        best = [c for c in self.ranking()[:top] if c.scores.get(full) is not None]
        if best:
            self.evaluate(best, 2 * s.steps, 2 * s.seeds)

    def close(self) -> None:
        self.executor.close()


def _level_size(level: str) -> int:
    steps, seeds = level.split("x")
    return int(steps) * int(seeds)


def _best_score(c: Candidate) -> float | None:
    values = [v for v in c.scores.values() if v is not None]
    return max(values) if values else None
