"""End to end: a real FLV from ffmpeg through hls-mux (proto/hls Segmenter +
proto/ts Muxer) into segments and a playlist, then checked by real tools
(ffprobe, ffmpeg decoding every frame) and by tools/hls-check/hls_check.py,
both on a finished playlist and live, while hls-mux writes it in real time.

Environment: SRS_BUILD names the build directory (hls-mux is built there).
"""
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest

from harness import wait_until

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, os.environ.get("SRS_BUILD", "build"))
HLS_MUX = os.path.join(BUILD, "hls-mux")
HLS_CHECK = os.path.join(ROOT, "tools", "hls-check", "hls_check.py")
TIMEOUT = 120


def run(cmd, timeout=TIMEOUT):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)


def make_flv(path, seconds, gop, extra=()):
    cmd = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
           "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i", "sine",
           "-c:v", "libx264", "-g", str(gop), "-keyint_min", str(gop), "-sc_threshold", "0",
           "-c:a", "aac", *extra, "-t", str(seconds), "-f", "flv", path]
    r = run(cmd)
    if r.returncode != 0:
        raise RuntimeError(f"ffmpeg could not make {path}: {r.stderr}")


def hevc_flv(path, seconds, legacy):
    """An HEVC-only FLV, which ffmpeg 5.1 cannot write: libx265 Annex B cut
    into access units, carried as E-RTMP `hvc1` tags (or legacy CodecID 12)."""
    data = subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i",
                           "testsrc2=size=320x240:rate=25", "-t", str(seconds), "-c:v", "libx265",
                           "-x265-params", "log-level=error:bframes=0:keyint=25:min-keyint=25:scenecut=0",
                           "-f", "hevc", "-"], stdout=subprocess.PIPE, timeout=TIMEOUT, check=True).stdout
    nals = [n.lstrip(b"\x00") for n in data.split(b"\x00\x00\x01")]
    nals = [n.rstrip(b"\x00") if i + 1 < len(nals) else n for i, n in enumerate(nals) if n]
    params = {32: [], 33: [], 34: []}
    frames = []  # list of (key, [nal...])
    pending = []
    for n in nals:
        t = (n[0] >> 1) & 0x3F
        if t in params:
            if n not in params[t]:
                params[t].append(n)
            continue
        if t == 39:  # prefix SEI: belongs to the next picture
            pending.append(n)
        elif t < 32 and n[2] & 0x80:  # first_slice_segment_in_pic_flag: a new picture
            frames.append((16 <= t <= 23, pending + [n]))
            pending = []
        elif (t < 32 or t == 40) and frames:
            frames[-1][1].append(n)
    rec = bytes([1, 0x01, 0x60, 0, 0, 0, 0x90, 0, 0, 0, 0, 0, 0x5D, 0xF0, 0x00, 0xFC, 0xFD, 0xF8, 0xF8, 0, 0,
                 0x0F, 3])
    for t in (32, 33, 34):
        rec += bytes([0x80 | t]) + struct.pack(">H", len(params[t]))
        for n in params[t]:
            rec += struct.pack(">H", len(n)) + n

    def tag(ts, body):
        head = bytes([9]) + struct.pack(">I", len(body))[1:] + struct.pack(">I", ts)[1:] + bytes([ts >> 24, 0, 0, 0])
        return head + body + struct.pack(">I", 11 + len(body))

    if legacy:
        seq_hdr = bytes([0x1C, 0, 0, 0, 0]) + rec
    else:
        seq_hdr = bytes([0x90]) + b"hvc1" + rec
    out = b"FLV\x01\x01\x00\x00\x00\x09\x00\x00\x00\x00" + tag(0, seq_hdr)
    for i, (key, units) in enumerate(frames):
        payload = b"".join(struct.pack(">I", len(n)) + n for n in units)
        if legacy:
            head = bytes([0x1C if key else 0x2C, 1, 0, 0, 0])
        else:
            head = bytes([0x93 if key else 0xA3]) + b"hvc1"  # CodedFramesX: CTS 0
        out += tag(i * 40, head + payload)
    with open(path, "wb") as f:
        f.write(out)
    return len(frames)


