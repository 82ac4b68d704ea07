"""What a reader types or writes: bounded, strict, and every refusal one line naming the input and the line."""

from __future__ import annotations

import pytest

from analysis.reruns.inputs import MAX_FILE_BYTES, UsageError, load_yaml_mapping, parse_assignments, read_yaml

# 285 bytes that PyYAML expands to 9**9 (387 million) elements: a billion-laughs bomb.
ALIAS_BOMB = (
    "[&a [1,1,1,1,1,1,1,1,1], &b [*a,*a,*a,*a,*a,*a,*a,*a,*a], &c [*b,*b,*b,*b,*b,*b,*b,*b,*b], "
    "&d [*c,*c,*c,*c,*c,*c,*c,*c,*c], &e [*d,*d,*d,*d,*d,*d,*d,*d,*d], &f [*e,*e,*e,*e,*e,*e,*e,*e,*e], "
    "&g [*f,*f,*f,*f,*f,*f,*f,*f,*f], &h [*g,*g,*g,*g,*g,*g,*g,*g,*g], &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]]"
)


def test_an_alias_bomb_is_refused_before_it_expands():
    with pytest.raises(
        UsageError, match=r"-p 'tier_caps=\[&a .*\.\.\..*', line 1, column 2: malformed YAML: anchors \(&a\)"
    ):
        parse_assignments([f"tier_caps={ALIAS_BOMB}"])


def test_anchors_and_aliases_in_a_file_are_refused_with_their_line(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text("cac_multiplier: 1.5\ntier_caps: " + ALIAS_BOMB + "\n")
    with pytest.raises(UsageError, match=rf"{path}, line 2, column 13: malformed YAML: anchors \(&a\) are not allowed"):
        load_yaml_mapping(path)
    path.write_text("cac_multiplier: 1.5\nchurn_multiplier: *a\n")
    with pytest.raises(
        UsageError, match=rf"{path}, line 2, column 19: malformed YAML: aliases \(\*a\) are not allowed"
    ):
        load_yaml_mapping(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("cac_multiplier: 1.5\ncac_multiplier: 2\n", "line 2, column 1: malformed YAML: duplicate key 'cac_multiplier' (first on line 1)"),
        ("1: 2\n", "line 1, column 1: malformed YAML: key 1 is not a name: keys must be text"),
        ("cac_multiplier: !!python/object/apply:os.system ['echo hacked']\n", "line 1, column 17: malformed YAML: could not determine a constructor"),
        ("[1, 2]\n", "expected a mapping of NAME: VALUE, got list"),
        ("a: " + "[" * 5000 + "]" * 5000 + "\n", "the YAML is nested too deeply"),
        ("n: " + "9" * 5000 + "\n", "a value cannot be read: Exceeds the limit (4300 digits)"),
    ],
)  # fmt: skip
def test_a_yaml_file_that_would_mislead_is_refused(tmp_path, text, message):
    path = tmp_path / "mine.yaml"
    path.write_text(text)
    with pytest.raises(UsageError) as info:
        load_yaml_mapping(path)
    assert str(info.value).startswith(str(path)) and message in str(info.value)
    assert "\n" not in str(info.value)


def test_files_are_bounded_regular_utf8_files(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("a: 1\n" * (MAX_FILE_BYTES // 5 + 1))
    with pytest.raises(UsageError, match=r"big.yaml: the YAML file is larger than 1,000,000 bytes"):
        load_yaml_mapping(big)
    with pytest.raises(UsageError, match=r"/dev/zero: not a regular file"):
        load_yaml_mapping("/dev/zero")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("cac_multiplier: 1.5\n# café\n".encode("latin-1"))
    with pytest.raises(UsageError, match=r"latin.yaml, line 2: byte 0xe9 is not UTF-8; save the YAML file as UTF-8"):
        load_yaml_mapping(latin)
    with pytest.raises(UsageError, match=r"missing.yaml: cannot read the YAML file \(No such file or directory\)"):
        load_yaml_mapping(tmp_path / "missing.yaml")


def test_values_are_bounded_and_numbers_read_as_numbers():
    """1e6 is a number (YAML 1.1 reads it as text), a value over 4,000 characters is refused unparsed."""
    assert parse_assignments(["n=1e6", "x=-2.5E-3", "y=1_000", "z=.5e1"]) == {
        "n": 1e6,
        "x": -0.0025,
        "y": 1000,
        "z": 5.0,
    }
    assert read_yaml("1.0", "-p") == 1.0 and read_yaml("text", "-p") == "text"
    with pytest.raises(UsageError, match=r"longer than 4,000 characters; give long values in a file"):
        parse_assignments(["cac_multiplier=" + "9" * 5000])
    with pytest.raises(UsageError, match=r"-p 'cac_multiplier=2': 'cac_multiplier' is given twice"):
        parse_assignments(["cac_multiplier=1", "cac_multiplier=2"])
