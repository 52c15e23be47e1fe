"""Every project var is read somewhere, the docs site lists who reads it, and the rebuild command is right."""

from __future__ import annotations

from typing import Any

import pytest

from crm_warehouse import vars as project_vars


@pytest.fixture(scope="module")
def uses() -> list[project_vars.VarUse]:
    manifest: dict[str, Any] = project_vars.load_manifest()
    return project_vars.var_uses(manifest)


def test_every_var_is_read_by_a_model(uses: list[project_vars.VarUse]) -> None:
    unread = [use.name for use in uses if not use.readers]
    assert not unread, f"vars no model reads (dead rules, or read only where the tool cannot see): {unread}"


def test_every_var_has_a_comment(uses: list[project_vars.VarUse]) -> None:
    assert not [use.name for use in uses if not use.comment], "vars without a comment in dbt_project.yml"


def test_the_docs_site_lists_the_current_readers(uses: list[project_vars.VarUse]) -> None:
    documented = project_vars.OVERVIEW.read_text().split(project_vars.START)[1].split(project_vars.END)[0].strip()
    assert documented == project_vars.docs_table(uses), \
        "docs/overview.md is stale: run `.venv/bin/python -m crm_warehouse.vars --write-docs`"


def test_a_var_read_upstream_rebuilds_from_its_reader(uses: list[project_vars.VarUse]) -> None:
    """The README's example: rfm_window_days is read by the metrics model, not by fct_customer_rfm."""
    rfm_window = next(use for use in uses if use.name == "rfm_window_days")
    assert rfm_window.readers == ("int_customers__metrics_by_date",)
    assert rfm_window.build_command().endswith("--select int_customers__metrics_by_date+")
    lifetime = next(use for use in uses if use.name == "ltv_discount_rate")
    assert "fct_customer_lifetime_value" in lifetime.readers
