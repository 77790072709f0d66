#!/usr/bin/env python3
"""hls_check: a conformance checker for live HLS (RFC 8216) with MPEG-TS
segments (ISO/IEC 13818-1), python3 standard library only.

Given a playlist URL (http://...), a playlist file or a directory (every
*.m3u8 below it), it fetches the playlist repeatedly for --duration seconds
(once for files unless --duration is given), downloads every segment listed
and reports every violation with the segment and packet index:

  playlist   #EXTM3U first; EXT-X-TARGETDURATION present and constant across
             fetches (RFC 8216 4.3.3.1); every EXTINF rounded <= it; VERSION
             >= 3 with decimal EXTINF (7); MEDIA-SEQUENCE never decreases and a
             number always names the same URI (6.2.2); DISCONTINUITY-SEQUENCE
             grows by the discontinuities removed (6.2.2); after a removal the
             playlist lasts >= 3 target durations (6.2.2); a removed segment is
             still downloadable (6.2.2).
  segment    188-byte packets with sync bytes; PAT then PMT first (RFC 8216
             3.2), with valid CRC_32; the first video frame is a keyframe
             (random_access_indicator or an IDR/IRAP NAL unit); continuity
             counters continuous within and across consecutive segments per PID
             (2.4.3.3), except at EXT-X-DISCONTINUITY; PCR spacing <= 100 ms
             (2.7.2) and PCR <= DTS of the PES that follows; DTS monotonic per
             PID within and across segments, PTS >= DTS.

Exit status: 0 when clean, 1 on any violation, 2 on usage errors.
Usage: hls_check.py [--duration S] [--interval S] [--json FILE|-] [--max-pcr-ms 100]
                    [--pcr-tolerance-ms 100] [--quiet] URL|FILE|DIR
"""
import argparse
import json
import math
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

TS = 188
VIDEO_TYPES = {0x1B: "h264", 0x24: "hevc"}
AUDIO_TYPES = {0x0F: "aac", 0x03: "mp3", 0x04: "mp3"}


def crc32_mpeg2(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) & 0xFFFFFFFF if crc & 0x80000000 else (crc << 1) & 0xFFFFFFFF
    return crc


class Report:
    def __init__(self):
        self.violations = []
        self.segments = 0
        self.fetches = 0
        self.playlists = []

    def add(self, check, where, message, packet=None):
        v = {"check": check, "where": where, "message": message}
        if packet is not None:
            v["packet"] = packet
        self.violations.append(v)


# ---------------------------------------------------------------------------
# Fetching: http(s) URLs and local files behave the same.

def is_url(s):
    return s.startswith("http://") or s.startswith("https://")


def fetch(loc, timeout=10.0):
    """Returns the bytes at `loc`, or None when missing (404 / no file)."""
    if is_url(loc):
        try:
            with urllib.request.urlopen(loc, timeout=timeout) as r:
                return r.read()
        except urllib.error.HTTPError:
            return None
        except (urllib.error.URLError, OSError):
            return None
    try:
        with open(loc, "rb") as f:
            return f.read()
    except OSError:
        return None


def resolve(playlist_loc, uri, root):
    if is_url(uri):
        return uri
    if is_url(playlist_loc):
        return urllib.parse.urljoin(playlist_loc, uri)
    if uri.startswith("/"):
        return os.path.join(root, uri.lstrip("/"))
    return os.path.join(os.path.dirname(playlist_loc), uri)


# ---------------------------------------------------------------------------
# Playlist parsing (RFC 8216 4.3).

