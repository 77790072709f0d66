#!/usr/bin/env python3
"""Runs every test suite and prints one closing line: 'tests: N passed, N failed'.

Suites: the doctest unit tests (plain, ASan+UBSan and TSan builds, each when
built), static checks, the integration tests in t/integration/ (real server,
real clients) and the boards: one target (armhf, arm64 or mipsel, chosen by the
commit, or SRS_CROSS_ARCH) cross-built, its unit tests and smoke test run under
qemu-user, and the other two compiled. The boards' builds run while the other
suites do, at the idle scheduling class: they take only the CPU the tests leave.
Usage: t/run.py [--build build] [--only unit|checks|integration|boards] [-k PATTERN]
"""
import argparse
import os
import re
import subprocess
import sys
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# What failed, said again just above the closing line: CI keeps only the tail
# of the output, and the suites' own reports scroll far above it.
FAILURES = []
# Each suite's wall time, said in the closing lines too (the CI budget).
TIMES = []


def timed(name, fn, *args):
    start = time.time()
    result = fn(*args)
    TIMES.append(f"{name} {time.time() - start:.0f} s")
    return result


def note_doctest_failures(label, out):
    """Keeps the doctest failures' names and first assertion lines of `out`."""
    case = None
    for line in out.splitlines():
        if line.startswith("TEST CASE:"):
            case = line[len("TEST CASE:"):].strip()
        elif case and ("ERROR:" in line or "FATAL ERROR" in line or "CRASHED" in line):
            FAILURES.append(f"[{label}] {case}: {line.strip()[:200]}")
            case = None


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
        note_doctest_failures(label, out)
    passed, failed = (int(m.group(2)), int(m.group(3))) if m else (0, 1)
    if proc.returncode != 0 and failed == 0:
        failed = 1  # a crash or a sanitizer report after the summary
        FAILURES.append(f"[{label}] exit status {proc.returncode}: " + " | ".join(
            l.strip() for l in out.splitlines() if "Sanitizer" in l or "SUMMARY" in l)[:400])
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
            FAILURES.append(f"[check] {name}: {proc.stdout.strip().splitlines()[-1:]}")
        passed, failed = passed + ok, failed + (not ok)
    return passed, failed


ARCHES = ("armhf", "arm64", "mipsel")


def board_arch():
    """The target whose tests run: SRS_CROSS_ARCH, else one per commit in turn."""
    if os.environ.get("SRS_CROSS_ARCH"):
        return os.environ["SRS_CROSS_ARCH"]
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True).stdout.strip()
    return ARCHES[int(head[:8], 16) % len(ARCHES)] if head else ARCHES[0]


def cross(arch, *targets, opt="-O2"):
    # No debug information: it is most of a build's time, and CI needs none.
    return ["make", "--no-print-directory", "-f", "GNUmakefile.cross", f"ARCH={arch}",
            f"OPT={opt}", "DEBUG="] + list(targets)


def start_board_builds(arch):
    """Builds, in the background at SCHED_IDLE, the tested target (optimized, as
    it ships) and the server alone for the other two (-O0: a compile check).
    Returns the process and its log path."""
    others = [a for a in ARCHES if a != arch]
    steps = [cross(arch, "build")] + [cross(a, "sysroot") for a in others] + [
        cross(a, "build", "PROGRAMS=build-{}/srs".format(a), opt="-O0") for a in others]
    script = " && ".join(" ".join(step) for step in steps)
    os.makedirs(os.path.join(ROOT, f"build-{arch}"), exist_ok=True)
    log_path = os.path.join(ROOT, f"build-{arch}", "boards.log")
    log = open(log_path, "w")

    def idle():
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))

    print(f"[boards] building {arch} (tested) and {', '.join(others)} (compiled) in the "
          f"background: {log_path}", flush=True)
    proc = subprocess.Popen(["sh", "-c", script], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                            preexec_fn=idle)
    log.close()
    return proc, log_path


