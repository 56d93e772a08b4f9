"""Moto for the register's local stacks.

`SerialMotoServer` is what `make dev` runs: moto's threaded server answering one request at a
time. Moto is not written for concurrent requests: its DynamoDB checks a transaction's conditions
and then writes, and another request's transaction can run in between — two writers both pass
`attribute_not_exists`, both are acknowledged, and the second write replaces the first (reproduced
by tests/test_devstack_concurrency.py: an API write racing an upload acknowledged as version 1,
then version 1 held the file's row); a query iterating a table another thread changes fails with
HTTP 500. One lock around moto's WSGI app makes every request atomic, as DynamoDB's are. What it
costs is measured in docs/PERFORMANCE.md.

`python -m devstack.moto_server -p PORT`: moto's standalone server with the register's correction
to DynamoDB transactions (devstack/moto_fixes.py) — what the benchmarks run against. It is not
serialised: a benchmark measures its own parallel writers, and a lock would measure moto's
queue instead (docs/PERFORMANCE.md) — so a benchmark must not race writers on one item.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any

from devstack.moto_fixes import install

# WSGI's types, spelled out (wsgiref.types is Python 3.11+ but not what werkzeug declares).
Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[Environ, StartResponse], Iterable[bytes]]

# Requests that wait by design: SQS long polling (the uploads bridge waits a second per poll, and
# AWS allows 20 s) would hold the lock — and every other request — for as long as it waits. They
# touch only the queue, whose sends arrive in other requests.
WAITING_TARGETS = frozenset({"AmazonSQS.ReceiveMessage"})

# For measuring the lock's cost only (bench/dev_latency.py): without it the stack loses writes.
UNSERIALISED = "DEVSTACK_UNSERIALISED_MOTO"


class OneAtATime:
    """A WSGI app that lets one request at a time into `app` (whole: the body is produced inside)."""

    def __init__(self, app: WsgiApp) -> None:
        self._app = app
        self._lock = threading.Lock()

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("HTTP_X_AMZ_TARGET") in WAITING_TARGETS:
            return self._app(environ, start_response)
        with self._lock:
            answer = self._app(environ, start_response)
            try:
                return list(answer)
            finally:
                close = getattr(answer, "close", None)  # WSGI: an iterable's close() is called once done
                if close is not None:
                    close()


class SerialMotoServer:
    """Moto's server on a thread of this process (state shared with it), one request at a time."""

    def __init__(self, host: str, port: int = 0, *, serialised: bool = True) -> None:
        self._host, self._port, self._serialised = host, port, serialised
        self._server: Any = None
        self._thread: threading.Thread | None = None

    def start(self) -> SerialMotoServer:
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        install()
        moto: WsgiApp = DomainDispatcherApplication(create_backend_app)
        app = OneAtATime(moto) if self._serialised else moto
        self._server = make_server(self._host, self._port, app, threaded=True, request_handler=MotoRequestHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="moto", daemon=True)
        self._thread.start()
        return self

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
        if self._thread is not None:
            self._thread.join()


def serialised_by_default() -> bool:
    return os.environ.get(UNSERIALISED) != "1"


def main() -> None:
    install()
    from moto.server import main as moto_main

    moto_main(sys.argv[1:])


if __name__ == "__main__":
    main()
