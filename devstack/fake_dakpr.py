"""A local stand-in for DAKPR, the diploma register, speaking the wire contract of chalicelib/dakpr.py.

- `POST /qualifications` (JSON, `Idempotency-Key` header): registers the delivery and answers
  `201 {"registration_number"}`; a key seen before gets `200` and the same number, and is not
  registered again. Per document (record id) it keeps the latest state it was told.
- `POST /_fake/fail` `{"times": n}` (the next n calls fail with 503), `{"always": true}` (every call
  fails until told otherwise), `{"lose_answers": n}` (the next n calls register, then answer 503,
  as a reply lost on the way would look), `{"reject": n}` (the next n are refused with 422);
  `{}` heals it.
- `GET /_fake/state`: registrations in order, requests received, the latest state per document.
- `POST /_fake/reset`: forget everything.

Runs in a thread of the dev stack or a test, on loopback only. It keeps personal data only in
memory.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from devstack.loopback import BackgroundLoop, LoopbackServer

MAX_BODY = 256 * 1024


@dataclass
class DakprState:
    registrations: list[dict[str, Any]] = field(default_factory=list)  # one per idempotency key
    numbers: dict[str, str] = field(default_factory=dict)  # idempotency key → registration number
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)  # record id → latest delivery
    requests: int = 0
    fail_times: int = 0
    fail_always: bool = False
    lose_answers: int = 0
    reject_times: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def configure(self, settings: dict[str, Any]) -> None:
        with self.lock:
            self.fail_times = int(settings.get("times", 0))
            self.fail_always = bool(settings.get("always", False))
            self.lose_answers = int(settings.get("lose_answers", 0))
            self.reject_times = int(settings.get("reject", 0))

    def receive(self, key: str, delivery: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.requests += 1
            if self.fail_always or self.fail_times > 0:
                self.fail_times = max(self.fail_times - 1, 0)
                return 503, {"code": "unavailable"}
            if self.reject_times > 0:
                self.reject_times -= 1
                return 422, {"code": "document_number_invalid"}
            status = 200 if key in self.numbers else 201
            if status == 201:
                number = f"DAKPR-{len(self.numbers) + 1:08d}"
                # One document keeps its number through corrections, as a register would.
                for earlier in self.registrations:
                    if earlier["record_id"] == delivery.get("record_id"):
                        number = earlier["registration_number"]
                        break
                self.numbers[key] = number
                self.registrations.append({"idempotency_key": key, "registration_number": number,
                                           "record_id": delivery.get("record_id"),
                                           "version": delivery.get("version"), "status": delivery.get("status")})
                self.documents[str(delivery.get("record_id"))] = delivery
            if self.lose_answers > 0:
                self.lose_answers -= 1
                return 503, {"code": "answer_lost"}
            return status, {"registration_number": self.numbers[key]}

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {"registrations": list(self.registrations), "requests": self.requests,
                    "documents": dict(self.documents)}

    def reset(self) -> None:
        with self.lock:
            self.registrations.clear()
            self.numbers.clear()
            self.documents.clear()
            self.requests = self.fail_times = self.lose_answers = self.reject_times = 0
            self.fail_always = False


class _Handler(BaseHTTPRequestHandler):
    state: DakprState

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the dev stack's banner stays readable

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _json(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            return None
        try:
            return json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            return None

    def do_GET(self) -> None:
        if self.path == "/_fake/state":
            self._send(200, self.state.snapshot())
        else:
            self._send(404, {"code": "not_found"})

    def do_POST(self) -> None:
        body = self._json()
        if not isinstance(body, dict):
            self._send(400, {"code": "bad_json"})
        elif self.path == "/qualifications":
            key = self.headers.get("Idempotency-Key", "")
            if not key:
                self._send(400, {"code": "idempotency_key_missing"})
                return
            self._send(*self.state.receive(key, body))
        elif self.path == "/_fake/fail":
            self.state.configure(body)
            self._send(200, {"ok": True})
        elif self.path == "/_fake/reset":
            self.state.reset()
            self._send(200, {"ok": True})
        else:
            self._send(404, {"code": "not_found"})


class FakeDakpr(LoopbackServer):
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.state = DakprState()
        super().__init__(type("Handler", (_Handler,), {"state": self.state}), host, port)


class TransferScheduler(BackgroundLoop):
    """What EventBridge's one-minute schedule does in AWS, done locally every few seconds: invoke
    `transfer_qualifications` (moto runs no Lambda code and `chalice local` no schedules)."""

    def __init__(self, every_seconds: float = 3.0) -> None:
        super().__init__()
        self._every = every_seconds

    def _run(self) -> None:
        import logging

        from chalicelib.handlers.transfer import transfer_qualifications

        event = {"version": "0", "id": "local", "detail-type": "Scheduled Event", "source": "aws.events",
                 "account": "000000000000", "time": "", "region": "eu-north-1", "resources": [], "detail": {}}
        while not self._stop.wait(self._every):
            try:
                transfer_qualifications(event, None)
            except Exception:  # moto going down with the stack; the next tick tries again
                logging.getLogger("devstack.transfer").debug("transfer run failed", exc_info=True)
