"""crm_warehouse.dbt_steps: dbt commands run in order on one parse, stopping at the first failure."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import dbt.cli.main
import pytest

from crm_warehouse import dbt_steps


@dataclass
class FakeResult:
    success: bool
    exception: BaseException | None = None
    result: Any = None


@dataclass
class FakeRunner:
    """Stands in for dbtRunner: records each invocation and the manifest it was given."""

    outcomes: dict[str, FakeResult]
    calls: list[tuple[Any, list[str]]] = field(default_factory=list)

    def __call__(self, manifest: Any = None) -> FakeRunner:
        self.manifest = manifest
        return self

    def invoke(self, args: list[str]) -> FakeResult:
        self.calls.append((self.manifest, args))
        return self.outcomes.get(args[0], FakeResult(True, result="parsed manifest" if args[0] == "parse" else None))


def test_commands_run_in_order_on_the_one_parsed_manifest(monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    runner = FakeRunner({})
    monkeypatch.setattr(dbt.cli.main, "dbtRunner", runner)
    assert dbt_steps.main(["seed --full-refresh", "build --exclude-resource-type seed"]) == 0
    assert runner.calls == [
        (None, ["parse", "--quiet"]),
        ("parsed manifest", ["seed", "--full-refresh"]),
        ("parsed manifest", ["build", "--exclude-resource-type", "seed"]),
    ]
    assert capsys.readouterr().out.startswith("dbt steps: dbt parse ")


@pytest.mark.parametrize(("outcome", "status"), [(FakeResult(False), 1), (FakeResult(False, RuntimeError("x")), 2)])
def test_the_first_failure_stops_the_run_with_dbts_exit_status(monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str],
                                                              outcome: FakeResult, status: int) -> None:
    runner = FakeRunner({"seed": outcome})
    monkeypatch.setattr(dbt.cli.main, "dbtRunner", runner)
    assert dbt_steps.main(["seed", "build", "docs generate"]) == status
    assert [args[0] for _, args in runner.calls] == ["parse", "seed"]
    assert f"`dbt seed` failed (exit {status}); not run: dbt build, dbt docs generate" in capsys.readouterr().out


def test_a_failed_parse_runs_nothing(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    runner = FakeRunner({"parse": FakeResult(False, RuntimeError("bad yaml"))})
    monkeypatch.setattr(dbt.cli.main, "dbtRunner", runner)
    assert dbt_steps.main(["build"]) == 2
    assert [args[0] for _, args in runner.calls] == ["parse"]
    assert "`dbt parse` failed (exit 2); not run: dbt build" in capsys.readouterr().out


def test_no_command_prints_the_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert dbt_steps.main([]) == 2
    assert "Several dbt commands in one process" in capsys.readouterr().out
