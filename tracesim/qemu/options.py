"""vl.c's first pass over argv and the QemuOpts syntax (util/qemu-option.c).

Options are only stored here; their meaning is decided later (vl.py, numa.py). A syntax
error is returned as a `CmdlineError` with QEMU's message and the option's location.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from .cutils import ParseError, qemu_strtosz, qemu_strtou64

# Options of qemu-system-x86_64 4.2 (qemu-options.hx): name -> takes an argument.
QEMU_OPTIONS: dict[str, bool] = {
    **{
        n: True
        for n in (
            "machine",
            "M",
            "cpu",
            "accel",
            "smp",
            "numa",
            "m",
            "mem-path",
            "k",
            "soundhw",
            "device",
            "name",
            "uuid",
            "fda",
            "fdb",
            "hda",
            "hdb",
            "hdc",
            "hdd",
            "cdrom",
            "blockdev",
            "drive",
            "mtdblock",
            "sd",
            "pflash",
            "fsdev",
            "virtfs",
            "iscsi",
            "usbdevice",
            "display",
            "spice",
            "rotate",
            "vga",
            "g",
            "vnc",
            "acpitable",
            "smbios",
            "netdev",
            "nic",
            "net",
            "chardev",
            "tpmdev",
            "bios",
            "L",
            "kernel",
            "append",
            "initrd",
            "dtb",
            "fw_cfg",
            "serial",
            "parallel",
            "monitor",
            "qmp",
            "qmp-pretty",
            "mon",
            "debugcon",
            "pidfile",
            "realtime",
            "overcommit",
            "gdb",
            "d",
            "D",
            "dfilter",
            "seed",
            "xen-domid",
            "loadvm",
            "option-rom",
            "rtc",
            "icount",
            "watchdog",
            "watchdog-action",
            "echr",
            "virtioconsole",
            "tb-size",
            "incoming",
            "chroot",
            "runas",
            "semihosting-config",
            "sandbox",
            "readconfig",
            "writeconfig",
            "trace",
            "msg",
            "dump-vmstate",
            "object",
            "add-fd",
            "global",
            "boot",
            "device-help",
            "audiodev",
            "plugin",
            "fw-cfg",
        )
    },
    **{
        n: False
        for n in (
            "mem-prealloc",
            "audio-help",
            "snapshot",
            "usb",
            "nographic",
            "curses",
            "alt-grab",
            "ctrl-grab",
            "no-quit",
            "sdl",
            "portrait",
            "full-screen",
            "win2k-hack",
            "no-fd-bootchk",
            "no-acpi",
            "no-hpet",
            "singlestep",
            "S",
            "s",
            "enable-kvm",
            "xen-attach",
            "xen-domid-restrict",
            "no-reboot",
            "no-shutdown",
            "daemonize",
            "show-cursor",
            "only-migratable",
            "nodefaults",
            "semihosting",
            "old-param",
            "no-user-config",
            "nodefconfig",
            "enable-fips",
            "enable-sync-profile",
            "h",
            "help",
            "version",
            "preconfig",
            "no-frame",
            "virtfs_synth",
        )
    },
}
ALIASES = {"M": "machine"}

# The options this model follows, with the vl.c lines that store them.
MODELLED = {"machine": 3492, "m": 3155, "smp": 3553, "numa": 3035, "object": 3595}

# QemuOpts lists with a description: key -> kind ("size" or "number"); None accepts anything.
OPTS_DESC: dict[str, dict[str, str] | None] = {
    "m": {"size": "size", "slots": "number", "maxmem": "size"},
    "smp": {k: "number" for k in ("cpus", "sockets", "dies", "cores", "threads", "maxcpus")},
    "machine": None,
    "numa": None,
    "object": None,
}
MERGED = {"m", "smp", "machine"}  # QemuOptsList.merge_lists
IMPLIED = {"m": "size", "smp": "cpus", "machine": "type", "numa": "type", "object": "qom-type"}


@dataclass
class CmdlineError(Exception):
    """An error report from the first pass: QEMU prints it and exits 1."""

    location: str | None
    text: str
    hint: str = ""
    line: int = 0


@dataclass
class QemuOpts:
    """One parsed option: its (key, raw value) pairs in command-line order."""

    name: str
    arg: str
    location: str
    params: list[tuple[str, str]] = field(default_factory=list)
    numbers: dict[str, int] = field(default_factory=dict)

    def get(self, key: str) -> str | None:
        """qemu_opt_get: the last occurrence wins."""
        for k, v in reversed(self.params):
            if k == key:
                return v
        return None


    def all(self, key: str) -> list[str]:
        return [v for k, v in self.params if k == key]


@dataclass
class Cmdline:
    """What the first pass stored, per option kind, in command-line order."""

    opts: dict[str, list[QemuOpts]] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)  # options accepted but not modelled
    help_machine: bool = False
    cpu_option: str | None = None  # -cpu's argument (vl.c keeps the last one)

    def last(self, name: str) -> QemuOpts | None:
        got = self.opts.get(name)
        return got[-1] if got else None


def _get_opt_value(s: str, i: int) -> tuple[str, int]:
    """A value up to the next single comma; ',,' stands for one comma."""
    out = []
    while i < len(s):
        if s[i] == ",":
            if i + 1 < len(s) and s[i + 1] == ",":
                out.append(",")
                i += 2
                continue
            break
        out.append(s[i])
        i += 1
    return "".join(out), i


def _get_opt_name(s: str, i: int, delim: str) -> tuple[str, int]:
    j = s.find(delim, i)
    if j < 0:
        j = len(s)
    return s[i:j], j


def parse_params(arg: str, implied: str | None) -> list[tuple[str, str]]:
    """opts_do_parse: `[implied-value,]key=value{,key=value}`; a bare key is a flag."""
    params: list[tuple[str, str]] = []
    i = 0
    while i < len(arg):
        pe = arg.find("=", i)
        pc = arg.find(",", i)
        if pe < 0 or (0 <= pc < pe):
            if i == 0 and implied:
                key = implied
                value, i = _get_opt_value(arg, i)
            else:
                key, i = _get_opt_name(arg, i, ",")
                if key.startswith("no"):
                    key, value = key[2:], "off"
                else:
                    value = "on"
        else:
            key, i = _get_opt_name(arg, i, "=")
            value, i = _get_opt_value(arg, i + 1)
        params.append((key, value))
        if i >= len(arg) or arg[i] != ",":
            break
        i += 1
    return params


# A profile's size parser: (value, the option's location) -> bytes, raising ParseError.
SizeParser = Callable[[str, str], int]


def _strtosz_42(value: str, location: str) -> int:
    return qemu_strtosz(value)


def _validate(
    opts: QemuOpts, descs: dict[str, dict[str, str] | None], sizes: SizeParser = _strtosz_42
) -> None:
    """opt_set with a described list: unknown keys and bad numbers or sizes fail here."""
    desc = descs.get(opts.name)
    if desc is None:
        return
    for key, value in opts.params:
        if key == "id":
            continue
        kind = desc.get(key)
        if kind is None:
            raise CmdlineError(opts.location, f"Invalid parameter '{key}'")
        if key == "size" and value == "" and sizes is _strtosz_42:
            continue  # 4.2's set_memory_options reports it (vl.c:2735); 7.2 parses it here
        try:
            if kind == "size":
                opts.numbers[key] = sizes(value, opts.location)
            else:
                opts.numbers[key] = qemu_strtou64(value)
        except ParseError as err:
            if kind == "size" and err.erange:
                raise CmdlineError(
                    opts.location, f"Value '{value}' is out of range for parameter '{key}'"
                )
            if kind == "size":
                raise CmdlineError(
                    opts.location,
                    f"Parameter '{key}' expects a non-negative number below 2^64",
                    hint="Optional suffix k, M, G, T, P or E means kilo-, mega-, giga-, tera-, "
                    "peta-\nand exabytes, respectively.\n",
                )
            if err.erange:
                raise CmdlineError(
                    opts.location, f"Value '{value}' is too large for parameter '{key}'"
                )
            raise CmdlineError(opts.location, f"Parameter '{key}' expects a number")


def is_help_option(value: str | None) -> bool:
    return value in ("help", "?")


def parse_cmdline(
    argv: list[str],
    descs: dict[str, dict[str, str] | None] = OPTS_DESC,
    sizes: SizeParser = _strtosz_42,
) -> Cmdline:
    """The first loop of vl.c main: look each option up and store it (a profile passes
    its own option descriptions)."""
    cmd = Cmdline()
    i = 0
    while i < len(argv):
        word = argv[i]
        if not word.startswith("-") or word == "-":
            cmd.ignored.append(word)  # a disk image (-hda implied): not on this path
            i += 1
            continue
        name = word[2:] if word.startswith("--") else word[1:]
        takes_arg = QEMU_OPTIONS.get(name)
        if takes_arg is None:
            raise CmdlineError(word, "invalid option", line=2656)
        if takes_arg:
            if i + 1 >= len(argv):
                raise CmdlineError(word, "requires an argument", line=2664)
            arg = argv[i + 1]
            location = f"{word} {arg}"
            i += 2
        else:
            arg, location = "", word
            i += 1
        canon = ALIASES.get(name, name)
        if canon == "cpu":  # cpu_option = optarg: read after the machine is created
            cmd.cpu_option = arg
            continue
        if canon not in MODELLED:
            cmd.ignored.append(location)
            continue
        opts = QemuOpts(canon, arg, location, parse_params(arg, IMPLIED.get(canon)))
        _validate(opts, descs, sizes)
        if canon == "machine" and is_help_option(opts.get("type")):
            cmd.help_machine = True
        stored = cmd.opts.setdefault(canon, [])
        if stored and canon in MERGED:
            # merge_lists: one QemuOpts keeps the first location, later keys append
            stored[0].params += opts.params
            stored[0].numbers.update(opts.numbers)
        else:
            stored.append(opts)
    return cmd
