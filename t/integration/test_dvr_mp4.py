"""DVR to MP4 (issue 12): dvr.path ending in .mp4 records fragmented MP4
through libavformat. ffmpeg publishes a test pattern; the files decode with
ffmpeg without an error, ffprobe's duration matches the packets' span, audio
and video start together and their timestamps only go forward. After a
SIGKILL of the recording worker the .tmp decodes up to within about a
fragment of what was published. dvr.apply records only the streams it names."""
import glob
import json
import os
import signal
import unittest

from harness import (Server, logged_pids, publish, rtmpdump, run, start_on_worker, wait_until,
                     flv_tags)

PUBLISH_SECONDS = 6
FRAME = 0.04  # 25 fps


def decode_errors(path):
    """What `ffmpeg -v error -i F -f null -` says (empty: the file decodes cleanly)."""
    r = run(["ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-i", path, "-f", "null", "-"],
            timeout=60)
    return (r.stderr.strip() or "") + ("" if r.returncode == 0 else f" (exit {r.returncode})")


def probe(path):
    """ffprobe's format duration, streams and packets of a file."""
    r = run(["ffprobe", "-v", "error", "-show_entries",
             "format=duration:stream=index,codec_type,codec_name,width,height,sample_rate:"
             "packet=stream_index,pts_time,dts_time,duration_time", "-of", "json", path],
            timeout=60)
    if r.returncode != 0:
        raise AssertionError(f"ffprobe {path} failed: {r.stderr.strip()}")
    return json.loads(r.stdout)


def packets_of(info, codec_type):
    index = [s["index"] for s in info["streams"] if s["codec_type"] == codec_type][0]
    return [p for p in info["packets"] if p["stream_index"] == index]


def span(info):
    """First pts to the end of the last packet, over every stream (s)."""
    pkts = info["packets"]
    start = min(float(p["pts_time"]) for p in pkts)
    end = max(float(p["pts_time"]) + float(p.get("duration_time", 0)) for p in pkts)
    return end - start


