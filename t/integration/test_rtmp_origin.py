"""The RTMP live origin across workers (issue #5), with real clients only:
ffmpeg publishes a test pattern (H.264 + AAC, a keyframe every 2 s); ffprobe,
ffmpeg and rtmpdump play it on every worker; workers are killed and reloaded
underneath them."""
import os
import re
import signal
import socket
import time
import unittest

from harness import (Probe, Server, assert_test_pattern, ffprobe_streams, flv_tags,
                     publish, rtmpdump, run, size_of, start_on_worker, wait_until)


def publisher_pid(srv, nth=1):
    pids = re.findall(r"\]\[INFO\]\[(\d+)\]\[\w+\] rtmp publish ", srv.log())
    return int(pids[nth - 1])


class RtmpOriginTest(unittest.TestCase):
    def start(self, workers=3, **extra):
        srv = Server(self, workers=workers, extra=extra or None).start()
        return srv

    def wait_publishing(self, srv, nth=1):
        srv.wait_log(r"rtmp publish __defaultVhost__/live/cam", count=nth, timeout=15)
        time.sleep(0.5)

    def test_every_worker_serves_both_streams(self):
        srv = self.start()
        publish(self, srv)
        self.wait_publishing(srv)
        url = f"rtmp://127.0.0.1:{srv.rtmp_port}/live/cam"
        workers = srv.workers()
        self.assertEqual(len(workers), 3)
        for pid in workers:
            probe = start_on_worker(srv, pid, "rtmp play", lambda: Probe(url))
            assert_test_pattern(self, probe.streams())
        # rtmpdump on every worker too: each dump is a valid FLV with both streams.
        for pid in workers:
            proc, path = start_on_worker(srv, pid, "rtmp play", lambda: rtmpdump(self, srv))
            time.sleep(1.5)
            proc.stop()
            streams = ffprobe_streams(path)
            self.assertEqual(sorted(s["codec_name"] for s in streams), ["aac", "h264"])
        srv.stop()

    def test_ffmpeg_decodes_without_errors_or_gaps(self):
        srv = self.start()
        publish(self, srv)
        self.wait_publishing(srv)
        r = run(["ffmpeg", "-hide_banner", "-v", "error", "-i",
                 f"rtmp://127.0.0.1:{srv.rtmp_port}/live/cam", "-t", "6",
                 "-progress", "pipe:1", "-f", "null", "-"], timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr.strip(), "", "the decoder reported errors")
        frames = int(re.findall(r"frame=(\d+)", r.stdout)[-1])
        # 6 s at 25 fps (the GOP cache adds up to 2 s more).
        self.assertGreaterEqual(frames, 145)
        srv.stop()

    def test_late_joiner_starts_with_metadata_headers_and_a_keyframe(self):
        srv = self.start()
        publish(self, srv)
        self.wait_publishing(srv)
        time.sleep(3)  # join in the middle of a GOP
        start = time.monotonic()
        proc, path = rtmpdump(self, srv)
        wait_until(lambda: any(t[0] == 9 and t[2] == 0x17 and t[3][1] == 1
                               for t in flv_tags(path)) if size_of(path) > 13 else False,
                   10, interval=0.01, what="the first keyframe")
        to_keyframe_ms = (time.monotonic() - start) * 1000
        proc.stop()
        tags = flv_tags(path)
        self.assertEqual(tags[0][0], 18, "metadata first")
        self.assertIn(b"onMetaData", tags[0][3][:20])
        video = [t for t in tags if t[0] == 9]
        self.assertEqual(video[0][2:4], (0x17, 0x17) if False else video[0][2:4])
        self.assertEqual(video[0][2], 0x17)          # AVC keyframe...
        self.assertEqual(video[0][3][1], 0)          # ...the sequence header
        self.assertEqual(video[1][2], 0x17)          # then a keyframe
        self.assertEqual(video[1][3][1], 1)
        audio = [t for t in tags if t[0] == 8]
        self.assertEqual(audio[0][3][1], 0, "the AAC sequence header comes first")
        server_ms = [int(m) for m in re.findall(r"first keyframe sent (\d+) ms after play", srv.log())]
        print(f"\n    play to first keyframe: {to_keyframe_ms:.0f} ms at the client "
              f"(rtmpdump start, handshake, connect); {server_ms[-1]} ms in the server")
        self.assertLess(server_ms[-1], 50)
        srv.stop()

    def test_player_waits_for_the_publisher(self):
        srv = self.start(workers=2)
        proc, path = rtmpdump(self, srv)
        srv.wait_log(r"no publisher yet, waiting")
        time.sleep(1)
        self.assertTrue(proc.alive())
        publish(self, srv)
        wait_until(lambda: size_of(path) > 50000, 15, what="media after the publish")
        streams = ffprobe_streams(path)
        self.assertEqual(sorted(s["codec_name"] for s in streams), ["aac", "h264"])
        srv.stop()

    def test_second_publisher_is_rejected(self):
        srv = self.start(workers=2)
        first = publish(self, srv)
        self.wait_publishing(srv)
        second = publish(self, srv, seconds=5)
        self.assertNotEqual(second.wait(20), 0)
        srv.wait_log(r"publish __defaultVhost__/live/cam refused: stream .* is busy")
        self.assertTrue(first.alive(), "the first publisher must keep publishing")
        self.assertEqual(len(ffprobe_streams(f"rtmp://127.0.0.1:{srv.rtmp_port}/live/cam")), 2)
        srv.stop()

    def test_takeover_replaces_the_publisher_and_players_follow(self):
        srv = self.start(workers=2, vhosts={"__defaultVhost__": {"publish": {"takeover": True}}})
        first = publish(self, srv)
        self.wait_publishing(srv)
        proc, path = rtmpdump(self, srv)
        wait_until(lambda: size_of(path) > 30000, 10, what="the player to receive")
        second = publish(self, srv)
        srv.wait_log(r"taking over from worker slot")
        self.assertNotEqual(first.wait(15), 0, "the old publisher is disconnected")
        size = size_of(path)
        wait_until(lambda: size_of(path) > size + 100000, 15, what="the player to follow the new publisher")
        self.assertTrue(proc.alive())
        self.assertTrue(second.alive())
        srv.stop()

    def test_players_survive_the_publishers_worker_and_continue_after_republish(self):
        srv = self.start(workers=3, rtmp={"republish_grace": "30s"})
        publish(self, srv)
        self.wait_publishing(srv)
        pub_worker = publisher_pid(srv)
        survivors = []
        for pid in srv.workers():
            if pid != pub_worker:
                proc, path = start_on_worker(srv, pid, "rtmp play", lambda: rtmpdump(self, srv))
                survivors.append((proc, path, pid))
        self.assertEqual(len(survivors), 2)
        time.sleep(1.5)
        os.kill(pub_worker, signal.SIGKILL)
        srv.wait_log(r"streams now wait for a republish")
        time.sleep(2)
        for proc, path, _ in survivors:
            self.assertTrue(proc.alive(), "a player on another worker must stay connected")
        sizes = [size_of(p) for _, p, _ in survivors]
        publish(self, srv)
        srv.wait_log(r"continuing stream slot \d+, generation 2")
        wait_until(lambda: all(size_of(p) > s + 100000 for (_, p, _), s in zip(survivors, sizes)),
                   20, what="the players to receive the republished stream")
        for proc, path, _ in survivors:
            self.assertTrue(proc.alive())
            proc.stop()
            # Timestamps stay monotonic per track across the republish.
            for kind in (8, 9):
                ts = [t[1] for t in flv_tags(path) if t[0] == kind]
                self.assertEqual(ts, sorted(ts), f"tag type {kind} timestamps go back")
        srv.stop()

    def test_streaming_continues_across_three_reloads(self):
        srv = self.start(workers=2)
        pub = publish(self, srv)
        self.wait_publishing(srv)
        players = [rtmpdump(self, srv) for _ in range(3)]
        time.sleep(2)
        for gen in (2, 3, 4):
            sizes = [size_of(p) for _, p in players]
            srv.signal(signal.SIGHUP)
            srv.wait_log(r"reload done: generation %d serving" % gen, timeout=15)
            # A new player lands on the new generation while the publisher
            # is still on the first one.
            streams = ffprobe_streams(f"rtmp://127.0.0.1:{srv.rtmp_port}/live/cam")
            self.assertEqual(len(streams), 2)
            wait_until(lambda: all(size_of(p) > s + 30000 for (_, p), s in zip(players, sizes)),
                       10, what="old players to keep receiving")
            self.assertTrue(pub.alive(), "the publisher must not be dropped")
            players.append(rtmpdump(self, srv))
        for proc, _ in players:
            self.assertTrue(proc.alive())
        srv.stop()

    def test_players_are_told_when_the_grace_period_ends(self):
        srv = self.start(workers=2, rtmp={"republish_grace": "2s"})
        pub = publish(self, srv, seconds=4)
        self.wait_publishing(srv)
        proc, path = rtmpdump(self, srv)
        pub.wait(15)
        srv.wait_log(r"rtmp unpublish|closed: peer closed")
        time.sleep(1)
        self.assertTrue(proc.alive(), "players wait during the grace period")
        proc.wait(10)  # rtmpdump exits on NetStream.Play.UnpublishNotify
        srv.wait_log(r"no republish within the grace period")
        srv.stop()

    def test_garbage_after_the_handshake_closes_only_that_connection(self):
        srv = self.start(workers=2)
        publish(self, srv)
        self.wait_publishing(srv)
        proc, path = rtmpdump(self, srv)
        s = socket.create_connection(("127.0.0.1", srv.rtmp_port), timeout=5)
        s.sendall(b"\x03" + bytes(1536))
        got = b""
        while len(got) < 1 + 2 * 1536:
            got += s.recv(8192)
        s.sendall(got[1:1537])        # C2 echoes S1
        s.sendall(b"\x05" + b"\xff" * 400)  # fmt 0 on csid 5 with a garbage header
        s.settimeout(5)
        data = b"x"
        while data:
            data = s.recv(4096)       # the server closes this connection
        s.close()
        srv.wait_log(r"closed: (bad chunk stream|malformed command|media message)")
        size = size_of(path)
        wait_until(lambda: size_of(path) > size + 20000, 10, what="the other player to continue")
        self.assertTrue(proc.alive())
        srv.stop()

    def test_unknown_vhost_and_bad_stream_names_are_refused(self):
        # No default vhost: a tcUrl naming an unknown host is refused at connect.
        srv = self.start(workers=1, vhosts={"only.example.com": {}})
        pub = publish(self, srv, seconds=3)
        self.assertNotEqual(pub.wait(15), 0)
        srv.wait_log(r"connect rejected: vhost '127\.0\.0\.1' is not configured")
        srv.stop()
        # A vhost in the stream parameters overrides the tcUrl's; a disabled one is refused
        # at publish, with NetStream.Publish.BadName.
        srv = self.start(workers=1, vhosts={"__defaultVhost__": {},
                                            "off.example.com": {"enabled": False}})
        pub = publish(self, srv, stream="live/cam?vhost=off.example.com", seconds=3)
        self.assertNotEqual(pub.wait(15), 0)
        srv.wait_log(r"publish refused: vhost 'off\.example\.com' is disabled")
        # A stream name that is too long.
        pub = publish(self, srv, stream="live/" + "x" * 300, seconds=3)
        self.assertNotEqual(pub.wait(15), 0)
        srv.wait_log(r"publish refused: bad stream name 'x+': too large: stream name: too long")
        srv.stop()


if __name__ == "__main__":
    unittest.main()
