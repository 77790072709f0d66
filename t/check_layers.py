#!/usr/bin/env python3
"""Checks the include rules between layers and between the worker's rooms.

Layers (STYLE.md): base/ depends on nothing; conf/, proto/ and shm/ only on
base/; worker/ on everything below it; master/ on conf/, shm/ and one worker
entry point (worker/worker.hpp); tools/ on base/, proto/ and shm/, never on a
worker's insides.

Rooms of worker/ (worker/README.md): a room includes only rooms of a lower
rank, never one of its own rank or above; only the entry point
(worker/worker.cpp) wires the rooms together. The API reads shared memory and
includes no connection type.

Prints one line per violation (file:line: what) and exits 1 when there is any.
Usage: t/check_layers.py [ROOT]
"""
import os
import re
import subprocess
import sys

LAYERS = {
    "base": {"base"},
    "conf": {"base", "conf"},
    "proto": {"base", "proto"},
    "shm": {"base", "shm"},
    "worker": {"base", "conf", "proto", "shm", "worker"},
    "master": {"base", "conf", "shm", "master", "worker"},
    "tools": {"base", "proto", "shm", "tools"},
    "t": None,  # tests may include anything
}

# A room may include rooms of a strictly lower rank (and its own files).
ROOM_RANK = {
    "core": 0,
    "net": 1,
    "hooks": 1,
    "access": 1,
    "stream": 2,
    "output": 3,
    "api": 3,
    "directory": 3,
    "hls": 4,
    "dvr": 4,
    "forward": 4,
    "edge": 4,
    "rtmp": 5,
    "http": 5,
}

# Rules stated on their own, whatever the ranks say.
FORBIDDEN = {
    ("api", "rtmp"): "the API reads shared memory; it includes no connection type",
    ("api", "http"): "the API reads shared memory; it includes no connection type",
}

MASTER_MAY_INCLUDE_FROM_WORKER = {"worker/worker.hpp"}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def tracked_sources(root):
    out = subprocess.run(["git", "ls-files", "*.cpp", "*.hpp"], cwd=root, check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    return [p for p in out.split("\n") if p]


def room_of(path):
    """The room of a worker/ path ('core', 'rtmp'...), '' for the entry point."""
    parts = path.split("/")
    return parts[1] if len(parts) > 2 else ""


def check_worker(path, target):
    """A violation text for worker/ `path` including worker/ `target`, or None."""
    src, dst = room_of(path), room_of(target)
    if src == "":  # the entry point wires every room
        return None
    if dst == "":
        return f"includes {target}: only the master includes the entry point"
    if src not in ROOM_RANK:
        return f"is in worker/{src}/, a room the layer rules do not know (add it to t/check_layers.py)"
    if dst not in ROOM_RANK:
        return f"includes {target}, in a room the layer rules do not know"
    if (src, dst) in FORBIDDEN:
        return f"includes {target}: {FORBIDDEN[(src, dst)]}"
    if src != dst and ROOM_RANK[dst] >= ROOM_RANK[src]:
        return (f"includes {target}: room {src} (rank {ROOM_RANK[src]}) may include only rooms "
                f"of a lower rank, and {dst} has rank {ROOM_RANK[dst]}")
    return None


def check_file(root, path):
    layer = path.split("/")[0]
    if layer not in LAYERS or LAYERS[layer] is None:
        return []
    problems = []
    with open(os.path.join(root, path), encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            target = m.group(1)
            top = target.split("/")[0]
            if "/" not in target or top not in LAYERS:
                continue  # a system or generated header
            why = None
            if top not in LAYERS[layer]:
                why = f"includes {target}: {layer}/ may include only {sorted(LAYERS[layer])}"
            elif layer == "master" and top == "worker" and target not in MASTER_MAY_INCLUDE_FROM_WORKER:
                why = f"includes {target}: the master uses only the worker's entry point"
            elif layer == "worker" and top == "worker":
                why = check_worker(path, target)
            if why:
                problems.append(f"{path}:{number}: {why}")
    return problems


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    problems = []
    for path in tracked_sources(root):
        problems += check_file(root, path)
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} include(s) break the layer rules (t/check_layers.py)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
