"""DVR (the mission's recording; on_dvr of issue #7): ffmpeg publishes a test
pattern for ~6 s and the publisher's worker records it to FLV files that
ffprobe decodes on their own. Session plan: one file; segment plan: a file
every 2 s; each closed file is POSTed to on_dvr with its file and cwd. A DVR
path that cannot be written is logged while players still get the stream."""
import glob
import os
import unittest

from harness import Server, ffprobe_streams, flv_tags, publish, rtmpdump, run, size_of, wait_until
from callbacks import CallbackServer

PUBLISH_SECONDS = 6


def codecs(path):
    return sorted(s["codec_name"] for s in ffprobe_streams(path))


def probed_seconds(path):
    """The duration ffprobe reports (the metadata's, patched when the file closed)."""
    r = run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path])
    return float(r.stdout.strip())


def media_seconds(path):
    """The span of the audio and video timestamps of an FLV file."""
    ts = [t[1] for t in flv_tags(path) if t[0] in (8, 9)]
    return (max(ts) - min(ts)) / 1000.0 if ts else 0.0


class DvrTest(unittest.TestCase):
    def start(self, dvr, cb=None, workers=1):
        vhost = {"hls": {"enabled": False}, "dvr": dict({"enabled": True}, **dvr)}
        if cb:
            vhost["http_hooks"] = {"enabled": True, "on_dvr": [cb.url("/notify")]}
        return Server(self, workers=workers,
                      extra={"vhosts": {"__defaultVhost__": vhost}}).start()

    def record(self, srv, count, stream="live/cam"):
        """Publishes for PUBLISH_SECONDS; waits until `count` files were closed."""
        pub = publish(self, srv, stream=stream, seconds=PUBLISH_SECONDS)
        pub.wait(PUBLISH_SECONDS + 30)
        srv.wait_log(r"dvr __defaultVhost__/live/cam: closed ", timeout=15, count=count)
        # The publisher is gone: every file is closed (renamed from .tmp, then logged).
        wait_until(lambda: not glob.glob(os.path.join(srv.dir, "rec", "**", "*.tmp"), recursive=True),
                   10, what="every DVR file to be closed")

    def test_session_plan_one_file_and_on_dvr(self):
        cb = CallbackServer(self)
        srv = self.start({"path": "rec/[app]/[stream].[timestamp].flv"}, cb=cb, workers=2)
        self.record(srv, 1, stream="live/cam?dvr=1")
        files = glob.glob(os.path.join(srv.dir, "rec/live/cam.*.flv"))
        self.assertEqual(len(files), 1, files)
        self.assertEqual(glob.glob(os.path.join(srv.dir, "rec/live/*.tmp")), [])
        self.assertEqual(codecs(files[0]), ["aac", "h264"])
        self.assertAlmostEqual(media_seconds(files[0]), PUBLISH_SECONDS, delta=1.5)
        self.assertRegex(os.path.basename(files[0]), r"^cam\.\d{13}\.flv$")
        events = wait_until(lambda: cb.of("on_dvr"), 10, what="on_dvr")
        e = events[0]
        self.assertEqual((e["app"], e["stream"], e["vhost"]), ("live", "cam", "__defaultVhost__"))
        self.assertEqual(os.path.realpath(e["cwd"]), os.path.realpath(srv.dir))
        self.assertEqual(os.path.realpath(os.path.join(e["cwd"], e["file"])),
                         os.path.realpath(files[0]))
        self.assertEqual(len(cb.of("on_dvr")), 1)
        # The publisher's client fields (SRS's on_dvr has them too).
        self.assertEqual(e["ip"], "127.0.0.1")
        self.assertEqual(e["param"], "?dvr=1")
        self.assertTrue(e["tcUrl"].startswith(f"rtmp://127.0.0.1:{srv.rtmp_port}/live"), e)
        self.assertRegex(e["client_id"], r"^\w+$")
        self.assertIn(f"[{e['client_id']}] rtmp publish __defaultVhost__/live/cam", srv.log())

    def test_segment_plan_files_that_play_on_their_own(self):
        srv = self.start({"path": "rec/[stream]-[timestamp].flv", "plan": "segment",
                          "duration": "2s"})
        self.record(srv, 3)
        files = sorted(glob.glob(os.path.join(srv.dir, "rec/cam-*.flv")))
        self.assertGreaterEqual(len(files), 3, files)  # keyframes every 2 s
        self.assertEqual(glob.glob(os.path.join(srv.dir, "rec/*.tmp")), [])
        total = 0.0
        for path in files:
            with self.subTest(path=path):
                self.assertEqual(codecs(path), ["aac", "h264"])
                tags = flv_tags(path, limit=1)
                self.assertEqual(tags[0][1], 0)  # each file starts at 0
                total += media_seconds(path)
                self.assertAlmostEqual(probed_seconds(path), media_seconds(path), delta=0.1)
        # The gaps between files are one frame each.
        self.assertAlmostEqual(total, PUBLISH_SECONDS, delta=1.5)

    def test_a_server_stopped_mid_publish_closes_the_file(self):
        srv = self.start({"path": "rec/[stream].flv"})
        pub = publish(self, srv, stream="live/cam", seconds=60)
        tmp = os.path.join(srv.dir, "rec/cam.flv.tmp")
        # Mid-publish: more than a GOP of audio and video written out, the publisher still on.
        wait_until(lambda: size_of(tmp) > 13 and media_seconds(tmp) > 2.5, 20,
                   what="media in the .tmp")
        self.assertTrue(pub.alive())
        srv.stop()
        self.assertTrue(os.path.exists(os.path.join(srv.dir, "rec/cam.flv")), srv.log()[-2000:])
        self.assertEqual(glob.glob(os.path.join(srv.dir, "rec/*.tmp")), [])
        self.assertEqual(codecs(os.path.join(srv.dir, "rec/cam.flv")), ["aac", "h264"])

    def test_an_unwritable_path_is_logged_and_the_stream_goes_on(self):
        srv = self.start({"path": "blocker/[app]/[stream].flv"})
        with open(os.path.join(srv.dir, "blocker"), "w") as f:
            f.write("a regular file where a folder should be\n")
        publish(self, srv, stream="live/cam", seconds=60)
        srv.wait_log(r"rtmp publish __defaultVhost__/live/cam ", timeout=15)
        srv.wait_log(r"dvr __defaultVhost__/live/cam: mkdir\([^)]*blocker[^)]*\) failed "
                     r"\(20: Not a directory\)", timeout=15)
        _, path = rtmpdump(self, srv, stream="live/cam")
        wait_until(lambda: os.path.exists(path) and os.path.getsize(path) > 50_000, 20,
                   what="the player receiving media")
        self.assertEqual(len(srv.wait_log(r"dvr .* failed")), 1)


if __name__ == "__main__":
    unittest.main()
