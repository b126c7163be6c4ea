"""Mutation score of each rules module (`make mutation`).

Runs mutmut 3 once per module, mutating only that module and running only the tests that
pin its behaviour, then prints one line per module: ``module: killed/total (NN.N %)``.
Killed and timed-out mutants count as caught. Exits 1 if a module is under the threshold.

    python bench/mutation.py                    # every module
    python bench/mutation.py mandates/clauses.py  # some modules
    MUTATION_MAX_CHILDREN=2 python bench/mutation.py
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
THRESHOLD = 90.0

METHODS_TESTS = ["tests/elections/test_methods.py"]

# module -> the tests that pin its rules (files that do not exist yet are skipped)
MODULES: dict[str, list[str]] = {
    "elections/methods/irv.py": METHODS_TESTS + ["tests/elections/test_irv_rules.py"],
    "elections/methods/lot.py": METHODS_TESTS + ["tests/elections/test_lot_rules.py"],
    "elections/methods/schulze.py": METHODS_TESTS + ["tests/elections/test_schulze_rules.py",
                                                     "tests/elections/test_methods_differential.py"],
    "elections/methods/majority_judgment.py": METHODS_TESTS
    + ["tests/elections/test_majority_judgment_rules.py"],
    "elections/methods/profile.py": METHODS_TESTS + ["tests/elections/test_profile_rules.py"],
    "elections/ballots.py": ["tests/elections/test_voting.py", "tests/elections/test_ballot_encoding_rules.py"],
    "mediation/deadlines.py": ["tests/mediation/test_deadlines.py", "tests/mediation/test_deadline_rules.py"],
    # The closing of cases and the reminders, split out of mediation/deadlines.py.
    "mediation/clock.py": ["tests/mediation/test_deadlines.py", "tests/mediation/test_deadline_rules.py",
                           "tests/mediation/test_clock_rules.py"],
    # test_contract_law.py pins the clauses issue 10 added (minors, governing law, insurance, French amounts).
    "mandates/clauses.py": ["tests/mandates/test_clauses.py", "tests/mandates/test_clause_rules.py",
                            "tests/mandates/test_contract_law.py"],
}

# Run inside a child interpreter: narrows mutmut's configuration (read from
# [tool.mutmut] in pyproject.toml) to one module and its tests, then runs mutmut.
CHILD = r"""
import json, sys
from mutmut import configuration
cfg = configuration.config()
module, tests, children = json.loads(sys.argv[1])
cfg.only_mutate = [module]
cfg.pytest_add_cli_args_test_selection = tests
from mutmut.__main__ import cli
args = ["run"] + (["--max-children", str(children)] if children else [])
try:
    cli(args, standalone_mode=False)
finally:
    cli(["export-cicd-stats"], standalone_mode=False)
"""


def run_module(module: str, tests: list[str], children: int | None) -> dict:
    shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    existing = [t for t in tests if (ROOT / t).exists()]
    log = ROOT / "mutants.log"
    with open(log, "a") as out:
        out.write(f"\n===== {module} {existing}\n")
        out.flush()
        subprocess.run(
            [sys.executable, "-c", CHILD, json.dumps([module, existing, children])],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, check=False,
        )
    stats_file = ROOT / "mutants" / "mutmut-cicd-stats.json"
    if not stats_file.exists():
        return {}
    return json.loads(stats_file.read_text())


def main(argv: list[str]) -> int:
    modules = argv or list(MODULES)
    unknown = [m for m in modules if m not in MODULES]
    if unknown:
        print(f"unknown modules: {unknown}; known: {list(MODULES)}", file=sys.stderr)
        return 2
    # mutmut works in one mutants/ folder: two runs at once would spoil each other's results.
    lock = open(ROOT / "mutants.lock", "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print("another mutation run is in progress in this tree", file=sys.stderr)
        return 2
    children = int(os.environ["MUTATION_MAX_CHILDREN"]) if os.environ.get("MUTATION_MAX_CHILDREN") else None
    (ROOT / "mutants.log").write_text("")
    failed = False
    for module in modules:
        started = time.monotonic()
        s = run_module(module, MODULES[module], children)
        seconds = time.monotonic() - started
        if not s or not s.get("total"):
            print(f"{module}: no result (see mutants.log)", flush=True)
            failed = True
            continue
        caught = s["killed"] + s["timeout"]
        score = 100.0 * caught / s["total"]
        print(
            f"{module}: {caught}/{s['total']} ({score:.1f} %)"
            f"  [killed {s['killed']}, timeout {s['timeout']}, survived {s['survived']},"
            f" no tests {s['no_tests']}, suspicious {s['suspicious']}; {seconds:.0f} s]",
            flush=True,
        )
        failed |= score < THRESHOLD
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
