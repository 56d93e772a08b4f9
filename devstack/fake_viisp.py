"""A local stand-in for the VIISP gateway: the same SOAP messages, the same redirect and postback.

- `POST /soap`: `authenticationRequest` → a signed `authenticationResponse` with a ticket;
  `authenticationDataRequest` → a signed `authenticationDataResponse`, once per ticket. Requests
  must carry a valid signature by the register's client key (as the real gateway checks);
  otherwise a SOAP fault, as are unknown, used or failed tickets.
- `GET|POST /portal` (with `ticket`): a page where a tester picks a demo identity and a means.
- `POST /portal/choose`: completes the login and auto-posts `ticket` + `customData` to the
  register's `postbackUrl`. A means marked "down" fails the login instead, as a broken bank link
  or mobile-signature service would.
- `POST /admin/down` (`providers=a,b`): mark means as down; `GET /admin/state`: what is down.

Responses are signed RSA-SHA1 like the real gateway's, so the client's verification of that path
is exercised too. Runs in a thread of the dev stack or a test, on loopback only.
"""

from __future__ import annotations

import html
import json
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlparse

from chalicelib.auth import viisp
from devstack.loopback import LoopbackServer

MAX_BODY = 64 * 1024


@dataclass
class Ticket:
    postback_url: str
    custom_data: str
    providers: list[str]
    status: str = "PENDING"  # PENDING / AUTHENTICATED / FAILED
    identity: tuple[str, str, str] | None = None  # personal code, first name, last name
    provider: str | None = None
    used: bool = False


@dataclass
class GatewayState:
    gateway_key_pem: bytes
    client_cert_pem: bytes
    identities: list[tuple[str, str, str, str]]  # (label, personal code, first name, last name)
    pid: str = "VSID000000000113"
    down: set[str] = field(default_factory=set)
    tickets: dict[str, Ticket] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _signed_response(state: GatewayState, name: str, fill: Any) -> bytes:
    from lxml import etree

    root = etree.Element(f"{{{viisp.NS}}}{name}", nsmap={"authentication": viisp.NS}, attrib={"id": "uniqueId"})
    fill(root)
    return viisp.envelope(viisp.sign(root, state.gateway_key_pem, "rsa-sha1"))


def _sub(parent: Any, name: str, text: str | None = None) -> Any:
    from lxml import etree

    child = etree.SubElement(parent, f"{{{viisp.NS}}}{name}")
    if text is not None:
        child.text = text
    return child


def handle_soap(state: GatewayState, document: bytes) -> tuple[int, bytes]:
    try:
        request = viisp.verify(viisp.body_element(document), state.client_cert_pem)
    except viisp.GatewayError:
        return 500, viisp.fault("Client", "Invalid signature", "invalidSignatureException")
    if request.findtext(f"{{{viisp.NS}}}pid") != state.pid:
        return 500, viisp.fault("Client", "Unknown service", "invalidXmlException")
    if request.tag == f"{{{viisp.NS}}}authenticationRequest":
        ticket = str(uuid.uuid4())
        with state.lock:
            state.tickets[ticket] = Ticket(
                postback_url=request.findtext(f"{{{viisp.NS}}}postbackUrl") or "",
                custom_data=request.findtext(f"{{{viisp.NS}}}customData") or "",
                providers=[e.text or "" for e in request.findall(f"{{{viisp.NS}}}authenticationProvider")],
            )
        return 200, _signed_response(state, "authenticationResponse", lambda root: _sub(root, "ticket", ticket))
    if request.tag == f"{{{viisp.NS}}}authenticationDataRequest":
        return _authentication_data(state, request.findtext(f"{{{viisp.NS}}}ticket") or "")
    return 500, viisp.fault("Client", "Unknown operation", "invalidXmlException")


def _authentication_data(state: GatewayState, ticket_id: str) -> tuple[int, bytes]:
    with state.lock:
        ticket = state.tickets.get(ticket_id)
        if ticket is None or ticket.used:
            return 500, viisp.fault("Client", "Ticket is unknown or already used", "invalidXmlException")
        ticket.used = True
    if ticket.status != "AUTHENTICATED" or ticket.identity is None:
        return 500, viisp.fault("Server", f"Authentication failed: {ticket.provider} is unavailable",
                                "invalidXmlException")
    code, first, last = ticket.identity

    def fill(root: Any) -> None:
        _sub(root, "authenticationProvider", ticket.provider)
        pair = _sub(root, "authenticationAttribute")
        _sub(pair, "attribute", viisp.PERSONAL_CODE)
        _sub(pair, "value", code)
        for info, value in (("firstName", first.upper()), ("lastName", last.upper())):
            item = _sub(root, "userInformation")
            _sub(item, "information", info)
            _sub(_sub(item, "value"), "stringValue", value)
        _sub(root, "customData", ticket.custom_data)

    return 200, _signed_response(state, "authenticationDataResponse", fill)


