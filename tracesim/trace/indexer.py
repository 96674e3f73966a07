"""What the debugger's index (debugger/index.py) holds, computed from records as a writer
seals them, in arrays for the index file; and the fold's frames, for its checkpoints.

One pass over the records as recorded (a `repeat` stays one record: its stops and local
writes become ramps, as TraceIndex._add_run makes them). The results are TraceIndex's,
value for value: tests/test_trace_index.py compares the two on real traces.
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from typing import Any

from . import events as ev
from .seq import Run
from .seqstore import CODE, SeqBuilder


class EventIndexer:
    """Feed records in order (`add`); `snapshot` is the fold's state between two of them."""

    def __init__(self) -> None:
        self.position = 0  # events (a repeat's events counted) indexed so far
        self.stops, self.stop_frame = SeqBuilder(), SeqBuilder()
        self.stop_depth, self.stop_line = SeqBuilder(array("b")), SeqBuilder()  # depth <= 64
        self.nstops = 0
        self.boundaries, self.tops_after = array(CODE), array(CODE)
        # the frames, in call order: call position, names, depth, parent, return, entry stop
        self.fr_call, self.fr_fn, self.fr_file = array(CODE), array(CODE), array(CODE)
        self.fr_depth, self.fr_parent = array(CODE), array(CODE)
        self.fr_ret, self.fr_entry = array(CODE), array(CODE)
        self.fns: dict[str, int] = {}  # name -> number, and back
        self.files: dict[str, int] = {}
        self.fn_names: list[str] = []
        self.file_names: list[str] = []
        # keyed lists, keys in the order TraceIndex meets them
        self.locations: dict[tuple[str, int], SeqBuilder] = {}  # -> stop numbers
        self._loc_tails: dict[str, dict[int, array]] = defaultdict(dict)  # file -> line -> tail
        self.entries: dict[str, array] = {}  # fn -> stop numbers of its entries
        self.writes: dict[str, array] = {}  # path -> positions
        self.local_writes: dict[tuple[int, str], array | SeqBuilder] = {}  # (a run: ramps)
        self.by_kind: dict[str, array] = {}
        self.exit_index: int | None = None
        self.saw_run = False  # a repeat since the caller last cleared it
        self._stack: list[int] = []  # frame numbers (into fr_*) of the calls under way
        # the fold: each frame's [fn, file, line, args, locals, call position]
        self.frames: list[list[Any]] = []
        self.reports = 0
        self.exit_status: int | None = None
        # every store, in order: position, path number (order of first store), value
        self._path_ids: dict[str, int] = {}
        self.wl_pos, self.wl_path = array(CODE), array(CODE)
        self.wl_values: list[Any] = []

    # --- the fold's state, for a checkpoint ---------------------------------------------
    def snapshot(self) -> list[Any]:
        return [[f[:4] + [dict(f[4]), f[5]] for f in self.frames], self.reports,
                self.exit_status, len(self.wl_pos)]

    # --- records ------------------------------------------------------------------------
    def add(self, records: list[Any]) -> None:
        i = self.position
        stack, frames = self._stack, self.frames
        fr_call, fr_entry = self.fr_call, self.fr_entry
        if stack:
            j = stack[-1]
            top, depth, cur = fr_call[j], len(stack), frames[-1]
            pending = fr_entry[j] < 0
        else:
            j, top, depth, pending, cur = -1, -1, 0, False, ["", "", None, {}, {}, -1]
        lines = self._loc_tails[cur[1]]
        n = self.nstops
        stops_append, frame_append = self.stops.append, self.stop_frame.append
        depth_append, line_append = self.stop_depth.append, self.stop_line.append
        local_writes, writes, by_kind = self.local_writes, self.writes, self.by_kind
        boundary_append, top_append = self.boundaries.append, self.tops_after.append
        Step, Branch, Loop, Local, Call, Return = ev.Step, ev.Branch, ev.Loop, ev.Local, ev.Call, \
            ev.Return
        for e in records:
            kind = type(e)
            if kind is Step:
                line = e.line
                if pending:
                    pending = False
                    fr_entry[j] = i
                    self._entry(j, n)
                stops_append(i)
                frame_append(top)
                depth_append(depth)
                line_append(line)
                tail = lines.get(line)
                if tail is None:
                    tail = lines[line] = self._location(cur[1], line)
                tail.append(n)
                cur[2] = line
                n += 1
            elif kind is Branch or kind is Loop:
                pass
            elif kind is Local:
                name = e.name
                tail = local_writes.get((top, name))
                if tail is None:
                    tail = local_writes[(top, name)] = array(CODE)
                tail.append(i)
                cur[4][name] = e.value
            elif kind is Call:
                parent = top if stack else -1
                j = len(fr_call)
                fr_call.append(i)
                self._frame(e, depth + 1, parent)
                depth += 1
                stack.append(j)
                top, pending = i, True
                boundary_append(i)
                top_append(i)
                cur = [e.fn, e.file, None, e.args, dict(e.args), i]
                frames.append(cur)
                lines = self._loc_tails[e.file]
            elif kind is Return:
                self.fr_ret[stack.pop()] = i
                frames.pop()
                depth -= 1
                if stack:
                    j = stack[-1]
                    top, pending, cur = fr_call[j], fr_entry[j] < 0, frames[-1]
                    lines = self._loc_tails[cur[1]]
                else:
                    j, top, pending = -1, -1, False
                boundary_append(i)
                top_append(top)
            elif kind is ev.Write:
                path = e.path
                tail = writes.get(path)
                if tail is None:
                    tail = writes[path] = array(CODE)
                    self._path_ids[path] = len(self._path_ids)
                tail.append(i)
                self.wl_pos.append(i)
                self.wl_path.append(self._path_ids[path])
                self.wl_values.append(e.value)
            elif kind is ev.Repeat:
                self.nstops = n
                self._add_run(Run(i, e), j, top, depth, cur)
                n = self.nstops
                pending = fr_entry[j] < 0
                i += e.n * len(e.body)
                continue
            elif kind is ev.Report:
                self._kind(e.kind, i)
                self.reports += 1
            elif kind is ev.Fact:
                tail = by_kind.get(e.name)
                if tail is None:
                    tail = by_kind[e.name] = array(CODE)
                tail.append(i)
            elif kind is ev.Assert:
                self._kind("assert", i)
            elif kind is ev.Exit:
                self._kind("exit", i)
                self.exit_index = i
                self.exit_status = e.status
            i += 1
        self.position = i
        self.nstops = n

    def _add_run(self, run: Run, j: int, top: int, depth: int, cur: list[Any]) -> None:
        """A run of repetitions as ramps (TraceIndex._add_run), and its last repetition folded
        (fold.advance: every repetition stores the same locals, the last one decides)."""
        self.saw_run = True
        body = run.repetition(0)
        steps = [k for k, e in enumerate(body) if type(e) is ev.Step]
        n0, per = self.nstops, len(steps)
        if steps and self.fr_entry[j] < 0:
            self.fr_entry[j] = run.start + steps[0]
            self._entry(j, n0)
        self.stops.add_ramp(run.start, run.width, steps, run.times)
        self.stop_frame.add_ramp(top, 0, [0] * per, run.times)
        self.stop_depth.add_ramp(depth, 0, [0] * per, run.times)
        self.stop_line.add_ramp(0, 0, [body[k].line for k in steps], run.times)
        self.nstops += per * run.times
        at_line: dict[int, list[int]] = defaultdict(list)
        for n, k in enumerate(steps):
            at_line[body[k].line].append(n)
        file = cur[1]
        lines = self._loc_tails[file]
        for line, offsets in at_line.items():
            if line not in lines:
                lines[line] = self._location(file, line)
            self.locations[(file, line)].add_ramp(n0, per, offsets, run.times)
        named: dict[str, list[int]] = defaultdict(list)
        for k, e in enumerate(body):
            if type(e) is ev.Local:
                named[e.name].append(k)
        for name, offsets in named.items():
            seq = self.local_writes.get((top, name))
            if type(seq) is not SeqBuilder:  # its first ramp: the values so far its tail
                seq = self.local_writes[(top, name)] = SeqBuilder(seq)
            seq.add_ramp(run.start, run.width, offsets, run.times)
        for e in run.repetition(run.times - 1):
            kind = type(e)
            if kind is ev.Step:
                cur[2] = e.line
            elif kind is ev.Local:
                cur[4][e.name] = e.value

    # --- new keys ---------------------------------------------------------------------------
    def _location(self, file: str, line: int) -> array:
        seq = self.locations[(file, line)] = SeqBuilder()
        return seq.tail

    def _entry(self, j: int, n: int) -> None:
        fn = self.fn_names[self.fr_fn[j]]
        tail = self.entries.get(fn)
        if tail is None:
            tail = self.entries[fn] = array(CODE)
        tail.append(n)

    def _kind(self, name: str, i: int) -> None:
        tail = self.by_kind.get(name)
        if tail is None:
            tail = self.by_kind[name] = array(CODE)
        tail.append(i)

    def _frame(self, e: ev.Call, depth: int, parent: int) -> None:
        for table, names, ids, name in ((self.fns, self.fn_names, self.fr_fn, e.fn),
                                        (self.files, self.file_names, self.fr_file, e.file)):
            k = table.get(name)
            if k is None:
                k = table[name] = len(names)
                names.append(name)
            ids.append(k)
        self.fr_depth.append(depth)
        self.fr_parent.append(parent)
        self.fr_ret.append(-1)
        self.fr_entry.append(-1)
