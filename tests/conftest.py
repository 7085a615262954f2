"""Shared test fixtures. The reader's helpers live in tests/fixtures/ (workbook generator, assertions)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"
if str(FIXTURES_DIR) not in sys.path:
    sys.path.insert(0, str(FIXTURES_DIR))

from helpers import assert_accounted  # noqa: E402

from sitegen.config import config_from_dict  # noqa: E402
from sitegen.load import Loaded, load  # noqa: E402
from sitegen.read.pool import read_serial  # noqa: E402

AS_OF = date(2026, 11, 20)


@pytest.fixture
def as_of() -> date:
    return AS_OF


@pytest.fixture
def load_input() -> Callable[..., Loaded]:
    """load_input(folder, as_of=..., **sitegen.yaml settings): read in-process, every row accounted for."""

    def run(root: Path, as_of: date = AS_OF, **settings: object) -> Loaded:
        cfg = config_from_dict(dict(settings), root)
        loaded = load(cfg, as_of, input_dir=root, read=read_serial)
        assert_accounted(loaded)
        return loaded

    return run
