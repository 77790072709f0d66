"""The RTMP live origin across workers (issue #5), with real clients only:
ffmpeg publishes a test pattern (H.264 + AAC, a keyframe every 2 s); ffprobe,
ffmpeg and rtmpdump play it on every worker; workers are killed and reloaded
underneath them."""
import os
import re
import signal
import socket
import unittest

from harness import (Probe, Server, assert_test_pattern, decoded_frames, ffprobe_streams,
                     flv_tags, publish, rtmpdump, size_of, start_on_worker, wait_publishing,
                     wait_until)


def publisher_pid(srv, nth=1):
    pids = re.findall(r"\]\[INFO\]\[(\d+)\]\[\w+\] rtmp publish ", srv.log())
    return int(pids[nth - 1])


def stream_state(srv):
    """The state of the one stream in /api/v1/streams (live, lost...); None without one."""
    streams = srv.api("/api/v1/streams")["streams"]
    return streams[0]["state"] if streams else None


def rtmp_players(srv):
    return [c for c in srv.api("/api/v1/clients?count=100")["clients"] if c["type"] == "rtmp-play"]


def media_tags(path):
    """The audio and video frames (not sequence headers) in an FLV file a client
    is still writing: [] until it holds its header."""
    if size_of(path) <= 13:
        return []
    return [t for t in flv_tags(path) if t[0] in (8, 9) and len(t[3]) > 1 and t[3][1] == 1]


def has_audio_and_video(path):
    kinds = {t[0] for t in media_tags(path)}
    return kinds == {8, 9}


def is_keyframe(tag):
    return tag[0] == 9 and tag[2] >> 4 == 1


def frames_since_keyframe(path):
    """Video frames after the newest keyframe in the file; -1 before the first."""
    video = [t for t in media_tags(path) if t[0] == 9]
    keys = [i for i, t in enumerate(video) if is_keyframe(t)]
    return len(video) - keys[-1] - 1 if keys else -1


