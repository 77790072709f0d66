"""HTTP callbacks (issue #7): a small callback server in the test records every
event and accepts a publish or play only with ?token=good, as an operator's
token check would. Real clients: ffmpeg publishes, ffprobe / rtmpdump / curl
play. A callback server that never answers makes a publish fail after the
timeout while another stream keeps streaming."""
import os
import re
import signal
import time
import unittest

from callbacks import CallbackServer
from harness import Server, ffprobe_ok, publish, rtmpdump, run, size_of, wait_until


def curl_flv(srv, path, seconds=3):
    out = os.path.join(srv.dir, f"curl-{time.monotonic_ns()}.flv")
    r = run(["curl", "-s", "-o", out, "-w", "%{http_code}", "-m", str(seconds),
             f"http://127.0.0.1:{srv.http_port}/{path}"], timeout=seconds + 10)
    size = os.path.getsize(out) if os.path.exists(out) else 0
    return r.stdout.strip(), size


class HooksTest(unittest.TestCase):
    def start(self, cb, timeout="2s", workers=2, hls=None):
        hooks = {
            "enabled": True,
            "timeout": timeout,
            "on_connect": [cb.url("/connect")],
            "on_publish": [cb.url("/auth?hook=publish")],
            "on_play": [cb.url("/auth?hook=play")],
            "on_unpublish": [cb.url("/notify")],
            "on_stop": [cb.url("/notify")],
            "on_close": [cb.url("/notify")],
            "on_hls": [cb.url("/notify")],
        }
        vhost = {"http_hooks": hooks, "hls": hls or {"enabled": False}}
        return Server(self, workers=workers,
                      extra={"vhosts": {"__defaultVhost__": vhost}}).start()

    def test_tokens_decide_publish_and_play(self):
        cb = CallbackServer(self)
        srv = self.start(cb)
        good = publish(self, srv, stream="live/cam?token=good", seconds=60)
        srv.wait_log(r"rtmp publish __defaultVhost__/live/cam ", timeout=15)
        # on_connect and on_publish arrived with SRS's fields and the publisher's context id.
        pub = wait_until(lambda: cb.of("on_publish", stream="cam"), 5, what="on_publish")[0]
        self.assertEqual(pub["_content_type"], "application/json")
        self.assertEqual(pub["_path"], "/auth?hook=publish")  # the URL's query is kept
        self.assertEqual((pub["vhost"], pub["app"], pub["stream"]), ("__defaultVhost__", "live", "cam"))
        self.assertEqual(pub["param"], "?token=good")
        self.assertEqual(pub["stream_url"], "/live/cam")
        self.assertTrue(pub["tcUrl"].startswith(f"rtmp://127.0.0.1:{srv.rtmp_port}/live"), pub)
        self.assertEqual(pub["ip"], "127.0.0.1")
        self.assertTrue(pub["server_id"] and pub["service_id"], pub)
        cid = pub["client_id"]
        self.assertRegex(srv.log(), r"\[" + re.escape(cid) + r"\] rtmp publish __defaultVhost__/live/cam ")
        conn = cb.of("on_connect", client_id=cid)
        self.assertEqual(len(conn), 1, cb.events)
        self.assertEqual(conn[0]["app"], "live")

        # A wrong token: refused by the callback's answer, not by its timeout;
        # the good stream is not disturbed.
        bad = publish(self, srv, stream="live/other?token=bad", seconds=30)
        self.assertNotEqual(bad.wait(15), 0)
        self.assertIn("rejected by the on_publish callback", bad.output())  # what ffmpeg shows
        self.assertNotIn(str(cb.port), bad.output())  # the callback URL stays private
        srv.wait_log(r"callback on_publish http://127\.0\.0\.1:\d+/auth\?hook=publish: HTTP 200, "
                     r"refused \(the body is not 0")
        self.assertNotIn("timeout after", srv.log())
        self.assertNotRegex(srv.log(), r"rtmp publish __defaultVhost__/live/other")
        self.assertTrue(good.alive())

        # Play: RTMP and HTTP-FLV, good and bad tokens.
        self.assertTrue(ffprobe_ok(f"rtmp://127.0.0.1:{srv.rtmp_port}/live/cam?token=good"))
        self.assertFalse(ffprobe_ok(f"rtmp://127.0.0.1:{srv.rtmp_port}/live/cam?token=bad"))
        status, size = curl_flv(srv, "live/cam.flv?token=bad")
        self.assertEqual(status, "403")
        status, size = curl_flv(srv, "live/cam.flv?token=good", seconds=3)
        self.assertEqual(status, "200")
        self.assertGreater(size, 10000)
        plays = cb.of("on_play", stream="cam")
        streams = srv.api("/api/v1/streams").get("streams", [])
        api_id = [st["id"] for st in streams if st.get("name") == "cam"]
        self.assertEqual(len(api_id), 1, streams)
        self.assertEqual({p["stream_id"] for p in plays}, {api_id[0]})  # the API's id of the stream
        self.assertEqual(sorted(p["param"] for p in plays).count("?token=good"), 2, plays)
        flv_play = [p for p in plays if p["tcUrl"].startswith("http://")]
        self.assertEqual(len(flv_play), 2, plays)  # good and bad tokens over HTTP

        # rtmpdump plays, then leaves: on_stop and on_close arrive.
        player, path = rtmpdump(self, srv, stream="live/cam?token=good")
        wait_until(lambda: size_of(path) > 20000, 15, what="rtmpdump data")
        play = [p for p in cb.of("on_play", param="?token=good") if p["tcUrl"].startswith("rtmp")][-1]
        player.stop()
        wait_until(lambda: cb.of("on_stop", client_id=play["client_id"]), 5, what="on_stop")
        wait_until(lambda: cb.of("on_close", client_id=play["client_id"]), 5, what="on_close")

        # The publisher leaves: on_unpublish, then on_close with its byte counts.
        good.stop()
        unpub = wait_until(lambda: cb.of("on_unpublish", client_id=cid), 5, what="on_unpublish")[0]
        self.assertEqual((unpub["stream"], unpub["param"]), ("cam", "?token=good"))
        close = wait_until(lambda: cb.of("on_close", client_id=cid), 5, what="on_close")[0]
        self.assertGreater(close["recv_bytes"], 10000)
        self.assertGreater(close["send_bytes"], 0)

    def test_a_callback_server_that_never_answers(self):
        cb = CallbackServer(self)
        srv = self.start(cb, timeout="5s", workers=1)
        good = publish(self, srv, stream="live/cam?token=good", seconds=60)
        srv.wait_log(r"rtmp publish __defaultVhost__/live/cam ", timeout=15)
        player, path = rtmpdump(self, srv, stream="live/cam?token=good")
        wait_until(lambda: size_of(path) > 20000, 15, what="rtmpdump data")
        slow = publish(self, srv, stream="live/slow?token=good", seconds=30)
        wait_until(lambda: cb.of("on_publish", stream="slow"), 15, what="the unanswered on_publish")
        # While the worker waits for that answer, it keeps streaming to the other
        # stream's player (the same worker): bytes arrive before the timeout.
        before = size_of(path)
        wait_until(lambda: size_of(path) > before + 10000, 15, what="the player to keep receiving")
        self.assertNotIn("timeout after", srv.log(), "the player received only after the wait")
        self.assertNotEqual(slow.wait(20), 0)
        srv.wait_log(r"callback on_publish http://127\.0\.0\.1:\d+/auth\?hook=publish: timeout after 5000 ms")
        self.assertTrue(good.alive() and player.alive())

    def test_a_client_that_leaves_while_its_callback_is_pending(self):
        cb = CallbackServer(self)
        srv = self.start(cb, timeout="10s", workers=1)
        slow = publish(self, srv, stream="live/slow?token=good", seconds=30)
        pending = wait_until(lambda: cb.of("on_publish", stream="slow"), 10, what="on_publish")[0]
        slow.stop()
        srv.wait_log(r"\[" + pending["client_id"] + r"\] callback on_publish cancelled: the connection closed",
                     timeout=20)
        # Noticed at once, not when the 10 s timeout ended the call.
        self.assertNotIn("timeout after", srv.log())
        # The worker still serves: a good publish goes through.
        publish(self, srv, stream="live/cam?token=good", seconds=30)
        srv.wait_log(r"rtmp publish __defaultVhost__/live/cam ", timeout=15)
        self.assertNotRegex(srv.log(), r"rtmp publish __defaultVhost__/live/slow")

    def test_a_reload_changes_the_hooks_of_new_connections(self):
        cb = CallbackServer(self)
        srv = self.start(cb, workers=1)
        first = publish(self, srv, stream="live/cam?token=good", seconds=60)
        srv.wait_log(r"rtmp publish __defaultVhost__/live/cam ", timeout=15)
        hooks = srv.settings["vhosts"]["__defaultVhost__"]["http_hooks"]
        hooks["on_publish"] = [cb.url("/deny")]
        srv.write_config(srv.settings)
        srv.signal(signal.SIGHUP)
        srv.wait_log(r"reload done: generation 2")
        late = publish(self, srv, stream="live/other?token=good", seconds=30)
        self.assertNotEqual(late.wait(15), 0)
        wait_until(lambda: cb.of("on_publish", stream="other"), 5, what="on_publish of the new generation")
        self.assertEqual(cb.of("on_publish", stream="other")[0]["_path"], "/deny")
        self.assertTrue(first.alive())  # the old generation's publisher goes on

    def test_a_refused_connect(self):
        cb = CallbackServer(self)
        srv = Server(self, workers=1, extra={"vhosts": {"__defaultVhost__": {"http_hooks": {
            "enabled": True, "on_connect": cb.url("/deny"), "on_close": cb.url("/notify")}}}}).start()
        pub = publish(self, srv, stream="live/cam", seconds=30)
        self.assertNotEqual(pub.wait(15), 0)
        self.assertIn("rejected by the on_connect callback", pub.output())
        self.assertEqual(len(cb.of("on_connect")), 1)
        srv.wait_log(r"closed: rejected by on_connect http://127\.0\.0\.1:\d+/deny")
        self.assertNotIn("rtmp connect tcUrl", srv.log())
        self.assertNotIn("timeout after", srv.log())  # refused by the answer
        # Never connected: nothing to close. The worker (one) would have posted an
        # on_close before it took the next connection, whose on_connect comes in.
        second = publish(self, srv, stream="live/cam", seconds=30)
        wait_until(lambda: len(cb.of("on_connect")) == 2, 15, what="the next on_connect")
        self.assertNotEqual(second.wait(15), 0)
        self.assertEqual(cb.of("on_close"), [])

    def test_on_hls_when_segments_close(self):
        cb = CallbackServer(self)
        srv = self.start(cb, workers=1, hls={"enabled": True, "fragment": "1s", "window": "10s"})
        publish(self, srv, stream="live/cam?token=good", seconds=60)
        srv.wait_log(r"rtmp publish __defaultVhost__/live/cam ", timeout=15)
        events = wait_until(lambda: len(cb.of("on_hls")) >= 2 and cb.of("on_hls"), 20, what="on_hls")
        e = events[0]
        self.assertEqual((e["app"], e["stream"]), ("live", "cam"))
        self.assertRegex(e["url"], r"^live/cam-\d+\.ts$")
        self.assertTrue(e["file"].endswith("/" + e["url"]), e)
        self.assertTrue(os.path.exists(os.path.join(srv.dir, e["file"])) or os.path.exists(e["file"]), e)
        self.assertEqual(e["m3u8_url"], "live/cam.m3u8")
        self.assertGreater(e["duration"], 0.5)
        self.assertEqual(events[1]["seq_no"], e["seq_no"] + 1)
        # The publisher's client fields, as on_publish had them.
        pub = cb.of("on_publish", stream="cam")[0]
        for k in ("client_id", "ip", "param", "tcUrl"):
            self.assertEqual(e[k], pub[k], k)
        self.assertEqual(e["param"], "?token=good")


if __name__ == "__main__":
    unittest.main()
