"""Command line of the report: build the book, list parameters, re-run chapters, sweep, scenarios.

Exit status: 0 on success, 1 when a build or run fails, 2 for bad input (nothing is executed or written),
130 when stopped (Ctrl-C, SIGTERM; child processes are ended first).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from analysis.reruns import warm

EPILOG = """\
examples:
  python -m analysis params survival
  python -m analysis run pricing -p cost_per_generation_usd=0.2 --name cheap-compute
  python -m analysis run survival --scenario pessimistic -p n_draws=50000
  python -m analysis run business_models -f my_assumptions.yaml --name memo-2026-11
  python -m analysis sweep business_models -p cac_multiplier=0.5:2:4 --name cac-stress
  python -m analysis build --scenario price_war
  python -m analysis cache --clear

Runs go to _build/runs/NAME/, sweeps to _build/sweeps/NAME/, scenario editions to
_build/editions/SCENARIO/html; an existing folder is never overwritten without --overwrite,
and a name in use by a running command is refused. Exit status: 0 done, 1 failed, 2 bad
input (nothing run or written), 130 stopped.
"""


def _jobs(text: str) -> int:
    """``--jobs``: a whole number from 1 to 64."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a whole number") from None
    if not 1 <= value <= 64:
        raise argparse.ArgumentTypeError(f"{value} is not allowed: give 1 to 64")
    return value


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # A warm process, if one is listening and current, runs a re-run in this terminal in a second or two.
    answered = warm.serve_through_warm_process(argv)
    if answered is not None:
        return answered
    # Imported only now: the warm path above needs none of it.
    from analysis.parameters import CHAPTERS

    parser = argparse.ArgumentParser(
        prog="python -m analysis",
        description="The Economics of Generative AI: build the book, list chapter parameters, re-run chapters "
        "with your own parameters, sweep parameter grids, build scenario editions.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="execute every chapter with papermill and build the site")
    build.add_argument("--output", default=None, help="build folder (default: _build); the site goes to OUTPUT/html")
    build.add_argument("--jobs", type=_jobs, default=None, help="notebooks executed at once (default: one per core)")
    build.add_argument("--scenario", default=None, help="build an edition under a scenario preset into "
                       "_build/editions/SCENARIO")  # fmt: skip
    build.add_argument("--overwrite", action="store_true", help="replace an existing scenario edition")
    params = commands.add_parser("params", help="list a chapter's parameters: type, default, allowed, provenance")
    params.add_argument("chapter", choices=sorted(CHAPTERS))
    run = commands.add_parser("run", help="re-run one chapter with new parameters into _build/runs/NAME")
    run.add_argument("chapter", choices=sorted(CHAPTERS))
    run.add_argument("-p", "--parameter", action="append", default=[], metavar="NAME=VALUE",
                     help="set a parameter (value read as YAML: 1.5, [10, 20], text); repeatable")  # fmt: skip
    run.add_argument("-f", "--file", action="append", default=[], metavar="FILE.yaml",
                     help="a YAML mapping of parameter values; repeatable, applied before -p")  # fmt: skip
    run.add_argument("--scenario", default=None, help="start from a scenario preset (data/scenarios/NAME.yaml)")
    run.add_argument("--name", default=None, help="run name (default: CHAPTER-TIMESTAMP)")
    run.add_argument("--overwrite", action="store_true", help="replace an existing run of the same name")
    sweep = commands.add_parser("sweep", help="run a grid of parameter values in parallel")
    sweep.add_argument("chapter", choices=sorted(CHAPTERS))
    sweep.add_argument("-p", "--parameter", action="append", default=[], required=True,
                       metavar="NAME=START:STOP:POINTS", help="a swept parameter: POINTS evenly spaced values from "
                       "START to STOP, or NAME=a,b,c; repeatable (the grid is every combination)")  # fmt: skip
    sweep.add_argument("--scenario", default=None, help="hold the other parameters at a scenario's values")
    sweep.add_argument("--name", default=None, help="sweep name (default: CHAPTER-sweep-TIMESTAMP)")
    sweep.add_argument("--overwrite", action="store_true", help="replace an existing sweep of the same name")
    sweep.add_argument("--jobs", type=_jobs, default=None, help="grid points run at once (default: one per core)")
    sweep.add_argument("--yes", action="store_true", help="run a sweep of more than 25 points")
    commands.add_parser("scenarios", help="list the scenario presets")
    cache = commands.add_parser("cache", help="show the execution cache's size; --clear empties it")
    cache.add_argument("--clear", action="store_true", help="delete every cached execution")
    args = parser.parse_args(argv)

    from analysis.pipeline.processes import end_descendants, stop_on_terminate

    try:
        with stop_on_terminate():
            code = _command(args)
    except KeyboardInterrupt as stop:
        ended = end_descendants()
        print(f"stopped ({str(stop) or 'interrupted'}); {ended} child process(es) ended", file=sys.stderr)
        return 130
    if args.command in warm.WARM_COMMANDS:
        warm.start_warm_process()  # for the next re-run; it ends itself after a few idle minutes
    return code


def _command(args: argparse.Namespace) -> int:
    from analysis.data import DataValidationError
    from analysis.parameters import ParameterError
    from analysis.pipeline.build import build_book, describe_parameters
    from analysis.pipeline.execution import BuildError
    from analysis.pipeline.folders import FolderError
    from analysis.reruns import inputs, runs, scenarios, sweeps

    try:
        if args.command == "params":
            print(_format_parameters(describe_parameters(args.chapter)))
            return 0
        if args.command == "scenarios":
            return _list_scenarios()
        if args.command == "cache":
            return _cache(args.clear)
        if args.command == "run":
            values, changed = scenarios.resolve_parameters(args.chapter, args.scenario, args.file, args.parameter)
            name = runs.check_run_name(args.name or runs.default_run_name(args.chapter))
            scenario = scenarios.load_scenario(args.scenario) if args.scenario else None
            if "edition" not in changed:  # captions of a run name the run
                values["edition"] = name
            run = runs.run_chapter(args.chapter, values, changed, name, scenario=scenario,
                                   overwrite=args.overwrite, progress=runs.print_progress)  # fmt: skip
            print(f"run {name}: {run.folder}")
            if run.comparison:
                print("key figures that changed against the defaults (old -> new):")
                for row in run.comparison:
                    # Where the rounded text is the same, the values show what moved.
                    moved = (
                        f" ({row['old_value']:g} -> {row['new_value']:g})" if row["old_text"] == row["new_text"] else ""
                    )
                    print(f"  {row['id']}: {row['old_text']} -> {row['new_text']}{moved}")
            else:
                print("no key figure changed against the defaults")
            print(f"comparison: {run.folder / 'comparison.csv'}")
            return 0
        if args.command == "sweep":
            base = scenarios.resolve_parameters(args.chapter, args.scenario)[0]
            grid = sweeps.parse_sweep(args.parameter)
            name = runs.check_run_name(args.name or runs.default_run_name(args.chapter + "-sweep"))
            folder = sweeps.sweep(args.chapter, base, grid, name, overwrite=args.overwrite, jobs=args.jobs,
                                yes=args.yes, progress=runs.print_progress)  # fmt: skip
            print(f"sweep {name}: {folder / 'sweep.csv'} and {folder / 'sweep.svg'}")
            return 0
        # build
        if args.scenario:
            scenario = scenarios.load_scenario(args.scenario)
            output = Path(args.output) if args.output else runs.BUILD_DIR / "editions" / scenario.name
            result = build_book(
                output_dir=output,
                jobs=args.jobs,
                parameters={c: {**v, "edition": scenario.name} for c, v in scenario.chapters.items()},
                cache_dir=runs.BUILD_DIR / "cache",
                banner=f"Scenario edition '{scenario.name}': {scenario.description}",
                overwrite=args.overwrite,
                progress=runs.print_progress,
            )  # fmt: skip
        else:
            result = build_book(
                output_dir=Path(args.output) if args.output else None, jobs=args.jobs, progress=runs.print_progress
            )
    except (inputs.UsageError, FolderError, ParameterError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (BuildError, DataValidationError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the output was piped into a command that stopped reading (head)
        return 1
    except OSError as error:  # a disk that filled up, a folder made read-only while the command ran
        where = f" ({error.filename})" if error.filename else ""
        print(f"error: {error.strerror or error}{where}; nothing was moved into place", file=sys.stderr)
        return 1
    print(f"built {len(result.notebooks)} notebook(s) into {result.html_dir} in {result.seconds:.1f} s")
    print(f"open {result.html_dir / 'index.html'}")
    return 0


WIDTH = 100  # what a terminal shows without wrapping


def _wrapped(text: str, indent: str = "    ") -> str:
    import textwrap

    return textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=indent, break_on_hyphens=False)


def _format_parameters(table: Any) -> str:
    """One block per parameter, within 100 columns: name, type and default, then what is allowed, then why."""
    blocks = []
    for row in table.itertuples(index=False):
        unit = f" {row.unit}" if row.unit else ""
        blocks.append("\n".join([f"{row.name} ({row.type}, default {row.default!r}{unit})",
                                  _wrapped(f"allowed: {row.allowed}"),
                                  _wrapped(f"{row.description}; default: {row.default_from}")]))  # fmt: skip
    return "\n".join(blocks)


def _list_scenarios() -> int:
    """Every scenario preset: its description and the parameters it changes, within 100 columns.

    A broken preset is named on stderr (exit 2); the others are still listed.
    """
    from analysis.reruns import inputs, scenarios

    broken = 0
    for name in scenarios.list_scenarios():
        try:
            scenario = scenarios.load_scenario(name)
        except inputs.UsageError as error:
            print(f"error: {error}", file=sys.stderr)
            broken += 1
            continue
        print(name)
        print(_wrapped(f"{scenario.description} (sources: {', '.join(scenario.sources)})"))
        changes = [f"{chapter}: " + ", ".join(f"{k} = {v!r}" for k, v in values.items())
                   for chapter, values in scenario.chapters.items() if values]  # fmt: skip
        print(_wrapped("changes " + ("; ".join(changes) if changes else "nothing: every chapter at its defaults")))
    return 2 if broken else 0


def _cache(clear: bool) -> int:
    from analysis.pipeline.execution import CACHE_LIMIT_MB, cache_entries, prune_cache
    from analysis.reruns import runs

    cache_dir = runs.BUILD_DIR / "cache"
    if clear:
        removed = prune_cache(cache_dir, limit_mb=0)
        print(f"removed {len(removed)} cached execution(s) from {cache_dir}")
        return 0
    entries = cache_entries(cache_dir)
    size_mb = sum(e.size_bytes for e in entries) / 2**20
    print(f"{cache_dir}: {len(entries)} cached execution(s), {size_mb:.1f} MB (kept under {CACHE_LIMIT_MB:g} MB, "
          "least recently used pruned first; set GENAI_REPORT_CACHE_MB to change)")  # fmt: skip
    return 0


if __name__ == "__main__":
    status = main()
    if status == 130:
        # Stopped, children already ended and partial results written: leave at once, without the
        # process pool's exit hook, which can wait for a worker queue that will never drain.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    sys.exit(status)
