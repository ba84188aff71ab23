"""PyMC-Marketing's MMM on the accuracy benchmark's generated data sets, for comparison.

Runs in a virtualenv of its own (``make bench-pymc`` builds ``.venv-pymc`` with
``requirements-pymc.txt``), because PyMC and the engine need different packages. The
model is the one of PyMC-Marketing's quick-start for weekly data, with its default priors:
``MMM`` (``pymc_marketing.mmm.multidimensional``), ``GeometricAdstock(l_max=8)``,
``LogisticSaturation()``, two yearly Fourier terms, and ``promo_flag`` and a time index
``t`` (the linear trend) as controls. Per channel, ROAS is the posterior mean of the
channel's total contribution over the weeks divided by its spend, with the 5th-95th
percentile of the draws as the 90% interval; the errors are measured as in
``bench/accuracy.py``.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd
import pymc_marketing
from pymc_marketing.mmm import GeometricAdstock, LogisticSaturation
from pymc_marketing.mmm.multidimensional import MMM

from bench.datasets import DATA_SETS, PROFILES, WEEKS
from kiri_core.generator import CHANNELS, generate

CONTROLS = ["promo_flag", "t"]


def model() -> MMM:
    return MMM(
        date_column="date",
        target_column="revenue",
        channel_columns=list(CHANNELS),
        control_columns=CONTROLS,
        adstock=GeometricAdstock(l_max=8),
        saturation=LogisticSaturation(),
        yearly_seasonality=2,
    )


def fit_set(profile: str, seed: int, noise: float, sampler: dict) -> dict:
    """Fit one generated set; its ROAS, share and interval errors against the truth."""
    data, truth = generate(WEEKS, seed, noise=noise, spend_profile=profile)
    data["date"] = pd.to_datetime(data["date"])
    data["t"] = np.arange(len(data), dtype=float)
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        posterior = model().fit(
            data.drop(columns=["revenue"]), data["revenue"], progressbar=False,
            random_seed=seed, **sampler,
        )
    seconds = time.perf_counter() - started
    scale = float(np.asarray(posterior.constant_data["target_scale"]))
    totals = (posterior.posterior["channel_contribution"] * scale).sum("date")
    draws = totals.stack(sample=("chain", "draw")).transpose("channel", "sample")
    names = [str(c) for c in draws["channel"].values]
    mean = draws.values.mean(axis=1)
    roas_err, share_err, covered = [], [], 0
    for i, name in enumerate(names):
        true = truth["channels"][name]
        roas = draws.values[i] / data[name].sum()
        low, high = np.percentile(roas, [5, 95])
        roas_err.append(abs(roas.mean() - true["roas"]) / true["roas"])
        share = mean[i] / mean.sum()
        share_err.append(abs(share - true["effect_share"]) / true["effect_share"])
        covered += int(low <= true["roas"] <= high)
    return {
        "profile": profile, "seed": seed, "noise": noise, "seconds": seconds,
        "roas_error": float(np.mean(roas_err)), "share_error": float(np.mean(share_err)),
        "covered": covered, "divergences": int(posterior.sample_stats["diverging"].sum()),
    }


def table(sets: list[dict]) -> str:
    lines = [
        "| spend profile | data sets | ROAS error (mean abs %) | contribution-share error "
        "| 90% interval holds true ROAS | median s per fit | divergent draws |",
        "|---|---|---|---|---|---|---|",
    ]
    for profile in dict.fromkeys(s["profile"] for s in sets):
        mine = [s for s in sets if s["profile"] == profile]
        lines.append(
            f"| {profile} | {len(mine)} | {100 * np.mean([s['roas_error'] for s in mine]):.1f}% "
            f"| {100 * np.mean([s['share_error'] for s in mine]):.1f}% "
            f"| {sum(s['covered'] for s in mine)}/{4 * len(mine)} channels "
            f"| {np.median([s['seconds'] for s in mine]):.0f} s "
            f"| {sum(s['divergences'] for s in mine)} |"
        )
    lines += ["", "| spend profile | seed | noise | ROAS error | share error | covered | s |"]
    lines += ["|---|---|---|---|---|---|---|"]
    lines += [
        f"| {s['profile']} | {s['seed']} | {s['noise']} | {100 * s['roas_error']:.1f}% "
        f"| {100 * s['share_error']:.1f}% | {s['covered']}/4 | {s['seconds']:.0f} |"
        for s in sets
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.pymc_marketing", description=__doc__)
    parser.add_argument("--profiles", nargs="+", choices=PROFILES, default=list(PROFILES))
    parser.add_argument("--sets", type=int, default=len(DATA_SETS))
    parser.add_argument("--chains", type=int, default=2)
    parser.add_argument("--tune", type=int, default=500)
    parser.add_argument("--draws", type=int, default=500)
    args = parser.parse_args()
    sampler = {"chains": args.chains, "cores": min(args.chains, 2), "tune": args.tune,
               "draws": args.draws, "nuts_sampler": "pymc"}
    print(f"# PyMC-Marketing {pymc_marketing.__version__} on the accuracy benchmark's sets "
          f"({args.chains} chains x {args.draws} draws after {args.tune} tuning steps)\n")
    sets = []
    for profile in args.profiles:
        for seed, noise in DATA_SETS[: args.sets]:
            sets.append(fit_set(profile, seed, noise, sampler))
            print(f"{profile} seed {seed}: ROAS error {100 * sets[-1]['roas_error']:.1f}%, "
                  f"{sets[-1]['seconds']:.0f} s", flush=True)
    print("\n" + table(sets))


if __name__ == "__main__":
    main()
