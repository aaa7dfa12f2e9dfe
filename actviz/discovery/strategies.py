"""How a search spends its races: random (the baseline), successive halving, evolution.

Each strategy proposes candidates and hands them to :meth:`Search.evaluate` in batches,
so one race trains a whole batch x seeds at once. They are written here rather than
taken from optuna, DEAP or evotorch: candidates are formula trees with behavioural
de-duplication, and each step must hand a *batch* to one race; optuna's samplers work on
fixed parameter spaces one trial at a time, and DEAP's GP evaluates individuals one by
one (none of the three is installed either). Every random choice comes from the search's
seeded generator and the order of results, so a search replays exactly on resume.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .run import Search

#: successive halving keeps 1 in ETA candidates per rung
ETA = 3


def random_search(search: Search) -> None:
    """Draw a batch of fresh formulas, race it at full fidelity, repeat."""
    s = search.settings
    while not search.done():
        batch = search.new_random(s.batch)
        if not batch:
            return
        search.evaluate(batch, s.steps, s.seeds)


def rungs(steps: int, seeds: int) -> list[tuple[int, int]]:
    """(steps, seeds) per rung: a quarter and a half of the steps on fewer seeds, then full."""
    low = (max(25, steps // 4), max(1, seeds // 2))
    mid = (max(50, steps // 2), seeds)
    return [low, mid, (steps, seeds)]


def successive_halving(search: Search) -> None:
    """Brackets of ``ETA**2 * batch / ETA`` formulas: short races on few seeds prune, the best
    third of each rung races again with more steps and seeds, up to full fidelity."""
    s = search.settings
    levels = rungs(s.steps, s.seeds)
    while not search.done():
        alive = search.new_random(ETA * s.batch)
        if not alive:
            return
        for i, (steps, seeds) in enumerate(levels):
            search.evaluate(alive, steps, seeds)
            if i == len(levels) - 1 or search.done():
                break
            ranked = sorted(alive, key=lambda c: search.score_at(c, steps, seeds), reverse=True)
            alive = ranked[: max(2, len(alive) // ETA)]


def evolution(search: Search) -> None:
    """Regularised evolution (Real et al. 2019): tournament parents, mutation or crossover,
    children race as one batch, the oldest members age out of the population."""
    s = search.settings
    rng = search.rng
    grammar = search.grammar
    steps, seeds = s.steps, s.seeds
    population = search.new_random(s.batch)
    if not population:
        return
    search.evaluate(population, steps, seeds)
    sample = max(2, s.batch // 4)
    children_per_round = max(2, s.batch // 2)

    def parent() -> object:
        contenders = rng.sample(population, min(sample, len(population)))
        return max(contenders, key=lambda c: search.score_at(c, steps, seeds))

    while not search.done():
        children = []
        tries = 0
        while len(children) < children_per_round and tries < 50 * children_per_round:
            tries += 1
            first = parent()
            if rng.random() < 0.25:
                second = parent()
                tree = grammar.crossover(first.expr, second.expr, rng)
                child = search.pool.propose(tree, (first.id, second.id), "crossover")
            else:
                tree = grammar.mutate(first.expr, rng)
                child = search.pool.propose(tree, (first.id,), "mutation")
            if child is not None:
                children.append(child)
        if not children:
            return
        search.evaluate(children, steps, seeds)
        population.extend(children)
        del population[: max(0, len(population) - s.batch)]


STRATEGY_FUNCTIONS = {
    "random": random_search,
    "halving": successive_halving,
    "evolution": evolution,
}