def finish_boards(arch, builds):
    """Waits for the builds, then runs the target's unit tests and smoke test
    under qemu-user. Returns (passed, failed)."""
    proc, log_path = builds
    start = time.time()
    status = proc.wait(timeout=3600)
    with open(log_path, errors="replace") as f:
        built = f.read()
    print(f"[boards] builds {'ok' if status == 0 else 'FAILED'} "
          f"(waited {time.time() - start:.0f}s more for them)", flush=True)
    if status != 0:
        sys.stdout.write(built[-8000:])
        return 0, 1
    passed = failed = 0
    start = time.time()
    unit = subprocess.run(cross(arch, "unit"), cwd=ROOT, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=1800)
    m = re.search(r"test cases:\s*(\d+)\s*\|\s*(\d+) passed\s*\|\s*(\d+) failed", unit.stdout)
    p, f = (int(m.group(2)), int(m.group(3))) if m else (0, 1)
    if unit.returncode != 0 and f == 0:
        f = 1
    if f:
        sys.stdout.write(unit.stdout[-20000:])
        note_doctest_failures(f"boards unit {arch}", unit.stdout)
    print(f"[boards] unit tests under qemu ({arch}): {p} passed, {f} failed in "
          f"{time.time() - start:.1f}s", flush=True)
    passed, failed = passed + p, failed + f
    smoke = subprocess.run(cross(arch, "smoke", "dist-check"), cwd=ROOT, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=900)
    ok = smoke.returncode == 0
    lines = smoke.stdout.splitlines()
    shown = lines[-200:] if not ok else [l for l in lines if " ... " in l or "board smoke" in l
                                         or "dist-check" in l or "maps at most" in l]
    sys.stdout.write("".join(l + "\n" for l in shown))
    ran = re.search(r"Ran (\d+) test", smoke.stdout)
    n = int(ran.group(1)) if ran else 1
    print(f"[boards] smoke test and tarball check under qemu ({arch}): {'ok' if ok else 'FAILED'}",
          flush=True)
    if not ok:
        FAILURES.append(f"[boards] smoke/dist-check {arch}: " + " | ".join(
            l for l in lines if "FAIL" in l or "Error" in l)[-400:])
    return passed + (n if ok else 0), failed + (0 if ok else max(1, n))


class TimedResult(unittest.TextTestResult):
    """Keeps each test's wall time: the slowest are named in the closing lines."""
    durations = []

    def startTest(self, test):
        self._started = time.time()
        super().startTest(test)

    def stopTest(self, test):
        TimedResult.durations.append((time.time() - self._started, test.id()))
        super().stopTest(test)


def run_integration(build, pattern):
    os.environ["SRS_BUILD"] = os.path.join(ROOT, build)
    sys.path.insert(0, os.path.join(ROOT, "t", "integration"))
    loader = unittest.TestLoader()
    if pattern:
        loader.testNamePatterns = [f"*{pattern}*"]
    suite = loader.discover(os.path.join(ROOT, "t", "integration"), pattern="test_*.py",
                            top_level_dir=os.path.join(ROOT, "t", "integration"))
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout,
                                     resultclass=TimedResult).run(suite)
    slowest = sorted(TimedResult.durations, reverse=True)[:8]
    TIMES.append("slowest integration tests: " + ", ".join(
        f"{name.split('.', 1)[-1]} {secs:.0f} s" for secs, name in slowest))
    failed = len(result.failures) + len(result.errors)
    for test, trace in result.failures + result.errors:
        FAILURES.append(f"[integration] {test.id()}: {trace.strip().splitlines()[-1][:200]}")
    skipped = len(result.skipped)
    return result.testsRun - failed - skipped, failed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--only", choices=["unit", "checks", "integration", "boards"])
    ap.add_argument("-k", dest="pattern")
    ap.add_argument("--since", type=float, help="when make test started (seconds since the epoch)")
    args = ap.parse_args()
    run_started = time.time()
    passed = failed = 0
    boards = None
    if args.only in (None, "boards") and not args.pattern:
        arch = board_arch()
        boards = start_board_builds(arch)
    if args.only in (None, "unit"):
        for build, label in ((args.build, "unit"), ("build-address", "unit asan+ubsan"),
                             ("build-thread", "unit tsan")):
            p, f = timed(label, run_doctest, os.path.join(ROOT, build, "unit-tests"), label)
            passed, failed = passed + p, failed + f
    if args.only in (None, "checks"):
        p, f = timed("checks", run_checks, args.build)
        passed, failed = passed + p, failed + f
    if args.only in (None, "integration"):
        p, f = timed("integration", run_integration, args.build, args.pattern)
        passed, failed = passed + p, failed + f
    if boards:
        p, f = timed(f"boards {arch} (after the rest)", finish_boards, arch, boards)
        passed, failed = passed + p, failed + f
    if args.since:
        TIMES.insert(0, f"set-up and builds {run_started - args.since:.0f} s")
        TIMES.append(f"make test in all {time.time() - args.since:.0f} s")
    print("times: " + ", ".join(TIMES))
    for line in FAILURES:
        print(f"failed: {line}")
    print(f"tests: {passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
