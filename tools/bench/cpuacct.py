"""CPU accounting of a server's process tree in nanoseconds, through a cgroup v1
cpuacct group of its own (cpuacct.usage): /proc/PID/stat counts whole 10 ms
ticks per process, which is up to ±15% of a steady window's 0.1 to 0.2 CPU-s.
Processes the server forks later inherit the group. Where cpuacct is not
mounted or not writable, create() returns None and run.py reads /proc instead.

    acct = CpuAccount.create("srs-bench-1234-acct", pids)
    acct.seconds(); ...; acct.remove()
"""
import os
import time

ROOT = "/sys/fs/cgroup/cpuacct"


def _write(path, text):
    with open(path, "w") as f:
        f.write(text)


def _previous(pid):
    """pid's cpuacct group path ('/' for the root)."""
    try:
        with open(f"/proc/{pid}/cgroup") as f:
            for line in f:
                _, controllers, path = line.strip().split(":", 2)
                if "cpuacct" in controllers.split(","):
                    return path
    except OSError:
        pass
    return "/"


class CpuAccount:
    def __init__(self, path, back):
        self.path, self.back = path, back

    @classmethod
    def create(cls, name, pids):
        """A group holding pids, or None when cpuacct cannot be used here."""
        if not pids or not os.path.exists(os.path.join(ROOT, "cpuacct.usage")):
            return None
        back = os.path.join(ROOT, _previous(pids[0]).lstrip("/"), "cgroup.procs")
        path = os.path.join(ROOT, name)
        try:
            os.mkdir(path)
        except OSError:
            return None
        acct = cls(path, back)
        try:
            for p in pids:
                _write(os.path.join(path, "cgroup.procs"), str(p))
        except OSError:
            acct.remove()
            return None
        return acct

    def seconds(self):
        with open(os.path.join(self.path, "cpuacct.usage")) as f:
            return int(f.read()) / 1e9

    def remove(self):
        """Processes still running go back to their group; the group is removed."""
        try:
            with open(os.path.join(self.path, "cgroup.procs")) as f:
                for p in f.read().split():
                    try:
                        _write(self.back, p)
                    except OSError:
                        pass  # it exited meanwhile
        except OSError:
            pass
        for _ in range(50):
            try:
                os.rmdir(self.path)
                return
            except FileNotFoundError:
                return
            except OSError:
                time.sleep(0.1)
