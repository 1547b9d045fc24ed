"""docs/configuration.md keeps up with bot/config.py: every key the loader accepts is
described under its section, with the type, default and environment variable the code has,
and every example on the page loads.

The keys come from the dataclasses the loader checks a file against (``bot.config.Config``
and the section classes it holds), so a key added to the code without a paragraph here, or
a paragraph left behind for a key that is gone, fails this test.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.config import Config, environment_overrides, parse_config

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "docs" / "configuration.md"
EXAMPLE = ROOT / "config.example.toml"

_SECTION = re.compile(r"^## `\[\[?(?P<section>\w+)\]\]?`$")
_KEY = re.compile(r"^### `(?P<section>\w+)\.(?P<key>\w+)`$")
_FACTS = re.compile(
    r"^\*\*Type\*\* (?P<type>.+?) · \*\*Default\*\* (?P<default>.+?)"
    r"(?: · \*\*Variable\*\* `(?P<variable>\w+)`)?$"
)
_LITERAL = re.compile(r"^`([^`]+)`$")
_TOML_BLOCK = re.compile(r"^```toml\n(.*?)^```$", re.M | re.S)
REQUIRED = object()
"""The default of a key that has none: the file must set it."""


@dataclass
class Entry:
    """What the reference says about one key, or about a section set as one value."""

    name: str
    """``polling.interval``; a whole-value section by its own name (``aliases``)."""
    under: str | None
    """The section heading the entry stands under."""
    type: str = ""
    default: str = ""
    variable: str | None = None
    examples: list[str] = field(default_factory=list)


def read_reference() -> dict[str, Entry]:
    """The page's entries by name, in the order they appear."""
    entries: dict[str, Entry] = {}
    section: str | None = None
    current: Entry | None = None
    lines = REFERENCE.read_text(encoding="utf-8").splitlines()
    for line in lines:
        if heading := _SECTION.match(line):
            section = heading["section"]
            current = entries.setdefault(section, Entry(section, section))
        elif heading := _KEY.match(line):
            name = f"{heading['section']}.{heading['key']}"
            current = entries.setdefault(name, Entry(name, section))
        elif line.startswith("#"):
            current = None
        elif current is not None and (facts := _FACTS.match(line)):
            current.type, current.default = facts["type"], facts["default"]
            current.variable = facts["variable"]
    for block, at in _toml_blocks():
        owner = _owner_of(lines, at)
        if owner in entries:
            entries[owner].examples.append(block)
    return entries


def _toml_blocks() -> list[tuple[str, int]]:
    """Each ```toml block of the page with the line it starts on."""
    text = REFERENCE.read_text(encoding="utf-8")
    return [(m[1], text.count("\n", 0, m.start())) for m in _TOML_BLOCK.finditer(text)]


def _owner_of(lines: list[str], at: int) -> str | None:
    """The entry whose heading is the closest one above line ``at``."""
    for line in reversed(lines[:at]):
        if heading := _KEY.match(line):
            return f"{heading['section']}.{heading['key']}"
        if heading := _SECTION.match(line):
            return heading["section"]
        if line.startswith("#"):
            return None
    return None


def accepted() -> dict[str, tuple[Any, Any]]:
    """Every name the loader accepts, in the classes' order, with its type and default.

    A section that is a dataclass, or a list of one (``[[feeds]]``), has a name per field; a
    section of any other type (``[aliases]``) is one value, named by the section.
    """
    names: dict[str, tuple[Any, Any]] = {}
    hints = typing.get_type_hints(Config)
    for section in dataclasses.fields(Config):
        hint = hints[section.name]
        names[section.name] = (hint, _default(section))
        table = _table_of(hint)
        if table is None:
            continue
        table_hints = typing.get_type_hints(table)
        for key in dataclasses.fields(table):
            names[f"{section.name}.{key.name}"] = (table_hints[key.name], _default(key))
    return names


def _table_of(hint: Any) -> type | None:
    """The dataclass whose fields are the keys of a section of type ``hint``, if any."""
    if typing.get_origin(hint) is list:
        (hint,) = typing.get_args(hint)
    return hint if isinstance(hint, type) and dataclasses.is_dataclass(hint) else None