def read_text(path):
    with open(path) as f:
        return f.read()


def check_report(args):
    """Runs hls_check.py; returns (exit status, JSON report)."""
    fd, report = tempfile.mkstemp(suffix=".json")
    os.close(fd)
    try:
        r = run([sys.executable, HLS_CHECK, "--json", report, "--quiet", *args])
        with open(report) as f:
            return r.returncode, json.load(f), r.stdout
    finally:
        os.unlink(report)


@unittest.skipUnless(shutil.which("ffmpeg") and shutil.which("ffprobe"), "ffmpeg/ffprobe not installed")
class HlsMuxTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.path.exists(HLS_MUX):
            raise unittest.SkipTest(f"{HLS_MUX} not built (make {os.path.relpath(HLS_MUX, ROOT)})")
        cls.tmp = tempfile.mkdtemp(prefix="hls-mux-")
        cls.flv = os.path.join(cls.tmp, "x.flv")
        make_flv(cls.flv, 12, 50)  # keyframes every 2 s

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def mux(self, out, *args, flv=None):
        r = run([HLS_MUX, *args, flv or self.flv, out])
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def test_segments_decode_without_errors(self):
        out = os.path.join(self.tmp, "vod")
        log = self.mux(out, "--fragment", "4000", "--end-list", "--keep")
        self.assertIn("0 mux errors", log)
        m3u8 = os.path.join(out, "live", "livestream.m3u8")
        text = read_text(m3u8)
        self.assertIn("#EXT-X-TARGETDURATION:6\n", text)
        self.assertEqual(re.findall(r"#EXTINF:([\d.]+),", text)[:2], ["4.000", "4.000"])

        probe = run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_name,width,sample_rate",
                     "-of", "json", m3u8])
        self.assertEqual(probe.returncode, 0, probe.stderr)
        codecs = sorted(s["codec_name"] for s in json.loads(probe.stdout)["streams"])
        self.assertEqual(codecs, ["aac", "h264"])

        copy = run(["ffmpeg", "-hide_banner", "-v", "error", "-i", m3u8, "-c", "copy", "-f", "null", "-"])
        self.assertEqual(copy.returncode, 0, copy.stderr)
        self.assertEqual(copy.stderr.strip(), "")

        frames = 0
        segments = sorted(f for f in os.listdir(os.path.join(out, "live")) if f.endswith(".ts"))
        self.assertEqual(len(segments), 3)
        for seg in segments:
            path = os.path.join(out, "live", seg)
            dec = run(["ffmpeg", "-hide_banner", "-v", "error", "-i", path, "-f", "null", "-"])
            self.assertEqual(dec.returncode, 0, dec.stderr)
            self.assertEqual(dec.stderr.strip(), "", f"{seg}: {dec.stderr}")
            count = run(["ffprobe", "-v", "error", "-select_streams", "v", "-count_frames",
                         "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", path])
            frames += int(count.stdout.split()[0])
        self.assertEqual(frames, 12 * 25)  # every frame, once

        code, report, text = check_report([out])
        self.assertEqual(code, 0, text)
        self.assertEqual(report["segments"], 3)
        self.assertEqual(report["violations"], [])

    def test_live_window_and_republish_pass_the_checker(self):
        flv = os.path.join(self.tmp, "long.flv")
        make_flv(flv, 32, 50)
        out = os.path.join(self.tmp, "live")
        os.makedirs(out)
        # 32 s of media at 8x: 4 s of wall time; the publisher restarts at 10 s.
        proc = subprocess.Popen([HLS_MUX, "--fragment", "2000", "--window", "6000", "--republish-at",
                                 "10000", "--speed", "8", flv, out],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            m3u8 = os.path.join(out, "live", "livestream.m3u8")
            wait_until(lambda: os.path.exists(m3u8), 30, what="the playlist")
            code, report, text = check_report(["--duration", "5", "--interval", "0.2", m3u8])
        finally:
            stdout, stderr = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 0, stderr)
        self.assertEqual(code, 0, text)
        self.assertGreater(report["fetches"], 10)
        self.assertGreaterEqual(report["segments"], 10)
        final = read_text(m3u8)
        self.assertIn("#EXT-X-DISCONTINUITY-SEQUENCE:1\n", final)  # the republish segment left
        seq = int(re.search(r"#EXT-X-MEDIA-SEQUENCE:(\d+)", final).group(1))
        self.assertGreater(seq, 5)
        # Removed segments stay a while: not every one before the window is gone yet.
        names = os.listdir(os.path.join(out, "live"))
        self.assertIn(f"livestream-{seq - 1}.ts", names)
        self.assertNotIn("livestream-0.ts", names)

    def test_long_gops_are_cut_before_the_target_and_the_checker_says_so(self):
        flv = os.path.join(self.tmp, "gop10.flv")
        make_flv(flv, 12, 250)  # a keyframe every 10 s
        out = os.path.join(self.tmp, "gop10")
        log = self.mux(out, "--fragment", "2000", "--end-list", "--keep", flv=flv)
        self.assertRegex(log, r"forced cut")
        text = read_text(os.path.join(out, "live", "livestream.m3u8"))
        self.assertIn("#EXT-X-TARGETDURATION:3\n", text)
        durations = [float(d) for d in re.findall(r"#EXTINF:([\d.]+),", text)]
        self.assertEqual(len(durations), 4)
        for d in durations[:-1]:  # forced cuts: within the target, as late as possible
            self.assertLessEqual(d, 3.0)
            self.assertGreaterEqual(d, 2.9)
        self.assertLess(durations[-1], 3.5)  # the last one ends with the input, rounds to 3
        code, report, _ = check_report([out])
        self.assertEqual(code, 1)
        checks = {v["check"] for v in report["violations"]}
        self.assertEqual(checks, {"first-keyframe"})  # and nothing else is wrong

    def test_media_files_from_the_tree(self):
        for name in ("h264_main_1280x720_aac_48k_mono.flv", "h264_high_854x480_mp3_44k_stereo.flv",
                     "aac_44k_mono_ts_past_2e24.flv"):
            with self.subTest(name=name):
                out = os.path.join(self.tmp, name)
                self.mux(out, "--fragment", "400", "--end-list", "--keep",
                         flv=os.path.join(ROOT, "t", "data", "media", name))
                m3u8 = os.path.join(out, "live", "livestream.m3u8")
                dec = run(["ffmpeg", "-hide_banner", "-v", "error", "-i", m3u8, "-f", "null", "-"])
                self.assertEqual(dec.returncode, 0, dec.stderr)
                self.assertEqual(dec.stderr.strip(), "")
                code, report, text = check_report([out])
                self.assertEqual(code, 0, text)

    def test_hevc_in_both_flv_forms_decodes(self):
        for legacy in (False, True):
            with self.subTest(legacy=legacy):
                flv = os.path.join(self.tmp, f"hevc{int(legacy)}.flv")
                frames = hevc_flv(flv, 4, legacy)
                self.assertEqual(frames, 100)
                out = os.path.join(self.tmp, f"hevc{int(legacy)}")
                log = self.mux(out, "--fragment", "1000", "--end-list", "--keep", flv=flv)
                self.assertIn("0 mux errors", log)
                live = os.path.join(out, "live")
                segments = sorted(f for f in os.listdir(live) if f.endswith(".ts"))
                self.assertEqual(len(segments), 4)
                total = 0
                for seg in segments:
                    path = os.path.join(live, seg)
                    count = run(["ffprobe", "-v", "error", "-select_streams", "v", "-count_frames",
                                 "-show_entries", "stream=codec_name,nb_read_frames", "-of", "csv=p=0", path])
                    self.assertEqual(count.stderr.strip(), "", seg)
                    codec, n = count.stdout.split()[0].split(",")
                    self.assertEqual(codec, "hevc")
                    total += int(n)
                self.assertEqual(total, frames)
                code, report, text = check_report([out])
                self.assertEqual(code, 0, text)


if __name__ == "__main__":
    unittest.main()
