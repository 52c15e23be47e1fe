"""Which models read which project var, and what to build after changing one.

    python -m crm_warehouse.vars                    # every var: the models that read it
    python -m crm_warehouse.vars rfm_window_days    # one var, and the dbt command to rebuild what it affects
    python -m crm_warehouse.vars --write-docs       # refresh the table on the docs site (docs/overview.md)

A model reads a var when its SQL calls var('...') or calls a macro that does (at any depth).
Everything downstream of those models changes with it, so the command selects them with `+`:
building only a mart (`--select fct_customer_rfm+`) changes nothing when the var is read upstream.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
OVERVIEW = ROOT / "docs" / "overview.md"
START, END = "<!-- vars:start -->", "<!-- vars:end -->"
VAR_CALL = re.compile(r"""\bvar\(\s*['"](\w+)['"]""")
PROJECT = "crm_warehouse"


@dataclass(frozen=True)
class VarUse:
    name: str
    comment: str
    readers: tuple[str, ...]

    def build_command(self) -> str:
        selection = " ".join(f"{reader}+" for reader in self.readers)
        return f"dbt build --exclude-resource-type seed --select {selection}"


def load_manifest() -> dict[str, Any]:
    """A fresh parse, so the answer never comes from a stale target/."""
    with tempfile.TemporaryDirectory() as target:
        env = {**os.environ, "DBT_PROFILES_DIR": str(ROOT),
               "CRM_DUCKDB_PATH": str(Path(target) / "unused.duckdb")}
        dbt = Path(sys.executable).parent / "dbt"
        subprocess.run([str(dbt), "parse", "--quiet", "--target-path", target], cwd=ROOT, env=env, check=True)
        return json.loads((Path(target) / "manifest.json").read_text())


def project_vars() -> dict[str, str]:
    """The vars of dbt_project.yml, each with its comment: the one at the end of its line, else the
    block above it (a block above several vars in a row belongs to each of them)."""
    comments: dict[str, str] = {}
    block: list[str] = []
    after_var = False
    in_vars = False
    for line in (ROOT / "dbt_project.yml").read_text().splitlines():
        if line.startswith("vars:"):
            in_vars = True
            continue
        if not in_vars:
            continue
        if line and not line.startswith(" "):
            break
        stripped = line.strip()
        if not stripped or stripped.startswith("# ---"):
            block, after_var = [], False
        elif stripped.startswith("#"):
            if after_var:
                block, after_var = [], False
            block.append(stripped.lstrip("# ").strip())
        elif re.match(r"^  \w+:", line):
            name, _, value = line.strip().partition(":")
            inline = value.split("#", 1)[1].strip() if "#" in value else ""
            comments[name] = inline or " ".join(block)
            after_var = True
    declared = yaml.safe_load((ROOT / "dbt_project.yml").read_text())["vars"]
    return {name: comments.get(name, "") for name in declared}


def var_readers(manifest: dict[str, Any]) -> dict[str, set[str]]:
    """Var name -> the models, snapshots and tests of this project that read it."""
    macros = {uid: m for uid, m in manifest["macros"].items() if m["package_name"] == PROJECT}
    direct = {uid: set(VAR_CALL.findall(m["macro_sql"])) for uid, m in macros.items()}

    def macro_vars(uid: str, seen: frozenset[str] = frozenset()) -> set[str]:
        if uid not in macros or uid in seen:
            return set()
        found = set(direct[uid])
        for called in macros[uid]["depends_on"]["macros"]:
            found |= macro_vars(called, seen | {uid})
        return found

    readers: dict[str, set[str]] = {}
    for node in manifest["nodes"].values():
        if node["package_name"] != PROJECT or node["resource_type"] not in ("model", "snapshot"):
            continue
        used = set(VAR_CALL.findall(node["raw_code"]))
        # Python models cannot call var(): their YAML config passes the var in ("{{ var('x') }}").
        used |= {name for value in node.get("unrendered_config", {}).values() if isinstance(value, str)
                 for name in VAR_CALL.findall(value)}
        for called in node["depends_on"]["macros"]:
            used |= macro_vars(called)
        for name in used:
            readers.setdefault(name, set()).add(node["name"])
    return readers


def var_uses(manifest: dict[str, Any]) -> list[VarUse]:
    readers = var_readers(manifest)
    return [VarUse(name, comment, tuple(sorted(readers.get(name, ())))) for name, comment in project_vars().items()]


def docs_table(uses: list[VarUse]) -> str:
    rows = ["| var | read by (build these and everything downstream: `--select model+`) |", "| --- | --- |"]
    rows += [f"| `{use.name}` | {', '.join(f'`{reader}`' for reader in use.readers) or 'no model (tests or macros only)'} |"
             for use in uses]
    return "\n".join(rows)


def write_docs(uses: list[VarUse]) -> bool:
    """Refresh the var table between the markers of docs/overview.md; True when it changed."""
    text = OVERVIEW.read_text()
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    updated = f"{before}{START}\n{docs_table(uses)}\n{END}{after}"
    if updated == text:
        return False
    OVERVIEW.write_text(updated)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("var", nargs="?", help="one var of dbt_project.yml")
    parser.add_argument("--write-docs", action="store_true", help="refresh the table in docs/overview.md")
    args = parser.parse_args(argv)
    uses = var_uses(load_manifest())
    if args.write_docs:
        print("docs/overview.md: var table " + ("updated" if write_docs(uses) else "already current"))
        return 0
    if args.var:
        use = next((u for u in uses if u.name == args.var), None)
        if use is None:
            print(f"{args.var} is not a var of dbt_project.yml (vars: {', '.join(u.name for u in uses)})",
                  file=sys.stderr)
            return 1
        print(f"{use.name}: {use.comment}")
        print(f"read by: {', '.join(use.readers) or 'no model'}")
        print(f"rebuild what it affects:\n  {use.build_command()} --vars '{{{use.name}: ...}}'")
        return 0
    width = max(len(u.name) for u in uses)
    for use in uses:
        print(f"{use.name:<{width}}  {', '.join(use.readers) or '-'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
