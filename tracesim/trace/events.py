"""The trace event schema: a small tagged union, one JSON object per line.

Documented for users in docs/trace-format.md; bump SCHEMA_VERSION on any change.
The store knows nothing of QEMU beyond these records: paths and names are data.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

import msgspec
from msgspec import Meta

SCHEMA_VERSION = 2
BLOCK_EVENTS = 4096  # events per sealed block (the last block may hold fewer)

# Bounds checked by the decoder itself (in C): nothing from a trace is bigger than these.
Int = int  # a C scalar (a store is checked against its C type: validate.py)
Line = Annotated[int, Meta(ge=0, le=1 << 24)]  # a source line
Name = Annotated[str, Meta(max_length=1 << 12)]  # function, file, path, local and fact names
Value = Union[bool, Int, str, None]  # C scalars as JSON scalars
Values = Annotated[dict[Name, Value], Meta(max_length=1 << 12)]
Digest = Annotated[str, Meta(pattern="^[0-9a-f]{32}$")]  # blake2b, 16 bytes, in hex
Count = Annotated[int, Meta(ge=0, le=1 << 40)]


class _Event(msgspec.Struct, tag_field="k", kw_only=True, omit_defaults=True, gc=False):
    """gc=False: events hold no cycles, and millions of them need not be scanned."""

    pass


class Header(_Event, tag="header"):
    """First line of every trace."""

    schema: int
    tracesim: str
    profile: str
    argv: list[str]
    block: Annotated[int, Meta(ge=1, le=1 << 16)] = BLOCK_EVENTS  # events per sealed block


class Call(_Event, tag="call"):
    """A traced function is entered: pushes a frame; `args` become its locals."""

    fn: Name
    file: Name
    args: Values = {}


class Return(_Event, tag="ret"):
    """The current frame returns (after its closing-brace stop)."""

    value: Union[bool, Int, str, None, Values] = None  # a struct returned by value: a dict


class Step(_Event, tag="step"):
    """A statement stop, where gdb's `next` stops on the -O0 build."""

    line: Line


class Write(_Event, tag="write"):
    """A store into program state: `path` names a C lvalue below a root object."""

    path: Name
    value: Value


class Local(_Event, tag="local"):
    """A store into a local of the current frame (`props.node_id` for struct members)."""

    name: Name
    value: Value


class Branch(_Event, tag="branch"):
    """An `if`/`for`/`switch` decision at `line`, with its condition's operand values."""

    line: Line
    cond: str
    taken: bool
    values: Values = {}


class Assert(_Event, tag="assert"):
    line: Line
    cond: str
    ok: bool
    values: Values = {}


class Loop(_Event, tag="loop"):
    """A loop iteration starts at the `for` header on `line`."""

    line: Line
    var: Name
    value: Value


class Report(_Event, tag="report"):
    """A message QEMU prints: kind is error, warning, info, printf (raw text) or stdout."""

    line: Line
    kind: Literal["error", "warning", "info", "printf", "stdout"]
    text: str
    location: str | None = None


class Exit(_Event, tag="exit"):
    """The process ends (status 0: QEMU would go on into machine_class->init)."""

    line: Line
    status: Annotated[int, Meta(ge=0, le=255)]


class Fact(_Event, tag="fact"):
    """A semantic event of spec section 8 (mem.set, cpu.bound, dist.fill, ...)."""

    line: Line
    name: Name
    data: Values = {}


class Seal(_Event, tag="seal"):
    """Closes a block: its event count and the chained digest (docs/trace-format.md)."""

    n: Count
    digest: Digest


class End(_Event, tag="end"):
    """The last line: the last block's count and digest, the totals and the outcome."""

    n: Count
    digest: Digest
    events: Count
    blocks: Count
    exit: Annotated[int, Meta(ge=0, le=255)] | None = None
    reports: Count = 0


# --- repeated iterations (docs/trace-format.md, "Repeats") -----------------------------------
class Ramp(msgspec.Struct, frozen=True, gc=False):
    """In a repeat's body: the value `start + k * by` in the k-th repetition."""

    start: Int = msgspec.field(name="from")
    by: Int


Varying = Union[bool, Int, str, None, Ramp]
VaryingValues = Annotated[dict[Name, Varying], Meta(max_length=1 << 12)]


class _Body(msgspec.Struct, tag_field="k", kw_only=True, omit_defaults=True, gc=False,
            frozen=True):
    pass


class RStep(_Body, tag="step"):
    line: Line


class RLocal(_Body, tag="local"):
    name: Name
    value: Varying


class RBranch(_Body, tag="branch"):
    line: Line
    cond: str
    taken: bool
    values: VaryingValues = {}


class RLoop(_Body, tag="loop"):
    line: Line
    var: Name
    value: Varying


# the events a repeat's body may hold, and the body form of each
REPEATABLE: dict[type, type] = {Step: RStep, Local: RLocal, Branch: RBranch, Loop: RLoop}
REPEAT_BODY = 1024  # events in one repetition, at most (the model's: under 400)
REPEAT_TIMES = 1 << 16  # repetitions in one record, at most (the model's: possible CPUs)


class Repeat(_Event, tag="repeat"):
    """`n` repetitions of `body` (statement stops, locals, decisions and loop heads of the
    current frame), value `Ramp`s advancing by one step each time: the events it stands for
    are the body n times over."""

    n: Annotated[int, Meta(ge=2, le=REPEAT_TIMES)]
    body: Annotated[list[Union[RStep, RLocal, RBranch, RLoop]], Meta(min_length=1,
                                                                       max_length=REPEAT_BODY)]


Event = Union[Header, Call, Return, Step, Write, Local, Branch, Assert, Loop, Report, Exit, Fact,
              Repeat]
BodyEvent = Union[Call, Return, Step, Write, Local, Branch, Assert, Loop, Report, Exit, Fact,
                  Repeat]

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
