"""Scenario presets (data/scenarios/*.yaml) and the parameters a re-run resolves from a preset, a file and -p values."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.data import load_dataset
from analysis.parameters import CHAPTERS, Chapter, ParameterError, bounded_repr, get_chapter, validate_parameters
from analysis.paths import DATA_DIR
from analysis.reruns.inputs import UsageError, load_yaml_mapping, parse_assignments

SCENARIOS_DIR = DATA_DIR / "scenarios"
RUN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")  # matched whole, with fullmatch


def check_names(chapter: Chapter, values: Mapping[str, Any], origin: str) -> None:
    """Reject unknown parameter names, suggesting the closest valid ones."""
    valid = [p.name for p in chapter.parameters]
    for name in values:
        if name not in valid:
            close = difflib.get_close_matches(name, valid, n=3, cutoff=0.5) if isinstance(name, str) else []
            hint = f"; did you mean {', '.join(close)}?" if close else f"; valid names: {', '.join(valid)}"
            raise UsageError(f"unknown parameter {bounded_repr(name)} for chapter {chapter.name!r} ({origin}){hint}")


def check_values(chapter: Chapter, values: Mapping[str, Any], origin: str) -> None:
    """Check each value on its own, so an error names where the value came from (``-p``, a file, a scenario)."""
    check_names(chapter, values, origin)
    for name, value in values.items():
        try:
            chapter.parameter(name).check(value)
        except ParameterError as error:
            raise UsageError(f"{origin}: {error}") from None


@dataclass(frozen=True)
class Scenario:
    """A scenario preset: a description, its sources, and parameter values per chapter."""

    name: str
    description: str
    sources: tuple[str, ...]
    chapters: dict[str, dict[str, Any]]


def list_scenarios(folder: Path | None = None) -> list[str]:
    return sorted(p.stem for p in (folder or SCENARIOS_DIR).glob("*.yaml"))


SCENARIO_KEYS = ("description", "sources", "chapters")


def load_scenario(name: str, folder: Path | None = None) -> Scenario:
    """Load and check a scenario preset: its keys and their types, known sources, known chapters, valid parameters.

    Every problem is a :class:`UsageError` naming the file and the key.
    """
    folder = folder or SCENARIOS_DIR
    path = folder / f"{name}.yaml"
    if not RUN_NAME.fullmatch(name) or not path.is_file():
        available = list_scenarios(folder)
        close = difflib.get_close_matches(name, available, n=2)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise UsageError(f"unknown scenario {bounded_repr(name)}; scenarios: {', '.join(available)}{hint}")
    raw = load_yaml_mapping(path)
    for key in SCENARIO_KEYS:
        if key not in raw:
            raise UsageError(f"{path}: missing key {key!r} (a scenario needs description, sources and chapters)")
    extra = [k for k in raw if k not in SCENARIO_KEYS]
    if extra:
        raise UsageError(f"{path}: unknown key {bounded_repr(extra[0])}; a scenario has {', '.join(SCENARIO_KEYS)}")
    description, sources, chapters = raw["description"], raw["sources"], raw["chapters"] or {}
    if not isinstance(description, str) or not description.strip():
        raise UsageError(f"{path}, key 'description': must be a sentence of text, got {bounded_repr(description)}")
    if not isinstance(sources, list) or not sources or not all(isinstance(s, str) for s in sources):
        raise UsageError(f"{path}, key 'sources': must be a list of source ids, got {bounded_repr(sources)}")
    known_sources = set(load_dataset()["sources"]["source_id"])
    unknown = [s for s in sources if s not in known_sources]
    if unknown:
        raise UsageError(f"{path}, key 'sources': unknown source id(s) {unknown}; known: {sorted(known_sources)}")
    if not isinstance(chapters, dict):
        raise UsageError(
            f"{path}, key 'chapters': must map chapter names to parameter values, got {bounded_repr(chapters)}"
        )
    for chapter_name, values in chapters.items():
        if chapter_name not in CHAPTERS:
            raise UsageError(
                f"{path}, key 'chapters': unknown chapter {bounded_repr(chapter_name)}; chapters: {', '.join(CHAPTERS)}"
            )
        if values is not None and not isinstance(values, dict):
            raise UsageError(
                f"{path}, key 'chapters.{chapter_name}': must map parameter names to values, got {bounded_repr(values)}"
            )
        chapter = get_chapter(chapter_name)
        check_values(chapter, values or {}, f"{path}, key 'chapters.{chapter_name}'")
        try:
            validate_parameters(chapter_name, {**chapter.defaults, **(values or {})})
        except ParameterError as error:
            raise UsageError(f"{path}: {error}") from None
    return Scenario(name, description, tuple(sources), {k: dict(v or {}) for k, v in chapters.items()})


def resolve_parameters(
    chapter_name: str,
    scenario: str | None = None,
    files: Sequence[Path | str] = (),
    assignments: Sequence[str] = (),
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Defaults, then the scenario's values, then each file, then ``-p`` values; all checked.

    Returns the full, validated parameters and the subset that differs from the defaults.
    """
    chapter = get_chapter(chapter_name)
    values: dict[str, Any] = dict(chapter.defaults)
    if scenario:
        values.update(load_scenario(scenario).chapters.get(chapter_name, {}))
    for file in files:
        loaded = load_yaml_mapping(file)
        check_values(chapter, loaded, str(file))
        values.update(loaded)
    given = parse_assignments(list(assignments))
    check_values(chapter, given, "-p")
    values.update(given)
    try:
        checked = validate_parameters(chapter_name, values)
    except ParameterError as error:
        raise UsageError(str(error)) from None
    changed = {k: v for k, v in checked.items() if v != chapter.defaults[k] and k != "edition"}
    return checked, changed
