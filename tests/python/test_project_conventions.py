"""The project's own rules that no tool checks, on dbt's manifest and the built warehouse.

dbt-bouncer (dbt-bouncer.yml, `make lint`) checks names, folders, descriptions of models,
columns, sources and snapshots, primary-key tests, contracts, access and lineage. Here: every
column a model or snapshot really has is declared (and nothing is declared that it does not
have), source and snapshot columns are described, every model and snapshot belongs to a subject
group with an owner and is tagged with its layer and subject, every mart's description opens
with the business question it answers, the exposures list what their readers read, a
description written three times is a doc block, and a column name shared by two models has one
description. A new model that skips any of this fails here with its name.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A fresh parse of the project, so the checks never read a stale target/."""
    target = tmp_path_factory.mktemp("parse")
    env = {**os.environ, "DBT_PROFILES_DIR": str(ROOT), "CRM_DUCKDB_PATH": str(target / "unused.duckdb")}
    dbt = Path(sys.executable).parent / "dbt"
    subprocess.run([str(dbt), "parse", "--quiet", "--target-path", str(target)], cwd=ROOT, env=env, check=True)
    return json.loads((target / "manifest.json").read_text())


def project_nodes(manifest: dict[str, Any], resource_type: str) -> list[dict[str, Any]]:
    return [n for n in manifest["nodes"].values()
            if n["resource_type"] == resource_type and n["package_name"] == "crm_warehouse"]


def test_every_source_and_snapshot_column_is_described(manifest: dict[str, Any]) -> None:
    """Model columns: dbt-bouncer's check_model_column_description_populated."""
    nodes = project_nodes(manifest, "snapshot") + list(manifest["sources"].values())
    undescribed = sorted(f"{n['name']}.{c}" for n in nodes for c, column in n["columns"].items()
                         if not column["description"].strip())
    assert not undescribed, f"columns without a description: {undescribed}"


def test_declared_columns_match_the_built_relations(manifest: dict[str, Any],
                                                   warehouse: duckdb.DuckDBPyConnection) -> None:
    built = defaultdict(set)
    for schema, table, column in warehouse.execute(
            "select table_schema, table_name, column_name from information_schema.columns").fetchall():
        built[(schema, table)].add(column)
    mismatches = {}
    for model in project_nodes(manifest, "model") + project_nodes(manifest, "snapshot"):
        actual = built[(model["schema"], model["alias"])]
        assert actual, f"{model['name']} is not built in {model['schema']}"
        declared = set(model["columns"])
        if actual != declared:
            mismatches[model["name"]] = {"undeclared": sorted(actual - declared),
                                         "not in the model": sorted(declared - actual)}
    assert not mismatches, f"yml columns differ from the built models: {mismatches}"


LAYERS = {"staging", "intermediate", "marts", "snapshots"}


def test_every_model_has_an_owned_group_and_its_layer_and_subject_tags(manifest: dict[str, Any]) -> None:
    owners = {group["name"]: group["owner"].get("name") or group["owner"].get("email")
              for group in manifest["groups"].values()}
    assert owners and all(owners.values()), f"groups without an owner: {owners}"
    problems = []
    for node in project_nodes(manifest, "model") + project_nodes(manifest, "snapshot"):
        layer = "snapshots" if node["resource_type"] == "snapshot" else node["fqn"][1]
        tags = set(node["tags"])
        if node.get("group") not in owners:
            problems.append(f"{node['name']}: group {node.get('group')!r} is not one of {sorted(owners)}")
        if tags & LAYERS != {layer}:
            problems.append(f"{node['name']}: layer tags {sorted(tags & LAYERS)}, expected [{layer!r}]")
        if node.get("group") not in tags:
            problems.append(f"{node['name']}: no subject tag for its group {node.get('group')!r}")
    assert not problems, "\n".join(problems)


def test_every_mart_opens_with_its_business_question(manifest: dict[str, Any]) -> None:
    """For business readers: the first words of a mart's page say what it answers, in bold."""
    marts = [m for m in project_nodes(manifest, "model") if m["fqn"][1] == "marts"]
    unasked = sorted(m["name"] for m in marts if not re.match(r"\*\*[^*]*\?[^*]*\*\* ", m["description"]))
    assert not unasked, f"marts whose description does not open with a **question?**: {unasked}"


def test_the_quality_exposure_lists_the_tables_the_suites_read(manifest: dict[str, Any]) -> None:
    """The lineage must show what the GX suites read: the exposure and suites.py name the same tables."""
    from crm_warehouse.quality.suites import SUITES

    exposure = manifest["exposures"]["exposure.crm_warehouse.quality_suites"]
    nodes = {**manifest["nodes"], **manifest["sources"]}
    exposed = {f"{nodes[uid]['schema']}.{nodes[uid].get('identifier') or nodes[uid]['alias']}"
               for uid in exposure["depends_on"]["nodes"]}
    suites = {suite.relation for suite in SUITES}
    assert exposed == suites, (f"only in the exposure: {sorted(exposed - suites)}; "
                               f"only in suites.py: {sorted(suites - exposed)}")


