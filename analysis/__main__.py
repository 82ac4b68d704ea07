"""Command line of the report: build the book, list parameters, re-run chapters, sweep, scenarios.

Exit status: 0 on success, 1 when a build or run fails, 2 for bad input (nothing is executed or written).
"""

from __future__ import annotations

import argparse
import sys

from analysis.build import BuildError, build_book, describe_parameters
from analysis.data import DataValidationError
from analysis.parameters import CHAPTERS

EPILOG = """\
examples:
  python -m analysis params survival
  python -m analysis run pricing -p cost_per_generation_usd=0.2 --name cheap-compute
  python -m analysis run survival --scenario pessimistic -p n_draws=50000
  python -m analysis run business_models -f my_assumptions.yaml --name memo-2026-11
  python -m analysis sweep business_models -p cac_multiplier=0.5:2:4 --name cac-stress
  python -m analysis build --scenario price_war

Runs go to _build/runs/NAME/, sweeps to _build/sweeps/NAME/, scenario editions to
_build/editions/SCENARIO/html; an existing folder is never overwritten without --overwrite.
"""


def main(argv: list[str] | None = None) -> int:
    from analysis import runs

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
    build.add_argument("--jobs", type=int, default=None, help="notebooks executed at once (default: one per core)")
    build.add_argument("--scenario", default=None, help="build an edition under a scenario preset into "
                       "_build/editions/SCENARIO")  # fmt: skip
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
                       metavar="NAME=START:STOP:STEPS", help="a swept parameter; repeatable")  # fmt: skip
    sweep.add_argument("--scenario", default=None, help="hold the other parameters at a scenario's values")
    sweep.add_argument("--name", default=None, help="sweep name (default: CHAPTER-sweep-TIMESTAMP)")
    sweep.add_argument("--overwrite", action="store_true", help="replace an existing sweep of the same name")
    sweep.add_argument("--jobs", type=int, default=None, help="grid points run at once (default: one per core)")
    commands.add_parser("scenarios", help="list the scenario presets")
    args = parser.parse_args(argv)

    try:
        if args.command == "params":
            print(describe_parameters(args.chapter).to_string(index=False))
            return 0
        if args.command == "scenarios":
            for name in runs.list_scenarios():
                scenario = runs.load_scenario(name)
                print(f"{name:16} {scenario.description} (sources: {', '.join(scenario.sources)})")
            return 0
        if args.command == "run":
            values, changed = runs.resolve_parameters(args.chapter, args.scenario, args.file, args.parameter)
            name = runs.check_run_name(args.name or runs.default_run_name(args.chapter))
            scenario = runs.load_scenario(args.scenario) if args.scenario else None
            if "edition" not in changed:  # captions of a run name the run
                values["edition"] = name
            result = runs.run_chapter(args.chapter, values, changed, name, scenario=scenario,
                                      overwrite=args.overwrite, progress=runs._print_progress)  # fmt: skip
            print(f"run {name}: {result.folder}")
            if result.comparison:
                print("key figures that changed against the defaults (old -> new):")
                for row in result.comparison:
                    print(f"  {row['id']}: {row['old_text']} -> {row['new_text']}")
            else:
                print("no key figure changed against the defaults")
            print(f"comparison: {result.folder / 'comparison.csv'}")
            return 0
        if args.command == "sweep":
            base = runs.resolve_parameters(args.chapter, args.scenario)[0]
            grid = runs.parse_sweep(args.parameter)
            name = runs.check_run_name(args.name or runs.default_run_name(args.chapter + "-sweep"))
            folder = runs.sweep(args.chapter, base, grid, name, overwrite=args.overwrite, jobs=args.jobs,
                                progress=runs._print_progress)  # fmt: skip
            print(f"sweep {name}: {folder / 'sweep.csv'} and {folder / 'sweep.svg'}")
            return 0
        # build
        if args.scenario:
            scenario = runs.load_scenario(args.scenario)
            output = args.output or str(runs.BUILD_DIR / "editions" / scenario.name)
            result = build_book(
                output_dir=output,
                jobs=args.jobs,
                parameters={c: {**v, "edition": scenario.name} for c, v in scenario.chapters.items()},
                cache_dir=runs.BUILD_DIR / "cache",
                banner=f"Scenario edition '{scenario.name}': {scenario.description}",
            )  # fmt: skip
        else:
            result = build_book(output_dir=args.output, jobs=args.jobs)
    except runs.UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (BuildError, DataValidationError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"built {len(result.notebooks)} notebook(s) into {result.html_dir} in {result.seconds:.1f} s")
    print(f"open {result.html_dir / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
