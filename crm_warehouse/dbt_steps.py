"""Several dbt commands in one process, on one parse of the project.

    python -m crm_warehouse.dbt_steps "seed --full-refresh --quiet" "build" "docs generate --static --no-compile"

Each argument is one dbt command line. The project is parsed once (partially, as `dbt parse`
does) and every command runs on that manifest (dbtRunner(manifest=...)), so the second and later
commands skip dbt's start-up: Python's imports, reading the profile, loading the partial parse
(about 3.5 s each at the default size). A command also sees what the earlier ones compiled:
after `build`, `docs generate --no-compile` writes the models' and tests' compiled SQL into the
docs site without compiling the whole project again (8 s).

The commands run in order; the first one that fails ends the run with dbt's own exit status
(1: a node failed, 2: dbt itself could not run), and the commands after it are not run.
"""

from __future__ import annotations

import shlex
import sys
import time
from collections.abc import Sequence
from typing import NamedTuple


class StepResult(NamedTuple):
    command: str
    exit_code: int
    seconds: float


def exit_code(success: bool, exception: BaseException | None) -> int:
    """dbt's exit statuses: 0 success, 1 a node failed or a test found rows, 2 dbt itself failed."""
    if exception is not None:
        return 2
    return 0 if success else 1


def run_steps(commands: Sequence[str]) -> list[StepResult]:
    """Run the dbt commands in order on one parse; stops after the first that fails."""
    from dbt.cli.main import dbtRunner  # 1.5 s of imports: not for --help

    started = time.perf_counter()
    parsed = dbtRunner().invoke(["parse", "--quiet"])
    results = [StepResult("parse", exit_code(parsed.success, parsed.exception), time.perf_counter() - started)]
    if results[-1].exit_code:
        return results
    runner = dbtRunner(manifest=parsed.result)
    for command in commands:
        started = time.perf_counter()
        outcome = runner.invoke(shlex.split(command))
        results.append(StepResult(command, exit_code(outcome.success, outcome.exception),
                                  time.perf_counter() - started))
        if results[-1].exit_code:
            break
    return results


def main(argv: Sequence[str]) -> int:
    if not argv or argv[0] in {"-h", "--help"}:
        print(__doc__.strip())
        return 0 if argv else 2
    results = run_steps(argv)
    summary = ", ".join(f"dbt {result.command.split(' --')[0]} {result.seconds:.1f} s" for result in results)
    print(f"dbt steps: {summary}")
    failed = [result for result in results if result.exit_code]
    if failed:
        not_run = argv[len(results) - 1:]
        print(f"dbt steps: `dbt {failed[0].command}` failed (exit {failed[0].exit_code})"
              + (f"; not run: {', '.join(f'dbt {command}' for command in not_run)}" if not_run else ""))
        return failed[0].exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
