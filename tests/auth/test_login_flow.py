"""The whole gateway login over HTTP: the register (chalice.test.Client) and the fake VIISP gateway
(a real HTTP server in a thread) talk signed SOAP to each other; the test plays the browser."""

from __future__ import annotations

import re
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from chalice.test import Client
from lxml import etree

from app import app
from chalicelib.auth import viisp
from chalicelib.models.institutions import Permit, StaffMember, permit_item, staff_item
from devstack.certs import key_and_certificate
from devstack.fake_viisp import FakeGateway, GatewayState

REPRESENTATIVE = "38209032143"
MINOR = "51205140094"
SCHEMA = etree.XMLSchema(etree.parse(str(Path(__file__).with_name("viisp_schema.xsd"))))


@pytest.fixture(scope="module")
def certificates() -> dict[str, tuple[bytes, bytes]]:
    return {"register": key_and_certificate("register"), "gateway": key_and_certificate("gateway")}


@pytest.fixture
def gateway(
    certificates: dict[str, tuple[bytes, bytes]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeGateway]:
    state = GatewayState(
        gateway_key_pem=certificates["gateway"][0], client_cert_pem=certificates["register"][1],
        identities=[("representative", REPRESENTATIVE, "Tomas", "Žukauskas"),
                    ("guardian", "48402290770", "Laura", "Jankauskienė")],
    )
    fake = FakeGateway(state).start()
    (tmp_path / "client.pem").write_bytes(certificates["register"][0])
    (tmp_path / "gateway.crt").write_bytes(certificates["gateway"][1])
    (tmp_path / "population.json").write_text(f'{{"guardianships": {{"48402290770": ["{MINOR}"]}}}}')
    monkeypatch.setenv("VIISP_SOAP_URL", f"{fake.url}/soap")
    monkeypatch.setenv("VIISP_PORTAL_URL", f"{fake.url}/portal")
    monkeypatch.setenv("VIISP_CLIENT_KEY_FILE", str(tmp_path / "client.pem"))
    monkeypatch.setenv("VIISP_GATEWAY_CERT_FILE", str(tmp_path / "gateway.crt"))
    monkeypatch.setenv("POPULATION_REGISTER_FILE", str(tmp_path / "population.json"))
    monkeypatch.setenv("PUBLIC_URL", "https://register.test")
    yield fake
    fake.stop()


@pytest.fixture
def client(aws: None) -> Iterator[Client]:
    with Client(app, stage_name="local") as test_client:
        yield test_client


def cookies_from(response: Any) -> dict[str, str]:
    values = response.headers.get("Set-Cookie") or response.headers.get("set-cookie") or []
    values = [values] if isinstance(values, str) else values
    found = {}
    for value in values:
        name, _, rest = value.partition("=")
        found[name] = rest.split(";", 1)[0]
        assert "HttpOnly" in value and "Secure" in value and "Path=/" in value
    return found


def form_fields(page: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))


def post_form(url: str, fields: dict[str, str]) -> str:
    data = urllib.parse.urlencode(fields).encode()
    with urllib.request.urlopen(urllib.request.Request(url, data=data, method="POST"), timeout=10) as response:
        return str(response.read().decode())


def login(client: Client, gateway: FakeGateway, person: str, provider: str = "auth.lt.bank") -> Any:
    """Start at /auth/login, pick at the gateway, post back; return the callback's response."""
    started = client.http.get("/auth/login")
    assert started.status_code == 200
    login_cookie = cookies_from(started)["__Host-mr_login"]
    action = re.search(r'<form id="gateway" method="post" action="([^"]+)"', started.body.decode())
    assert action and action.group(1) == f"{gateway.url}/portal"
    ticket = form_fields(started.body.decode())["ticket"]
    assert ticket not in started.headers.get("Location", "")  # the ticket travels in a form, not a URL
    portal = post_form(f"{gateway.url}/portal", {"ticket": ticket})
    assert "Tomas Žukauskas" in portal
    postback = post_form(f"{gateway.url}/portal/choose", {"ticket": ticket, "person": person, "provider": provider})
    fields = form_fields(postback)
    assert fields["ticket"] == ticket
    return client.http.post(
        "/auth/callback", body=urllib.parse.urlencode(fields),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"__Host-mr_login={login_cookie}"},
    ), fields, login_cookie