def portal_page(state: GatewayState, ticket_id: str) -> tuple[int, str]:
    ticket = state.tickets.get(ticket_id)
    if ticket is None or ticket.status != "PENDING":
        return 400, _page("Neteisingas bilietas / Invalid ticket", "<p>Pradėkite prisijungimą iš naujo.</p>")
    people = "".join(
        f'<label><input type="radio" name="person" value="{html.escape(code)}"{" checked" if i == 0 else ""}> '
        f"{html.escape(label)}: {html.escape(first)} {html.escape(last)} ({html.escape(code)})</label><br>"
        for i, (label, code, first, last) in enumerate(state.identities)
    )
    means = "".join(
        f'<label><input type="radio" name="provider" value="{p}"{" checked" if i == 0 else ""}> '
        f"{html.escape(viisp.PROVIDER_NAMES.get(p, {'lt': p})['lt'])}"
        f"{' — laikinai neveikia / temporarily down' if p in state.down else ''}</label><br>"
        for i, p in enumerate(ticket.providers)
    )
    body = (
        '<form method="post" action="/portal/choose">'
        f'<input type="hidden" name="ticket" value="{html.escape(ticket_id)}">'
        f"<fieldset><legend>Asmuo / Person</legend>{people}</fieldset>"
        f"<fieldset><legend>Tapatybės nustatymo priemonė / Means</legend>{means}</fieldset>"
        '<button type="submit">Prisijungti / Log in</button></form>'
    )
    return 200, _page("Elektroninių valdžios vartų imitacija / Fake e-government gateway", body)


def choose(state: GatewayState, form: dict[str, str]) -> tuple[int, str]:
    ticket_id, code, provider = form.get("ticket", ""), form.get("person", ""), form.get("provider", "")
    person = next((p for p in state.identities if p[1] == code), None)
    with state.lock:
        ticket = state.tickets.get(ticket_id)
        if ticket is None or ticket.status != "PENDING" or person is None or provider not in ticket.providers:
            return 400, _page("Klaida / Error", "<p>Neteisingas pasirinkimas / Invalid choice.</p>")
        ticket.provider = provider
        if provider in state.down:
            ticket.status = "FAILED"
        else:
            ticket.status, ticket.identity = "AUTHENTICATED", (person[1], person[2], person[3])
    # Like the real gateway: a form that posts ticket and customData back to the service.
    body = (
        f'<form id="postback" method="post" action="{html.escape(ticket.postback_url)}">'
        f'<input type="hidden" name="ticket" value="{html.escape(ticket_id)}">'
        f'<input type="hidden" name="customData" value="{html.escape(ticket.custom_data)}">'
        '<button type="submit">Tęsti / Continue</button></form>'
        "<script>document.getElementById('postback').submit()</script>"
    )
    return 200, _page("Grįžtama į paslaugą / Returning to the service", body)


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="lt"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title></head><body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )


class _Handler(BaseHTTPRequestHandler):
    state: GatewayState

    def log_message(self, format: str, *args: Any) -> None:
        return  # quiet: the dev stack's console is for the banner

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(min(length, MAX_BODY))

    def _form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self._body().decode("utf-8", "replace")).items()}

    def _send(self, status: int, body: bytes | str, content_type: str) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        url = urlparse(self.path)
        if url.path == "/portal":
            status, page = portal_page(self.state, parse_qs(url.query).get("ticket", [""])[0])
            self._send(status, page, "text/html; charset=utf-8")
        elif url.path == "/admin/state":
            self._send(200, json.dumps({"down": sorted(self.state.down)}), "application/json")
        else:
            self._send(404, "not found", "text/plain")

    def do_POST(self) -> None:
        path = urlparse(self.path).path
        if path == "/soap":
            status, document = handle_soap(self.state, self._body())
            self._send(status, document, "text/xml; charset=utf-8")
        elif path == "/portal":
            status, page = portal_page(self.state, self._form().get("ticket", ""))
            self._send(status, page, "text/html; charset=utf-8")
        elif path == "/portal/choose":
            status, page = choose(self.state, self._form())
            self._send(status, page, "text/html; charset=utf-8")
        elif path == "/admin/down":
            providers = self._form().get("providers", "")
            self.state.down = {p.strip() for p in providers.split(",") if p.strip()}
            self._send(200, json.dumps({"down": sorted(self.state.down)}), "application/json")
        else:
            self._send(404, "not found", "text/plain")


class FakeGateway(LoopbackServer):
    def __init__(self, state: GatewayState, host: str = "127.0.0.1", port: int = 0) -> None:
        self.state = state
        super().__init__(type("Handler", (_Handler,), {"state": state}), host, port)
