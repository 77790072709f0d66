"""What /proc says about a server's processes, for the soak test (soak.py):
each process's RSS and open descriptors, and which TCP connections of the
server's ports it holds (so that a killed worker's connections are known by
their peer port before it dies). Python 3 standard library only; Linux only.
"""
import os

TCP_ESTABLISHED = "01"
TCP_LISTEN = "0A"


def rss_kb(pid):
    """VmRSS of one process in KiB (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def socket_inodes(pid):
    """(number of open fds, [socket inode, ...]) of one process; (0, []) when it is gone."""
    try:
        names = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return 0, []
    inodes = []
    for name in names:
        try:
            target = os.readlink(f"/proc/{pid}/fd/{name}")
        except OSError:
            continue  # closed while we looked
        if target.startswith("socket:["):
            inodes.append(int(target[8:-1]))
    return len(names), inodes


def tcp_table(pid):
    """{inode: (local port, remote port, state hex)} of every TCP socket in the
    network namespace of `pid` (/proc/PID/net/tcp and tcp6)."""
    table = {}
    for name in ("tcp", "tcp6"):
        try:
            with open(f"/proc/{pid}/net/{name}") as f:
                next(f)
                for line in f:
                    fields = line.split()
                    if len(fields) < 10:
                        continue
                    local, remote, state, inode = fields[1], fields[2], fields[3], int(fields[9])
                    if inode == 0:
                        continue  # TIME_WAIT and the like: no socket behind them
                    table[inode] = (int(local.rsplit(":", 1)[1], 16),
                                    int(remote.rsplit(":", 1)[1], 16), state)
        except (OSError, StopIteration):
            continue
    return table


def client_ports(pid, server_ports):
    """(server port, peer port) of each established connection `pid` holds on
    one of `server_ports` (the server's RTMP and HTTP ports): one per client.
    Both ports, because a client port number can serve two connections at
    once, one to each server port. Meant for a stopped process, whose sockets
    cannot change while they are read."""
    table = tcp_table(pid)
    _, inodes = socket_inodes(pid)
    out = set()
    for inode in inodes:
        entry = table.get(inode)
        if entry and entry[0] in server_ports and entry[2] == TCP_ESTABLISHED:
            out.add((entry[0], entry[1]))
    return out


def process_sample(pid, server_ports, table):
    """One process: {pid, rss_kb, fds, client_sockets} (client sockets: fds
    that are connections on the server's ports, in any state but LISTEN)."""
    fds, inodes = socket_inodes(pid)
    clients = 0
    for inode in inodes:
        entry = table.get(inode)
        if entry and entry[0] in server_ports and entry[2] != TCP_LISTEN:
            clients += 1
    return {"pid": pid, "rss_kb": rss_kb(pid), "fds": fds, "client_sockets": clients}


def shm_segments(master_pid):
    """The ring segments of the server whose master is `master_pid`:
    /dev/shm/srs.<master pid>.<random hex>.<slot>.<epoch> (shm/segment.hpp)."""
    prefix = f"srs.{master_pid}."
    try:
        return sorted(n for n in os.listdir("/dev/shm") if n.startswith(prefix))
    except OSError:
        return []


def alive(pid):
    """True while `pid` exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False
