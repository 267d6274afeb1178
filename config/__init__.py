"""The shipped configuration, read as package data: the demo municipality's teams (``teams.yaml``) and the
star definitions (``stars/``). A county points ``YA_TEAMS_FILE`` and ``YA_STARS_DIR`` at its own."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def shipped_path(name: str) -> Path:
    """The path of a shipped configuration file or folder (found through importlib.resources, not the cwd)."""
    return Path(str(resources.files(__name__).joinpath(name)))
