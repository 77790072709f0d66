"""Helpers for the forward tests (test_forward.py): a forward backend in a
thread that records what the server POSTs and answers as the test says, the
server's forwarders through the API and /metrics, and a destination server
that can be stopped and started again on the same port."""
import json
import os
import re

import test_api  # parse_metrics (the module only: its TestCase stays out of this module)
from callbacks import CallbackServer
from harness import run, wait_until


class Backend(CallbackServer):
    """An operator's forward backend: the callback server of the hook tests,
    recording every POST (its JSON, plus _path and _content_type), answering
    answer(event) -> bytes (Backend.urls(...): the URLs to forward to)."""

    def __init__(self, test, answer):
        super().__init__(test, answer=answer)

    @staticmethod
    def urls(*urls):
        """An answer giving these URLs to forward to."""
        body = json.dumps({"code": 0, "data": {"urls": list(urls)}}).encode()
        return lambda event: body

    def url(self, path="/api/v1/forward"):
        return super().url(path)

    def of(self, **fields):
        with self.lock:
            return [e for e in self.events if all(e.get(k) == v for k, v in fields.items())]


# --- the server's forwarders, as its API and /metrics tell ----------------------

def forwards(srv, path):
    return srv.api(path).get("forwards", [])


def forward_to(srv, path, destination):
    """The API's forwarder to destination (its full rtmp:// URL), or None."""
    found = [f for f in forwards(srv, path) if f.get("destination") == destination]
    return found[0] if found else None


def metrics(srv):
    """/metrics as {name: {labels-text: value}}, asserting its syntax."""
    r = run(["curl", "-sS", "--max-time", "5", f"http://127.0.0.1:{srv.api_port}/metrics"],
            timeout=15)
    if r.returncode != 0:
        raise AssertionError(f"curl /metrics failed: {r.stderr.strip()}")
    return test_api.parse_metrics(r.stdout)[1]


def metric_sum(samples, name, **labels):
    """The sum of name's samples whose labels include every given label=value
    (None when the family is missing)."""
    if name not in samples:
        return None
    want = [f'{k}="{v}"' for k, v in labels.items()]
    return sum(v for text, v in samples[name].items()
               if all(w in text.split(",") for w in want))


# --- streams on a server -------------------------------------------------------

def wait_stream(srv, app, stream, timeout=20):
    """Until srv has app/stream published with both codecs known (its sequence
    headers arrived), so that a player gets both streams."""
    srv.wait_log(r"rtmp publish __defaultVhost__/" + re.escape(f"{app}/{stream}") + " ",
                 timeout=timeout)

    def ready():
        for s in srv.api("/api/v1/streams").get("streams", []):
            if s.get("app") == app and s.get("name") == stream and s.get("video") and s.get("audio"):
                return s
        return None

    return wait_until(ready, timeout, interval=0.2, what=f"{app}/{stream} with its codecs")


def restart(srv):
    """Stops srv and starts it again on the same ports and configuration; the
    previous run's log is kept aside (srs.log.1) so that waits see the new run."""
    srv.stop()
    if os.path.exists(srv.log_path):
        os.replace(srv.log_path, srv.log_path + ".1")
    srv.start()
    return srv
