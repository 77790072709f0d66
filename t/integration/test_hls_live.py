"""HLS from a live RTMP publish (issue #6): the publisher's worker writes
MPEG-TS segments and the playlist; ffmpeg plays them without errors, the
conformance checker (tools/hls-check) finds nothing wrong, a republish on any
worker continues the media sequence with EXT-X-DISCONTINUITY, and the files
go away hls.dispose after the publisher left."""
import os
import re
import subprocess
import sys
import time
import unittest

from harness import ROOT, Server, publish, run, wait_until

CHECK = os.path.join(ROOT, "tools", "hls-check", "hls_check.py")


def playlist(srv):
    path = os.path.join(srv.dir, "html", "live", "cam.m3u8")
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def media_sequence(text):
    m = re.search(r"#EXT-X-MEDIA-SEQUENCE:(\d+)", text)
    return int(m.group(1)) if m else None


class HlsLiveTest(unittest.TestCase):
    def start(self, workers=2, **hls):
        settings = {"fragment": "2s", "window": "10s", "dispose": "4s"}
        settings.update(hls)
        return Server(self, workers=workers,
                      extra={"vhosts": {"__defaultVhost__": {"hls": settings}}}).start()

    def test_segments_play_and_conform(self):
        srv = self.start()
        publish(self, srv, seconds=30)
        m3u8 = os.path.join(srv.dir, "html", "live", "cam.m3u8")
        wait_until(lambda: playlist(srv).count("#EXTINF") >= 3, 20, what="three segments")
        text = playlist(srv)
        self.assertIn("#EXT-X-TARGETDURATION:3", text)
        self.assertIn("#EXT-X-VERSION:3", text)
        # The checker fetches the playlist for a while and every segment in it.
        r = run([sys.executable, CHECK, "--duration", "8", "--interval", "1", m3u8], timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        newest = re.findall(r"^(cam-\d+\.ts)$", playlist(srv), re.M)[-1]
        seg = os.path.join(srv.dir, "html", "live", newest)
        r = run(["ffprobe", "-hide_banner", "-v", "error", "-show_entries", "stream=codec_name",
                 "-of", "csv=p=0", seg])
        self.assertEqual(sorted(set(r.stdout.split())), ["aac", "h264"])  # streams and programs
        # A live playlist: ffmpeg follows it; 6 s of it decoded with no error.
        r = run(["ffmpeg", "-hide_banner", "-v", "error", "-i", m3u8, "-t", "6", "-f", "null", "-"],
                timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr.strip(), "")
        srv.stop()

    def test_http_playback_for_twenty_seconds(self):
        """The issue's acceptance test: any worker serves the files over HTTP;
        ffmpeg plays 20 s of the live playlist with no error while the checker
        verifies every playlist it fetches and every segment in them."""
        srv = self.start(workers=3)
        publish(self, srv, seconds=60)
        wait_until(lambda: playlist(srv).count("#EXTINF") >= 3, 20, what="three segments")
        url = f"http://127.0.0.1:{srv.http_port}/live/cam.m3u8"
        check = subprocess.Popen([sys.executable, CHECK, "--duration", "20", "--interval", "1", url],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        r = run(["ffmpeg", "-hide_banner", "-v", "error", "-i", url, "-c", "copy", "-t", "20",
                 "-f", "null", "-"], timeout=90)
        out, _ = check.communicate(timeout=90)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr.strip(), "", "ffmpeg reported errors")
        self.assertEqual(check.returncode, 0, out)
        srv.stop()

    def test_republish_continues_the_sequence_and_files_are_disposed(self):
        srv = self.start(workers=3)
        first = publish(self, srv, seconds=7)
        wait_until(lambda: playlist(srv).count("#EXTINF") >= 2, 20, what="segments")
        first.wait(20)
        srv.wait_log(r"rtmp client .* closed")
        before = playlist(srv)
        last_seq = max(int(s) for s in re.findall(r"cam-(\d+)\.ts", before))
        publish(self, srv, seconds=30)
        wait_until(lambda: "#EXT-X-DISCONTINUITY" in playlist(srv), 20, what="a discontinuity")
        after = playlist(srv)
        seqs = [int(s) for s in re.findall(r"cam-(\d+)\.ts", after)]
        self.assertGreater(max(seqs), last_seq, "numbers continue after a republish")
        self.assertGreaterEqual(media_sequence(after), media_sequence(before))
        srv.stop()

    def test_files_are_removed_after_dispose(self):
        srv = self.start()
        pub = publish(self, srv, seconds=6)
        wait_until(lambda: playlist(srv).count("#EXTINF") >= 1, 20, what="a segment")
        pub.wait(20)
        live_dir = os.path.join(srv.dir, "html", "live")
        wait_until(lambda: not os.path.exists(os.path.join(live_dir, "cam.m3u8")), 15,
                   what="the playlist to be disposed")
        wait_until(lambda: not [f for f in os.listdir(live_dir) if f.endswith(".ts")], 5,
                   what="the segments to be disposed")
        srv.wait_log(r"hls __defaultVhost__/live/cam: disposed")
        srv.stop()


if __name__ == "__main__":
    unittest.main()
