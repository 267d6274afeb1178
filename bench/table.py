"""The results table: one row per figure, printed as markdown and kept in ``bench/results.md`` and the README."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

README_HEADING = "## Benchmarks"


@dataclass(frozen=True)
class Row:
    """One measured figure beside its baseline."""

    metric: str
    baseline: str
    ours: str
    ratio: str
    target: str
    passed: bool


def markdown(rows: list[Row]) -> str:
    """The table in GitHub markdown."""
    lines = ["| Metric | Baseline (same run) | Ours | Ratio | Target | |", "|---|---|---|---|---|---|"]
    lines += [f"| {r.metric} | {r.baseline} | {r.ours} | {r.ratio} | {r.target} | {'pass' if r.passed else 'MISS'} |"
              for r in rows]
    return "\n".join(lines)


def update_readme(readme: Path, section: str) -> None:
    """Replaces the README's "## Benchmarks" section (or inserts it before "## Decisions")."""
    text = readme.read_text(encoding="utf-8")
    block = f"{README_HEADING}\n\n{section.strip()}\n\n"
    pattern = re.compile(rf"^{re.escape(README_HEADING)}\n.*?(?=^## )", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text, count=1)
    elif "\n## Decisions" in text:
        text = text.replace("\n## Decisions", f"\n{block}## Decisions", 1)
    else:
        text = text.rstrip("\n") + f"\n\n{block}"
    readme.write_text(text, encoding="utf-8")
