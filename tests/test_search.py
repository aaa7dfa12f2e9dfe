"""The formula search: grammar, duplicates, teacher tasks, batched races, resume, CLI."""

from __future__ import annotations

import json
import math
import random

import pytest
import torch

from actviz.discovery import SearchSettings, run_search
from actviz.discovery.affine import GRID, CurveIndex, curve_values, fit_affine
from actviz.discovery.grammar import Grammar, X, binary, unary
from actviz.discovery.races import RaceJob, run_job
from actviz.discovery.report import pareto_front
from actviz.discovery.store import SearchStore
from actviz.discovery.teacher import teacher_task
from actviz.formula import FormulaError, compile_formula
from actviz.formula.build import formula_parts

SILU = "x*sigmoid(x)"


def tiny(**changes) -> SearchSettings:
    """A search of seconds: short races, few candidates, stopped by a race count."""
    base = dict(
        tasks=[f"teacher:{SILU}"],
        strategy="random",
        steps=30,
        seeds=1,
        batch=4,
        shard_size=2,
        max_races=8,
        verify_top=1,
        verify_seeds=2,
        sandboxed=False,
    )
    base.update(changes)
    return SearchSettings(**base)


# -- grammar -------------------------------------------------------------------------------


def test_grammar_formulas_compile_to_the_curve_the_tree_computes():
    grammar, rng = Grammar(), random.Random(3)
    checked = refused = 0
    x = GRID
    for _ in range(25):
        tree = grammar.random_expr(rng)
        try:
            compiled = compile_formula(tree.text())
        except FormulaError:
            refused += 1
            continue
        want = tree.torch(x)
        got = compiled.fn(x).to(torch.float64)
        ok = torch.isfinite(want)
        assert torch.allclose(got[ok], want[ok], rtol=1e-5, atol=1e-6), tree.text()
        checked += 1
    assert checked >= 20 and refused <= 5


def test_mutation_and_crossover_give_other_trees_of_bounded_size():
    grammar, rng = Grammar(), random.Random(0)
    a, b = grammar.random_expr(rng), grammar.random_expr(rng)
    children = [grammar.mutate(a, rng) for _ in range(30)] + [
        grammar.crossover(a, b, rng) for _ in range(30)
    ]
    assert all(c.size() <= 9 for c in children)
    assert len({c.text() for c in children}) > 10


def test_grammar_names_unknown_primitives():
    assert Grammar(unary=("x", "nope")).problems() == ["unknown unary primitive 'nope'"]


# -- behaviour ------------------------------------------------------------------------------


def test_affine_fit_recovers_a_known_transform():
    silu = lambda t: t * torch.sigmoid(t)  # noqa: E731
    target = 2.5 * silu(0.7 * GRID - 0.3) + 0.4
    fit = fit_affine(silu, target)
    assert fit.error < 1e-6
    assert (fit.a, fit.b, fit.c, fit.d) == pytest.approx((2.5, 0.7, -0.3, 0.4), abs=1e-4)
    assert fit_affine(torch.relu, curve_values(silu)).error > 0.02


def test_duplicates_are_found_by_behaviour_not_text():
    index = CurveIndex()
    swish = binary("gate", X, X)
    index.add(swish.torch, 0)
    same = lambda t: 3 * (0.5 * t) * torch.sigmoid(0.5 * t) - 1  # noqa: E731
    assert index.check(same) == ("duplicate", 0)
    assert index.check(lambda t: -swish.torch(-2 * t)) == ("duplicate", 0)
    assert index.check(torch.tanh) == ("ok", None)
    assert index.check(lambda t: torch.exp(torch.exp(t * 30)))[0] == "not finite"
    assert index.check(lambda t: 0 * t + 1)[0] == "flat"


def test_pool_spends_nothing_on_duplicates_or_formulas_that_do_not_compile():
    from actviz.discovery.pool import CandidatePool

    pool = CandidatePool(sandboxed=False)
    assert pool.propose(unary("tanh")) is not None
    assert pool.propose(unary("tanh")) is None  # same text
    assert pool.propose(unary("tanh", beta=2.0)) is None  # tanh(2x): same behaviour
    assert pool.propose(binary("min", unary("sigmoid"), unary("relu", beta=0.5))) is not None
    # min(positive, 0) is 0: flat before the compiler is asked
    assert pool.propose(binary("min", unary("sigmoid"), unary("negrelu"))) is not None
    assert pool.propose(unary("negrelu", unary("sigmoid"))) is None
    counts = pool.counts()
    assert counts["refused"] == {"same text": 1, "duplicate": 1, "flat": 1}
    assert counts["kept"] == 3


def test_pareto_front_keeps_only_undominated_points():
    pts = [
        {"formula": "a", "score": 0.9, "cost": 3.0},
        {"formula": "b", "score": 0.8, "cost": 1.0},
        {"formula": "c", "score": 0.7, "cost": 2.0},  # worse and dearer than b
        {"formula": "d", "score": 0.95, "cost": 5.0},
    ]
    assert [p["formula"] for p in pareto_front(pts)] == ["d", "a", "b"]


