"""The command-line contract, run as a user runs it: ``python -m kiri_core ...``."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from kiri_core.generator import generate, lift_studies

REPO = Path(__file__).resolve().parents[1]
SPEND = ["spend_meta", "spend_google", "spend_tiktok", "spend_email"]
CONFIG = {
    "date_column": "date",
    "revenue_column": "revenue",
    "spend_columns": SPEND,
    "context_columns": ["promo_flag"],
    "iterations": 30,
    "trials": 1,
    "seed": 1,
}


def kiri(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kiri_core", *map(str, args)],
        cwd=cwd,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def error_line(run: subprocess.CompletedProcess) -> str:
    """The one line of a failed run: nothing else on stderr (no library's log lines)."""
    assert run.returncode == 2, run.stderr
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), run.stderr
    return lines[0]


def assert_nothing_written(folder: Path, before: set[str]) -> None:
    assert {p.name for p in folder.iterdir()} == before


@pytest.fixture(scope="module")
def fitted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """generate + fit once (30 iterations, 1 trial) for the optimize and report tests."""
    folder = tmp_path_factory.mktemp("fitted")
    run = kiri(
        "generate",
        "--weeks",
        "104",
        "--seed",
        "7",
        "--out",
        "data.csv",
        "--truth",
        "truth.json",
        cwd=folder,
    )
    assert run.returncode == 0, run.stderr
    (folder / "config.json").write_text(json.dumps(CONFIG))
    run = kiri(
        "fit",
        "--data",
        "data.csv",
        "--config",
        "config.json",
        "--out",
        "result.json",
        "--workers",
        "1",
        cwd=folder,
    )
    assert run.returncode == 0, run.stderr
    return folder


def load(path: Path) -> dict:
    return json.loads(path.read_text())


# --- the happy path ------------------------------------------------------------------


def test_generate_writes_the_data_and_its_truth(tmp_path: Path) -> None:
    run = kiri(
        "generate",
        "--weeks",
        "156",
        "--seed",
        "7",
        "--out",
        "data.csv",
        "--truth",
        "truth.json",
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    data = pd.read_csv(tmp_path / "data.csv")
    expected, truth = generate(156, seed=7)
    assert list(data.columns) == ["date", "revenue", *SPEND, "promo_flag"]
    assert len(data) == 156
    pd.testing.assert_frame_equal(data, expected, check_dtype=False)
    assert load(tmp_path / "truth.json") == json.loads(json.dumps(truth))
    assert {p.name for p in tmp_path.iterdir()} == {"data.csv", "truth.json"}


def test_generate_with_the_varied_spend_profile(tmp_path: Path) -> None:
    args = ["--weeks", "60", "--seed", "3", "--out", "data.csv", "--truth", "truth.json"]
    run = kiri("generate", *args, "--spend-profile", "varied", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    expected, truth = generate(60, seed=3, spend_profile="varied")
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "data.csv"), expected, check_dtype=False)
    assert load(tmp_path / "truth.json")["spend_profile"] == "varied"
    assert not expected.equals(generate(60, seed=3)[0])