def token_for(client: Client, session: str) -> Any:
    return client.http.post("/auth/token", headers={"Cookie": f"__Host-mr_session={session}",
                                                    "X-Requested-With": "mokiniu-registras"})


def test_login_to_who_am_i(client: Client, gateway: FakeGateway) -> None:
    now = datetime.now(UTC)
    Permit("inst-a", permit_item("p1"), permit_id="p1", scope={"read", "write"}, created_at=now, created_by="t",
           valid_from=(date.today() - timedelta(days=1)).isoformat(),
           valid_to=(date.today() + timedelta(days=30)).isoformat()).save()
    StaffMember("inst-a", staff_item(REPRESENTATIVE), staff_person_id=REPRESENTATIVE, created_at=now,
                created_by="t").save()

    callback, _, _ = login(client, gateway, REPRESENTATIVE)
    assert callback.status_code == 303
    assert callback.headers["Location"] == "../"
    session = cookies_from(callback)["__Host-mr_session"]
    assert "SameSite=Strict" in str(callback.headers["Set-Cookie"])

    issued = token_for(client, session)
    assert issued.status_code == 200
    assert issued.headers["Cache-Control"] == "no-store"
    access = issued.json_body["access_token"]
    assert issued.json_body["expires_in"] <= 900

    me = client.http.get("/me", headers={"Authorization": f"Bearer {access}"})
    assert me.status_code == 200
    # Names arrive from the gateway in capitals and are stored as people write them.
    assert me.json_body == {"person_id": REPRESENTATIVE, "given_name": "Tomas", "family_name": "Žukauskas",
                            "roles": ["representative", "resident"], "institutions": ["inst-a"], "children": [],
                            "municipalities": [],
                            # These tests store no institution profile: its id stands in for the name.
                            "acts_for": [{"institution_id": "inst-a", "name": "inst-a", "role": "REPRESENTATIVE",
                                          "scopes": ["read", "write"]}]}

    # The refresh cookie was spent for the token: the response set the next one.
    rotated = cookies_from(issued)["__Host-mr_session"]
    assert rotated != session and "SameSite=Strict" in str(issued.headers["Set-Cookie"])

    logout = client.http.post("/auth/logout", headers={"Cookie": f"__Host-mr_session={rotated}",
                                                       "X-Requested-With": "mokiniu-registras"})
    assert logout.status_code == 204
    refused = token_for(client, rotated)
    assert refused.status_code == 401
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert refused.json_body["code"] == "auth.session"
    # The access token issued before the logout is refused on the very next request.
    assert client.http.get("/me", headers={"Authorization": f"Bearer {access}"}).status_code == 403


def test_guardian_of_a_minor_gets_the_role(client: Client, gateway: FakeGateway) -> None:
    callback, _, _ = login(client, gateway, "48402290770", provider="auth.signatureProvider")
    access = token_for(client, cookies_from(callback)["__Host-mr_session"]).json_body["access_token"]
    me = client.http.get("/me", headers={"Authorization": f"Bearer {access}"}).json_body
    assert me["roles"] == ["guardian", "resident"]


