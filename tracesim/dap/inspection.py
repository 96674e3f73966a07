"""Inspection: scopes, variables (paged, expandable) and expressions evaluated for hovers and
watches; the replay is read-only, so setting anything is refused.
"""

from __future__ import annotations

from typing import Any

from ..debugger.breakpoints import CommandError
from ..debugger.evaluate import GdbError
from ..debugger.format import format_value
from ..debugger.typenames import type_name
from .common import AdapterState, RequestError
from .variables import Node, Presenter, Scope

READ_ONLY = (
    "tracesim replays a recorded run: its state is the trace's and cannot be changed "
    "(setVariable is not supported)"
)


class Inspection(AdapterState):
    """scopes, variables, evaluate (hover, watch), exceptionInfo; no setting."""

    def _frame_number(self, frame_id: Any) -> int:
        if frame_id is None:
            return 0
        if frame_id not in self.frame_ids:
            raise RequestError("that frame is gone: the program moved since")
        return self.frame_ids[frame_id]

    def _eval_index(self, frame_number: int) -> int:
        """The engine's frame index (0 = innermost State frame) of bt's frame #N."""
        s = self._s()
        frames = s.frames()
        if not frames:
            return 0
        f = frames[min(frame_number, len(frames) - 1)]
        if f.depth_index < 0:
            return 0
        return len(s.state().frames) - 1 - f.depth_index

    def _eval(self, expr: str, frame_number: int) -> tuple[Any, Any]:
        s = self._s()
        return s.inspect.value(s.state(), self._eval_index(frame_number), expr)

    def req_scopes(self, args: dict[str, Any]) -> dict[str, Any]:
        s = self._s()
        k = self._frame_number(args.get("frameId"))
        frames = s.frames()
        if k >= len(frames):
            raise RequestError("no such frame")
        f = frames[k]
        fn = s.debug.functions.get(f.fn)
        scopes = [
            {"name": "Arguments", "presentationHint": "arguments",
             "variablesReference": self.refs.add(Scope("args", k)),
             "namedVariables": len(f.args), "expensive": False},
        ]
        if f.call_index is not None:
            scopes.append(
                {"name": "Locals", "presentationHint": "locals",
                 "variablesReference": self.refs.add(Scope("locals", k)),
                 "namedVariables": len(fn.locals) if fn else 0, "expensive": False})
        scopes.append(
            {"name": "Globals", "variablesReference": self.refs.add(Scope("globals", k)),
             "namedVariables": len(s.debug.globals), "expensive": False})
        return {"scopes": scopes}

    def req_variables(self, args: dict[str, Any]) -> dict[str, Any]:
        s = self._s()
        item = self.refs.get(args.get("variablesReference"))
        if item is None:
            raise RequestError("that variable is gone: the program moved since")
        fmt = "x" if (args.get("format") or {}).get("hex") else None
        presenter = Presenter(s.debug, s.state(), self.refs)
        start = max(int(args.get("start") or 0), 0)
        count = max(int(args.get("count") or 0), 0)
        if isinstance(item, Node):
            if args.get("filter") == "named" and not _is_struct_like(item):
                return {"variables": []}
            return {"variables": presenter.children(item, start, count or None, fmt)}
        names = self._scope_names(item)
        if count:
            names = names[start : start + count]
        out = []
        ev_index = self._eval_index(item.frame_number)
        frames = s.frames()
        f = frames[min(item.frame_number, len(frames) - 1)] if frames else None
        for name in names:
            if f is not None and f.call_index is None:  # libc's exit(status)
                out.append({"name": name, "value": str(f.args.get(name)), "type": "int",
                            "variablesReference": 0})
                continue
            try:
                value, evaluator = s.inspect.value(s.state(), ev_index, name)
            except CommandError as err:
                shown = s.inspect.arg_text(f.fn, name, f.args[name]) \
                    if f is not None and item.kind == "args" and name in f.args \
                    else f"<error: {err}>"
                out.append({"name": name, "value": shown, "variablesReference": 0})
                continue
            out.append(presenter.variable(name, value, name, evaluator, fmt))
        return {"variables": out}

    def _scope_names(self, scope: Scope) -> list[str]:
        s = self._s()
        if scope.kind == "globals":
            return list(s.debug.globals)
        frames = s.frames()
        if scope.frame_number >= len(frames):
            return []
        f = frames[scope.frame_number]
        fn = s.debug.functions.get(f.fn)
        if scope.kind == "args":
            if fn is None:
                return list(f.args)
            return [n for n, _ in fn.params if n in f.args]
        return [local.name for local in fn.locals] if fn else []

    def req_setVariable(self, args: dict[str, Any]) -> None:
        raise RequestError(READ_ONLY)

    def req_setExpression(self, args: dict[str, Any]) -> None:
        raise RequestError(READ_ONLY)

    def req_readMemory(self, args: dict[str, Any]) -> None:
        raise RequestError(
            "tracesim's memory is the C lvalues the trace wrote, not bytes: readMemory "
            "has no honest answer (use evaluate, or the console's print and ptype)"
        )

    def req_exceptionInfo(self, args: dict[str, Any]) -> dict[str, Any]:
        stop = self.exception_stop
        if stop is None:
            raise RequestError("not stopped at a catchpoint")
        return {
            "exceptionId": stop.catch or "",
            "description": stop.text,
            "breakMode": "always",
            "details": {"message": stop.text, "typeName": f"catch {stop.catch}"},
        }

    def req_evaluate(self, args: dict[str, Any]) -> dict[str, Any]:
        text = str(args.get("expression", ""))
        context = args.get("context") or "repl"
        frame_number = self._frame_number(args.get("frameId")) if args.get("frameId") else 0
        if context == "repl":
            return self._console(text, frame_number)
        s = self._s()
        fmt = "x" if (args.get("format") or {}).get("hex") else None
        expr = text.strip()
        if expr.startswith("/"):
            head, _, expr = expr.partition(" ")
            fmt = head[1:] or fmt
        value, evaluator = self._eval(expr, frame_number)
        try:
            result = format_value(s.debug, value, evaluator.memory, fmt)
        except GdbError as err:
            raise RequestError(err.message)
        presenter = Presenter(s.debug, s.state(), self.refs)
        ref, named, indexed = presenter.expansion(value, expr, evaluator)
        body: dict[str, Any] = {"result": result, "type": type_name(value.type),
                                "variablesReference": ref}
        if named:
            body["namedVariables"] = named
        if indexed:
            body["indexedVariables"] = indexed
        return body


def _is_struct_like(node: Node) -> bool:
    from ..debuginfo.ctypes import Array, strip

    return not isinstance(strip(node.value.type), Array)
