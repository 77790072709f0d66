"""A stalled disk (an SD card on a board, a full NFS mount) never delays a
player: HLS and DVR write from the worker's output thread, off the loop that
feeds players. The LD_PRELOAD shim build/slowdisk.so holds every file
operation under the test's media folder while a flag file exists; players on
the publisher's own worker must keep receiving the stream at its rate, and
the outputs must then catch up from the ring (nothing lost), or, when the
stall outlasts what the ring holds, skip with the loss in the log and in the
API's output_gaps."""
import glob
import os
import re
import time
import unittest

from harness import BUILD, Server, ffprobe_streams, flv_tags, publish, rtmpdump, size_of, wait_until

SHIM = os.path.join(BUILD, "slowdisk.so")
STALL_SECONDS = 5  # the behaviour under test: how long the disk hangs


def media_seconds(path):
    ts = [t[1] for t in flv_tags(path) if t[0] in (8, 9)]
    return (max(ts) - min(ts)) / 1000.0 if ts else 0.0


def playlist_sequence(path):
    """(media sequence, segment count) of a live playlist, or None."""
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return None
    m = re.search(r"#EXT-X-MEDIA-SEQUENCE:(\d+)", text)
    return (int(m.group(1)), text.count("#EXTINF")) if m else None


class SlowDiskTest(unittest.TestCase):
    def start(self, ring="4MiB"):
        self.assertTrue(os.path.exists(SHIM), f"{SHIM} is built by make")
        media = "media"
        vhost = {"hls": {"enabled": True, "fragment": "1s", "window": "30s"},
                 "dvr": {"enabled": True, "path": f"{media}/rec/[stream].flv"}}
        srv = Server(self, workers=1, extra={"vhosts": {"__defaultVhost__": vhost},
                                             "shm": {"ring_bytes": ring}})
        srv.settings["http_server"]["dir"] = os.path.join(srv.dir, media, "html")
        srv.write_config()
        self.media = os.path.join(srv.dir, media)
        os.makedirs(self.media, exist_ok=True)
        self.flag = os.path.join(srv.dir, "stall")
        srv.start(env={"LD_PRELOAD": SHIM, "SLOWDISK_DIR": self.media, "SLOWDISK_FLAG": self.flag})
        return srv

    def playlist(self):
        return os.path.join(self.media, "html/live/cam.m3u8")

    def live(self, srv, seconds):
        pub = publish(self, srv, seconds=seconds)
        wait_until(lambda: playlist_sequence(self.playlist()), 20, what="the HLS playlist")
        wait_until(lambda: os.path.exists(os.path.join(self.media, "rec/cam.flv.tmp")), 10,
                   what="the DVR file")
        players = [rtmpdump(self, srv)[1] for _ in range(3)]
        wait_until(lambda: all(size_of(p) > 50000 for p in players), 15, what="players to play")
        return pub, players

    def stall(self):
        """Holds the disk for STALL_SECONDS; returns what each window measured."""
        with open(self.flag, "w"):
            pass
        try:
            # The outputs write a segment at least every second: they are held now.
            wait_until(lambda: size_of(self.flag + ".log") > 0, 10, what="a write to stall")
            time.sleep(STALL_SECONDS)
        finally:
            os.unlink(self.flag)

    def received_during(self, players, action):
        before = [size_of(p) for p in players]
        action()
        return [size_of(p) - b for p, b in zip(players, before)]

    def test_players_keep_their_rate_and_the_outputs_catch_up(self):
        srv = self.start()
        pub, players = self.live(srv, seconds=25)
        calm = self.received_during(players, lambda: time.sleep(STALL_SECONDS))
        held = playlist_sequence(self.playlist())
        stalled = self.received_during(players, self.stall)
        print(f"\n    bytes per player: {calm} in {STALL_SECONDS} s before, {stalled} while "
              f"the disk stalled")
        for c, s in zip(calm, stalled):
            # A worker blocked on the disk would send nothing for those seconds.
            self.assertGreater(s, c * 0.6, f"players starved while the disk stalled: {calm} {stalled}")
        # The outputs catch up from the ring: the playlist goes on past the stall.
        wait_until(lambda: playlist_sequence(self.playlist())[0] + playlist_sequence(self.playlist())[1]
                   >= held[0] + held[1] + STALL_SECONDS, 20, what="HLS to catch up")
        pub.wait(60)
        srv.wait_log(r"dvr __defaultVhost__/live/cam: closed ", timeout=20)
        rec = os.path.join(self.media, "rec/cam.flv")
        self.assertEqual(sorted(s["codec_name"] for s in ffprobe_streams(rec)), ["aac", "h264"])
        # Nothing lost: the file holds the whole publish, stall included.
        self.assertGreater(media_seconds(rec), 25 - 3)
        self.assertNotIn("records lost", srv.log())
        workers = srv.api("/api/v1/workers")["workers"]
        self.assertEqual(sum(w["output_gaps"] for w in workers), 0, workers)
        self.assertGreater(sum(w["messages_out"] for w in workers), 1000, workers)
        srv.stop()

    def test_a_stall_longer_than_the_ring_is_reported_and_outputs_go_on(self):
        # 256 KiB of ring keeps about 2 s of this stream behind the writer:
        # a stall of 5 s laps the outputs.
        srv = self.start(ring="256KiB")
        pub, players = self.live(srv, seconds=25)
        calm = self.received_during(players, lambda: time.sleep(STALL_SECONDS))
        stalled = self.received_during(players, self.stall)
        for c, s in zip(calm, stalled):
            self.assertGreater(s, c * 0.6, f"players starved while the disk stalled: {calm} {stalled}")
        srv.wait_log(r"outputs of __defaultVhost__/live/cam: \d+ records lost", timeout=20)
        workers = srv.api("/api/v1/workers")["workers"]
        self.assertGreaterEqual(sum(w["output_gaps"] for w in workers), 1, workers)
        held = playlist_sequence(self.playlist())
        wait_until(lambda: sum(playlist_sequence(self.playlist())) >= sum(held) + 2, 20,
                   what="HLS to go on after the gap")
        pub.wait(60)
        srv.wait_log(r"dvr __defaultVhost__/live/cam: closed ", timeout=20)
        rec = os.path.join(self.media, "rec/cam.flv")
        # The recording lost the stall but plays, with both streams.
        self.assertEqual(sorted(s["codec_name"] for s in ffprobe_streams(rec)), ["aac", "h264"])
        self.assertRegex(srv.log(), r"dvr __defaultVhost__/live/cam: about \d+ ms of media lost")
        self.assertEqual(glob.glob(os.path.join(self.media, "rec/*.tmp")), [])
        srv.stop()


if __name__ == "__main__":
    unittest.main()
