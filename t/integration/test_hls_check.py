"""Tests of tools/hls-check/hls_check.py, the conformance checker: it passes
clean HLS (made by hls-mux from an ffmpeg FLV) and reports each kind of
violation, with the segment and packet, once the bytes or the playlists are
broken on purpose. Playlist rules that need several fetches drive the
checker's poll() directly, between edits, so no timing is involved.

Environment: SRS_BUILD names the build directory (hls-mux is built there).
"""
import argparse
import functools
import http.server
import importlib.util
import json
import os
import shutil
import subprocess
import tempfile
import threading
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, os.environ.get("SRS_BUILD", "build"))
HLS_MUX = os.path.join(BUILD, "hls-mux")

_spec = importlib.util.spec_from_file_location("hls_check", os.path.join(ROOT, "tools", "hls-check", "hls_check.py"))
hls_check = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(hls_check)

TS = 188


def opts(**kw):
    base = dict(max_pcr_ms=100.0, pcr_tolerance_ms=100.0)
    base.update(kw)
    return argparse.Namespace(**base)


def playlist(target, first_seq, segments, disc_seq=None, endlist=False):
    """segments: list of (uri, duration, discontinuity)."""
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", f"#EXT-X-TARGETDURATION:{target}", f"#EXT-X-MEDIA-SEQUENCE:{first_seq}"]
    if disc_seq is not None:
        lines.append(f"#EXT-X-DISCONTINUITY-SEQUENCE:{disc_seq}")
    for uri, dur, disc in segments:
        if disc:
            lines.append("#EXT-X-DISCONTINUITY")
        lines += [f"#EXTINF:{dur:.3f},", uri]
    if endlist:
        lines.append("#EXT-X-ENDLIST")
    return "\n".join(lines) + "\n"


