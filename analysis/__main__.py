"""Command line: ``python -m analysis build`` and ``python -m analysis params CHAPTER``."""

from __future__ import annotations

import argparse
import sys

from analysis.build import BuildError, build_book, describe_parameters
from analysis.data import DataValidationError
from analysis.parameters import CHAPTERS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m analysis",
        description="The Economics of Generative AI: build the book, list chapter parameters.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="execute every chapter with papermill and build the site")
    build.add_argument("--output", default=None, help="build folder (default: _build); the site goes to OUTPUT/html")
    build.add_argument("--jobs", type=int, default=None, help="notebooks executed at once (default: one per core)")
    params = commands.add_parser("params", help="list a chapter's parameters")
    params.add_argument("chapter", choices=sorted(CHAPTERS))
    args = parser.parse_args(argv)

    if args.command == "params":
        table = describe_parameters(args.chapter)
        print(table.to_string(index=False))
        return 0
    try:
        result = build_book(output_dir=args.output, jobs=args.jobs)
    except (BuildError, DataValidationError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"built {len(result.notebooks)} notebook(s) into {result.html_dir} in {result.seconds:.1f} s")
    print(f"open {result.html_dir / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
