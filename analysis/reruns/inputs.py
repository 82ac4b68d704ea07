"""What a reader types or writes for a re-run: ``-p NAME=VALUE`` values and YAML files, read strictly.

Every input is bounded before it is parsed (a value of at most :data:`MAX_VALUE_CHARS` characters, a
file of at most :data:`MAX_FILE_BYTES` bytes that is a regular file), and YAML is read with a loader
that refuses what could blow up or mislead: aliases and anchors (a few hundred bytes of them expand
to gigabytes), duplicate keys, keys that are not names, and Python object tags. Numbers such as
``1e6`` are read as numbers (YAML 1.1 would read them as text). Every refusal is a
:class:`UsageError` with one line naming the input, the line where it applies, and what is allowed.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError

from analysis.parameters import bounded_repr

MAX_FILE_BYTES = 1_000_000
MAX_VALUE_CHARS = 4_000


class UsageError(ValueError):
    """A command-line input is wrong; the command exits with status 2 and writes nothing."""


class StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader without aliases, anchors or duplicate keys, keys only text, and ``1e6`` a number."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise ComposerError(None, None, f"aliases (*{event.anchor}) are not allowed", event.start_mark)
        if getattr(event, "anchor", None):
            raise ComposerError(None, None, f"anchors (&{event.anchor}) are not allowed", event.start_mark)
        return super().compose_node(parent, index)

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        if not isinstance(node, yaml.MappingNode):
            return super().construct_mapping(node, deep=deep)
        seen: dict[str, Any] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                raise ConstructorError(
                    None, None, f"key {bounded_repr(key)} is not a name: keys must be text", key_node.start_mark
                )
            if key in seen:
                raise ConstructorError(
                    None, None, f"duplicate key {bounded_repr(key)} (first on line {seen[key].line + 1})",
                    key_node.start_mark,
                )  # fmt: skip
            seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)


# YAML 1.2 reads 1e6, 2.5E-3 and 1.e3 as numbers; YAML 1.1 (PyYAML) wants a dot and a signed exponent.
StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$"),
    list("-+0123456789."),
)


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def read_yaml(text: str, origin: str) -> Any:
    """Parse YAML ``text`` with :class:`StrictLoader`; errors name ``origin`` and the line."""
    try:
        return yaml.load(text, Loader=StrictLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise UsageError(f"{origin}{where}: malformed YAML: {_one_line(problem)}") from None
    except (ValueError, OverflowError) as error:  # e.g. an integer of more than 4,300 digits
        raise UsageError(f"{origin}: a value cannot be read: {_one_line(error)[:200]}") from None
    except RecursionError:
        raise UsageError(f"{origin}: the YAML is nested too deeply") from None


def split_assignment(item: str, form: str, too_long: str = "") -> tuple[str, str, str]:
    """One ``-p NAME=VALUE`` as ``(how it is shown in a message, name, value)``, refused if it is longer than
    :data:`MAX_VALUE_CHARS` (``too_long`` is added to that message) or not of the ``form`` (e.g. 'NAME=VALUE').

    Examples
    --------
    >>> split_assignment("cac_multiplier = 1.5", "NAME=VALUE")
    ("'cac_multiplier = 1.5'", 'cac_multiplier', ' 1.5')
    """
    shown = bounded_repr(item)
    if len(item) > MAX_VALUE_CHARS:
        raise UsageError(f"-p {shown}: longer than {MAX_VALUE_CHARS:,} characters{too_long}")
    name, sep, value = item.partition("=")
    if not sep or not name.strip():
        raise UsageError(f"-p {shown}: expected {form}")
    return shown, name.strip(), value


def parse_assignments(assignments: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """``NAME=VALUE`` pairs to a dict; values are read as YAML (numbers, lists, strings), strictly.

    Examples
    --------
    >>> parse_assignments(["cac_multiplier=1.5", "tier_caps=[10, 20, 40]", "outlook=optimistic", "n=1e6"])
    {'cac_multiplier': 1.5, 'tier_caps': [10, 20, 40], 'outlook': 'optimistic', 'n': 1000000.0}
    """
    values: dict[str, Any] = {}
    for item in assignments:
        shown, name, raw = split_assignment(item, "NAME=VALUE", "; give long values in a file")
        if name in values:
            raise UsageError(f"-p {shown}: {name!r} is given twice")
        values[name] = read_yaml(raw, f"-p {shown}") if raw.strip() else raw
    return values


def read_text_file(path: Path | str, what: str = "file", limit: int = MAX_FILE_BYTES) -> str:
    """A regular file of at most ``limit`` bytes, as UTF-8 text; errors name the file (and line for bad bytes)."""
    path = Path(path)
    try:
        info = os.stat(path)
    except OSError as error:
        raise UsageError(f"{path}: cannot read the {what} ({error.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        raise UsageError(f"{path}: not a regular file; give a {what} on disk")
    try:
        with path.open("rb") as fh:
            data = fh.read(limit + 1)
    except OSError as error:
        raise UsageError(f"{path}: cannot read the {what} ({error.strerror})") from None
    if len(data) > limit:
        raise UsageError(f"{path}: the {what} is larger than {limit:,} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise UsageError(
            f"{path}, line {line}: byte 0x{data[error.start]:02x} is not UTF-8; save the {what} as UTF-8"
        ) from None


def load_yaml_mapping(path: Path | str) -> dict[str, Any]:
    """A YAML file holding a mapping, loaded strictly; errors name the file and line."""
    loaded = read_yaml(read_text_file(path, "YAML file"), str(path))
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise UsageError(f"{path}: expected a mapping of NAME: VALUE, got {type(loaded).__name__}")
    return loaded