class RtmpOriginTest(unittest.TestCase):
    def start(self, workers=3, **extra):
        srv = Server(self, workers=workers, extra=extra or None).start()
        return srv

    def test_every_worker_serves_both_streams(self):
        srv = self.start()
        publish(self, srv)
        wait_publishing(srv)
        url = f"rtmp://127.0.0.1:{srv.rtmp_port}/live/cam"
        workers = srv.workers()
        self.assertEqual(len(workers), 3)
        for pid in workers:
            probe = start_on_worker(srv, pid, "rtmp play", lambda: Probe(url))
            assert_test_pattern(self, probe.streams())
        # rtmpdump on every worker too: each dump is a valid FLV with both streams.
        for pid in workers:
            proc, path = start_on_worker(srv, pid, "rtmp play", lambda: rtmpdump(self, srv))
            wait_until(lambda: has_audio_and_video(path), 15, what="audio and video in the dump")
            proc.stop()
            streams = ffprobe_streams(path)
            self.assertEqual(sorted(s["codec_name"] for s in streams), ["aac", "h264"])
        srv.stop()

    def test_ffmpeg_decodes_without_errors_or_gaps(self):
        srv = self.start()
        publish(self, srv)
        wait_publishing(srv)
        frames = decoded_frames(self, f"rtmp://127.0.0.1:{srv.rtmp_port}/live/cam", 6)
        # 6 s at 25 fps (the GOP cache adds up to 2 s more).
        self.assertGreaterEqual(frames, 145)
        srv.stop()

    def test_late_joiner_starts_with_metadata_headers_and_the_cached_keyframe(self):
        """The GOP cache (play.gop_cache): a player that joins in the middle of a
        GOP starts with the newest keyframe the publisher already sent and the
        frames after it, instead of waiting for the next keyframe."""
        srv = self.start()
        pub = publish(self, srv)
        wait_publishing(srv)
        watcher, watched = rtmpdump(self, srv)
        # Mid-GOP: the watcher saw a keyframe and 10 frames after it (0.4 s of a 2 s GOP).
        wait_until(lambda: frames_since_keyframe(watched) >= 10, 15, what="the middle of a GOP")
        # The publisher is frozen while the late player joins: whatever it gets
        # was published before it played, and no next keyframe can come.
        os.kill(pub.pid, signal.SIGSTOP)
        self.addCleanup(lambda: pub.alive() and os.kill(pub.pid, signal.SIGCONT))
        proc, path = rtmpdump(self, srv)
        # Without the GOP cache the player waits for the next keyframe: none comes.
        srv.wait_log(r"play __defaultVhost__/live/cam: first keyframe sent", count=2)
        os.kill(pub.pid, signal.SIGCONT)
        wait_until(lambda: len([t for t in media_tags(path) if t[0] == 9]) >= 75, 20,
                   what="the late player to receive a GOP and a half")
        proc.stop()
        tags = flv_tags(path)
        self.assertEqual(tags[0][0], 18, "metadata first")
        self.assertIn(b"onMetaData", tags[0][3][:20])
        video = [t for t in tags if t[0] == 9]
        self.assertEqual(video[0][2], 0x17)          # AVC keyframe...
        self.assertEqual(video[0][3][1], 0)          # ...the sequence header
        self.assertEqual(video[1][2], 0x17)          # then a keyframe
        self.assertEqual(video[1][3][1], 1)
        audio = [t for t in tags if t[0] == 8]
        self.assertEqual(audio[0][3][1], 0, "the AAC sequence header comes first")
        # That keyframe and the frames after it are the watcher's: the same
        # bodies, in the same order, none missing.
        late = [t[3] for t in video[1:]]

        def watcher_has_them():
            seen = [t[3] for t in media_tags(watched) if t[0] == 9]
            return late[0] in seen and len(seen) >= seen.index(late[0]) + len(late) and seen

        seen = wait_until(watcher_has_them, 20, what="the watcher to receive the same frames")
        at = seen.index(late[0])
        self.assertEqual(seen[at:at + len(late)], late)
        self.assertTrue(watcher.alive())
        srv.stop()

    def test_player_waits_for_the_publisher(self):
        srv = self.start(workers=2)
        proc, path = rtmpdump(self, srv)
        srv.wait_log(r"no publisher yet, waiting")
        self.assertTrue(proc.alive())
        publish(self, srv)  # the media comes on the connection that waited
        wait_until(lambda: size_of(path) > 50000, 15, what="media after the publish")
        streams = ffprobe_streams(path)
        self.assertEqual(sorted(s["codec_name"] for s in streams), ["aac", "h264"])
        srv.stop()

    def test_second_publisher_is_rejected(self):
        srv = self.start(workers=2)
        first = publish(self, srv)
        wait_publishing(srv)
        second = publish(self, srv, seconds=5)
        self.assertNotEqual(second.wait(20), 0)
        srv.wait_log(r"publish __defaultVhost__/live/cam refused: stream .* is busy")
        self.assertTrue(first.alive(), "the first publisher must keep publishing")
        self.assertEqual(len(ffprobe_streams(f"rtmp://127.0.0.1:{srv.rtmp_port}/live/cam")), 2)
        srv.stop()

    def test_takeover_replaces_the_publisher_and_players_follow(self):
        srv = self.start(workers=2, vhosts={"__defaultVhost__": {"publish": {"takeover": True}}})
        first = publish(self, srv)
        wait_publishing(srv)
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
        wait_publishing(srv)
        pub_worker = publisher_pid(srv)
        survivors = []
        for pid in srv.workers():
            if pid != pub_worker:
                proc, path = start_on_worker(srv, pid, "rtmp play", lambda: rtmpdump(self, srv))
                survivors.append((proc, path, pid))
        self.assertEqual(len(survivors), 2)
        wait_until(lambda: all(size_of(p) > 20000 for _, p, _ in survivors), 15,
                   what="the players to receive")
        os.kill(pub_worker, signal.SIGKILL)
        srv.wait_log(r"streams now wait for a republish")
        # While the stream waits, its players stay connected (and listed).
        wait_until(lambda: stream_state(srv) == "lost", 10, what="the stream to wait")
        self.assertEqual(len(rtmp_players(srv)), 2, "a player on another worker must stay connected")
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
        wait_publishing(srv)
        players = [rtmpdump(self, srv) for _ in range(3)]
        wait_until(lambda: all(size_of(p) > 20000 for _, p in players), 15,
                   what="the players to receive")
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
        srv = self.start(workers=2, rtmp={"republish_grace": "4s"})
        pub = publish(self, srv)
        wait_publishing(srv)
        proc, path = rtmpdump(self, srv)
        wait_until(lambda: size_of(path) > 20000, 15, what="the player to receive")
        pub.stop()
        srv.wait_log(r"rtmp unpublish|closed: peer closed")
        # During the grace period the stream waits for a republish with its
        # player still connected (4 s: the sweep counts whole seconds, 3 s at least).
        wait_until(lambda: stream_state(srv) == "lost" and len(rtmp_players(srv)) == 1, 10,
                   what="the stream to wait for a republish with its player")
        self.assertTrue(proc.alive(), "players wait during the grace period")
        proc.wait(15)  # rtmpdump exits on NetStream.Play.UnpublishNotify
        srv.wait_log(r"rtmp client \S+ closed: play __defaultVhost__/live/cam: the stream ended "
                     r"\(no republish within the grace period\)")
        srv.stop()

    def test_garbage_after_the_handshake_closes_only_that_connection(self):
        srv = self.start(workers=2)
        publish(self, srv)
        wait_publishing(srv)
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