def parse_playlist(text):
    pl = {"ok_header": False, "target": None, "media_sequence": 0, "disc_sequence": 0,
          "version": 1, "endlist": False, "segments": [], "decimal": False}
    lines = [ln.strip() for ln in text.splitlines()]
    pl["ok_header"] = bool(lines) and lines[0] == "#EXTM3U"
    duration = None
    disc = False
    for ln in lines:
        if ln.startswith("#EXT-X-TARGETDURATION:"):
            pl["target"] = int(ln.split(":", 1)[1])
        elif ln.startswith("#EXT-X-MEDIA-SEQUENCE:"):
            pl["media_sequence"] = int(ln.split(":", 1)[1])
        elif ln.startswith("#EXT-X-DISCONTINUITY-SEQUENCE:"):
            pl["disc_sequence"] = int(ln.split(":", 1)[1])
        elif ln.startswith("#EXT-X-VERSION:"):
            pl["version"] = int(ln.split(":", 1)[1])
        elif ln == "#EXT-X-ENDLIST":
            pl["endlist"] = True
        elif ln == "#EXT-X-DISCONTINUITY":
            disc = True
        elif ln.startswith("#EXTINF:"):
            value = ln.split(":", 1)[1].split(",", 1)[0]
            pl["decimal"] |= "." in value
            duration = float(value)
        elif ln and not ln.startswith("#"):
            seq = pl["media_sequence"] + len(pl["segments"])
            pl["segments"].append({"uri": ln, "duration": duration or 0.0, "disc": disc, "seq": seq})
            duration, disc = None, False
    return pl


class PlaylistChecker:
    """Checks one playlist across fetches."""

    def __init__(self, loc, root, report, opts):
        self.loc, self.root, self.report, self.opts = loc, root, report, opts
        self.target = None
        self.last = None
        self.uris = {}       # media sequence -> URI
        self.seen = {}       # media sequence -> segment entry
        self.checked = set()
        self.ts = TsChecker(report, opts)

    def poll(self):
        data = fetch(self.loc)
        self.report.fetches += 1
        name = os.path.basename(urllib.parse.urlparse(self.loc).path) or self.loc
        if data is None:
            self.report.add("playlist-fetch", name, "playlist not downloadable")
            return None
        pl = parse_playlist(data.decode("utf-8", "replace"))
        self.check_playlist(pl, name)
        self.check_removed(pl, name)
        for seg in pl["segments"]:
            self.seen.setdefault(seg["seq"], seg)
        self.check_segments(pl)
        self.last = pl
        return pl

    def check_playlist(self, pl, name):
        add = self.report.add
        if not pl["ok_header"]:
            add("playlist-header", name, "first line is not #EXTM3U")
        if pl["target"] is None:
            add("target-duration", name, "no EXT-X-TARGETDURATION")
            return
        if self.target is None:
            self.target = pl["target"]
        elif pl["target"] != self.target:
            add("target-duration", name, f"EXT-X-TARGETDURATION changed from {self.target} to {pl['target']}")
        if pl["decimal"] and pl["version"] < 3:
            add("version", name, f"decimal EXTINF needs EXT-X-VERSION >= 3, have {pl['version']}")
        for seg in pl["segments"]:
            if math.floor(seg["duration"] + 0.5) > pl["target"]:
                add("extinf", seg["uri"], f"EXTINF {seg['duration']:.3f} rounds above target {pl['target']}")
            old = self.uris.setdefault(seg["seq"], seg["uri"])
            if old != seg["uri"]:
                add("media-sequence", seg["uri"], f"sequence {seg['seq']} was {old}, now {seg['uri']}")
        last = self.last
        if last is None:
            return
        if pl["media_sequence"] < last["media_sequence"]:
            add("media-sequence", name,
                f"EXT-X-MEDIA-SEQUENCE went back from {last['media_sequence']} to {pl['media_sequence']}")
            return
        removed = [s for s in last["segments"] if s["seq"] < pl["media_sequence"]]
        if removed:
            gone_disc = sum(1 for s in removed if s["disc"])
            # Segments removed before we first fetched cannot be counted; only check growth we saw.
            expect = last["disc_sequence"] + gone_disc
            if len(removed) == pl["media_sequence"] - last["media_sequence"] and pl["disc_sequence"] != expect:
                add("discontinuity-sequence", name,
                    f"EXT-X-DISCONTINUITY-SEQUENCE {pl['disc_sequence']}, expected {expect}")
            total = sum(s["duration"] for s in pl["segments"])
            if not pl["endlist"] and total < 3 * pl["target"] - 1e-6:
                add("window", name, f"after a removal the playlist lasts {total:.3f} s < 3 x {pl['target']}")

    def check_removed(self, pl, name):
        if self.last is None:
            return
        for s in self.last["segments"]:
            if s["seq"] >= pl["media_sequence"]:
                continue
            if fetch(resolve(self.loc, s["uri"], self.root)) is None:
                self.report.add("removed-too-early", s["uri"],
                                "a segment that just left the playlist is no longer downloadable")

    def check_segments(self, pl):
        for seg in pl["segments"]:
            if seg["seq"] in self.checked:
                continue
            data = fetch(resolve(self.loc, seg["uri"], self.root))
            if data is None:
                self.report.add("segment-fetch", seg["uri"], "segment listed but not downloadable")
                self.checked.add(seg["seq"])
                continue
            prev_ok = (seg["seq"] - 1) in self.checked and not seg["disc"]
            self.ts.check(seg["uri"], data, seg["seq"], prev_ok)
            self.checked.add(seg["seq"])
            self.report.segments += 1