class DvrMp4Test(unittest.TestCase):
    def start(self, dvr, workers=1):
        vhost = {"hls": {"enabled": False}, "dvr": dict({"enabled": True}, **dvr)}
        return Server(self, workers=workers,
                      extra={"vhosts": {"__defaultVhost__": vhost}}).start()

    def record(self, srv, count, stream="live/cam"):
        """Publishes for PUBLISH_SECONDS; waits until `count` files were closed."""
        pub = publish(self, srv, stream=stream, seconds=PUBLISH_SECONDS)
        pub.wait(PUBLISH_SECONDS + 30)
        srv.wait_log(r"dvr __defaultVhost__/" + stream + ": closed ", timeout=15, count=count)
        wait_until(lambda: not glob.glob(os.path.join(srv.dir, "rec", "**", "*.tmp"),
                                         recursive=True), 10, what="every DVR file to be closed")

    def check_file(self, path):
        """Decodes cleanly; H.264 320x240 + AAC; duration = packet span; A/V in step."""
        self.assertEqual(decode_errors(path), "")
        info = probe(path)
        codecs = sorted((s["codec_type"], s["codec_name"]) for s in info["streams"])
        self.assertEqual(codecs, [("audio", "aac"), ("video", "h264")])
        video, audio = packets_of(info, "video"), packets_of(info, "audio")
        for pkts in (video, audio):
            pts = [float(p["pts_time"]) for p in pkts]
            dts = [float(p["dts_time"]) for p in pkts]
            self.assertEqual(pts, sorted(pts))  # x264 zerolatency: no B-frames
            self.assertTrue(all(b > a for a, b in zip(dts, dts[1:])), "dts not increasing")
        first_v, first_a = float(video[0]["pts_time"]), float(audio[0]["pts_time"])
        self.assertLess(abs(first_v - first_a), 0.1, (first_v, first_a))
        duration = float(info["format"]["duration"])
        self.assertAlmostEqual(duration, span(info), delta=2 * FRAME)
        return duration, info

    def test_session_plan_one_file_that_decodes_with_its_duration(self):
        srv = self.start({"path": "rec/[app]/[stream].[timestamp].mp4"})
        self.record(srv, 1)
        files = glob.glob(os.path.join(srv.dir, "rec/live/cam.*.mp4"))
        self.assertEqual(len(files), 1, files)
        self.assertRegex(os.path.basename(files[0]), r"^cam\.\d{13}\.mp4$")
        duration, info = self.check_file(files[0])
        self.assertAlmostEqual(duration, PUBLISH_SECONDS, delta=1.0)
        self.assertEqual([(s["width"], s["height"]) for s in info["streams"]
                          if s["codec_type"] == "video"], [(320, 240)])
        print(f"\n  session mp4: ffprobe duration {duration:.3f} s, packet span "
              f"{span(info):.3f} s")

    def test_segment_plan_files_that_decode_on_their_own(self):
        srv = self.start({"path": "rec/[stream]-[timestamp].mp4", "plan": "segment",
                          "duration": "2s"})
        self.record(srv, 3)
        files = sorted(glob.glob(os.path.join(srv.dir, "rec/cam-*.mp4")))
        self.assertGreaterEqual(len(files), 3, files)
        total = 0.0
        for path in files:
            with self.subTest(path=path):
                duration, info = self.check_file(path)
                self.assertEqual(min(float(p["pts_time"]) for p in info["packets"]), 0.0)
                total += duration
        self.assertAlmostEqual(total, PUBLISH_SECONDS, delta=1.5)

    def test_a_killed_worker_leaves_a_tmp_that_decodes_to_its_last_fragment(self):
        srv = self.start({"path": "rec/[stream].mp4"}, workers=2)
        pub = publish(self, srv, stream="live/cam", seconds=120)
        srv.wait_log(r"dvr __defaultVhost__/live/cam: recording to ", timeout=20)
        recorder = logged_pids(srv, "rtmp publish")[-1]
        other = [p for p in srv.workers() if p != recorder][0]
        # A player on the other worker: what was published, until the kill.
        _, dump = start_on_worker(srv, other, "rtmp play", lambda: rtmpdump(self, srv))
        tmp = os.path.join(srv.dir, "rec/cam.mp4.tmp")

        def recorded_seconds():
            try:
                return max((float(p["pts_time"]) for p in probe(tmp)["packets"]), default=0)
            except AssertionError:
                return 0

        wait_until(lambda: recorded_seconds() > 5, 30, interval=0.5, what="5 s in the .tmp")
        os.kill(recorder, signal.SIGKILL)
        wait_until(lambda: not pub.alive(), 15, what="the publisher to lose its server")
        player = [p for p in srv.workers() if p == other]
        self.assertEqual(player, [other])  # the player's worker lives on
        wait_until(lambda: len(flv_tags(dump)) > 0, 10, what="the player's dump")
        # The player's last media time is what was published before the kill; its
        # timestamps are the publisher's, which start at 0 as the file's do.
        published = max(t[1] for t in flv_tags(dump) if t[0] in (8, 9)) / 1000.0
        self.assertEqual(decode_errors(tmp), "")
        info = probe(tmp)
        kept = max(float(p["pts_time"]) for p in info["packets"])
        video, audio = packets_of(info, "video"), packets_of(info, "audio")
        self.assertLess(abs(float(video[0]["pts_time"]) - float(audio[0]["pts_time"])), 0.1)
        duration = float(info["format"].get("duration", "nan"))
        print(f"\n  killed: published ~{published:.3f} s, the .tmp decodes to {kept:.3f} s, "
              f"ffprobe duration {duration:.3f} s")
        self.assertGreater(kept, published - 2.0, (kept, published))
        self.assertLessEqual(kept, published + 0.5)

    def test_dvr_apply_records_only_the_streams_it_names(self):
        srv = self.start({"path": "rec/[app]/[stream].mp4", "apply": ["live/cam", "vod/*"]})
        pubs = [publish(self, srv, stream=s, seconds=4) for s in ("live/cam", "live/other",
                                                                  "vod/x")]
        for p in pubs:
            p.wait(40)
        srv.wait_log(r"dvr __defaultVhost__/(live/cam|vod/x): closed ", timeout=15, count=2)
        srv.wait_log(r"rtmp unpublish __defaultVhost__/live/other", timeout=15)
        files = sorted(os.path.relpath(f, srv.dir)
                       for f in glob.glob(os.path.join(srv.dir, "rec/**/*"), recursive=True)
                       if os.path.isfile(f))
        self.assertEqual(files, ["rec/live/cam.mp4", "rec/vod/x.mp4"])
        self.assertNotIn("dvr __defaultVhost__/live/other", srv.log())
        for f in files:
            self.assertEqual(decode_errors(os.path.join(srv.dir, f)), "")


if __name__ == "__main__":
    unittest.main()
