#!/usr/bin/env python3
"""Runs every test suite and prints one closing line: 'tests: N passed, N failed'.

Suites: the doctest unit tests (plain, ASan+UBSan and TSan builds, each when
built) and the integration tests in t/integration/ (real server, real clients).
Usage: t/run.py [--build build] [--only unit|integration] [-k PATTERN]
"""
import argparse
import os
import re
import subprocess
import sys
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_doctest(binary, label):
    """Runs one doctest binary; returns (passed, failed) test cases."""
    if not os.path.exists(binary):
        print(f"[{label}] {binary} not built, skipped")
        return 0, 0
    print(f"[{label}] {binary}", flush=True)
    env = dict(os.environ)
    env.setdefault("TSAN_OPTIONS", "halt_on_error=1 second_deadlock_stack=1")
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    start = time.time()
    proc = subprocess.run([binary, "--no-intro=true"], cwd=ROOT, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=1800)
    out = proc.stdout
    m = re.search(r"test cases:\s*(\d+)\s*\|\s*(\d+) passed\s*\|\s*(\d+) failed", out)
    if proc.returncode != 0 or not m:
        sys.stdout.write(out[-20000:])
    passed, failed = (int(m.group(2)), int(m.group(3))) if m else (0, 1)
    if proc.returncode != 0 and failed == 0:
        failed = 1  # a crash or a sanitizer report after the summary
    print(f"[{label}] {passed} passed, {failed} failed in {time.time() - start:.1f}s", flush=True)
    return passed, failed


def run_checks(build):
    """Static checks that are tests too: lock-freedom on every target, man pages,
    the configuration, the include rules."""
    checks = [
        ("shared atomics lock-free on armhf, arm64, mipsel",
         ["make", "--no-print-directory", "-f", "GNUmakefile.cross", "atomics"]),
        ("man pages lint-clean", ["sh", "-c", "mandoc -Tlint -W warning man/*.[0-9]"]),
        ("etc/srs.yaml is valid", [os.path.join(build, "srs"), "-t", "-c", "etc/srs.yaml"]),
        ("include rules between layers and rooms", [sys.executable, "t/check_layers.py"]),
    ]
    passed = failed = 0
    for name, cmd in checks:
        proc = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, timeout=600)
        ok = proc.returncode == 0
        print(f"[check] {name}: {'ok' if ok else 'FAILED'}", flush=True)
        if not ok:
            sys.stdout.write(proc.stdout[-5000:])
        passed, failed = passed + ok, failed + (not ok)
    return passed, failed


def run_integration(build, pattern):
    os.environ["SRS_BUILD"] = os.path.join(ROOT, build)
    sys.path.insert(0, os.path.join(ROOT, "t", "integration"))
    loader = unittest.TestLoader()
    if pattern:
        loader.testNamePatterns = [f"*{pattern}*"]
    suite = loader.discover(os.path.join(ROOT, "t", "integration"), pattern="test_*.py",
                            top_level_dir=os.path.join(ROOT, "t", "integration"))
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
    failed = len(result.failures) + len(result.errors)
    skipped = len(result.skipped)
    return result.testsRun - failed - skipped, failed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--only", choices=["unit", "checks", "integration"])
    ap.add_argument("-k", dest="pattern")
    args = ap.parse_args()
    passed = failed = 0
    if args.only in (None, "unit"):
        for build, label in ((args.build, "unit"), ("build-address", "unit asan+ubsan"),
                             ("build-thread", "unit tsan")):
            p, f = run_doctest(os.path.join(ROOT, build, "unit-tests"), label)
            passed, failed = passed + p, failed + f
    if args.only in (None, "checks"):
        p, f = run_checks(args.build)
        passed, failed = passed + p, failed + f
    if args.only in (None, "integration"):
        p, f = run_integration(args.build, args.pattern)
        passed, failed = passed + p, failed + f
    print(f"tests: {passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
