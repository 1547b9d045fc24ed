"""The seccomp part of a systemd unit's sandbox, applied to a test's child process.

systemd confines the shipped service (deploy/topic-alert.service) with seccomp filters that
only systemd applies, so a mistake there shows on an operator's machine and in no ordinary
test. This module reads the unit's own directives, expands its syscall groups with the
installed ``systemd-analyze``, and builds the filters the way systemd 252 does
(src/core/execute.c, src/shared/seccomp-util.c) with libseccomp (``pyseccomp``):

* ``SystemCallFilter=`` lines in order: the first decides allow-list or deny-list (an
  allow-list also takes ``@default``), later ones add to or take from the set;
  ``SystemCallErrorNumber=`` is the refusal (an errno), else the process is killed;
* ``MemoryDenyWriteExecute=``: EPERM for mmap with PROT_WRITE|PROT_EXEC, mprotect and
  pkey_mprotect with PROT_EXEC, shmat with SHM_EXEC;
* ``RestrictAddressFamilies=`` (an allow-list): EAFNOSUPPORT for socket() of other families.

The namespace directives (ProtectSystem, PrivateTmp, ProtectProc…) are not reproduced, nor
DynamicUser=: the command keeps the test's user (the interpreter may live where no other user
can read it). As root, SQLite also fchown()s its journal files, which @privileged refuses and
SQLite ignores; a service's unprivileged user makes no such call.

Run as a script (``python unit_sandbox.py SANDBOX_JSON -- COMMAND…``), it loads the filters
and execs the command.
"""

from __future__ import annotations

import dataclasses
import errno
import functools
import json
import os
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

_PROT_WRITE, _PROT_EXEC, _SHM_EXEC = 0x2, 0x4, 0o100000


@dataclass(frozen=True)
class Sandbox:
    """What the unit's seccomp directives amount to, as names and numbers."""

    allow_list: bool
    """True: only ``syscalls`` run; False: every call but ``syscalls`` runs."""
    syscalls: list[str]
    refusal: int | None
    """The errno a filtered call fails with; None: the process is killed."""
    deny_write_execute: bool
    address_families: list[int] | None
    """The socket families allowed; None: any."""

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Sandbox:
        return cls(**json.loads(text))


def service_directives(unit: Path) -> list[tuple[str, str]]:
    """The (key, value) lines of the unit's [Service] section, in order, repeats kept."""
    section, lines = "", []
    for raw in unit.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line
        elif section == "[Service]":
            key, _, value = line.partition("=")
            lines.append((key.strip(), value.strip()))
    return lines


def sandbox_of(unit: Path) -> Sandbox:
    """The seccomp sandbox ``unit`` asks systemd for."""
    allow_list: bool | None = None
    syscalls: set[str] = set()
    refusal: int | None = None
    deny_write_execute = False
    families: list[int] | None = None
    for key, value in service_directives(unit):
        if key == "SystemCallFilter":
            if not value:  # an empty assignment resets the filter
                allow_list, syscalls = None, set()
                continue
            inverted = value.startswith("~")
            names = set().union(*(expand(word) for word in value.lstrip("~").split()))
            if allow_list is None:
                allow_list = not inverted
                syscalls = expand("@default") if allow_list else set()
            syscalls = syscalls | names if inverted != allow_list else syscalls - names
        elif key == "SystemCallErrorNumber":
            refusal = None if value in ("", "kill") else getattr(errno, value)
        elif key == "MemoryDenyWriteExecute":
            deny_write_execute = value in ("yes", "true", "on", "1")
        elif key == "RestrictAddressFamilies":
            families = [int(getattr(socket, name)) for name in value.split()] if value else None
    return Sandbox(
        allow_list=bool(allow_list),
        syscalls=sorted(syscalls),
        refusal=refusal,
        deny_write_execute=deny_write_execute,
        address_families=families,
    )


@functools.cache
def expand(name: str) -> set[str]:
    """The system calls a SystemCallFilter= word names: ``@group`` as the installed
    systemd-analyze lists it (nested groups expanded), a plain name as itself."""
    if not name.startswith("@"):
        return {name.partition(":")[0]}
    listed = subprocess.run(
        ["systemd-analyze", "syscall-filter", "--no-pager", name],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()[1:]
    words = [line.strip() for line in listed]
    return set().union(*(expand(word) for word in words if word and not word.startswith("#")))


def missing_tools() -> str | None:
    """Why the sandbox cannot be built here, or None when it can."""
    if shutil.which("systemd-analyze") is None:
        return "systemd-analyze is not installed: cannot expand the unit's syscall groups"
    try:
        import pyseccomp  # noqa: F401
    except (ImportError, RuntimeError) as exc:  # RuntimeError: libseccomp.so is absent
        return f"pyseccomp cannot load libseccomp here: {exc}"
    return None


def _enter(sandbox: Sandbox) -> None:
    """Load the filters into this process, last the syscall filter (it may refuse seccomp()
    itself), as systemd does."""
    import pyseccomp as seccomp

    refuse = seccomp.KILL_PROCESS if sandbox.refusal is None else seccomp.ERRNO(sandbox.refusal)
    filters = []
    if sandbox.address_families:
        filters.append(_socket_families(seccomp, sandbox.address_families))
    if sandbox.deny_write_execute:
        filters.append(_write_execute(seccomp))
    calls = seccomp.SyscallFilter(refuse if sandbox.allow_list else seccomp.ALLOW)
    for name in sandbox.syscalls:
        number = seccomp.resolve_syscall(seccomp.Arch.NATIVE, name)
        if number >= 0:  # systemd skips the names this architecture lacks too
            calls.add_rule(seccomp.ALLOW if sandbox.allow_list else refuse, number)
    for loaded in [*filters, calls]:
        loaded.load()


def _socket_families(sc: ModuleType, allowed: list[int]) -> Any:
    """EAFNOSUPPORT for socket() of any family but ``allowed``."""
    refuse = sc.ERRNO(errno.EAFNOSUPPORT)
    rules = sc.SyscallFilter(sc.ALLOW)
    first, last = min(allowed), max(allowed)
    rules.add_rule_exactly(refuse, "socket", sc.Arg(0, sc.LT, first))
    rules.add_rule_exactly(refuse, "socket", sc.Arg(0, sc.GT, last))
    for family in range(first + 1, last):
        if family not in allowed:
            rules.add_rule_exactly(refuse, "socket", sc.Arg(0, sc.EQ, family))
    return rules


def _write_execute(sc: ModuleType) -> Any:
    """EPERM for memory that is writable and executable, or made executable later."""
    refuse = sc.ERRNO(errno.EPERM)
    rules = sc.SyscallFilter(sc.ALLOW)
    both = _PROT_WRITE | _PROT_EXEC
    rules.add_rule_exactly(refuse, "mmap", sc.Arg(2, sc.MASKED_EQ, both, both))
    for call in ("mprotect", "pkey_mprotect"):
        rules.add_rule_exactly(refuse, call, sc.Arg(2, sc.MASKED_EQ, _PROT_EXEC, _PROT_EXEC))
    rules.add_rule_exactly(refuse, "shmat", sc.Arg(2, sc.MASKED_EQ, _SHM_EXEC, _SHM_EXEC))
    return rules


if __name__ == "__main__":
    spec, separator, *command = sys.argv[1:]
    assert separator == "--", "usage: unit_sandbox.py SANDBOX_JSON -- COMMAND…"
    _enter(Sandbox.from_json(spec))
    os.execv(command[0], command)