def test_a_ticket_works_once_and_only_in_the_browser_that_started(client: Client, gateway: FakeGateway) -> None:
    callback, fields, login_cookie = login(client, gateway, REPRESENTATIVE)
    assert callback.status_code == 303
    replay = client.http.post("/auth/callback", body=urllib.parse.urlencode(fields), headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"__Host-mr_login={login_cookie}"})
    assert replay.status_code == 400
    assert "__Host-mr_session" not in str(replay.headers.get("Set-Cookie", ""))

    _, fields, _ = login(client, gateway, REPRESENTATIVE)
    foreign = client.http.post("/auth/callback", body=urllib.parse.urlencode(fields), headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": "__Host-mr_login=someone-elses"})
    assert foreign.status_code == 400
    tampered = client.http.post("/auth/callback", body=urllib.parse.urlencode(fields | {"customData": "x"}),
                                headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert tampered.status_code == 400


def test_a_means_that_is_down_gives_the_fallback_page(client: Client, gateway: FakeGateway) -> None:
    gateway.state.down = {"auth.signatureProvider"}
    callback, _, _ = login(client, gateway, REPRESENTATIVE, provider="auth.signatureProvider")
    page = callback.body.decode()
    assert callback.status_code == 401
    assert "kitą tapatybės nustatymo priemonę" in page and "another means" in page
    assert "+370 5 000 0000" in page and "pagalba@mokiniuregistras.example" in page
    assert 'href="../auth/login"' in page
    assert "__Host-mr_session" not in str(callback.headers.get("Set-Cookie", ""))
    # Another means works right away.
    retry, _, _ = login(client, gateway, REPRESENTATIVE, provider="auth.lt.bank")
    assert retry.status_code == 303


def test_an_unreachable_gateway_gives_the_fallback_page(
    client: Client, gateway: FakeGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIISP_SOAP_URL", "http://127.0.0.1:9/soap")  # discard port: nothing listens
    response = client.http.get("/auth/login")
    assert response.status_code == 503
    assert "nepasiekiama" in response.body.decode() and "+370 5 000 0000" in response.body.decode()


def test_a_response_signed_by_someone_else_is_refused(
    client: Client, gateway: FakeGateway, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _, impostor_cert = key_and_certificate("impostor")
    (tmp_path / "impostor.crt").write_bytes(impostor_cert)
    monkeypatch.setenv("VIISP_GATEWAY_CERT_FILE", str(tmp_path / "impostor.crt"))
    viisp._read.cache_clear()
    assert client.http.get("/auth/login").status_code == 503
    with pytest.raises(viisp.GatewayError) as refused:
        viisp.configured_gateway().start("https://register.test/auth/callback", "x")
    assert refused.value.reason == "invalid"


def test_token_and_logout_need_the_csrf_header(client: Client) -> None:
    for path in ("/auth/token", "/auth/logout"):
        response = client.http.post(path, headers={"Cookie": "__Host-mr_session=whatever"})
        assert response.status_code == 403
        assert response.json_body["code"] == "auth.csrf"


def test_messages_match_the_gateway_schema_and_verify(certificates: dict[str, tuple[bytes, bytes]]) -> None:
    key, cert = certificates["register"]
    request = viisp.authentication_request("VSID000000000113", viisp.DEFAULT_PROVIDERS,
                                           "https://register.test/auth/callback", "state-123")
    data_request = viisp.authentication_data_request("VSID000000000113", "0c1b2a3d-ticket")
    for message in (request, data_request):
        wire = viisp.envelope(viisp.sign(message, key))
        body = viisp.body_element(wire)
        assert SCHEMA.validate(body), SCHEMA.error_log
        assert viisp.verify(body, cert).get("id") == "uniqueNodeId"
        transforms = body.findall(".//{http://www.w3.org/2000/09/xmldsig#}Transform")
        assert [t.get("Algorithm") for t in transforms] == [
            "http://www.w3.org/2000/09/xmldsig#enveloped-signature", viisp.EXC_C14N]
        tampered = wire.replace(b"VSID000000000113", b"VSID000000000114")
        with pytest.raises(viisp.GatewayError):
            viisp.verify(viisp.body_element(tampered), cert)
    assert not SCHEMA.validate(etree.fromstring(etree.tostring(data_request)))  # unsigned: not the shape
