"""A minimal RTMP player for tests that need what the server said, not what
a client made of it: the simple handshake, connect, createStream and play,
then every AMF0 command the server sends, decoded.

    player = RtmpPlayer("127.0.0.2", port, "live", "cam")
    commands = player.play(until=lambda cs: any(c[0] == "onStatus" for c in cs))
    # [("_result", [1.0, {...}, {...}]), ..., ("onStatus", [0.0, None, {...}])]

RTMP 1.0 (Adobe, 2012) section 5.2 (handshake), 5.3 (chunks), 5.4.1 (Set
Chunk Size), 7.2 (commands); AMF0 (Adobe, 2007) section 2. Media messages are
read and dropped; the socket has a timeout, so every read is bounded."""
import os
import socket
import struct


def amf0(value):
    """value as AMF0: None, bool, a number, a str or a dict (an object)."""
    if value is None:
        return b"\x05"
    if isinstance(value, bool):
        return b"\x01" + bytes([value])
    if isinstance(value, (int, float)):
        return b"\x00" + struct.pack(">d", value)
    if isinstance(value, str):
        data = value.encode()
        return b"\x02" + struct.pack(">H", len(data)) + data
    if isinstance(value, dict):
        body = b"".join(struct.pack(">H", len(k)) + k.encode() + amf0(v) for k, v in value.items())
        return b"\x03" + body + b"\x00\x00\x09"
    raise TypeError(value)


class Amf0Reader:
    """Decodes the AMF0 values of a message body (the markers a server sends
    in commands and metadata)."""

    def __init__(self, data):
        self.data, self.pos = data, 0

    def take(self, n):
        if self.pos + n > len(self.data):
            raise ValueError(f"AMF0 value past the end ({self.pos} + {n} > {len(self.data)})")
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def key(self):
        return self.take(struct.unpack(">H", self.take(2))[0]).decode()

    def properties(self):
        out = {}
        while True:
            name = self.key()
            if not name and self.data[self.pos] == 0x09:
                self.pos += 1
                return out
            out[name] = self.value()

    def value(self):
        marker = self.take(1)[0]
        if marker == 0x00:
            return struct.unpack(">d", self.take(8))[0]
        if marker == 0x01:
            return self.take(1) != b"\x00"
        if marker == 0x02:
            return self.key()
        if marker == 0x03:
            return self.properties()
        if marker in (0x05, 0x06):
            return None
        if marker == 0x08:
            self.take(4)
            return self.properties()
        if marker == 0x0A:
            return [self.value() for _ in range(struct.unpack(">I", self.take(4))[0])]
        if marker == 0x0C:
            return self.take(struct.unpack(">I", self.take(4))[0]).decode()
        raise ValueError(f"AMF0 marker {marker:#x} at {self.pos - 1}")

    def values(self):
        out = []
        while self.pos < len(self.data):
            out.append(self.value())
        return out


class RtmpPlayer:
    """Plays rtmp://host:port/app/stream and keeps every AMF0 command the
    server sent: [(name, [arguments])] (type 20 messages)."""

    def __init__(self, host, port, app, stream, timeout=10):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.tc_url = f"rtmp://{host}:{port}/{app}"
        self.app, self.stream = app, stream
        self.buf = b""
        self.in_chunk = 128
        self.partial = {}  # csid -> [type, length, stream id, extended timestamp?, body]
        self.commands = []
        self.closed = False

    def close(self):
        self.sock.close()

    def recv(self, n):
        while len(self.buf) < n:
            data = self.sock.recv(65536)
            if not data:
                self.closed = True
                raise EOFError
            self.buf += data
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def handshake(self):
        """The simple handshake: C1 with a zero version, C2 echoing S1."""
        c1 = struct.pack(">II", 0, 0) + os.urandom(1528)
        self.sock.sendall(b"\x03" + c1)
        s0s1s2 = self.recv(1 + 2 * 1536)
        if s0s1s2[0] != 3:
            raise AssertionError(f"S0 is {s0s1s2[0]}, not RTMP 3")
        self.sock.sendall(s0s1s2[1:1537])  # C2 echoes S1

    def send(self, csid, type_id, stream_id, body):
        """One message in 128-byte chunks: a type 0 header, then type 3."""
        out = bytes([csid]) + b"\x00\x00\x00" + len(body).to_bytes(3, "big") + bytes([type_id])
        out += struct.pack("<I", stream_id) + body[:128]
        for at in range(128, len(body), 128):
            out += bytes([0xC0 | csid]) + body[at:at + 128]
        self.sock.sendall(out)

    def command(self, csid, stream_id, name, txn, *args):
        self.send(csid, 20, stream_id, amf0(name) + amf0(txn) + b"".join(amf0(a) for a in args))

    def read_message(self):
        """The next complete message: (type, stream id, body)."""
        while True:
            first = self.recv(1)[0]
            fmt, csid = first >> 6, first & 0x3F
            if csid == 0:
                csid = 64 + self.recv(1)[0]
            elif csid == 1:
                b = self.recv(2)
                csid = 64 + b[0] + 256 * b[1]
            m = self.partial.setdefault(csid, [0, 0, 0, False, b""])
            if fmt <= 2:
                m[3] = self.recv(3) == b"\xff\xff\xff"
                if fmt <= 1:
                    m[1] = int.from_bytes(self.recv(3), "big")
                    m[0] = self.recv(1)[0]
                if fmt == 0:
                    m[2] = struct.unpack("<I", self.recv(4))[0]
            if m[3]:
                self.recv(4)  # the extended timestamp (5.3.1.3), in type 3 chunks too
            m[4] += self.recv(min(self.in_chunk, m[1] - len(m[4])))
            if len(m[4]) < m[1]:
                continue
            body, m[4] = m[4], b""
            if m[0] == 1:  # Set Chunk Size (5.4.1)
                self.in_chunk = struct.unpack(">I", body[:4])[0] & 0x7FFFFFFF
                continue
            return m[0], m[2], body

    def read_until(self, done):
        """Reads until done(commands) or the server closes; the commands."""
        try:
            while not done(self.commands):
                type_id, _, body = self.read_message()
                if type_id == 20:
                    values = Amf0Reader(body).values()
                    self.commands.append((values[0], values[1:]))
        except EOFError:
            pass
        return self.commands

    def play(self, until):
        """connect, createStream, play; reads until until(commands) or the close."""
        self.handshake()
        self.command(3, 0, "connect", 1, {"app": self.app, "flashVer": "LNX 9,0,124,2",
                                          "tcUrl": self.tc_url, "fpad": False,
                                          "capabilities": 15, "audioCodecs": 4071,
                                          "videoCodecs": 252, "videoFunction": 1,
                                          "objectEncoding": 0})
        self.read_until(lambda cs: any(c[0] == "_result" and c[1][0] == 1 for c in cs))
        self.command(3, 0, "createStream", 2, None)
        self.read_until(lambda cs: any(c[0] == "_result" and c[1][0] == 2 for c in cs))
        stream_id = [c for c in self.commands if c[0] == "_result" and c[1][0] == 2][0][1][2]
        self.command(8, int(stream_id), "play", 0, None, self.stream, -2)
        return self.read_until(until)


def statuses(commands):
    """The info objects of the onStatus commands among commands."""
    return [c[1][2] for c in commands if c[0] == "onStatus" and len(c[1]) >= 3]
