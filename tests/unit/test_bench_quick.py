"""``python -m bench --quick``: the benchmark machinery (sandbox, bot, echo bot, simulated users) works."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_quick_benchmark_run_prints_every_row(tmp_path: Path) -> None:
    out = tmp_path / "results.md"
    done = subprocess.run([sys.executable, "-m", "bench", "--quick", "--out", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    table = out.read_text(encoding="utf-8")
    for metric in ("Cold start", "Graph requests per convening", "Slot-suggestion latency", "Card-action p99",
                   "Card-action throughput", "Peak RSS", "Plan finalize", "Slot search", "Click: search",
                   "Click: book", "Click: finalize", "Two instances on one Azurite store"):
        assert metric in table, metric
    finalize = next(line for line in table.splitlines() if line.startswith("| Click: finalize"))
    assert "3 round trip(s), floor 3" in finalize, finalize  # counted by the sandbox, whatever the machine
    two = next(line for line in table.splitlines() if line.startswith("| Two instances"))
    assert " 0 lost, 0 double-booked; " in two and " notices, 0 sent twice" in two, two  # not timing: state
