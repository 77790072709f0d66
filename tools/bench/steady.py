"""The steady window of one load: the server's CPU and the players' bytes between
the end of the ramp plus 2 s and the end minus 1 s, when every player is
connected and nothing is being set up (handshakes, connects, plays) any more.

The CPU samples are (time.monotonic(), CPU seconds of the server tree) taken by
run.py every 0.5 s; the byte samples are srs-bench's JSON "timeline" (CLOCK_MONOTONIC
seconds, cumulative bytes of all players, once a second). time.monotonic() is
CLOCK_MONOTONIC on Linux, so both cut the same instants. Values at the window's
edges are interpolated linearly between the two samples around them.
"""

SETTLE_S = 2.0  # after the ramp: the last players' first bursts (GOP cache) are over
TAIL_S = 1.0    # before the end: the players stop, the server notices
MIN_WINDOW_S = 2.0


def interpolate(samples, t):
    """The value at t of a series of (t, value), linear between its neighbours;
    None outside the series."""
    if not samples or t < samples[0][0] or t > samples[-1][0]:
        return None
    for (t0, v0), (t1, v1) in zip(samples, samples[1:]):
        if t0 <= t <= t1:
            if t1 == t0:
                return v1
            return v0 + (v1 - v0) * (t - t0) / (t1 - t0)
    return samples[-1][1]


def window(report, start=None):
    """(t0, t1) of the steady window of an srs-bench report, or None when the ramp
    never ended or the window would be too short. start, when given, replaces the
    end of the ramp (a capacity run counts from the moment the cap was set)."""
    ramp_end = start if start is not None else report.get("ramp_end_mono_s", 0)
    end = report.get("end_mono_s", 0)
    if not ramp_end or not end:
        return None
    t0, t1 = ramp_end + SETTLE_S, end - TAIL_S
    if t1 - t0 < MIN_WINDOW_S:
        return None
    return t0, t1


def delta(samples, t0, t1):
    a, b = interpolate(samples, t0), interpolate(samples, t1)
    if a is None or b is None:
        return None
    return b - a


def measure(report, cpu_samples, start=None):
    """The steady figures of one load: window length, server CPU s, Gbit delivered,
    CPU s per Gbit and the CPU share of one core (U). Empty when not measurable."""
    w = window(report, start)
    if w is None:
        return {}
    t0, t1 = w
    timeline = [tuple(s) for s in report.get("timeline", [])]
    cpu = delta(cpu_samples, t0, t1)
    nbytes = delta(timeline, t0, t1)
    if cpu is None or nbytes is None:
        return {}
    gbit = nbytes * 8 / 1e9
    return {
        "steady_window_s": round(t1 - t0, 3),
        "steady_cpu_s": round(cpu, 3),
        "steady_gbit": round(gbit, 3),
        "steady_cpu_per_gbit": round(cpu / gbit, 4) if gbit > 0 else None,
        "steady_cpu_share": round(cpu / (t1 - t0), 4),
        "steady_mbps": round(gbit * 1000 / (t1 - t0), 1),
    }