# -- teacher tasks and races ---------------------------------------------------------------


def test_teacher_task_draws_a_fresh_teacher_per_data_seed():
    task = teacher_task(f"teacher:{SILU}")
    a, b, c = task.generate(seed=0), task.generate(seed=0), task.generate(seed=1)
    assert torch.equal(a.y_train, b.y_train)
    assert not torch.equal(a.y_train, c.y_train)
    assert a.x_train.shape[1] == 4 and task.metric == "r2"


def test_teacher_task_takes_a_loaded_activation(builtin_catalogue):
    by_name = teacher_task("teacher:silu", builtin_catalogue.activations).generate(seed=2)
    by_formula = teacher_task(f"teacher:{SILU}").generate(seed=2)
    assert torch.allclose(by_name.y_train, by_formula.y_train, atol=1e-5)


def test_teacher_task_refuses_what_is_neither_activation_nor_formula():
    with pytest.raises(ValueError, match="not a loaded activation, and not a formula"):
        teacher_task("teacher:nonsense(x")
    with pytest.raises(ValueError, match="name an activation or a formula"):
        teacher_task("teacher:")


def test_a_candidates_score_does_not_depend_on_its_race_mates():
    parts = {f"c{i}": formula_parts(t) for i, t in enumerate([SILU, "tanh(x)", "sin(x)"])}
    alone = run_job(RaceJob(f"teacher:{SILU}", {"c0": parts["c0"]}, (0, 1), 40))
    together = run_job(RaceJob(f"teacher:{SILU}", parts, (0, 1), 40))
    assert alone["scores"]["c0"] == together["scores"]["c0"]
    assert all(math.isfinite(v) for v in together["scores"]["c1"])


# -- the search ----------------------------------------------------------------------------


@pytest.mark.parametrize("strategy", ["random", "halving", "evolution"])
def test_each_strategy_runs_and_reports_best_first(strategy, tmp_path):
    report = run_search(tiny(strategy=strategy), db=str(tmp_path / "runs.sqlite"))
    rows = report["candidates"]
    scored = [r["score"] for r in rows if r["status"] != "pruned" and r["score"] is not None]
    assert scored == sorted(scored, reverse=True) and scored
    assert {"formula", "score", "cost", "seeds", "status"} <= set(rows[0])
    compile_formula(rows[0]["formula"])  # the syntax new-plugin --formula accepts
    assert report["races"]["trained"] >= 8
    v = report["verified"][0]
    assert set(v["vs"]) == {"relu", "gelu", "silu"}
    assert v["vs"]["relu"]["verdict"] in ("better", "worse", "equal or not decided")
    assert report["pareto"] and report["rate"]["per_second"] > 0


def test_ranking_puts_full_fidelity_first_and_failed_races_last():
    from actviz.discovery.run import Search

    search = Search(tiny(steps=40, seeds=2))
    a, b, c, d = (search.pool.propose(unary(op)) for op in ("tanh", "sin", "erf", "cube"))
    a.scores = {"10x1": 0.99}
    b.scores = {"40x2": 0.5}
    c.scores = {"10x1": None}  # every seed diverged
    d.scores = {"40x2": None}
    assert search.ranking() == [b, d, a, c]
    search.close()


def test_same_seed_same_search(tmp_path):
    one = run_search(tiny(), store=False)
    two = run_search(tiny(), store=False)
    assert [(r["formula"], r["score"]) for r in one["candidates"]] == [
        (r["formula"], r["score"]) for r in two["candidates"]
    ]


def test_a_killed_search_resumes_without_repeating_finished_races(tmp_path):
    db = str(tmp_path / "runs.sqlite")
    settings = tiny(strategy="evolution", max_races=16)
    whole = run_search(settings, store=False)

    with pytest.raises(KeyboardInterrupt):
        run_search(settings, db=db, stop_after=lambda s: s.trained >= 8)
    with SearchStore(db) as store:
        stored = store.count_races()
    assert stored >= 8

    resumed = run_search(settings, db=db)
    assert resumed["races"]["reused"] == stored
    with SearchStore(db) as store:
        total = store.count_races()
    # every race is trained once, before the kill or after it, never both
    assert total == stored + resumed["races"]["trained"]
    assert total == whole["races"]["trained"]
    assert [(r["formula"], r["score"]) for r in resumed["candidates"]] == [
        (r["formula"], r["score"]) for r in whole["candidates"]
    ]
    again = run_search(settings, db=db)  # a finished search, run again, trains nothing
    assert again["races"]["trained"] == 0
    assert again["candidates"] == resumed["candidates"]


