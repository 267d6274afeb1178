"""``python -m bench [--quick] [--no-readme]``: every benchmark in one run, each beside its baseline.

Starts what it needs itself (the sandbox with a bench tenant, ``python -m bot``, the echo baseline, a fake
connector), prints the table, writes it to ``bench/results.md`` and into README's "## Benchmarks".
``--quick`` is a reduced run (seconds, not minutes) that checks the machinery, not the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import (
    card_actions,
    clicks,
    cold_start,
    finalize,
    graph_economy,
    memory,
    slot_search,
    suggestion,
    two_instances,
)
from bench.harness import ROOT
from bench.stack import Stack
from bench.table import Row, markdown, update_readme

BENCHMARKS = ("cold_start", "graph_economy", "suggestion", "clicks", "card_actions", "memory", "two_instances",
              "finalize", "slot_search")


async def _run(workdir: Path, quick: bool, only: set[str], python: str) -> list[Row]:
    rows: list[Row] = []
    stack = await Stack.start(workdir, python)
    try:
        if "cold_start" in only:
            rows.append(await cold_start.measure(stack, 1 if quick else 5))
        echo, echo_url, _ = await stack.start_echo()
        bot, bot_url, _ = await stack.start_bot()
        if "graph_economy" in only:
            rows.append(await graph_economy.measure(stack, bot_url))
        if "suggestion" in only:
            rows.append(await suggestion.measure(stack, bot_url, 2 if quick else 9))
        if "clicks" in only:
            rows += await clicks.measure(stack, quick)
        if "card_actions" in only:
            rows += await card_actions.measure(stack, (echo, echo_url), (bot, bot_url), 2.0 if quick else 12.0,
                                               1 if quick else 4)
        if "memory" in only:
            rows.append(await memory.measure(stack, bot, bot_url, echo, 40 if quick else 1000))
        if "two_instances" in only:
            rows.append(await two_instances.measure(stack, 2.0 if quick else 12.0, 1 if quick else 4))
    finally:
        await stack.close()
    if "finalize" in only:
        rows.append(finalize.measure(3 if quick else 25))
    if "slot_search" in only:
        rows.append(slot_search.measure(20 if quick else 300))
    return rows


def main(argv: list[str] | None = None) -> int:
    """Runs the benchmarks; exit status 1 when a target is missed (a full run only)."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--quick", action="store_true", help="a reduced run that only checks the machinery")
    parser.add_argument("--no-readme", action="store_true", help="do not write the table into README.md")
    parser.add_argument("--out", type=Path, default=None, help="where to write the table (bench/results.md)")
    parser.add_argument("--only", action="append", choices=BENCHMARKS, help="run only these (repeatable)")
    parser.add_argument("--python", default=sys.executable,
                        help="the interpreter the bots run with (make bench: one with the production dependencies)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ya-bench-") as tmp:
        try:
            rows = asyncio.run(_run(Path(tmp), args.quick, set(args.only or BENCHMARKS), args.python))
        except Exception:
            logs = sorted(Path(tmp).glob("*.log"))
            for log in logs:
                sys.stderr.write(f"--- {log.name} ---\n" + "\n".join(log.read_text(errors="replace")
                                                                      .splitlines()[-20:]) + "\n")
            raise
    table = markdown(rows)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    where = (f"{os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.machine()}"
             f"{', bots on the production dependencies' if args.python != sys.executable else ''}")
    kind = "quick run (machinery check, figures not meaningful)" if args.quick else "full run"
    text = f"Measured {stamp} by `make bench` ({kind}, {where}, {time.perf_counter() - started:.0f} s):\n\n{table}\n"
    print(text)
    partial = args.quick or bool(args.only)
    out = args.out or (None if partial else ROOT / "bench" / "results.md")
    if out is not None:
        out.write_text(text, encoding="utf-8")
    if not partial and not args.no_readme:
        update_readme(ROOT / "README.md", _readme_section(text))
    return 0 if partial or all(r.passed for r in rows) else 1


def _readme_section(results: str) -> str:
    notes_file = ROOT / "bench" / "NOTES.md"
    notes = notes_file.read_text(encoding="utf-8").strip() if notes_file.exists() else ""
    return f"{results.strip()}\n\n{notes}" if notes else results


if __name__ == "__main__":
    sys.exit(main())