def test_generated_lift_tests_calibrate_a_fit(tmp_path: Path) -> None:
    args = ["--weeks", "104", "--seed", "5", "--out", "data.csv", "--truth", "truth.json"]
    run = kiri("generate", *args, "--lift-tests", "lift.json", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    studies = load(tmp_path / "lift.json")
    data, truth = generate(104, seed=5)
    assert studies == json.loads(json.dumps(lift_studies(data, truth, 5)))
    config = {
        "date_column": "date",
        "revenue_column": "revenue",
        "spend_columns": SPEND,
        "context_columns": ["promo_flag"],
        "iterations": 60,
        "trials": 1,
        "seed": 1,
        "calibration": studies,
    }
    (tmp_path / "config.json").write_text(json.dumps(config))
    run = kiri(
        "fit", "--data", "data.csv", "--config", "config.json", "--out", "r.json", cwd=tmp_path
    )
    assert run.returncode == 0, run.stderr
    assert load(tmp_path / "r.json")["metrics"]["mape_lift"] >= 0


def test_fit_writes_a_result_document(fitted: Path) -> None:
    result = load(fitted / "result.json")
    assert result["model_id"] in {m["model_id"] for m in result["models"]}
    assert set(result["metrics"]) >= {"rsq", "nrmse", "decomp_rssd"}
    assert list(result["channels"]) == SPEND
    for channel in result["channels"].values():
        assert set(channel) >= {
            "spend",
            "contribution",
            "roas",
            "mroas",
            "effect_share",
            "spend_share",
            "hyperparameters",
            "response",
        }


def current_spend(result: dict, weeks: int) -> float:
    return sum(c["mean_spend"] for c in result["channels"].values()) * weeks


def test_optimize_max_response(fitted: Path) -> None:
    result = load(fitted / "result.json")
    budget = round(current_spend(result, 4))
    run = kiri(
        "optimize",
        "--result",
        "result.json",
        "--total-budget",
        budget,
        "--weeks",
        "4",
        "--out",
        "plan.json",
        cwd=fitted,
    )
    assert run.returncode == 0, run.stderr
    plan = load(fitted / "plan.json")
    assert (plan["model_id"], plan["scenario"], plan["weeks"]) == (
        result["model_id"],
        "max_response",
        4,
    )
    totals = plan["totals"]
    assert totals["optimized_spend"] == pytest.approx(budget, rel=1e-7)
    assert totals["optimized_response"] >= totals["current_response"] * (1 - 1e-9)
    for channel in plan["channels"].values():
        assert channel["lower"] * (1 - 1e-7) <= channel["optimized_spend"]
        assert channel["optimized_spend"] <= channel["upper"] * (1 + 1e-7)


def test_optimize_contract_example_with_a_budget_far_from_current_spend(fitted: Path) -> None:
    """The issue's example line: 100 000 over 4 weeks, far below the generated spend."""
    run = kiri(
        "optimize",
        "--result",
        "result.json",
        "--total-budget",
        "100000",
        "--weeks",
        "4",
        "--out",
        "plan.json",
        cwd=fitted,
    )
    assert run.returncode == 0, run.stderr
    plan = load(fitted / "plan.json")
    assert plan["totals"]["optimized_spend"] == pytest.approx(100000, rel=1e-7)
    assert "channel bounds are taken around the current mix" in plan["warnings"][0]
    # what the spend adds, not the carry-over level over a small budget
    channels = plan["channels"].values()
    assert plan["totals"]["optimized_response"] == pytest.approx(
        sum(c["optimized_response"] for c in channels))
    for channel in channels:
        assert channel["optimized_roas"] == pytest.approx(
            channel["optimized_response"] / channel["optimized_spend"])
    assert 0 < plan["totals"]["optimized_roas"] < 10


def test_optimize_target_efficiency_on_another_model(fitted: Path) -> None:
    result = load(fitted / "result.json")
    other = next(m for m in result["models"] if not m["recommended"])
    run = kiri(
        "optimize",
        "--result",
        "result.json",
        "--scenario",
        "target_efficiency",
        "--weeks",
        "4",
        "--model-id",
        other["model_id"],
        "--out",
        "plan_te.json",
        cwd=fitted,
    )
    assert run.returncode == 0, run.stderr
    plan = load(fitted / "plan_te.json")
    assert plan["model_id"] == other["model_id"]
    assert plan["scenario"] == "target_efficiency"
    target = plan["target_roas"]
    assert target == pytest.approx(0.8 * plan["totals"]["current_roas"])
    assert plan["totals"]["optimized_roas"] >= target * (1 - 1e-6)


def test_report_writes_a_pdf(fitted: Path) -> None:
    run = kiri(
        "report",
        "--result",
        "result.json",
        "--client",
        "Acme AB",
        "--currency",
        "SEK",
        "--out",
        "report.pdf",
        cwd=fitted,
    )
    assert run.returncode == 0, run.stderr
    assert (fitted / "report.pdf").read_bytes().startswith(b"%PDF")


# --- bad input: one line, exit 2, nothing written ------------------------------------


def _csv(change: Callable[[pd.DataFrame], pd.DataFrame]) -> Callable[[Path], None]:
    def write(folder: Path) -> None:
        data, _ = generate(80, seed=3)
        change(data.astype({c: object for c in SPEND})).to_csv(folder / "data.csv", index=False)

    return write


def _cell(column: str, row: int, value: object) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def change(data: pd.DataFrame) -> pd.DataFrame:
        data.loc[row, column] = value
        return data

    return change


FIT_CASES = [
    (
        "missing column",
        _csv(lambda d: d.drop(columns="spend_email")),
        {},
        "column 'spend_email' is missing from the data",
    ),
    (
        "non-numeric values",
        _csv(_cell("spend_meta", 4, "12k")),
        {},
        "row 6, column 'spend_meta': '12k' is not a number",
    ),
    (
        "fewer than 52 rows",
        _csv(lambda d: d.head(40)),
        {},
        "only 40 rows of data; at least 52 weeks are needed",
    ),
    (
        "fewer than 2 spend columns",
        _csv(lambda d: d),
        {"spend_columns": ["spend_meta"]},
        "config: 'spend_columns' must list at least 2 spend columns",
    ),
    (
        "negative spend",
        _csv(_cell("spend_google", 9, -150.0)),
        {},
        "row 11, column 'spend_google': spend -150 is negative",
    ),
    (
        "constant revenue",
        _csv(lambda d: d.assign(revenue=5000.0)),
        {},
        "column 'revenue' is constant (every value is 5000); the model needs it to vary",
    ),
    (
        "bounds out of range",
        _csv(lambda d: d),
        {"hyperparameter_bounds": {"spend_meta": {"gamma": [0.1, 1.5]}}},
        "config: hyperparameter_bounds spend_meta.gamma: 1.5 is out of range [1e-06, 1]",
    ),
    (
        "unknown adstock",
        _csv(lambda d: d),
        {"adstock": "exponential"},
        "config: unknown adstock 'exponential'; choose one of geometric, weibull_cdf",
    ),
    (
        "several problems",  # and TikTok, launched later, has no spend in the first 30 weeks
        _csv(lambda d: _cell("spend_meta", 2, "x")(d.head(30))),
        {},
        "only 30 rows of data; at least 52 weeks are needed (and 2 more problems)",
    ),
    (
        "not a CSV",
        lambda folder: (folder / "data.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary"),
        {},
        "the file is not a CSV text file (it holds binary data)",
    ),
    (
        "holiday without a country",
        _csv(lambda d: d),
        {"prophet_vars": ["trend", "holiday"]},
        "prophet_vars holds 'holiday' but no prophet_country is given",
    ),
    (
        "lift study without its lift",
        _csv(lambda d: d),
        {"calibration": [{"channel": "spend_meta", "start": "2022-03-07", "end": "2022-04-04"}]},
        "calibration study 1 lacks lift",
    ),
    (
        "window bound not a date",
        _csv(lambda d: d),
        {"window_start": "yesterday"},
        "window_start 'yesterday' is not a date (use YYYY-MM-DD)",
    ),
    (
        "a channel without spend",
        _csv(lambda d: d.assign(spend_email=0.0)),
        {},
        "column 'spend_email' has no spend in any week: leave it out of the spend columns",
    ),
    (
        "a channel without spend in the window",
        _csv(lambda d: d.assign(spend_email=d["spend_email"].where(d.index < 60, 0.0))),
        {"window_start": "2023-06-05"},
        "no spend in the modelling window on spend_email: leave it out of the spend columns "
        "or widen the window",
    ),
    (
        "two spend columns read as one channel",  # found by both checks, said once
        _csv(lambda d: d.assign(**{"Meta spend": d["spend_meta"]})),
        {"spend_columns": [*SPEND, "Meta spend"]},
        "config: spend columns 'spend_meta' and 'Meta spend' both read as the channel 'Meta'; "
        "rename one of them in the file\n",
    ),
    (
        "a window after the data",
        _csv(lambda d: d),
        {"window_start": "2030-06-01"},
        "the modelling window 2030-06-01 .. to the last week holds fewer than 2 weeks of the "
        "data, which runs from",
    ),
    (
        "unknown algorithm",
        _csv(lambda d: d),
        {"algorithm": "bogus"},
        "config: unknown algorithm 'bogus'; use one of nevergrad's optimizers",
    ),
    (
        "a name where a list is expected",
        _csv(lambda d: d),
        {"context_columns": "promo_flag"},
        "config: 'context_columns' must be a list of names, e.g. ['promo_flag'], got "
        "'promo_flag'\n",  # and nothing of its letters
    ),
    (
        "a switch given as text",
        _csv(lambda d: d),
        {"quick": "false"},
        "config: 'quick' must be true or false, got 'false'",
    ),
    (
        "a misspelt key",
        _csv(lambda d: d),
        {"contxt_columns": ["promo_flag"]},
        "config: unknown key 'contxt_columns'; the keys are date_column",
    ),
    ("empty file", lambda folder: (folder / "data.csv").write_bytes(b""), {}, "the file is empty"),
    ("missing file", lambda folder: None, {}, "file not found: data.csv"),
]


@pytest.mark.parametrize(
    ("write_data", "config_change", "message"),
    [case[1:] for case in FIT_CASES],
    ids=[case[0] for case in FIT_CASES],
)
def test_fit_bad_input(
    tmp_path: Path, write_data: Callable[[Path], None], config_change: dict, message: str
) -> None:
    write_data(tmp_path)
    (tmp_path / "config.json").write_text(json.dumps({**CONFIG, **config_change}))
    before = {p.name for p in tmp_path.iterdir()}
    run = kiri(
        "fit",
        "--data",
        "data.csv",
        "--config",
        "config.json",
        "--out",
        "result.json",
        cwd=tmp_path,
    )
    assert f"{error_line(run)}\n".startswith(f"error: {message}")
    assert_nothing_written(tmp_path, before)


def test_fit_refuses_no_workers(tmp_path: Path) -> None:
    _csv(lambda d: d)(tmp_path)
    (tmp_path / "config.json").write_text(json.dumps(CONFIG))
    run = kiri("fit", "--data", "data.csv", "--config", "config.json", "--out", "r.json",
               "--workers", "0", cwd=tmp_path)
    assert error_line(run) == "error: --workers must be 1 or more, got 0"
    assert not (tmp_path / "r.json").exists()


def test_fit_config_that_is_not_json(tmp_path: Path) -> None:
    _csv(lambda d: d)(tmp_path)
    (tmp_path / "config.json").write_text("{'iterations': 10,}")
    run = kiri(
        "fit",
        "--data",
        "data.csv",
        "--config",
        "config.json",
        "--out",
        "result.json",
        cwd=tmp_path,
    )
    assert error_line(run).startswith("error: config file config.json is not valid JSON")
    assert not (tmp_path / "result.json").exists()


OPTIMIZE_CASES = [
    (["--total-budget", "-5"], "the total budget must be a positive amount, got -5"),
    (
        ["--total-budget", "1", "--lower", "0.5", "--upper", "2"],
        "the total budget 1 is outside what the bounds allow over 4 weeks",
    ),
    ([], "a total budget is required for the max_response scenario"),
    (
        ["--scenario", "target_efficiency", "--target-roas", "1000"],
        "the target ROAS 1000.00 is out of reach",
    ),
    (["--total-budget", "1e6", "--model-id", "no_such"], "model 'no_such' is not one of"),
    (["--total-budget", "1e6", "--lower", "3", "--upper", "1"], "spend_meta: the lower bound"),
    (["--total-budget", "1e6", "--lock", "spend_tv"], "unknown channel 'spend_tv' in the bounds"),
    (["--total-budget", "lots"], "python -m kiri_core optimize: argument --total-budget"),
    (["--total-budget", "1e6", "--weeks", "0"], "the horizon must be a whole number of weeks"),
]


@pytest.mark.parametrize(("extra", "message"), OPTIMIZE_CASES)
def test_optimize_bad_input(fitted: Path, extra: list[str], message: str) -> None:
    before = {p.name for p in fitted.iterdir()}
    run = kiri(
        "optimize",
        "--result",
        "result.json",
        "--weeks",
        "4",
        *extra,
        "--out",
        "bad.json",
        cwd=fitted,
    )
    assert error_line(run).startswith(f"error: {message}")
    assert_nothing_written(fitted, before)


def test_optimize_needs_a_result_document(tmp_path: Path) -> None:
    (tmp_path / "result.json").write_text(json.dumps({"hello": 1}))
    run = kiri(
        "optimize",
        "--result",
        "result.json",
        "--total-budget",
        "100000",
        "--out",
        "p.json",
        cwd=tmp_path,
    )
    assert error_line(run) == (
        "error: result.json is not a result document (no models); run `fit` first"
    )
    assert not (tmp_path / "p.json").exists()


def test_optimize_refuses_a_result_with_a_model_cut_short(fitted: Path, tmp_path: Path) -> None:
    result = json.loads((fitted / "result.json").read_text())
    del result["models"][1]["channels"]
    (tmp_path / "result.json").write_text(json.dumps(result))
    for command in (["optimize", "--total-budget", "1e5"], ["report", "--client", "Acme"]):
        run = kiri(*command, "--result", "result.json", "--out", "out.x", cwd=tmp_path)
        assert error_line(run) == (
            f"error: result.json is not a complete result document: model "
            f"{result['models'][1]['model_id']} has no channels; run `fit` again")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.json"]


@pytest.mark.parametrize(("command", "message"), [
    (["fit", "--data", "data.csv", "--config", "config.json", "--out", "data.csv"],
     "--out and --data name the same file (data.csv)"),
    (["optimize", "--result", "result.json", "--total-budget", "1e5", "--out", "./result.json"],
     "--out and --result name the same file (result.json)"),
    (["generate", "--weeks", "60", "--seed", "1", "--out", "data.csv", "--truth", "data.csv"],
     "--truth and --out name the same file (data.csv)"),
])
def test_an_output_never_overwrites_an_input(fitted: Path, tmp_path: Path, command: list[str],
                                             message: str) -> None:
    for name in ("data.csv", "config.json", "result.json"):
        (tmp_path / name).write_bytes((fitted / name).read_bytes())
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert error_line(kiri(*command, cwd=tmp_path)).startswith(f"error: {message}")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--weeks", "2", "--seed", "1"], "error: weeks must be at least 4, got 2"),
        (["--weeks", "60", "--seed", "-1"], "error: seed must be 0 or more, got -1"),
        (["--weeks", "60", "--seed", "1", "--noise", "2"], "error: noise must be between 0"),
        (["--weeks", "60"], "error: python -m kiri_core generate: the following arguments are"),
        (
            ["--weeks", "60", "--seed", "1", "--spend-profile", "flat"],
            "error: unknown spend profile 'flat'; choose one of steady, varied",
        ),
    ],
)
def test_generate_bad_input(tmp_path: Path, args: list[str], message: str) -> None:
    run = kiri("generate", *args, "--out", "d.csv", "--truth", "t.json", cwd=tmp_path)
    assert error_line(run).startswith(message)
    assert list(tmp_path.iterdir()) == []


