"""``python -m kiri_core generate|fit|optimize|report``: the command-line contract.

Bad input (a missing or malformed file, a data or config problem, an impossible budget)
exits with status 2 and one line on stderr naming the problem; nothing is written.
Outputs are written to a temporary file beside the target and renamed into place only
after the whole command succeeded.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

from kiri_core.data.validation import (
    ColumnMapping,
    DatasetError,
    clean_frame,
    read_csv,
    validate_frame,
)

BAD_INPUT = 2
RESULT_MODEL_KEYS = ("channels", "metrics")  # what optimize and report read of every model


class BadInput(Exception):
    """A problem with the user's input; its message is the one line printed."""


@contextmanager
def _input_errors() -> Iterator[None]:
    """A ``ValueError`` raised while checking the user's input is bad input."""
    try:
        yield
    except ValueError as exc:
        raise BadInput(str(exc)) from exc


class _Parser(argparse.ArgumentParser):
    """Argument errors as one line, like every other bad input."""

    def error(self, message: str) -> NoReturn:
        raise BadInput(f"{self.prog}: {message}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit status (0 ok, 2 bad input)."""
    try:
        args = build_parser().parse_args(argv)
        _refuse_overwriting_inputs(args)
        args.run(args)
    except (BadInput, DatasetError) as exc:
        return _fail(str(exc))
    return 0


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return BAD_INPUT


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m kiri_core", description="Kiri MMM command line")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    generate = commands.add_parser("generate", help="test data with known truth")
    generate.add_argument("--weeks", type=int, required=True)
    generate.add_argument("--seed", type=int, required=True)
    generate.add_argument("--noise", type=float, default=0.05)
    generate.add_argument("--adstock", default="geometric")
    generate.add_argument(
        "--spend-profile", default="steady", help="always-on spend: steady or varied"
    )
    generate.add_argument("--out", type=Path, required=True, help="data CSV")
    generate.add_argument("--truth", type=Path, required=True, help="truth JSON")
    generate.add_argument(
        "--lift-tests",
        type=Path,
        default=None,
        metavar="JSON",
        help="also write one simulated lift test per channel (a config's calibration list)",
    )
    generate.set_defaults(run=run_generate, inputs=(), outputs=("out", "truth", "lift_tests"))

    fit = commands.add_parser("fit", help="fit the model family; writes result.json")
    fit.add_argument("--data", type=Path, required=True)
    fit.add_argument("--config", type=Path, required=True)
    fit.add_argument("--out", type=Path, required=True)
    fit.add_argument("--workers", type=int, default=None, help="search processes (all cores)")
    fit.add_argument(
        "--robyn-csv",
        type=Path,
        default=None,
        metavar="DIR",
        help="also write Robyn's pareto_*.csv files of the result into DIR",
    )
    fit.set_defaults(run=run_fit, inputs=("data", "config"), outputs=("out",))

    optimize = commands.add_parser("optimize", help="budget allocation; writes plan.json")
    optimize.add_argument("--result", type=Path, required=True)
    optimize.add_argument("--out", type=Path, required=True)
    optimize.add_argument("--weeks", type=int, default=4, help="planning horizon")
    optimize.add_argument(
        "--total-budget",
        type=float,
        default=None,
        help="budget over the horizon (a spend cap for target_efficiency)",
    )
    optimize.add_argument(
        "--scenario", choices=("max_response", "target_efficiency"), default="max_response"
    )
    optimize.add_argument("--target-roas", type=float, default=None)
    optimize.add_argument("--target-cpa", type=float, default=None)
    optimize.add_argument("--model-id", default=None)
    optimize.add_argument("--lower", type=float, default=None, help="x current mean spend")
    optimize.add_argument("--upper", type=float, default=None, help="x current mean spend")
    optimize.add_argument(
        "--lock",
        action="append",
        default=[],
        metavar="CHANNEL",
        help="keep CHANNEL at its current spend (repeatable)",
    )
    optimize.set_defaults(run=run_optimize, inputs=("result",), outputs=("out",))

    report = commands.add_parser("report", help="the PDF report of a result")
    report.add_argument("--result", type=Path, required=True)
    report.add_argument("--client", required=True)
    report.add_argument("--currency", default="SEK")
    report.add_argument("--out", type=Path, required=True)
    report.set_defaults(run=run_report, inputs=("result",), outputs=("out",))
    return parser


def _refuse_overwriting_inputs(args: argparse.Namespace) -> None:
    """An output naming an input (``--out data.csv``) or another output would silently
    replace it."""
    seen: dict[Path, str] = {}
    for option in (*args.inputs, *args.outputs):
        path = getattr(args, option)
        if path is None:
            continue
        flag = f"--{option.replace('_', '-')}"
        if (same := seen.get(path.resolve())) is not None:
            raise BadInput(f"{flag} and {same} name the same file ({path}); "
                           f"{flag} would overwrite it: choose another name")
        seen[path.resolve()] = flag


# --- commands ------------------------------------------------------------------------


def run_generate(args: argparse.Namespace) -> None:
    from kiri_core.generator import generate, lift_studies

    with _input_errors():
        data, truth = generate(
            args.weeks,
            args.seed,
            args.noise,
            adstock=args.adstock,
            spend_profile=args.spend_profile,
        )
    writers = {
        args.out: lambda path: data.to_csv(path, index=False),
        args.truth: lambda path: _dump_json(truth, path, indent=2),
    }
    if args.lift_tests is not None:
        studies = lift_studies(data, truth, args.seed)
        writers[args.lift_tests] = lambda path: _dump_json(studies, path, indent=2)
    _write_all(writers)


def run_fit(args: argparse.Namespace) -> None:
    from kiri_core.data.fit_config import validate_fit_config

    if args.workers is not None and args.workers < 1:
        raise BadInput(f"--workers must be 1 or more, got {args.workers}")
    if args.robyn_csv is not None and not args.robyn_csv.is_dir():
        raise BadInput(f"--robyn-csv folder does not exist: {args.robyn_csv}")
    frame = read_csv(args.data)
    config = _load_json(args.config, "config")
    problems = validate_fit_config(config)
    said = {p.message for p in problems}  # a clash of channel names is found by both checks
    problems += [p for p in validate_frame(frame, ColumnMapping.from_config(config))
                 if f"config: {p.message}" not in said]
    if problems:
        raise DatasetError(problems)
    from kiri_core.engine.fit import FitInputError, fit_model

    data = clean_frame(frame, ColumnMapping.from_config(config))
    try:
        result = fit_model(data, config, _progress_printer(), workers=args.workers)
    except FitInputError as error:
        raise BadInput(str(error)) from error
    outputs = {args.out: lambda path: _dump_json(result, path)}
    if args.robyn_csv is not None:
        outputs.update(_robyn_csv_writers(result, args.robyn_csv))
    _write_all(outputs)


def run_optimize(args: argparse.Namespace) -> None:
    from kiri_core.engine.allocator import AllocationError, ChannelBounds, allocate

    result = _load_result(args.result)
    try:
        plan = allocate(
            result,
            scenario=args.scenario,
            weeks=args.weeks,
            total_budget=args.total_budget,
            target_roas=args.target_roas,
            target_cpa=args.target_cpa,
            lower=args.lower,
            upper=args.upper,
            bounds={channel: ChannelBounds(locked=True) for channel in args.lock},
            model_id=args.model_id,
        )
    except AllocationError as exc:
        raise BadInput(str(exc)) from exc
    _write_all({args.out: lambda path: _dump_json(plan, path, indent=2)})


def run_report(args: argparse.Namespace) -> None:
    from kiri_core.formatting import style_for
    from kiri_core.report import write_report

    with _input_errors():
        style_for(args.currency)
    if not args.client.strip():
        raise BadInput("--client must name the client")
    result = _load_result(args.result)
    _write_all({args.out: lambda path: write_report(result, path, args.client, args.currency)})


# --- files ---------------------------------------------------------------------------


def _load_json(path: Path, what: str) -> dict:
    if not path.is_file():
        raise BadInput(f"{what} file not found: {path}")
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadInput(f"{what} file {path} is not valid JSON: {exc}") from exc
    if not isinstance(loaded, dict):
        raise BadInput(f"{what} file {path} must hold a JSON object")
    return loaded


def _load_result(path: Path) -> dict:
    result = _load_json(path, "result")
    if not result.get("models") or "model_id" not in result:
        raise BadInput(f"{path} is not a result document (no models); run `fit` first")
    for model in result["models"]:
        missing = [key for key in RESULT_MODEL_KEYS if not isinstance(model.get(key), dict)]
        if missing:
            raise BadInput(f"{path} is not a complete result document: model "
                           f"{model.get('model_id', '?')} has no {' or '.join(missing)}; "
                           "run `fit` again")
    return result


def _dump_json(document: dict, path: Path, indent: int | None = None) -> None:
    with path.open("w", encoding="utf-8") as out:
        json.dump(document, out, indent=indent, allow_nan=False)


def _robyn_csv_writers(result: dict, folder: Path) -> dict[Path, Callable[[Path], None]]:
    """Writers of the result's Robyn-vocabulary CSV files (:mod:`kiri_core.export`)."""
    from kiri_core.export import robyn_csv_texts

    return {
        folder / name: lambda path, text=text: path.write_text(text, encoding="utf-8")
        for name, text in robyn_csv_texts(result).items()
    }


def _write_all(writers: dict[Path, Callable[[Path], None]]) -> None:
    """Write every output to a temporary file, then rename them all into place."""
    temporary = {target: _temporary_path(target) for target in writers}
    try:
        for target, write in writers.items():
            if not target.parent.is_dir():
                raise BadInput(f"output folder does not exist: {target.parent}")
            write(temporary[target])
        for target, path in temporary.items():
            os.replace(path, target)
    finally:
        for path in temporary.values():
            path.unlink(missing_ok=True)


def _temporary_path(target: Path) -> Path:
    return target.with_name(f".{target.stem}.{os.getpid()}.tmp{target.suffix}")


def _progress_printer() -> Callable[[float], None] | None:
    if not sys.stderr.isatty():
        return None

    def show(fraction: float) -> None:
        print(f"\rfitting: {fraction:4.0%}", end="", file=sys.stderr, flush=True)

    return show
