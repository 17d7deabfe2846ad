"""A counting HTTP proxy for the API-call benchmark: every request from
driftgate to the AWS endpoint (moto) passes through it and is counted by
service and operation, as AWS would bill it against the account's quotas.

    python count_proxy.py LISTEN_PORT UPSTREAM_URL

GET /__counts answers the counts so far as JSON; POST /__reset clears them.
Operations are read the way each AWS protocol names them: the X-Amz-Target
header (JSON protocols: ECS, CloudTrail), the form's Action (Query: EC2,
STS), or the method and path (REST-XML: Route53)."""
import http.client
import json
import re
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

COUNTS = {}
LOCK = threading.Lock()
UP = urllib.parse.urlparse(sys.argv[2])
ROUTE53 = [
    (r"^/2013-04-01/hostedzonesbyname", "ListHostedZonesByName"),
    (r"^/2013-04-01/hostedzone/[^/]+/rrset", "ListResourceRecordSets"),
    (r"^/2013-04-01/hostedzone/?$", "ListHostedZones"),
]


def operation(method, path, headers, body):
    scope = re.search(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/", headers.get("Authorization", ""))
    service = scope.group(1) if scope else "?"
    target = headers.get("X-Amz-Target")
    if target:
        return service, target.rsplit(".", 1)[-1]
    if body and b"Action=" in body:
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        return service, form.get("Action", ["?"])[0]
    for pattern, name in ROUTE53:
        if re.search(pattern, path.split("?")[0]):
            return service, name
    return service, f"{method} {path.split('?')[0]}"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def handle_one(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.path == "/__counts":
            with LOCK:
                out = json.dumps({f"{s}:{o}": n for (s, o), n in sorted(COUNTS.items())}).encode()
            return self.answer(200, {"Content-Type": "application/json"}, out)
        if self.path == "/__reset":
            with LOCK:
                COUNTS.clear()
            return self.answer(200, {}, b"")
        key = operation(self.command, self.path, self.headers, body)
        with LOCK:
            COUNTS[key] = COUNTS.get(key, 0) + 1
        conn = http.client.HTTPConnection(UP.hostname, UP.port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "keep-alive")}
        conn.request(self.command, self.path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        out_headers = {
            k: v
            for k, v in resp.getheaders()
            if k.lower() not in ("connection", "keep-alive", "transfer-encoding", "content-length")
        }
        conn.close()
        self.answer(resp.status, out_headers, data)

    def answer(self, status, headers, data):
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = handle_one


ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
