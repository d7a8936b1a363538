"""The long Schemathesis run: every operation of every service, at least --min-requests requests per service.

    .venv/bin/python bench/fuzz_api.py [--services leads,pipeline] [--max-examples 60] [--min-requests 5000]

Each service runs in-process (ASGI) on the embedded bus and SQLite in a temporary directory, called with an
operator's token, every check on, positive and negative data, all phases (examples, coverage, fuzzing,
stateful). A service is run again with a new seed and more examples until it has answered --min-requests.
Prints, per service, requests sent, test cases, and failures by check (with the operations that failed it);
exits 1 when any check failed. `make fuzz` runs it.
"""
from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import schemathesis
from schemathesis.engine import Status, events, from_schema
from schemathesis.python import asgi

from shared.testing import auth_headers
from shared.testing.fuzzing import OPERATOR_ROLES, SERVICES, fuzz_config, fuzz_schema


@dataclass
class Totals:
    requests: int = 0
    cases: int = 0
    rounds: int = 0
    checked: Counter[str] = field(default_factory=Counter)  # every check run, by name
    failures: Counter[str] = field(default_factory=Counter)
    failed_operations: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    samples: dict[str, str] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)  # an exception out of the app: a 5xx


def fuzz_service(service: str, *, max_examples: int, min_requests: int, seed: int) -> Totals:
    totals = Totals()
    with tempfile.TemporaryDirectory(prefix=f"coxswain-fuzz-{service}-") as data_dir:
        while totals.requests < min_requests:
            config = fuzz_config(max_examples=max_examples, seed=seed + totals.rounds, **{
                "continue-on-failure": True, "headers": auth_headers(*OPERATOR_ROLES)})
            schema = fuzz_schema(service, Path(data_dir), config)
            for event in from_schema(schema).execute():
                _count(event, totals)
            totals.rounds += 1
            max_examples *= 2  # each further round explores further, not the same cases again
            asgi.shutdown_lifespans()
    return totals


def _count(event: events.EngineEvent, totals: Totals) -> None:
    if isinstance(event, events.NonFatalError | events.FatalError):
        totals.errors[f"{getattr(event, 'label', '')}: {getattr(event, 'value', event)!r}"[:300]] += 1
        return
    if not isinstance(event, events.ScenarioFinished):
        return
    recorder = event.recorder
    totals.requests += len(recorder.interactions)
    totals.cases += len(recorder.cases)
    for checks in recorder.checks.values():
        for check in checks:
            totals.checked[check.name] += 1
            if check.status == Status.FAILURE:
                totals.failures[check.name] += 1
                totals.failed_operations[check.name].add(recorder.label)
                if check.failure_info is not None:
                    totals.samples.setdefault(f"{check.name} {recorder.label}", check.failure_info.code_sample)


def report(service: str, totals: Totals, seconds: float, *, verbose: bool) -> None:
    failed = sum(totals.failures.values())
    print(f"{service}: {totals.requests} requests, {totals.cases} test cases, {totals.rounds} round(s), "
          f"{failed} failed checks, {sum(totals.errors.values())} errors, {seconds:.0f} s")
    print("  checks run: " + ", ".join(f"{name} {count}" for name, count in sorted(totals.checked.items())))
    for name, count in sorted(totals.failures.items()):
        operations = ", ".join(sorted(totals.failed_operations[name]))
        print(f"  {name}: {count} ({operations})")
    for error, count in sorted(totals.errors.items()):
        print(f"  error: {count} x {error}")
    if verbose:
        for key, sample in sorted(totals.samples.items()):
            print(f"  -- {key}\n     {sample}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--services", default=",".join(SERVICES))
    parser.add_argument("--max-examples", type=int, default=60, help="fuzzing examples per operation, first round")
    parser.add_argument("--min-requests", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--verbose", action="store_true", help="print a reproduction for each failure")
    args = parser.parse_args()
    logging.disable(logging.ERROR)  # a 5xx is counted below; its traceback would bury the totals
    print(f"schemathesis {schemathesis.__version__}, at least {args.min_requests} requests per service")
    grand = Totals()
    for service in args.services.split(","):
        started = time.perf_counter()
        totals = fuzz_service(service, max_examples=args.max_examples, min_requests=args.min_requests,
                              seed=args.seed)
        report(service, totals, time.perf_counter() - started, verbose=args.verbose)
        grand.requests += totals.requests
        grand.cases += totals.cases
        grand.failures.update(totals.failures)
        grand.errors.update(totals.errors)
    print(f"total: {grand.requests} requests, {grand.cases} test cases, "
          f"{sum(grand.failures.values())} failed checks, {sum(grand.errors.values())} errors")
    return 1 if grand.failures or grand.errors else 0


if __name__ == "__main__":
    sys.exit(main())
