"""The R template's own logic, run in real R (its functions sourced, Robyn not needed)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from kiri_core.robyn_r.runner import EXIT_MISSING, EXIT_USAGE, RUN_ROBYN_R


@pytest.fixture
def run_r(rscript: str):
    """Source r/run_robyn.R, evaluate ``code`` and return its stdout lines."""

    def run(code: str) -> list[str]:
        done = subprocess.run([rscript, "-e", f'source("{RUN_ROBYN_R}"); {code}'],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout.splitlines()

    return run


@pytest.mark.shared
def test_the_selection_rule_picks_the_model_robyn_exported(run_r, robyn_r_outputs: Path):
    """On the reference run the template's rule picks 1_846_1, the model exported there."""
    csv = robyn_r_outputs / "pareto_hyperparameters.csv"
    lines = run_r(f'hyp <- read.csv("{csv}"); '
                  'cat(select_model(list(resultHypParam = hyp), FALSE), "\\n")')
    assert lines == ["1_846_1 "]


def test_bounds_become_robyns_hyperparameters_on_the_model_variables(run_r):
    cfg = ('list(spend_columns = list("tv_S", "facebook_S"), organic_columns = list("news"), '
           'exposure_columns = list(facebook_S = "facebook_I"), ts_validation = TRUE, '
           'hyperparameter_bounds = list(tv_S = list(alpha = list(0.5, 1), theta = 0.3), '
           'train_size = list(0.6, 0.7)))')
    lines = run_r(f"h <- hyperparameters({cfg}, 'geometric'); "
                  "for (n in names(h)) cat(n, h[[n]], '\\n')")
    assert lines == [
        "tv_S_alphas 0.5 1 ", "tv_S_gammas 0.01 1 ", "tv_S_thetas 0.3 ",
        "facebook_I_alphas 0.5 3 ", "facebook_I_gammas 0.01 1 ", "facebook_I_thetas 0 0.8 ",
        "news_alphas 0.5 3 ", "news_gammas 0.01 1 ", "news_thetas 0 0.8 ",
        "train_size 0.6 0.7 ",
    ]


def test_a_bound_of_another_adstock_stops_with_the_usage_code(rscript: str):
    code = (f'source("{RUN_ROBYN_R}"); hyperparameters(list(spend_columns = list("tv_S"), '
            'hyperparameter_bounds = list(tv_S = list(shape = 1))), "geometric")')
    done = subprocess.run([rscript, "-e", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip() == ("KIRI_ERROR hyperparameter_bounds for tv_S: shape not a "
                                   "parameter of geometric adstock (use alpha, gamma, theta)")


def test_robyns_trial_messages_become_trial_lines(run_r):
    lines = run_r('invisible(with_trial_progress({message(">>> Starting 2 trials"); '
                  'message("  Running trial 1 of 2"); message("  Running trial 2 of 2")}))')
    assert lines == ["KIRI_TRIAL 1 2", "KIRI_TRIAL 2 2"]


def test_text_columns_are_robyns_factor_variables(run_r):
    lines = run_r('d <- data.frame(events = c("na", "event1"), promo = c(0, 1), '
                  'stringsAsFactors = FALSE); cat(factor_columns(d, c("events", "promo")))')
    assert lines == ["events"]


def test_lift_studies_become_robyns_calibration_input(run_r):
    lines = run_r(
        'd <- data.frame(DATE = c("2020-01-06", "2020-01-13", "2020-01-20"), tv_S = c(1, 2, 4), '
        'stringsAsFactors = FALSE); '
        'cfg <- list(date_column = "DATE", revenue_column = "revenue", calibration = list('
        'list(channel = "tv_S", start = "2020-01-13", end = "2020-01-20", lift = 500))); '
        'c <- calibration_input(cfg, d); '
        'cat(c$channel, format(c$liftStartDate), format(c$liftEndDate), c$liftAbs, c$spend, '
        'c$confidence, c$metric, c$calibration_scope)')
    assert lines == ["tv_S 2020-01-13 2020-01-20 500 6 0.9 revenue immediate"]


def test_the_template_parses(rscript: str) -> None:
    done = subprocess.run([rscript, "-e", f'invisible(parse("{RUN_ROBYN_R}"))'],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_without_robyn_the_template_stops_at_once_with_one_clear_line(
    rscript: str, tmp_path: Path
) -> None:
    outdir = tmp_path / "out"
    done = subprocess.run([rscript, str(RUN_ROBYN_R), "in.csv", "config.json", str(outdir)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == EXIT_MISSING
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        "KIRI_ERROR the R package 'Robyn' is not installed; install it "
        "(install.packages(\"Robyn\")) or build the Docker image's 'robyn' target."
    ]
    assert not outdir.exists()


def test_bad_usage_has_its_own_exit_code(rscript: str) -> None:
    done = subprocess.run([rscript, str(RUN_ROBYN_R), "only-one-argument"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == EXIT_USAGE
    assert "usage: Rscript r/run_robyn.R" in done.stderr
