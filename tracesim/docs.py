"""`tracesim docs`: a static HTML site drawn from the runs of a set of scenarios.

An index of the scenarios and their outcomes; per scenario its call-flow graph, stderr and
NUMA nodes; per modelled function its control-flow graph with branch coverage across all
the scenarios. Byte-for-byte deterministic, so the repository keeps a generated copy
(docs/generated/) and `tracesim docs --check` says when it is stale.
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .pictures.docs_html import STYLE, e, figure, node_table, page, status, table
from .pictures.dot import DOT_MISSING, dot_version, have_dot, inline_svg, render

if TYPE_CHECKING:  # the rest is imported when a site is built: `tracesim` starts light
    from .pictures.callflow import CallFlow
    from .pictures.cfgpath import FunctionPath

DEFAULT_DIR = Path("docs/generated")
SEED_PICTURE = "seed-callflow"  # the README's picture: the seed scenario's call-flow graph
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass
class Scenario:
    name: str
    teaches: str
    args: str
    profile: str = "4.2"


@dataclass
class Run:
    scenario: Scenario
    argv: list[str]
    flow: CallFlow
    summary: dict[str, Any]
    memory: dict[str, Any]  # the folded state as the run ended
    stdout: str
    stderr: str
    paths: dict[str, FunctionPath]


def default_scenarios() -> list[Scenario]:
    """The teaching scenarios of every profile (4.2's first)."""
    from .scenarios import SCENARIOS

    return [
        Scenario(name, teaches, args, profile)
        for profile, table_ in SCENARIOS.items()
        for name, (teaches, args) in table_.items()
    ]


def read_scenarios(path: str) -> list[Scenario]:
    """A TOML file: one table per scenario, `args` (QEMU's arguments), `teaches` and
    optionally `profile` (the QEMU version, 4.2 when not given)."""
    import tomllib

    from .cli import UsageError
    from .profiles import DEFAULT_PROFILE, PROFILES

    try:
        data = tomllib.loads(Path(path).read_text())
    except OSError as err:
        raise UsageError(f"tracesim docs: {path}: {err.strerror or err}") from None
    except tomllib.TOMLDecodeError as err:
        raise UsageError(f"tracesim docs: {path}: {err}") from None
    out = []
    for name, table_ in data.items():
        if (
            not _NAME.match(name)
            or not isinstance(table_, dict)
            or not isinstance(table_.get("args"), str)
        ):
            raise UsageError(
                f"tracesim docs: {path}: scenario '{name}' needs a plain name "
                '(letters, digits, . _ -) and args = "QEMU ARGS"'
            )
        profile = table_.get("profile", DEFAULT_PROFILE)
        if profile not in PROFILES:
            raise UsageError(
                f"tracesim docs: {path}: scenario '{name}': profile {profile!r} is not one "
                f"tracesim models ({', '.join(PROFILES)})"
            )
        out.append(Scenario(name, str(table_.get("teaches", "")), table_["args"], profile))
    if not out:
        raise UsageError(f"tracesim docs: {path}: no scenarios")
    return out


def run_scenario(scenario: Scenario) -> Run:
    from .pictures.callflow import callflow_of_events
    from .pictures.cfgpath import function_paths
    from .cli import simulate_trace
    from .debugger.outcome import stdout_stderr, summarize
    from .debuginfo import debug_info
    from .trace.fold import fold

    trace = simulate_trace(shlex.split(scenario.args), scenario.profile)
    FUNCTIONS = debug_info(scenario.profile).cfg.FUNCTIONS
    out, err = stdout_stderr(trace.events)
    state = fold(trace.events)
    return Run(
        scenario,
        trace.argv,
        callflow_of_events(trace.argv, trace.events),
        summarize(trace, state),
        state.memory,
        out,
        err,
        function_paths(trace.events, FUNCTIONS),
    )


class Site:
    """The whole site, built in memory: relative path -> bytes. The first profile's pages
    are at the top; each other profile has the same site under qemu-PROFILE/, and with 4.2
    and 7.2 both there, a page on upgrading the seed's line."""

    def __init__(self, scenarios: list[Scenario], progress: Any = None) -> None:
        """progress: a tracesim.progress.Progress, told of each scenario run and each
        picture drawn (the pictures' count joins its total as each profile's are known)."""
        from .profiles import DEFAULT_PROFILE

        from .profiles import PROFILES

        given = {s.profile for s in scenarios}  # the default first, then oldest to newest
        profiles = sorted(given, key=lambda p: (p != DEFAULT_PROFILE, PROFILES.index(p)))
        if progress is not None:
            progress.update(0, len(scenarios))
        self.sites = [
            (("" if k == 0 else f"qemu-{p}/"),
             ProfileSite([s for s in scenarios if s.profile == p], p, progress))
            for k, p in enumerate(profiles)
        ]
        self.files: dict[str, bytes] = {}

    def build(self) -> dict[str, bytes]:
        from .docs_upgrade import UPGRADE_PAGE, upgrade_page

        top = self.sites[0][1]
        others = [(prefix, site.profile) for prefix, site in self.sites[1:]]
        upgrade = {site.profile for _, site in self.sites} >= {"4.2", "7.2", "10.0"}
        top.elsewhere = others
        top.upgrade = upgrade
        for prefix, site in self.sites:
            for name, data in site.build().items():
                self.files[prefix + name] = data
        if upgrade:
            self.files[UPGRADE_PAGE] = upgrade_page(top.footer).encode()
        return self.files


class ProfileSite:
    """The pages of one profile's scenarios: relative path -> bytes."""

    def __init__(self, scenarios: list[Scenario], profile: str = "4.2",
                 progress: Any = None) -> None:
        from . import __version__
        from .debuginfo import debug_info

        self.profile = profile
        self.cfg = debug_info(profile).cfg
        self.elsewhere: list[tuple[str, str]] = []  # (folder, profile) of the other versions
        self.upgrade = False
        self.progress = progress
        self.runs: list[Run] = []
        for s in scenarios:
            self.runs.append(run_scenario(s))
            if progress is not None:
                progress.advance()
        self.functions = sorted(self.cfg.FUNCTIONS)
        self.footer = (
            f"Generated by <code>tracesim docs</code> (tracesim {e(__version__)}) from "
            f"the model's own traces; drawn with Graphviz {e(dot_version())}."
        )
        self.files: dict[str, bytes] = {}

    def build(self) -> dict[str, bytes]:
        from concurrent.futures import ThreadPoolExecutor

        from .pictures.cfgraph import cfg_dot, coverage
        from .pictures.flowgraph import callflow_dot

        function_cfg = self.cfg.function_cfg

        jobs: dict[str, tuple[str, str]] = {}  # name -> (DOT source, format)
        seed = next((r for r in self.runs if r.scenario.name == _seed_name()), None)
        if seed is not None and self.profile == "4.2":  # the README's picture
            source = callflow_dot(seed.flow)
            jobs[f"{SEED_PICTURE}.svg"] = (source, "svg")
            jobs[f"{SEED_PICTURE}.png"] = (source, "png")
        for run in self.runs:
            jobs[f"flow:{run.scenario.name}"] = (
                callflow_dot(
                    run.flow,
                    url=self.function_url("../functions/"),
                    title=f"{run.scenario.name}: qemu-system-x86_64 {' '.join(run.argv)}",
                ),
                "svg",
            )
        for fn in self.functions:
            cfg = function_cfg(fn)
            assert cfg is not None
            paths = [(r.scenario.name, r.paths[fn]) for r in self.runs if fn in r.paths]
            marks = coverage(cfg, paths)
            jobs[f"cfg:{fn}"] = (
                cfg_dot(cfg, marks, url=self.function_url("")),
                "svg",
            )
        progress = self.progress
        if progress is not None:
            progress.update(progress.done, (progress.total or 0) + len(jobs))
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            drawn = {}
            for name, picture in zip(jobs, pool.map(render, *zip(*jobs.values()))):
                drawn[name] = picture
                if progress is not None:
                    progress.advance()
        files = self.files
        files["style.css"] = STYLE.encode()
        for name in (f"{SEED_PICTURE}.svg", f"{SEED_PICTURE}.png"):
            if name in drawn:
                files[name] = drawn[name] if name.endswith(".png") else standalone_svg(drawn[name])
        files["index.html"] = self.index(seed is not None).encode()
        for k, run in enumerate(self.runs):
            files[f"scenarios/{run.scenario.name}.html"] = self.scenario_page(
                k, inline_svg(drawn[f"flow:{run.scenario.name}"])
            ).encode()
        for fn in self.functions:
            files[f"functions/{fn}.html"] = self.function_page(
                fn, inline_svg(drawn[f"cfg:{fn}"])
            ).encode()
        return files

    def function_url(self, prefix: str) -> Callable[[str], str | None]:
        """Links from graph nodes to the function pages (functions with a CFG only)."""
        return lambda fn: f"{prefix}{fn}.html" if fn in self.functions else None

    # --- pages --------------------------------------------------------------------------
    def index(self, with_seed: bool) -> str:
        body = [
            f"<h1>What QEMU {e(self.profile)} runs, scenario by scenario</h1>\n",
            (
                '<p class="lead">Each scenario is a QEMU command line run through tracesim\'s '
                f"model of QEMU {e(self.profile)}'s board-init NUMA path. Every picture here is "
                "drawn from that run's trace, so it says what ran, not what someone "
                "remembered.</p>\n"
            ),
        ]
        if self.elsewhere or self.upgrade:
            from .docs_upgrade import UPGRADE_PAGE

            links = [f'<a href="{e(folder)}index.html">QEMU {e(p)}</a>'
                     for folder, p in self.elsewhere]
            if self.upgrade:
                links.append(f'<a href="{UPGRADE_PAGE}">upgrading the seed\'s line from 4.2 to '
                             "7.2 and 10.0</a>")
            body.append(f"<p>Also here: {', '.join(links)}.</p>\n")
        if with_seed and self.profile == "4.2":
            body.append(
                figure(
                    f'<img src="{SEED_PICTURE}.svg" alt="call-flow graph of the seed scenario">',
                    f"The call-flow of the seed scenario "
                    f'(<a href="scenarios/{_seed_name()}.html">{_seed_name()}</a>): '
                    f"<code>tracesim graph TRACE -o {SEED_PICTURE}.svg</code>.",
                )
            )
        rows = []
        for run in self.runs:
            s = run.scenario
            said = _said(run)
            rows.append(
                [
                    f'<a href="scenarios/{e(s.name)}.html">{e(s.name)}</a>',
                    e(s.teaches),
                    status(run.flow.exit_status),
                    f"<code>{e(_clip(said, 110))}</code>"
                    if said
                    else '<span class="muted">nothing</span>',
                ]
            )
        body.append('<h2 id="scenarios">Scenarios</h2>\n')
        body.append(
            table(
                [
                    "scenario",
                    "what it shows",
                    "outcome",
                    "what QEMU said (the error, else the first line)",
                ],
                rows,
            )
        )
        body.append(
            '<h2 id="functions">Modelled functions</h2>\n<p>Branch coverage: the '
            "decisions (each way out of an <code>if</code>, loop test or switch) that at "
            "least one scenario takes.</p>\n"
        )
        rows = []
        for fn in self.functions:
            cov = self.coverage(fn)
            rows.append(
                [
                    f'<a href="functions/{e(fn)}.html">{e(fn)}</a>',
                    f"<code>{e(cov['file'])}</code>",
                    str(cov["runs"]),
                    f"{cov['taken']}/{cov['decisions']}",
                    str(len(cov["untaken"])),
                ]
            )
        body.append(
            table(
                [
                    "function",
                    "QEMU file",
                    "scenarios that run it",
                    "decisions taken",
                    "never taken",
                ],
                rows,
                num=[2, 3, 4],
            )
        )
        return page(f"tracesim: QEMU {self.profile} scenarios and functions", "",
                    "".join(body), self.footer, self.profile)

    def scenario_page(self, k: int, svg: str) -> str:
        run = self.runs[k]
        s = run.scenario
        command = "qemu-system-x86_64 " + " ".join(shlex.quote(a) for a in run.argv)
        body = [
            f'<h1>{e(s.name)}</h1>\n<p class="lead">{e(s.teaches)}</p>\n',
            (
                f"<pre>{e(command)}</pre>\n<p>Outcome: {status(run.flow.exit_status)}"
                f" (machine <code>{e(run.summary['machine'])}</code>, RAM "
                f"{run.summary['ram_size'] >> 20} MiB).</p>\n"
            ),
            "<h2>stderr</h2>\n"
            + (
                f'<pre class="stderr">{e(run.stderr)}</pre>\n'
                if run.stderr
                else '<p class="muted">Nothing on stderr.</p>\n'
            ),
        ]
        if run.stdout:
            body.append(f"<h2>stdout</h2>\n<pre>{e(run.stdout)}</pre>\n")
        body.append("<h2>NUMA nodes</h2>\n" + node_table(run.memory))
        body.append(
            "<h2>Call flow</h2>\n"
            + figure(
                svg,
                "One box per function that ran (click one for its control flow), edges from "
                "caller to callee with the order of their first call and the number of calls. "
                "Red: the path that ended in the error.",
            )
        )
        rows = [
            [
                _fn_link(fn, "../functions/", self.functions),
                f"<code>{e(n.file)}</code>",
                str(n.entered),
            ]
            for fn, n in sorted(run.flow.functions.items(), key=lambda kv: kv[1].order)
        ]
        body.append(
            "<h2>Functions that ran</h2>\n"
            + table(["function", "QEMU file", "entered"], rows, num=[2])
        )
        body.append(
            f"<h2>Make it yourself</h2>\n<pre>tracesim run"
            f"{'' if self.profile == '4.2' else ' --profile ' + e(self.profile)} -o "
            f"{e(s.name)}.jsonl -- "
            f"{e(' '.join(shlex.quote(a) for a in run.argv))}\ntracesim graph {e(s.name)}"
            f".jsonl -o {e(s.name)}.svg</pre>\n"
        )
        body.append(_pager([r.scenario.name for r in self.runs], k, ""))
        return page(f"{s.name}: tracesim scenario (QEMU {self.profile})", "../", "".join(body),
                    self.footer, self.profile)

    def coverage(self, fn: str) -> dict[str, Any]:
        from .pictures.cfgraph import static_edges

        EXIT_IN_CALLEE = self.cfg.EXIT_IN_CALLEE
        cfg = self.cfg.function_cfg(fn)
        assert cfg is not None
        taken = {key for r in self.runs if fn in r.paths for key in r.paths[fn].edges}
        decisions = {k: c for k, c in static_edges(cfg).items() if c and c != EXIT_IN_CALLEE}
        return {
            "file": cfg.file,
            "runs": sum(fn in r.paths for r in self.runs),
            "decisions": len(decisions),
            "taken": len(set(decisions) & taken),
            "untaken": sorted((k, c) for k, c in decisions.items() if k not in taken),
        }

    def function_page(self, fn: str, svg: str) -> str:
        CALLS = self.cfg.CALLS
        cfg = self.cfg.function_cfg(fn)
        assert cfg is not None
        cov = self.coverage(fn)
        callers = sorted(  # the model's own table, and main (which has no statement stops)
            {f for f, lines in CALLS.items() if any(fn in c for c in lines.values())}
            | {caller for r in self.runs for caller, callee in r.flow.edges if callee == fn}
        )
        callees = sorted({c for cs in cfg.calls.values() for c in cs})
        body = [
            (
                f'<h1>{e(fn)}</h1>\n<p class="lead"><code>{e(cfg.file)}</code>, entered at '
                f"line {cfg.entry}. Called from: {_links(callers, self.functions)}. Calls: "
                f"{_links(callees, self.functions)}.</p>\n"
            ),
            (
                f"<p>Decisions taken by at least one scenario: {cov['taken']} of {cov['decisions']}."
                "</p>\n"
            ),
            figure(
                svg,
                "The model's control flow by QEMU line (statement stops; the text says "
                "what the model does there). Green: taken by some scenario, with how many "
                "take it; red dashed: no scenario takes it.",
                wide=True,
            ),
        ]
        if cov["untaken"]:
            rows = [
                [str(src), str(dst), f"<code>{e(cond)}</code>"]
                for (src, dst), cond in cov["untaken"]
            ]
            body.append(
                "<h2>Decisions no scenario takes</h2>\n" + table(["at line", "to", "when"], rows)
            )
        rows = []
        for run in self.runs:
            path = run.paths.get(fn)
            rows.append(
                [
                    f'<a href="../scenarios/{e(run.scenario.name)}.html">{e(run.scenario.name)}</a>',
                    str(path.calls if path else 0),
                    str(len(path.edges) if path else 0),
                ]
            )
        body.append(
            "<h2>Per scenario</h2>\n"
            + table(["scenario", "calls", "distinct steps taken"], rows, num=[1, 2])
        )
        body.append(_pager(self.functions, self.functions.index(fn), ""))
        return page(f"{fn}: tracesim control flow (QEMU {self.profile})", "../", "".join(body),
                    self.footer, self.profile)


def _seed_name() -> str:
    from .scenarios import DEFAULT_NAME

    return DEFAULT_NAME


def _said(run: Run) -> str:
    """The line that tells the outcome: the error of a failed run, else stderr's first line."""
    lines = run.flow.errors if run.flow.failed and run.flow.errors else run.stderr.splitlines()
    return lines[0].removeprefix("qemu-system-x86_64: ") if lines else ""


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _fn_link(fn: str, prefix: str, known: list[str]) -> str:
    return f'<a href="{prefix}{e(fn)}.html">{e(fn)}</a>' if fn in known else e(fn)


def _links(names: list[str], known: list[str]) -> str:
    return ", ".join(_fn_link(n, "", known) for n in names) or '<span class="muted">none</span>'


def _pager(names: list[str], k: int, prefix: str) -> str:
    prev = (
        f'<a href="{prefix}{e(names[k - 1])}.html">← {e(names[k - 1])}</a>'
        if k > 0
        else "<span></span>"
    )
    nxt = (
        f'<a href="{prefix}{e(names[k + 1])}.html">{e(names[k + 1])} →</a>'
        if k + 1 < len(names)
        else "<span></span>"
    )
    return f'<nav class="pager">{prev}{nxt}</nav>\n'


def standalone_svg(svg: bytes) -> bytes:
    """Graphviz's SVG without its version comment, so the file says nothing of the machine."""
    return ('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n' + inline_svg(svg)).encode()


def stale_files(directory: Path, files: dict[str, bytes]) -> list[str]:
    """Generated files that are missing or differ, and generated-looking files left over."""
    stale = [
        name
        for name, data in sorted(files.items())
        if not (directory / name).is_file() or (directory / name).read_bytes() != data
    ]
    folders = {""} | {name.split("/", 1)[0] + "/" for name in files if name.startswith("qemu-")}
    folders |= {p.name + "/" for p in directory.glob("qemu-*") if p.is_dir()}
    stale += sorted(
        str(p.relative_to(directory))
        for folder in folders
        for sub in ("scenarios", "functions")
        for p in (directory / folder / sub).glob("*.html")
        if str(p.relative_to(directory)) not in files
    )
    stale += sorted(
        str(p.relative_to(directory))
        for folder in folders - {""}
        for p in (directory / folder).glob("*")
        if p.is_file() and str(p.relative_to(directory)) not in files
    )
    stale += sorted(p.name for p in directory.glob("*.html") if p.name not in files)
    return stale


def write_site(directory: Path, files: dict[str, bytes]) -> None:
    from .trace.store import write_bytes_atomic

    for name in stale_files(directory, files):
        target = directory / name
        if name not in files:
            target.unlink()
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(target, files[name])


def cmd_docs(argv: list[str]) -> int:
    from .cli import Parser, UsageError

    p = Parser(
        prog="tracesim docs",
        description="Generate a static HTML site from a set of "
        "scenarios (default: the teaching scenarios): their outcomes, call-flow graphs "
        "and each modelled function's control flow with branch coverage.",
        usage="tracesim docs [-o OUT_DIR] [SCENARIO_FILE] [--check]  (or: tracesim docs "
        "OUT_DIR [SCENARIO_FILE])",
    )
    p.add_argument(
        "-o",
        "--output",
        metavar="OUT_DIR",
        help=f"where the site goes, as -o for the other commands (default {DEFAULT_DIR})",
    )
    p.add_argument(
        "places",
        nargs="*",
        metavar="[OUT_DIR] SCENARIO_FILE",
        help="the site's directory (when no -o), then a TOML file: [NAME] tables with "
        'args = "QEMU ARGS" and teaches = "..."',
    )
    p.add_argument(
        "--check", action="store_true", help="exit 1 if OUT_DIR is not what this tracesim generates"
    )
    args = p.parse_args(argv)
    places = list(args.places)
    if len(places) > (1 if args.output is not None else 2):
        raise UsageError("tracesim docs: give the site's directory once (-o OUT_DIR or the first "
                         "word) and at most one SCENARIO_FILE")
    if args.output is None:
        args.out_dir = places.pop(0) if places else str(DEFAULT_DIR)
    else:
        args.out_dir = args.output
    args.scenario_file = places[0] if places else None
    if not have_dot():
        raise UsageError(f"tracesim docs: {DOT_MISSING.replace(' or use --format dot', '')}")
    scenarios = read_scenarios(args.scenario_file) if args.scenario_file else default_scenarios()
    from .progress import progress

    with progress("Building the site (runs, pictures)") as bar:
        files = Site(scenarios, bar).build()
    directory = Path(args.out_dir)
    if args.check:
        stale = stale_files(directory, files)
        again = " ".join(
            shlex.quote(a)
            for a in ["-o", args.out_dir] + ([args.scenario_file] if args.scenario_file else [])
        )
        for name in stale:
            sys.stderr.write(
                f"tracesim docs: {directory / name} is stale; run 'tracesim docs "
                f"{again}' (Graphviz here: {dot_version()})\n"
            )
        return 1 if stale else 0
    write_site(directory, files)
    sys.stdout.write(f"wrote {len(files)} files to {directory}\n")
    return 0