def _is_table_of_keys(hint: Any) -> bool:
    """A section of keys (``[polling]``), not a value set whole (``[[feeds]]``, ``[aliases]``)."""
    return isinstance(hint, type) and dataclasses.is_dataclass(hint)


def _default(f: dataclasses.Field[Any]) -> Any:
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return REQUIRED


def toml_type(hint: Any) -> str:
    """How the reference names a Python type in TOML's words."""
    if typing.get_origin(hint) in (types.UnionType, typing.Union):
        (hint,) = [a for a in typing.get_args(hint) if a is not type(None)]
    origin = typing.get_origin(hint)
    if origin is list:
        (item,) = typing.get_args(hint)
        return f"list of {toml_type(item)}s"
    if origin is dict or dataclasses.is_dataclass(hint):
        return "table"
    return {bool: "boolean", int: "integer", float: "float", str: "string"}[hint]


def value_of(default: str) -> Any:
    """The TOML value a stated default spells (it is written as one literal in backticks)."""
    literal = _LITERAL.match(default)
    assert literal, f"the default should be one TOML value in backticks, got {default!r}"
    return tomllib.loads(f"value = {literal[1]}")["value"]


def test_every_key_the_loader_accepts_is_described() -> None:
    missing = [name for name in accepted() if name not in read_reference()]

    assert not missing, f"docs/configuration.md has no entry for {missing}"


def test_every_key_the_reference_describes_is_accepted_under_its_section() -> None:
    known = accepted()
    for name, entry in read_reference().items():
        assert name in known, f"docs/configuration.md describes {name!r}, which no loader accepts"
        assert name.split(".")[0] == entry.under, f"{name} stands under [{entry.under}]"


def test_sections_and_keys_come_in_the_order_of_the_example() -> None:
    example = re.findall(r"^\[\[?(\w+)\]\]?$", EXAMPLE.read_text(encoding="utf-8"), re.M)

    assert list(read_reference()) == list(accepted())
    assert [name for name in read_reference() if "." not in name] == example


@pytest.mark.parametrize("name", list(accepted()))
def test_the_stated_type_and_default_are_the_code_s(name: str) -> None:
    hint, default = accepted()[name]
    entry = read_reference()[name]
    if _is_table_of_keys(hint):
        assert not entry.type, f"[{name}] is a table of keys; its keys carry the facts"
        return

    assert re.match(r"[a-z ]*", entry.type)[0].strip() == toml_type(hint), f"{name}: {entry.type}"
    if default is REQUIRED:
        assert "required" in entry.default, f"{name} has no default; say it is required"
    elif default is None:
        assert entry.default and not entry.default.startswith("`"), (
            f"{name} defaults to something worked out at run time; say what, in words"
        )
    else:
        stated = value_of(entry.default)
        assert (type(stated), stated) == (type(default), default), f"{name}: {entry.default}"


@pytest.mark.parametrize("name", list(accepted()))
def test_the_stated_variable_sets_the_key(name: str) -> None:
    hint, default = accepted()[name]
    entry = read_reference()[name]
    section = name.split(".")[0]
    if _is_table_of_keys(hint):
        return  # a table of keys; each key names its own variable
    if "." in name and typing.get_origin(accepted()[section][0]) is list:
        assert entry.variable is None, f"{name}: [[{section}]] is set whole, by its own variable"
        return

    assert entry.variable, f"{name}: name the TOPIC_ALERT__ variable that sets it"
    overrides = environment_overrides({entry.variable: entry.default.strip("`")})
    assert overrides == {entry.variable: (name.split("."), default)}


def test_every_example_on_the_page_loads() -> None:
    blocks = _toml_blocks()

    assert len(blocks) > len(accepted()) / 2, "the examples were not found"
    for block, at in blocks:
        parse_config(tomllib.loads(block), where=f"{REFERENCE.name}, line {at + 1}")


@pytest.mark.parametrize("name", [name for name in accepted() if "." in name])
def test_each_key_s_example_sets_that_key(name: str) -> None:
    section, key = name.split(".")
    examples = read_reference()[name].examples

    assert examples, f"{name} has no example"
    for block in examples:
        table = tomllib.loads(block)[section]
        tables = table if isinstance(table, list) else [table]
        assert any(key in t for t in tables), f"the example under {name} does not set it"
