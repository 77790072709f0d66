"""The shared-memory media ring across real processes (issue #3): runs
build/ring-stress (1 writer, 8 readers, random records up to 1 MiB, slow
readers lapped, the writer SIGKILLed mid-write, then the stream ended through
the registry as the master does it: reclaim_worker, sweep) and checks that
every reader verified its records and ended cleanly.
Stdlib only; SRS_BUILD names the build directory (default "build")."""
import os
import re
import subprocess
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("SRS_BUILD", os.path.join(ROOT, "build"))
BINARY = os.path.join(BUILD if os.path.isabs(BUILD) else os.path.join(ROOT, BUILD), "ring-stress")


class RingStressTest(unittest.TestCase):
    def test_processes_never_accept_a_torn_record(self):
        if not os.path.exists(BINARY):
            self.skipTest(f"{BINARY} not built")
        proc = subprocess.run([BINARY, "--seconds", "5", "--capacity-mib", "64", "--readers", "8", "--slow", "3"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
        out = proc.stdout
        self.assertEqual(proc.returncode, 0, out)
        self.assertRegex(out, r"writer: killed after [\d.]+ s \(SIGKILL\)", out)
        self.assertRegex(out, r"master: reclaim_worker: 1 stream\(s\) lost; sweep after \d+ s of grace: 1 ended",
                         out)
        readers = re.findall(r"^reader (\d+).*?: ended cleanly, (\d+) records .* (\d+) corrupt, (\d+) sequence gaps",
                             out, re.M)
        self.assertEqual(len(readers), 8, out)
        for _, records, corrupt, gaps in readers:
            self.assertGreater(int(records), 0, out)
            self.assertEqual(int(corrupt), 0, out)
            self.assertEqual(int(gaps), 0, out)
        m = re.search(r"^ring-stress: OK: (\d+) records verified by 8 readers, 0 corrupt, 0 failures$", out, re.M)
        self.assertIsNotNone(m, out)
        self.assertGreater(int(m.group(1)), 1000, out)

    def test_bad_options_are_refused(self):
        if not os.path.exists(BINARY):
            self.skipTest(f"{BINARY} not built")
        proc = subprocess.run([BINARY, "--capacity-mib", "3"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, timeout=10)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("power of two", proc.stderr)


if __name__ == "__main__":
    unittest.main()
