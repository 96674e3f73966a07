"""Breakpoints as DAP sets them: per source file, per function, on data (gdb's watch) and
the exception filters (the catchpoints). The engine checks conditions of its own points;
what DAP asks beyond that (hit conditions, log messages, data conditions) is kept here as
each point's PointMeta and applied by run control.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..debugger.breakpoints import CATCH_KINDS, CommandError
from ..debugger.commands import execute
from .common import AdapterState, RequestError
from .variables import Node, Presenter, Refs, Scope

_HIT = re.compile(r"^\s*(>=|<=|==|>|<|%)?\s*(\d+)\s*$")


@dataclass
class PointMeta:
    """What DAP asks of a point beyond what the engine checks."""

    kind: str  # source | function | data | exception
    log_message: str | None = None
    hit_condition: tuple[str, int] | None = None
    condition: str | None = None  # data breakpoints (the engine checks the others')
    file: str | None = None
    line: int | None = None


def parse_hit_condition(text: str) -> tuple[str, int]:
    """`5` (from the 5th hit on, as gdb's `ignore 4`), `>5`, `>=5`, `==5`, `<5`, `<=5`,
    `%5` (every 5th)."""
    m = _HIT.match(text)
    if not m:
        raise RequestError(
            f"hit condition {text!r}: expected N, >N, >=N, ==N, <N, <=N or %N"
        )
    op, n = m.group(1) or ">=", int(m.group(2))
    if op == "%" and n == 0:
        raise RequestError("hit condition %0: the modulus must be positive")
    return op, n


def hit_ok(cond: tuple[str, int], hits: int) -> bool:
    op, n = cond
    return {
        ">=": hits >= n, ">": hits > n, "==": hits == n, "<": hits < n, "<=": hits <= n,
        "%": n > 0 and hits % n == 0,
    }[op]


class Breakpoints(AdapterState):
    """setBreakpoints, setFunctionBreakpoints, setExceptionBreakpoints, data breakpoints."""

    def req_setBreakpoints(self, args: dict[str, Any]) -> dict[str, Any]:
        self._s()  # refused before launch
        source = args.get("source") or {}
        file = self._file_of(source)
        key = f"setBreakpoints:{file or source.get('path') or source.get('name')}"
        self.config[key] = ("setBreakpoints", args)  # one per source
        wanted = args.get("breakpoints")
        if wanted is None:
            wanted = [{"line": n} for n in args.get("lines") or []]
        old = self.source_points.pop(file or "", [])
        self._delete(old)
        out = []
        numbers = []
        for bp in wanted:
            line = bp.get("line")
            if not isinstance(line, int) or file is None:
                out.append({"verified": False, "line": line, "message":
                            f"no source file named {source.get('path') or source.get('name')}"
                            " in this trace" if file is None else "no line"})
                continue
            out.append(self._add_point(f"{file}:{line}", bp, "source", file, line, numbers))
        if file is not None:
            self.source_points[file] = numbers
        return {"breakpoints": out}

    def req_setFunctionBreakpoints(self, args: dict[str, Any]) -> dict[str, Any]:
        self.config["function"] = ("setFunctionBreakpoints", args)
        self._delete(self.function_points)
        self.function_points = []
        out = []
        for bp in args.get("breakpoints") or []:
            name = str(bp.get("name", "")).strip()
            out.append(self._add_point(name, bp, "function", None, None, self.function_points))
        return {"breakpoints": out}

    def _add_point(
        self, where: str, bp: dict[str, Any], kind: str, file: str | None, line: int | None,
        numbers: list[int],
    ) -> dict[str, Any]:
        s = self._s()
        cond = bp.get("condition")
        try:
            hit = parse_hit_condition(bp["hitCondition"]) if bp.get("hitCondition") else None
            text = where + (f" if {cond}" if isinstance(cond, str) and cond.strip() else "")
            execute(s, f"break {text}")
        except (CommandError, RequestError) as err:
            return {"verified": False, "line": line, "message": str(err)}
        number = s.points.next_number - 1
        p = s.points.points[number]
        numbers.append(number)
        log = bp.get("logMessage")
        self.meta[number] = PointMeta(kind, log if isinstance(log, str) else None, hit,
                                      None, file, line)
        assert p.location is not None
        _, pfile, pline = s.location_address(p.location)
        out: dict[str, Any] = {"id": number, "verified": True}
        if pfile:
            out["source"] = self._source(pfile)
            out["line"] = pline
        if kind == "source" and (file, line) not in s.index.by_location:
            out["verified"] = False
            out["message"] = (
                f"no statement stop at {file}:{line} in this run: tracesim stops only on "
                "the lines the model records, and this run records none there"
            )
        return out

    def _delete(self, numbers: list[int]) -> None:
        s = self._s()
        for n in numbers:
            s.points.points.pop(n, None)
            self.meta.pop(n, None)

    def req_setExceptionBreakpoints(self, args: dict[str, Any]) -> dict[str, Any]:
        self.config["exception"] = ("setExceptionBreakpoints", args)
        s = self._s()
        self._delete(self.catch_points)
        self.catch_points = []
        wanted = [f for f in args.get("filters") or [] if isinstance(f, str)]
        for option in args.get("filterOptions") or []:
            if isinstance(option, dict) and option.get("filterId") not in wanted:
                wanted.append(option.get("filterId"))
        out = []
        for name in wanted:
            if name not in CATCH_KINDS:
                out.append({"verified": False, "message": f"no exception filter {name!r}"})
                continue
            execute(s, f"catch {name}")
            number = s.points.next_number - 1
            self.catch_points.append(number)
            self.meta[number] = PointMeta("exception")
            out.append({"id": number, "verified": True})
        return {"breakpoints": out}

    def req_dataBreakpointInfo(self, args: dict[str, Any]) -> dict[str, Any]:
        s = self._s()
        name = str(args.get("name", ""))
        ref = args.get("variablesReference")
        frame_number = self._frame_number(args.get("frameId"))
        expr = name
        if ref:
            item = self.refs.get(ref)
            if isinstance(item, Scope):
                frame_number = item.frame_number
            elif isinstance(item, Node):
                expr = self._child_expr(item, name)
                if expr is None:
                    return {"dataId": None, "description": f"no member {name}"}
        if not s.running:
            return {"dataId": None, "description": "the program is not running"}
        try:
            value, _ = self._eval(expr, frame_number)
        except (CommandError, RequestError) as err:
            return {"dataId": None, "description": str(err)}
        if value.loc is None:
            return {"dataId": None, "description": f"{expr} is not an lvalue: nothing to watch"}
        return {
            "dataId": f"{frame_number}:{expr}",
            "description": expr,
            "accessTypes": ["write"],
            "canPersist": False,
        }

    def _child_expr(self, node: Node, name: str) -> str | None:
        presenter = Presenter(self._s().debug, self._s().state(), Refs())
        for child in presenter.children(node, 0, None, None):
            if child["name"] == name:
                return child.get("evaluateName")
        return None

    def req_setDataBreakpoints(self, args: dict[str, Any]) -> dict[str, Any]:
        s = self._s()
        self.config["data"] = ("setDataBreakpoints", args)
        self._delete(self.data_points)
        self.data_points = []
        out = []
        for bp in args.get("breakpoints") or []:
            data_id = str(bp.get("dataId", ""))
            number_text, _, expr = data_id.partition(":")
            access = bp.get("accessType", "write")
            if access not in (None, "write"):
                out.append({"verified": False, "message": (
                    f"{access} watchpoints (gdb's rwatch/awatch) need the loads of the run, "
                    "and a trace records only its stores: only 'write' (gdb's watch) works")})
                continue
            if not number_text.isdigit() or not expr:
                out.append({"verified": False, "message": f"bad dataId {data_id!r}"})
                continue
            saved = s.selected
            frames = s.frames()
            s.selected = min(int(number_text), max(len(frames) - 1, 0))
            try:
                hit = parse_hit_condition(bp["hitCondition"]) if bp.get("hitCondition") else None
                cond = bp.get("condition") if isinstance(bp.get("condition"), str) else None
                if cond:
                    s.inspect.check_syntax(cond)
                execute(s, f"watch {expr}")
            except (CommandError, RequestError) as err:
                out.append({"verified": False, "message": str(err)})
                continue
            finally:
                s.selected = saved
            number = s.points.next_number - 1
            self.data_points.append(number)
            self.meta[number] = PointMeta("data", None, hit, cond or None)
            out.append({"id": number, "verified": True, "description": expr})
        return {"breakpoints": out}