# ---------------------------------------------------------------------------
# MPEG-TS (ISO/IEC 13818-1).

def read_ts(b):
    return (((b[0] >> 1) & 7) << 30) | (b[1] << 22) | ((b[2] >> 1) << 15) | (b[3] << 7) | (b[4] >> 1)


def section_ok(payload):
    """Returns the PSI section (pointer_field skipped) and whether its CRC is right."""
    if not payload:
        return None, False
    start = 1 + payload[0]
    sec = payload[start:]
    if len(sec) < 3:
        return None, False
    length = ((sec[1] & 0x0F) << 8) | sec[2]
    sec = sec[:3 + length]
    return sec, len(sec) == 3 + length and crc32_mpeg2(sec) == 0


def has_keyframe_nal(es, kind):
    i = 0
    n = len(es)
    while True:
        i = es.find(b"\x00\x00\x01", i)
        if i < 0 or i + 3 >= n:
            return False
        b = es[i + 3]
        if kind == "h264" and (b & 0x1F) == 5:
            return True
        if kind == "hevc" and 16 <= ((b >> 1) & 0x3F) <= 23:
            return True
        i += 3


class TsChecker:
    """Checks segments; keeps each segment's end state for the next one."""

    def __init__(self, report, opts):
        self.report, self.opts = report, opts
        self.ends = {}  # seq -> {"cc": {pid: cc}, "pcr": v, "dts": {pid: v}}

    def check(self, name, data, seq, prev_ok):
        prev = self.ends.get(seq - 1) if prev_ok else None
        st = SegmentState(name, self.report, self.opts, prev)
        st.run(data)
        self.ends[seq] = {"cc": st.cc, "pcr": st.last_pcr, "dts": st.last_dts}
        self.ends.pop(seq - 2, None)


