"""`python -m tests.resilience.flaky_scheduler RUNS`: a scheduler process (the real one, with
its dispatcher) plus a loop that crashes on its first two runs, then runs until stopped.

RUNS is a file where the loop counts its starts.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from backend import create_app
from backend.config import Config
from backend.scheduler.process import run_scheduler

CRASHES = 2


def flaky_loop(runs: Path) -> Callable[[threading.Event], None]:
    def loop(stop: threading.Event) -> None:
        count = int(runs.read_text()) + 1 if runs.exists() else 1
        # Written whole, then renamed: the test reading it never sees an empty file.
        partial = runs.with_suffix(".tmp")
        partial.write_text(str(count))
        partial.replace(runs)
        if count <= CRASHES:
            raise RuntimeError(f"crash n° {count} of the flaky loop")
        stop.wait()

    loop.__name__ = "flaky-loop"
    return loop


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    app = create_app(Config.from_env())
    run_scheduler(app, jobs=[], background=lambda _leadership: [flaky_loop(Path(sys.argv[1]))])