def test_outputs_into_a_missing_folder_write_nothing(tmp_path: Path) -> None:
    run = kiri(
        "generate",
        "--weeks",
        "60",
        "--seed",
        "1",
        "--out",
        "d.csv",
        "--truth",
        "missing/t.json",
        cwd=tmp_path,
    )
    assert error_line(run) == "error: output folder does not exist: missing"
    assert list(tmp_path.iterdir()) == []


def test_report_with_an_unknown_currency(fitted: Path) -> None:
    before = {p.name for p in fitted.iterdir()}
    run = kiri(
        "report",
        "--result",
        "result.json",
        "--client",
        "Acme AB",
        "--currency",
        "XYZ",
        "--out",
        "bad.pdf",
        cwd=fitted,
    )
    assert error_line(run).startswith("error: Unsupported currency 'XYZ'")
    assert_nothing_written(fitted, before)


# --- Robyn-vocabulary CSVs beside the result -----------------------------------------


def fit_with_robyn_csv(folder: Path, robyn_dir: str) -> subprocess.CompletedProcess:
    _csv(lambda d: d)(folder)
    (folder / "config.json").write_text(json.dumps(CONFIG))
    return kiri(
        "fit",
        "--data",
        "data.csv",
        "--config",
        "config.json",
        "--out",
        "result.json",
        "--workers",
        "1",
        "--robyn-csv",
        robyn_dir,
        cwd=folder,
    )


def test_fit_writes_robyn_csvs_of_the_same_result(tmp_path: Path) -> None:
    (tmp_path / "robyn").mkdir()
    run = fit_with_robyn_csv(tmp_path, "robyn")
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in (tmp_path / "robyn").iterdir()) == [
        "pareto_aggregated.csv",
        "pareto_alldecomp_matrix.csv",
        "pareto_hyperparameters.csv",
    ]
    result = load(tmp_path / "result.json")
    aggregated = pd.read_csv(tmp_path / "robyn" / "pareto_aggregated.csv", index_col=0)
    assert set(aggregated["solID"]) == {m["model_id"] for m in result["models"]}
    best = aggregated[aggregated["solID"] == result["model_id"]].set_index("rn")
    assert best.loc[SPEND, "xDecompAgg"].tolist() == pytest.approx(
        [result["channels"][c]["contribution"] for c in SPEND], rel=1e-12
    )


def test_fit_refuses_a_missing_robyn_csv_folder(tmp_path: Path) -> None:
    run = fit_with_robyn_csv(tmp_path, "missing")
    assert error_line(run) == "error: --robyn-csv folder does not exist: missing"
    assert_nothing_written(tmp_path, {"data.csv", "config.json"})