def test_the_docs_site_exposure_lists_every_public_mart(manifest: dict[str, Any]) -> None:
    # The predictive marts have an exposure of their own (they exist on DuckDB only).
    exposed = {node for name in ("docs_site", "docs_site_predictions")
               for node in manifest["exposures"][f"exposure.crm_warehouse.{name}"]["depends_on"]["nodes"]}
    public = {m["unique_id"] for m in project_nodes(manifest, "model") if m.get("access") == "public"}
    assert exposed == public, (f"only in the exposure: {sorted(exposed - public)}; "
                               f"public marts missing: {sorted(public - exposed)}")


def test_every_exposure_has_an_owner_and_a_description(manifest: dict[str, Any]) -> None:
    exposures = [e for e in manifest["exposures"].values() if e["package_name"] == "crm_warehouse"]
    assert len(exposures) >= 3
    lacking = [e["name"] for e in exposures if not (e["owner"].get("name") and e["description"].strip())]
    assert not lacking, f"exposures without an owner or a description: {lacking}"


def test_the_kpi_pack_exposure_lists_the_saved_queries_metrics(manifest: dict[str, Any]) -> None:
    exposure = manifest["exposures"]["exposure.crm_warehouse.kpi_pack"]
    asked = {node for query in manifest["saved_queries"].values() for node in query["depends_on"]["nodes"]}
    exposed = set(exposure["depends_on"]["nodes"])
    assert asked and exposed == asked, (f"only in the exposure: {sorted(exposed - asked)}; "
                                        f"missing: {sorted(asked - exposed)}")


def test_a_description_written_three_times_is_a_doc_block() -> None:
    """One definition per concept: a column description repeated word for word in three or more
    YAML entries lives in a doc block (models/_columns.md) that they reuse with doc()."""
    seen: dict[str, list[str]] = {}
    for path in sorted([*(ROOT / "models").rglob("*.yml"), *(ROOT / "snapshots").rglob("*.yml")]):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            found = re.match(r"\s*description: (.+)$", line)
            if found and found.group(1) not in (">", ">-", "|", "|-") and "{{ doc(" not in found.group(1):
                seen.setdefault(found.group(1).strip("'\""), []).append(f"{path.relative_to(ROOT)}:{number}")
    repeated = {text: places for text, places in seen.items() if len(places) >= 3}
    assert not repeated, "descriptions to move into a doc block:\n" + "\n".join(
        f"{text!r}: {', '.join(places)}" for text, places in repeated.items())


# Column names that two models use for different things, each with the reason. Every other column
# name that two or more models (or a model and the snapshot) share has one description: a doc
# block (as a rule column_<name> in models/_columns.md), reused with doc() wherever the name appears.
DIFFERENT_MEANINGS_OF_A_NAME = {
    "discount_amount": "in the order's currency in stg_crm__order_items and int_order_items__validated, in the "
                       "reporting currency from int_order_items__enriched on (the line's price is unit_price, then "
                       "unit_price_local beside the converted amounts; the discount kept one name)",
    "lift": "association-rule lift of a pair of items in the affinity marts; a decile's outcome rate over the whole "
            "test's in the model-evaluation marts (fct_predictive_model_deciles, fct_btyd_holdout_deciles)",
}


def test_a_column_name_shared_by_two_models_has_one_description(manifest: dict[str, Any]) -> None:
    """One definition per concept: a column name that appears in two or more models (or a model and
    the snapshot) is described the same way in all of them, by one doc block (models/_columns.md)
    worded to be true in every model that has the column; the few names that mean different things
    in different models are listed, with their reason, in DIFFERENT_MEANINGS_OF_A_NAME."""
    wordings: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for node in project_nodes(manifest, "model") + project_nodes(manifest, "snapshot"):
        for name, column in node["columns"].items():
            wordings[name][column["description"].strip()].append(node["name"])
    differing = {name: described for name, described in sorted(wordings.items())
                 if len(described) > 1 and name not in DIFFERENT_MEANINGS_OF_A_NAME}
    assert not differing, "column names described differently in two models (reuse one doc block):\n" + "\n".join(
        f"{name}: " + "; ".join(f"{sorted(models)} say {text[:80]!r}" for text, models in described.items())
        for name, described in differing.items())
    needless = sorted(name for name in DIFFERENT_MEANINGS_OF_A_NAME if len(wordings.get(name, {})) < 2)
    assert not needless, f"allowlisted names now described one way (drop them from the list): {needless}"
