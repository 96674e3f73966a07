"""Threads, stack frames and sources: a frame's source is a file of the QEMU tree given as
qemuSrc, or else a reference whose text is the model's description of each line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .common import THREAD_ID, THREAD_NAME, AdapterState, RequestError


class Frames(AdapterState):
    """threads, stackTrace, source."""

    def req_threads(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"threads": [{"id": THREAD_ID, "name": THREAD_NAME}]}

    def req_stackTrace(self, args: dict[str, Any]) -> dict[str, Any]:
        s = self._s()
        frames = s.frames()
        start = max(int(args.get("startFrame") or 0), 0)
        levels = int(args.get("levels") or 0)
        chosen = frames[start : start + levels] if levels > 0 else frames[start:]
        fmt = args.get("format") or {}
        out = []
        for k, f in enumerate(chosen, start):
            frame_id = self.next_frame_id
            self.next_frame_id += 1
            self.frame_ids[frame_id] = k
            name = f.fn
            if fmt.get("parameters"):
                name += f" ({s.frame_args(f)})"
            if fmt.get("line"):
                name += f" at {f.file}:{f.line}"
            item: dict[str, Any] = {"id": frame_id, "name": name, "line": f.line or 0,
                                    "column": 1}
            if f.call_index is None:  # libc's exit: no source, as in gdb
                item["presentationHint"] = "subtle"
            else:
                item["source"] = self._source(f.file)
            out.append(item)
        return {"stackFrames": out, "totalFrames": len(frames)}

    def _source(self, file: str) -> dict[str, Any]:
        name = file.rsplit("/", 1)[-1]
        if self.qemu_src is not None and (self.qemu_src / file).is_file():
            return {"name": name, "path": str(self.qemu_src / file)}
        ref = self.source_refs.get(file)
        if ref is None:
            ref = self.source_refs[file] = len(self.source_refs) + 1
            self.ref_files[ref] = file
        return {
            "name": name,
            "path": file,
            "sourceReference": ref,
            "origin": "tracesim's model (no QEMU tree given: set qemuSrc)",
            "presentationHint": "normal",
        }

    def _files(self) -> set[str]:
        """The source files the trace and the debug info name (computed once a session)."""
        s = self._s()
        if self.files_of is None or self.files_of[0] is not s:
            files = {file for file, _ in s.index.by_location}
            files |= {file for file, _ in s.debug.entry_lines.values()}
            files |= {u.file for u in s.debug.unstepped}
            self.files_of = (s, files)
        return self.files_of[1]

    def _file_of(self, source: dict[str, Any]) -> str | None:
        """The trace's file name (`hw/core/numa.c`) of a DAP source."""
        ref = source.get("sourceReference")
        if isinstance(ref, int) and ref in self.ref_files:
            return self.ref_files[ref]
        path = source.get("path") or source.get("name")
        if not isinstance(path, str) or not path:
            return None
        if self.qemu_src is not None:
            try:
                path = str(Path(path).resolve().relative_to(self.qemu_src))
            except (ValueError, OSError):
                pass
        path = path.replace("\\", "/")
        best = None
        for f in self._files():
            if (path == f or path.endswith("/" + f)) and (best is None or len(f) > len(best)):
                best = f
        return best

    def req_source(self, args: dict[str, Any]) -> dict[str, Any]:
        self._s()  # refused before launch
        ref = args.get("sourceReference") or (args.get("source") or {}).get("sourceReference")
        file = self.ref_files.get(ref) if isinstance(ref, int) else None
        if file is None:
            file = self._file_of(args.get("source") or {})
            if file is None:
                raise RequestError("no such source")
        return {"content": self._model_text(file), "mimeType": "text/x-csrc"}

    def _model_text(self, file: str) -> str:
        """The file as the model knows it: at each line where the run stops, what the
        statement does; the frames the model does not step say so on their lines."""
        s = self._s()
        lines = s.source.known_lines(file, s.debug.entry_lines)
        if not lines:
            return ""
        text = [""] * max(lines)
        for line in lines:
            text[line - 1] = s.source.text(file, line)
        return "\n".join(text) + "\n"
