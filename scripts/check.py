"""``make test``: ruff, mypy (strict), the import contracts (import-linter) and pytest, stopping at the first
failure."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def main() -> int:
    """Runs each step; returns the first non-zero exit code."""
    steps = [
        [str(BIN / "ruff"), "check", "."],
        [str(BIN / "mypy")],
        # The layers (pyproject.toml [tool.importlinter]): domain <- services <- adapters <- bot; no sandbox.
        [str(BIN / "lint-imports"), "--no-cache"],
        [sys.executable, "-m", "pytest", *sys.argv[1:]],
    ]
    for step in steps:
        print("$", " ".join(Path(step[0]).name if i == 0 else a for i, a in enumerate(step)), flush=True)
        code = subprocess.call(step, cwd=ROOT)
        if code != 0:
            return code
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
