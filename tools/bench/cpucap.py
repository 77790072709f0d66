"""CPU caps for the capacity run: one CPU cgroup per process, each with the same
CFS quota, so that each srs worker is a small "virtual core" of its own.

cgroup v1 (cpu controller mounted at /sys/fs/cgroup/cpu): cpu.cfs_period_us,
cpu.cfs_quota_us, cgroup.procs, cpu.stat. cgroup v2 (when
/sys/fs/cgroup/cgroup.controllers lists cpu): cpu.max ("QUOTA PERIOD"),
cgroup.procs, cpu.stat. The groups are created uncapped; set() applies the
quota later (after the ramp), and remove() moves the processes back where they
were and removes the groups. Python 3 standard library only.

    caps = CpuCaps.create("srs-bench-1234")   # raises Unavailable("why")
    caps.add(pid) ...; caps.set(quota_us, period_us); ...; caps.remove()
"""
import math
import os
import time

V1 = "/sys/fs/cgroup/cpu"
V2 = "/sys/fs/cgroup"
MIN_QUOTA_US = 1000       # the kernel refuses a smaller cfs quota
MIN_PERIOD_US = 1000
MAX_PERIOD_US = 1000000
DEFAULT_PERIOD_US = 100000


class Unavailable(Exception):
    """No writable CPU cgroup here; the message says why."""


def quota_for(share):
    """(quota_us, period_us) giving `share` of one core: the default 100 ms period,
    lengthened when the quota would be under the kernel's 1 ms minimum (at most
    1 s; below 0.1% of a core the quota stays at 1 ms per second)."""
    if share <= 0:
        raise ValueError("a CPU share must be positive")
    period = DEFAULT_PERIOD_US
    if share * period < MIN_QUOTA_US:
        period = min(MAX_PERIOD_US, math.ceil(MIN_QUOTA_US / share))
    quota = max(MIN_QUOTA_US, round(share * period))
    return quota, period


def _write(path, text):
    with open(path, "w") as f:
        f.write(text)


def _read(path):
    with open(path) as f:
        return f.read()


def hierarchy():
    """('v1' | 'v2', root) of the CPU controller, or raises Unavailable."""
    if os.path.exists(os.path.join(V1, "cpu.cfs_quota_us")):
        return "v1", V1
    try:
        if "cpu" in _read(os.path.join(V2, "cgroup.controllers")).split():
            return "v2", V2
    except OSError:
        pass
    raise Unavailable("no CPU cgroup controller: neither /sys/fs/cgroup/cpu (v1) nor cpu in "
                      "/sys/fs/cgroup/cgroup.controllers (v2)")


def current_group(pid, version):
    """The path of pid's CPU cgroup under the controller's root ('/' for the root)."""
    for line in _read(f"/proc/{pid}/cgroup").splitlines():
        _, controllers, path = line.split(":", 2)
        names = controllers.split(",")
        if (version == "v1" and "cpu" in names) or (version == "v2" and controllers == ""):
            return path
    return "/"


class CpuCaps:
    """One CPU cgroup per added process, all under `prefix`."""

    def __init__(self, version, root, prefix):
        self.version, self.root, self.prefix = version, root, prefix
        self.groups = []  # (dir, pid, the pid's previous group)

    @classmethod
    def create(cls, prefix):
        version, root = hierarchy()
        probe = os.path.join(root, f"{prefix}-probe")
        try:
            if version == "v2":
                _write(os.path.join(root, "cgroup.subtree_control"), "+cpu")
            os.mkdir(probe)
            os.rmdir(probe)
        except OSError as e:
            raise Unavailable(f"cannot create a CPU cgroup in {root}: {e.strerror}") from None
        return cls(version, root, prefix)

    def add(self, pid):
        """A group of its own for pid (uncapped until set())."""
        d = os.path.join(self.root, f"{self.prefix}-{len(self.groups)}")
        previous = current_group(pid, self.version)
        os.mkdir(d)
        self.groups.append((d, pid, previous))
        _write(os.path.join(d, "cgroup.procs"), str(pid))
        return d

    def set(self, quota_us, period_us):
        """The same quota for every group."""
        for d, _, _ in self.groups:
            if self.version == "v2":
                _write(os.path.join(d, "cpu.max"), f"{quota_us} {period_us}")
                continue
            # The period first: a quota over a shorter old period is still valid.
            _write(os.path.join(d, "cpu.cfs_period_us"), str(period_us))
            _write(os.path.join(d, "cpu.cfs_quota_us"), str(quota_us))

    def stats(self):
        """Per group: {pid, nr_periods, nr_throttled, throttled_s} from cpu.stat."""
        out = []
        for d, pid, _ in self.groups:
            row = {"pid": pid}
            try:
                for line in _read(os.path.join(d, "cpu.stat")).splitlines():
                    key, value = line.split()
                    row[key] = int(value)
            except (OSError, ValueError):
                pass
            # v1 counts throttled time in ns, v2 in us.
            if "throttled_time" in row:
                row["throttled_s"] = round(row.pop("throttled_time") / 1e9, 3)
            elif "throttled_usec" in row:
                row["throttled_s"] = round(row.pop("throttled_usec") / 1e6, 3)
            out.append({k: row[k] for k in ("pid", "nr_periods", "nr_throttled", "throttled_s")
                        if k in row})
        return out

    def remove(self):
        """Every process back in its previous group (those that still run), then
        every group removed. Errors are returned, not raised: this runs in finally."""
        errors = []
        for d, pid, previous in self.groups:
            back = os.path.join(self.root, previous.lstrip("/"), "cgroup.procs")
            try:
                for p in _read(os.path.join(d, "cgroup.procs")).split():
                    _write(back, p)
            except OSError as e:
                if os.path.isdir(d) and os.path.exists(f"/proc/{pid}"):
                    errors.append(f"moving {pid} out of {d}: {e.strerror}")
            for _ in range(50):  # an exiting process leaves its group a moment later
                try:
                    os.rmdir(d)
                    break
                except FileNotFoundError:
                    break
                except OSError as e:
                    last = e
                    time.sleep(0.1)
            else:
                errors.append(f"rmdir {d}: {last.strerror}")
        self.groups = []
        return errors