@unittest.skipUnless(shutil.which("ffmpeg"), "ffmpeg not installed")
class HlsCheckTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.path.exists(HLS_MUX):
            raise unittest.SkipTest(f"{HLS_MUX} not built")
        cls.base = tempfile.mkdtemp(prefix="hls-check-")
        flv = os.path.join(cls.base, "x.flv")
        subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                        "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i", "sine", "-c:v", "libx264",
                        "-g", "50", "-keyint_min", "50", "-sc_threshold", "0", "-c:a", "aac", "-t", "12",
                        "-f", "flv", flv], check=True, timeout=120)
        subprocess.run([HLS_MUX, "--fragment", "2000", "--window", "60000", "--keep", "--end-list", flv,
                        os.path.join(cls.base, "clean")], check=True, timeout=60, stdout=subprocess.DEVNULL)
        cls.clean = os.path.join(cls.base, "clean", "live")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.base, ignore_errors=True)

    def setUp(self):
        self.dir = tempfile.mkdtemp(dir=self.base)
        for f in os.listdir(self.clean):
            shutil.copy(os.path.join(self.clean, f), self.dir)
        self.m3u8 = os.path.join(self.dir, "livestream.m3u8")

    def seg(self, n):
        return os.path.join(self.dir, f"livestream-{n}.ts")

    def edit(self, n, fn):
        with open(self.seg(n), "rb") as f:
            data = bytearray(f.read())
        fn(data)
        with open(self.seg(n), "wb") as f:
            f.write(data)

    def read_playlist(self):
        with open(self.m3u8) as f:
            return f.read()

    def write_playlist(self, text):
        with open(self.m3u8, "w") as f:
            f.write(text)

    def check(self):
        report = hls_check.Report()
        c = hls_check.PlaylistChecker(self.m3u8, self.dir, report, opts())
        c.poll()
        return report

    def checks(self, report):
        return {v["check"] for v in report.violations}

    def packets(self, n):
        with open(self.seg(n), "rb") as f:
            data = f.read()
        return [data[i:i + TS] for i in range(0, len(data), TS)]

    def pid(self, p):
        return ((p[1] & 0x1F) << 8) | p[2]

    # -- clean input --------------------------------------------------------

    def test_clean_output_passes(self):
        r = self.check()
        self.assertEqual(r.violations, [])
        self.assertEqual(r.segments, 6)

    def test_main_exit_status_and_json(self):
        out = os.path.join(self.dir, "r.json")
        self.assertEqual(hls_check.main([self.dir, "--json", out, "--quiet"]), 0)
        self.edit(1, lambda d: d.__setitem__(10 * TS, 0x46))  # a bad sync byte
        self.assertEqual(hls_check.main([self.dir, "--json", out, "--quiet"]), 1)
        with open(out) as f:
            rep = json.load(f)
        self.assertFalse(rep["ok"])
        self.assertEqual(rep["violations"][0], {"check": "sync", "where": "livestream-1.ts",
                                                "message": "sync byte 0x46", "packet": 10})

    def test_over_http(self):
        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args):
                pass

        handler = functools.partial(Quiet, directory=self.dir)
        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        t = threading.Thread(target=srv.serve_forever, daemon=True)
        t.start()
        try:
            url = f"http://127.0.0.1:{srv.server_address[1]}/livestream.m3u8"
            self.assertEqual(hls_check.main([url, "--duration", "0.3", "--interval", "0.1", "--quiet",
                                             "--json", os.devnull]), 0)
            os.unlink(self.seg(3))
            self.assertEqual(hls_check.main([url, "--duration", "0", "--quiet", "--json", os.devnull]), 1)
        finally:
            srv.shutdown()
            srv.server_close()

    # -- segments -----------------------------------------------------------

    def test_continuity_within_a_segment(self):
        pkts = self.packets(1)
        idx = next(i for i, p in enumerate(pkts) if i > 5 and self.pid(p) == 0x100 and p[3] & 0x10)
        self.edit(1, lambda d: d.__setitem__(idx * TS + 3, (d[idx * TS + 3] & 0xF0) | ((d[idx * TS + 3] + 5) & 0x0F)))
        r = self.check()
        v = [x for x in r.violations if x["check"] == "continuity"]
        self.assertTrue(v)
        self.assertEqual((v[0]["where"], v[0]["packet"]), ("livestream-1.ts", idx))

    def test_continuity_across_segments_unless_discontinuity(self):
        def shift(d):  # every video CC + 1: consistent inside, broken at the join
            for i in range(0, len(d), TS):
                if ((d[i + 1] & 0x1F) << 8 | d[i + 2]) == 0x100:
                    d[i + 3] = (d[i + 3] & 0xF0) | ((d[i + 3] + 1) & 0x0F)
        self.edit(2, shift)
        r = self.check()
        self.assertEqual(self.checks(r), {"continuity"})
        self.assertEqual({v["where"] for v in r.violations}, {"livestream-2.ts", "livestream-3.ts"})
        text = self.read_playlist()
        text = text.replace("#EXTINF:2.000,\nlivestream-2.ts", "#EXT-X-DISCONTINUITY\n#EXTINF:2.000,\nlivestream-2.ts")
        text = text.replace("#EXTINF:2.000,\nlivestream-3.ts", "#EXT-X-DISCONTINUITY\n#EXTINF:2.000,\nlivestream-3.ts")
        self.write_playlist(text)
        self.assertEqual(self.check().violations, [])

    def test_pat_pmt_first_and_crc(self):
        self.edit(0, lambda d: d.__setitem__(slice(0, 2 * TS), d[TS:2 * TS] + d[0:TS]))
        self.edit(4, lambda d: d.__setitem__(10, d[10] ^ 0xFF))  # inside the PAT section
        r = self.check()
        msgs = [(v["where"], v["check"], v["message"]) for v in r.violations]
        self.assertIn(("livestream-0.ts", "pat-pmt", "first packet is PID 0x1001, not the PAT"), msgs)
        self.assertIn(("livestream-4.ts", "pat-pmt", "PAT section truncated or CRC_32 wrong"), msgs)

    def test_pcr_gap(self):
        def drop_pcrs(d):  # clear PCR_flag on the video PES starts of the first half second
            n = 0
            for i in range(0, len(d), TS):
                if ((d[i + 1] & 0x1F) << 8 | d[i + 2]) == 0x100 and d[i + 3] & 0x20 and d[i + 4] >= 7 \
                        and d[i + 5] & 0x10:
                    n += 1
                    if 2 <= n <= 6:
                        d[i + 5] &= ~0x10
        self.edit(1, drop_pcrs)
        r = self.check()
        self.assertEqual(self.checks(r), {"pcr"})
        self.assertIn("PCR gap", r.violations[0]["message"])

    def test_timestamps_backwards_across_segments(self):
        text = self.read_playlist().replace("livestream-2.ts", "X").replace("livestream-1.ts", "livestream-2.ts")
        self.write_playlist(text.replace("X", "livestream-1.ts"))
        r = self.check()
        self.assertIn("dts-monotonic", self.checks(r))

    def test_first_frame_not_a_keyframe(self):
        pkts = self.packets(0)
        # Find the keyframe's first packet, clear its RAI and turn the IDR NAL (type 5) into a slice (type 1).
        idx = next(i for i, p in enumerate(pkts) if self.pid(p) == 0x100 and p[1] & 0x40)

        def unkey(d):
            base = idx * TS
            d[base + 5] &= ~0x40
            pes = bytes(d[base + 5 + d[base + 4]:base + TS])
            pos = pes.find(b"\x00\x00\x01\x65")
            while pos < 0:
                base += TS
                pes = bytes(d[base + 4:base + TS])
                pos = pes.find(b"\x00\x00\x01\x65")
            d[base + (TS - len(pes)) + pos + 3] = 0x41
        self.edit(0, unkey)
        r = self.check()
        self.assertEqual([(v["check"], v["where"]) for v in r.violations], [("first-keyframe", "livestream-0.ts")])

    # -- playlists across fetches -------------------------------------------

    def test_extinf_above_target(self):
        self.write_playlist(self.read_playlist().replace("#EXTINF:2.000,\nlivestream-3.ts", "#EXTINF:3.500,\nlivestream-3.ts"))
        r = self.check()
        self.assertEqual([(v["check"], v["where"]) for v in r.violations], [("extinf", "livestream-3.ts")])
        self.write_playlist(self.read_playlist().replace("3.500", "3.499"))
        self.assertEqual(self.check().violations, [])  # rounds to 3

    def poller(self):
        report = hls_check.Report()
        return report, hls_check.PlaylistChecker(self.m3u8, self.dir, report, opts())

    def segs(self, first, last, disc=()):
        return [(f"livestream-{i}.ts", 2.0, i in disc) for i in range(first, last + 1)]

    def test_target_duration_must_not_change(self):
        report, c = self.poller()
        self.write_playlist(playlist(3, 0, self.segs(0, 3)))
        c.poll()
        self.write_playlist(playlist(4, 0, self.segs(0, 4)))
        c.poll()
        self.assertEqual(self.checks(report), {"target-duration"})

    def test_media_sequence_rules(self):
        report, c = self.poller()
        self.write_playlist(playlist(3, 1, self.segs(1, 5)))
        c.poll()
        self.write_playlist(playlist(3, 0, self.segs(0, 4)))  # went back
        c.poll()
        self.assertEqual(self.checks(report), {"media-sequence"})
        report, c = self.poller()
        self.write_playlist(playlist(3, 1, self.segs(1, 5)))
        c.poll()
        self.write_playlist(playlist(3, 1, [("livestream-0.ts", 2.0, False)] + self.segs(2, 5)))  # renumbered
        c.poll()
        self.assertEqual(self.checks(report), {"media-sequence"})

    def test_removal_window_and_deletion(self):
        report, c = self.poller()
        self.write_playlist(playlist(3, 0, self.segs(0, 5)))
        c.poll()
        self.write_playlist(playlist(3, 2, self.segs(2, 5)))  # 8 s left < 3 x 3 s (6.2.2)
        os.unlink(self.seg(0))  # deleted at once: too early
        c.poll()
        self.assertEqual(self.checks(report), {"window", "removed-too-early"})
        self.assertEqual([v["where"] for v in report.violations if v["check"] == "removed-too-early"],
                         ["livestream-0.ts"])

    def test_discontinuity_sequence(self):
        report, c = self.poller()
        self.write_playlist(playlist(2, 0, self.segs(0, 5, disc={1})))
        c.poll()
        self.write_playlist(playlist(2, 2, self.segs(2, 5)))  # removed the discontinuity but kept 0
        c.poll()
        self.assertIn("discontinuity-sequence", self.checks(report))
        report, c = self.poller()
        self.write_playlist(playlist(2, 0, self.segs(0, 5, disc={1})))
        c.poll()
        self.write_playlist(playlist(2, 2, self.segs(2, 5), disc_seq=1))
        c.poll()
        self.assertNotIn("discontinuity-sequence", self.checks(report))


if __name__ == "__main__":
    unittest.main()
