"""The trace event schema: a small tagged union, one JSON object per line.

Documented for users in docs/trace-format.md; bump SCHEMA_VERSION on any change.
The store knows nothing of QEMU beyond these records: paths and names are data.
"""

from __future__ import annotations

from typing import Any, Union

import msgspec

SCHEMA_VERSION = 1

Value = Any  # int | bool | str | None: C scalars as JSON scalars


class _Event(msgspec.Struct, tag_field="k", kw_only=True, omit_defaults=True):
    pass


class Header(_Event, tag="header"):
    """First line of every trace."""

    schema: int
    tracesim: str
    profile: str
    argv: list[str]


class Call(_Event, tag="call"):
    """A traced function is entered: pushes a frame; `args` become its locals."""

    fn: str
    file: str
    args: dict[str, Value] = {}


class Return(_Event, tag="ret"):
    """The current frame returns (after its closing-brace stop)."""

    value: Value = None


class Step(_Event, tag="step"):
    """A statement stop, where gdb's `next` stops on the -O0 build."""

    line: int


class Write(_Event, tag="write"):
    """A store into program state: `path` names a C lvalue below a root object."""

    path: str
    value: Value


class Local(_Event, tag="local"):
    """A store into a local of the current frame (`props.node_id` for struct members)."""

    name: str
    value: Value


class Branch(_Event, tag="branch"):
    """An `if`/`for`/`switch` decision at `line`, with its condition's operand values."""

    line: int
    cond: str
    taken: bool
    values: dict[str, Value] = {}


class Assert(_Event, tag="assert"):
    line: int
    cond: str
    ok: bool
    values: dict[str, Value] = {}


class Loop(_Event, tag="loop"):
    """A loop iteration starts at the `for` header on `line`."""

    line: int
    var: str
    value: Value


class Report(_Event, tag="report"):
    """A message QEMU prints: kind is error, warning, info, printf (raw text) or stdout."""

    line: int
    kind: str
    text: str
    location: str | None = None


class Exit(_Event, tag="exit"):
    """The process ends (status 0: QEMU would go on into machine_class->init)."""

    line: int
    status: int


class Fact(_Event, tag="fact"):
    """A semantic event of spec section 8 (mem.set, cpu.bound, dist.fill, ...)."""

    line: int
    name: str
    data: dict[str, Value] = {}


Event = Union[Header, Call, Return, Step, Write, Local, Branch, Assert, Loop, Report, Exit, Fact]
BodyEvent = Union[Call, Return, Step, Write, Local, Branch, Assert, Loop, Report, Exit, Fact]

# Kinds a user can name (show --kind, catchpoints): the tag of each record.
KINDS = (
    "header",
    "call",
    "ret",
    "step",
    "write",
    "local",
    "branch",
    "assert",
    "loop",
    "report",
    "exit",
    "fact",
)