def test_a_finished_search_run_again_replays_what_it_stored(tmp_path):
    db = str(tmp_path / "runs.sqlite")
    first = run_search(tiny(max_races=None, budget_s=15.0), db=db)
    again = run_search(tiny(max_races=None, budget_s=15.0), db=db)  # its budget is spent
    assert again["races"] == {"trained": 0, "reused": first["races"]["trained"]}
    assert again["candidates"] == first["candidates"]


def test_unknown_task_and_bad_settings_say_why():
    with pytest.raises(ValueError, match="unknown task 'nope'"):
        run_search(tiny(tasks=["nope"]), store=False)
    with pytest.raises(ValueError, match="strategy: must be one of"):
        run_search(tiny(strategy="grid"), store=False)


@pytest.mark.slow
def test_processes_give_the_same_candidates_and_scores_as_in_process():
    here = run_search(tiny(max_races=12), store=False)
    there = run_search(tiny(max_races=12, executor="processes", workers=2), store=False)
    assert [(r["formula"], r["score"]) for r in here["candidates"]] == [
        (r["formula"], r["score"]) for r in there["candidates"]
    ]


def test_sandboxed_compiles_match_in_process_ones():
    report = run_search(tiny(sandboxed=True, max_races=4), store=False)
    plain = run_search(tiny(max_races=4), store=False)
    assert [r["formula"] for r in report["candidates"]] == [
        r["formula"] for r in plain["candidates"]
    ]


# -- symbolic fit ----------------------------------------------------------------------------


def test_symbolic_fit_finds_the_formula_behind_a_curve():
    from actviz.discovery.symbolic import fit_curve

    small = Grammar(unary=("x", "tanh", "sigmoid", "sin", "relu"), binary=("mul", "add"))
    y = 1.7 * (0.8 * GRID + 0.2) * torch.sigmoid(0.8 * GRID + 0.2) - 0.5
    fits = fit_curve(GRID, y, top=3, grammar=small)
    assert fits[0]["base"] in ("x*sigmoid(x)", "sigmoid(x)*x")
    assert fits[0]["error"] < 1e-3
    assert fits[1]["error"] >= fits[0]["error"]


@pytest.mark.slow
def test_a_bspline_trained_to_imitate_swish_is_fitted_back_to_swish(tmp_path):
    from actviz.discovery.symbolic import fit_learnable, save_fits

    report = fit_learnable("bspline", SILU)
    assert report["imitation_error"] < 0.01
    assert report["fits"][0]["base"] == SILU and report["fits"][0]["error"] < 0.01
    paths = save_fits(report["fits"][:2], tmp_path)
    assert [p.name for p in paths] == ["fitted_1.py", "fitted_2.py"]


# -- command line -------------------------------------------------------------------------------


def test_cli_writes_json_that_a_reader_can_use(run_cli, tmp_path):
    out = tmp_path / "search.json"
    code, stdout, err = run_cli(
        "search", "--tasks", f"teacher:{SILU},teacher:max(x, 0)", "--steps", "30",
        "--seeds", "1", "--batch", "4", "--max-races", "8", "--verify-top", "1",
        "--verify-seeds", "2", "--db", str(tmp_path / "r.sqlite"), "--json", str(out),
    )  # fmt: skip
    assert code == 0, err
    data = json.loads(out.read_text())
    assert data["settings"]["tasks"] == [f"teacher:{SILU}", "teacher:max(x, 0)"]
    assert data["candidates"][0]["formula"] in stdout
    assert "Pareto front" in stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "--tasks is required"),
        (("--tasks", "nope"), "unknown task 'nope'"),
        (("--tasks", "moons", "--strategy", "grid"), "strategy: must be one of"),
        (("--tasks", "moons", "--arch", "8,a"), "--arch must be hidden widths"),
        (("--tasks", "moons", "--budget-minutes", "0"), "budget: must be a positive"),
        (("--tasks", "moons", "--json", "/no/such/dir/x.json"), "does not exist"),
        (("--fit-learnable", "bspline"), "needs --imitate"),
        (("--fit-learnable", "relu", "--imitate", "x"), "no learnable parameters"),
    ],
)
def test_cli_bad_input_gets_one_clear_message(run_cli, args, message):
    code, _, err = run_cli("search", *args)
    assert code == 2
    assert message in err and "Traceback" not in err


def test_notebook_search_returns_candidates_and_tables():
    import actviz

    found = actviz.search(
        tasks=[f"teacher:{SILU}"],
        budget_minutes=1,
        strategy="random",
        store=False,
        steps=30,
        seeds=1,
        batch=4,
        shard_size=2,
        max_races=4,
        verify_top=1,
        verify_seeds=2,
        sandboxed=False,
    )
    assert found.candidates and found.verified
    assert list(found.to_pandas("verified")["baseline"]) == ["relu", "gelu", "silu"]
    assert callable(actviz.search)  # the name stays the function once the package is imported
    assert "SearchOutcome" in repr(found)
