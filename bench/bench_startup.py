"""Start-up benchmark: short commands as whole processes, against importing only what they need.

Run from the repository root: ``python bench/bench_startup.py`` (``--runs N``; ``--tree PATH``,
repeatable, times other checkouts too, e.g. one made with ``git archive <commit> | tar -x -C
PATH``, alternately with this one). Each run is a new ``python -m bot`` process: ``feeds`` on
a config with two feeds and a fresh database, and ``--help``; beside them, a process that only
imports the third-party modules ``feeds`` loads (read from its ``-X importtime`` log in this
checkout, so "what it really needs") and an empty ``python -c pass``. Figures are medians of
wall-clock and CPU (user + system) time; CPU time is the steadier one on a shared machine.

``--workers`` also starts two parse workers (``bot.feeds.parser.ParsePool``) from a script
that begins as the installed ``topic-alert`` script does, ``from bot.cli import main``: each
worker imports that script again (multiprocessing's ``__mp_main__``), so what ``bot.cli``
imports is what every parse worker of the daemon loads (run under systemd or Docker through
that script). It prints the seconds until both have parsed a tiny feed and their memory (RSS).

Bytecode is cached in a temporary directory (``PYTHONPYCACHEPREFIX``), as an installed package
has its ``.pyc`` files; ``--no-pyc`` compiles the project's modules in every run instead (what a
checkout run with ``PYTHONDONTWRITEBYTECODE=1`` does). Target: ``feeds`` ≤ 1.5× the CPU time of
importing its libraries.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 1.5


def write_config(directory: Path) -> Path:
    path = directory / "config.toml"
    path.write_text(
        f'[storage]\npath = "{directory / "bench.db"}"\n'
        '[[feeds]]\nurl = "https://news.example/rss"\nname = "Example news"\n'
        '[[feeds]]\nurl = "https://other.example/feed"\n',
        encoding="utf-8",
    )
    return path


def needed_modules(config: Path, env: dict[str, str]) -> list[str]:
    """The third-party modules ``feeds`` has loaded when it is done, in this checkout."""
    probe = (
        "import contextlib, io, sys\n"
        "from bot.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    main(['feeds', '--config', {str(config)!r}])\n"
        "print(' '.join(sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    ours = {"bot", "rules", "__main__"}
    return [
        name
        for name in done.stdout.split()
        if not name.startswith("_") and name.split(".")[0] not in sys.stdlib_module_names | ours
    ]


WORKERS_PROBE = """
from bot.cli import main  # the installed script's import: the workers import it again

if __name__ == "__main__":
    import asyncio, multiprocessing, time
    from bot.feeds.parser import ParsePool

    async def start() -> None:
        pool = ParsePool(2)
        began = time.perf_counter()
        feed = b'<rss version="2.0"><channel><title>t</title></channel></rss>'
        await asyncio.gather(*(pool.parse(feed, url="http://x/") for _ in range(4)))
        took = time.perf_counter() - began
        rss = []
        for worker in multiprocessing.active_children():
            with open(f"/proc/{worker.pid}/status") as status:
                rss += [int(line.split()[1]) // 1024 for line in status if line.startswith("VmRSS")]
        print(f"two parse workers started and parsed in {took:.2f} s; RSS {sorted(rss)} MB")
        pool.close()

    asyncio.run(start())
"""


def parse_workers(tree: Path, directory: Path, env: dict[str, str]) -> str:
    """What starting the daemon's parse workers costs in ``tree`` (see the module docstring)."""
    script = directory / "workers_probe.py"
    script.write_text(WORKERS_PROBE, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=tree,
        env={**env, "PYTHONPATH": str(tree)},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one run of ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="runs of each command (10)")
    parser.add_argument("--tree", action="append", type=Path, default=[], metavar="PATH")
    parser.add_argument("--no-pyc", action="store_true", help="compile the modules every run")
    parser.add_argument("--workers", action="store_true", help="time the parse workers' start")
    args = parser.parse_args()
    trees = [*(tree.resolve() for tree in args.tree), ROOT]

    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        if args.no_pyc:
            env["PYTHONDONTWRITEBYTECODE"] = "1"
        else:
            env["PYTHONPYCACHEPREFIX"] = f"{tmp}/pyc"
        config = write_config(Path(tmp))
        feeds = [sys.executable, "-m", "bot", "feeds", "--config", str(config)]
        needed = needed_modules(config, env)
        commands = {
            "topic-alert feeds": (feeds, trees),
            "topic-alert --help": ([sys.executable, "-m", "bot", "--help"], trees),
            "import its libraries": ([sys.executable, "-c", f"import {', '.join(needed)}"], [ROOT]),
            "python -c pass": ([sys.executable, "-c", "pass"], [ROOT]),
        }
        times: dict[tuple[str, Path], list[tuple[float, float]]] = defaultdict(list)
        for run in range(args.runs + 1):  # the first fills the bytecode and page caches
            for name, (command, where) in commands.items():
                for tree in where:
                    measured = timed(command, tree, env)
                    if run:
                        times[name, tree].append(measured)
        if args.workers:
            for _ in range(3):
                for tree in trees:
                    print(f"[{tree}] {parse_workers(tree, Path(tmp), env)}")

    top = sorted({name.split(".")[0] for name in needed})
    print(f"the libraries feeds imports: {len(needed)} modules of {', '.join(top)}")
    print(f"medians of {args.runs} runs, {'no bytecode cache' if args.no_pyc else '.pyc cached'}")
    libraries = statistics.median(cpu for _, cpu in times["import its libraries", ROOT])
    for (name, tree), runs in times.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        label = "" if tree == ROOT and len(trees) == 1 else f" [{tree}]"
        ratio = f" = {cpu / libraries:.2f}x its libraries" if name == "topic-alert feeds" else ""
        print(f"{name + label:60} wall {wall:6.3f} s  CPU {cpu:6.3f} s{ratio}")
    print(f"target: topic-alert feeds ≤ {TARGET}x the CPU time of importing its libraries")


if __name__ == "__main__":
    main()