class SegmentState:
    def __init__(self, name, report, opts, prev):
        self.name, self.report, self.opts = name, report, opts
        self.cc = dict(prev["cc"]) if prev else {}
        self.last_pcr = prev["pcr"] if prev else None
        self.last_dts = dict(prev["dts"]) if prev else {}
        self.pmt_pid = None
        self.streams = {}
        self.pcr_pid = None
        self.video_pid = None
        self.first_video = None  # bytearray of the first video PES, while collecting
        self.first_video_rai = False
        self.first_video_done = False

    def add(self, check, message, packet):
        self.report.add(check, self.name, message, packet)

    def run(self, data):
        if len(data) % TS:
            self.add("packet-size", f"{len(data)} bytes is not a multiple of 188", None)
        count = len(data) // TS
        for idx in range(count):
            self.packet(idx, data[idx * TS:(idx + 1) * TS])
        if count < 2:
            self.add("pat-pmt", "fewer than two packets", None)
        self.finish_first_video(count)

    def packet(self, idx, p):
        if p[0] != 0x47:
            self.add("sync", f"sync byte 0x{p[0]:02x}", idx)
            return
        pusi = bool(p[1] & 0x40)
        pid = ((p[1] & 0x1F) << 8) | p[2]
        afc = (p[3] >> 4) & 3
        cc = p[3] & 0x0F
        pos, rai, pcr, disc = 4, False, None, False
        if afc & 2:
            alen = p[4]
            if alen > 0:
                flags = p[5]
                disc, rai = bool(flags & 0x80), bool(flags & 0x40)
                if flags & 0x10 and alen >= 7:
                    b = p[6:12]
                    base = (b[0] << 25) | (b[1] << 17) | (b[2] << 9) | (b[3] << 1) | (b[4] >> 7)
                    pcr = base + (((b[4] & 1) << 8) | b[5]) / 300.0  # 90 kHz units
            pos = 5 + alen
        payload = p[pos:] if afc & 1 else b""
        self.check_first_two(idx, pid, pusi)
        self.check_cc(idx, pid, afc, cc, disc)
        if pcr is not None and pid == self.pcr_pid:
            self.check_pcr(idx, pcr)
        if pid == 0 and pusi:
            self.parse_pat(idx, payload)
        elif pid == self.pmt_pid and pusi:
            self.parse_pmt(idx, payload)
        elif pid in self.streams:
            self.es_packet(idx, pid, pusi, rai, payload)

    def check_first_two(self, idx, pid, pusi):
        if idx == 0 and (pid != 0 or not pusi):
            self.add("pat-pmt", f"first packet is PID 0x{pid:x}, not the PAT", idx)
        if idx == 1 and (self.pmt_pid is None or pid != self.pmt_pid or not pusi):
            self.add("pat-pmt", f"second packet is PID 0x{pid:x}, not the PMT", idx)

    def check_cc(self, idx, pid, afc, cc, disc):
        if pid == 0x1FFF:
            return
        last = self.cc.get(pid)
        if afc & 1:
            if last is not None and cc != (last + 1) & 0x0F and not disc:
                self.add("continuity", f"PID 0x{pid:x} CC {cc} after {last}", idx)
            self.cc[pid] = cc
        elif last is not None and cc != last and not disc:
            self.add("continuity", f"PID 0x{pid:x} CC {cc} on a packet without payload after {last}", idx)

    def check_pcr(self, idx, pcr):
        last = self.last_pcr
        if last is not None and last - pcr < 2 ** 32:  # ignore a 33-bit wrap
            gap_ms = (pcr - last) / 90.0
            if gap_ms < 0:
                self.add("pcr", f"PCR went back by {-gap_ms:.1f} ms", idx)
            elif gap_ms > self.opts.max_pcr_ms:
                self.add("pcr", f"PCR gap {gap_ms:.1f} ms > {self.opts.max_pcr_ms} ms", idx)
        self.last_pcr = pcr

    def parse_pat(self, idx, payload):
        sec, ok = section_ok(payload)
        if not ok:
            self.add("pat-pmt", "PAT section truncated or CRC_32 wrong", idx)
        if not sec or len(sec) < 12:
            return
        for i in range(8, len(sec) - 4, 4):
            if (sec[i] << 8 | sec[i + 1]) != 0:
                self.pmt_pid = ((sec[i + 2] & 0x1F) << 8) | sec[i + 3]

    def parse_pmt(self, idx, payload):
        sec, ok = section_ok(payload)
        if not ok:
            self.add("pat-pmt", "PMT section truncated or CRC_32 wrong", idx)
        if not sec or len(sec) < 16:
            return
        self.pcr_pid = ((sec[8] & 0x1F) << 8) | sec[9]
        i = 12 + (((sec[10] & 0x0F) << 8) | sec[11])
        while i + 5 <= len(sec) - 4:
            stype, pid = sec[i], ((sec[i + 1] & 0x1F) << 8) | sec[i + 2]
            self.streams[pid] = stype
            if stype in VIDEO_TYPES and self.video_pid is None:
                self.video_pid = pid
            i += 5 + (((sec[i + 3] & 0x0F) << 8) | sec[i + 4])

    def es_packet(self, idx, pid, pusi, rai, payload):
        if pid == self.video_pid and not self.first_video_done:
            if pusi and self.first_video is not None:
                self.finish_first_video(idx)
            elif pusi:
                self.first_video = bytearray(payload)
                self.first_video_rai = rai
                self.first_video_idx = idx
            elif self.first_video is not None:
                self.first_video += payload
        if pusi:
            self.pes_start(idx, pid, payload)

    def finish_first_video(self, idx):
        if self.first_video_done or self.first_video is None:
            return
        self.first_video_done = True
        es = bytes(self.first_video)
        hlen = 9 + es[8] if len(es) > 9 else len(es)
        kind = VIDEO_TYPES.get(self.streams.get(self.video_pid))
        if not self.first_video_rai and not has_keyframe_nal(es[hlen:], kind):
            self.add("first-keyframe", "the first video frame is not a keyframe", self.first_video_idx)

    def pes_start(self, idx, pid, payload):
        if len(payload) < 9 or payload[:3] != b"\x00\x00\x01":
            self.add("pes", f"PID 0x{pid:x} payload unit without a PES start code", idx)
            return
        flags = payload[7]
        if not flags & 0x80:
            return
        pts = read_ts(payload[9:14])
        dts = read_ts(payload[14:19]) if flags & 0x40 else pts
        if pts < dts:
            self.add("pts-dts", f"PID 0x{pid:x} PTS {pts} < DTS {dts}", idx)
        last = self.last_dts.get(pid)
        if last is not None and dts < last and last - dts < 2 ** 32:
            self.add("dts-monotonic", f"PID 0x{pid:x} DTS {dts} after {last} ({(last - dts) / 90:.1f} ms back)", idx)
        self.last_dts[pid] = dts
        if self.last_pcr is None:
            return
        tolerance = 0 if pid == self.pcr_pid else self.opts.pcr_tolerance_ms * 90
        if self.last_pcr > dts + tolerance and self.last_pcr - dts < 2 ** 32:
            self.add("pcr-dts", f"PID 0x{pid:x} DTS {dts} is {(self.last_pcr - dts) / 90:.1f} ms before PCR", idx)


# ---------------------------------------------------------------------------

def find_playlists(target):
    if is_url(target) or os.path.isfile(target):
        return [(target, os.path.dirname(target) if not is_url(target) else "")]
    found = []
    for dirpath, _, files in os.walk(target):
        for f in files:
            if f.endswith(".m3u8"):
                found.append((os.path.join(dirpath, f), target))
    return sorted(found)


def main(argv=None):
    ap = argparse.ArgumentParser(description="HLS + MPEG-TS conformance checker (RFC 8216, ISO/IEC 13818-1)")
    ap.add_argument("target", help="playlist URL, playlist file, or a directory of playlists")
    ap.add_argument("--duration", type=float, default=None,
                    help="seconds to keep fetching (default: 20 for URLs, one fetch for files)")
    ap.add_argument("--interval", type=float, default=None,
                    help="seconds between fetches (default: half the target duration)")
    ap.add_argument("--max-pcr-ms", type=float, default=100.0, help="largest PCR gap (13818-1 2.7.2)")
    ap.add_argument("--pcr-tolerance-ms", type=float, default=100.0,
                    help="how far a non-PCR PID's DTS may trail the PCR")
    ap.add_argument("--json", metavar="FILE", help="write a JSON report (- for stdout)")
    ap.add_argument("--quiet", action="store_true")
    opts = ap.parse_args(argv)
    playlists = find_playlists(opts.target)
    if not playlists:
        print(f"hls_check: no playlist at {opts.target}", file=sys.stderr)
        return 2
    duration = opts.duration if opts.duration is not None else (20.0 if is_url(opts.target) else 0.0)
    report = Report()
    checkers = [PlaylistChecker(loc, root, report, opts) for loc, root in playlists]
    deadline = time.monotonic() + duration
    while True:
        targets = []
        for c in checkers:
            pl = c.poll()
            if pl and pl["target"]:
                targets.append(pl["target"])
        left = deadline - time.monotonic()
        if left <= 0:
            break
        interval = opts.interval if opts.interval else (min(targets) / 2.0 if targets else 1.0)
        time.sleep(min(interval, left))
    report.playlists = [loc for loc, _ in playlists]
    summary = {"playlists": report.playlists, "fetches": report.fetches, "segments": report.segments,
               "violations": report.violations, "ok": not report.violations}
    if not opts.quiet or not opts.json:
        for v in report.violations:
            pkt = f" packet {v['packet']}" if "packet" in v else ""
            print(f"VIOLATION [{v['check']}] {v['where']}{pkt}: {v['message']}")
        print(f"hls_check: {len(playlists)} playlist(s), {report.fetches} fetch(es), "
              f"{report.segments} segment(s), {len(report.violations)} violation(s)")
    if opts.json:
        text = json.dumps(summary, indent=2)
        if opts.json == "-":
            print(text)
        else:
            with open(opts.json, "w") as f:
                f.write(text + "\n")
    return 1 if report.violations else 0


if __name__ == "__main__":
    sys.exit(main())
