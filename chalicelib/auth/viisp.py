"""VIISP (epaslaugos.lt) authentication: the SOAP 1.1 "ticket" protocol, behind `IdentityGateway`.

1. `start()`: a signed `authenticationRequest` (initAuthentication) returns a ticket.
2. The browser is sent to the gateway's portal with the ticket; the gateway posts `ticket` and
   `customData` back to our callback.
3. `fetch_identity()`: a signed `authenticationDataRequest` (getAuthenticationData) returns the
   means used, the personal code and the names. The gateway answers a ticket once.

Both responses are signed by the gateway and verified here against its pinned certificate, never
against the key the message carries; only the signed subtree is read afterwards (no signature
wrapping). Signing and verifying are signxml's (lxml + cryptography), not hand-written crypto.
lxml and signxml are imported only by the login routes (heavy imports stay out of other paths).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

from chalicelib.config import settings
from chalicelib.domain.i18n import text

if TYPE_CHECKING:
    from lxml.etree import _Element

NS = "http://www.epaslaugos.lt/services/authentication"
DSIG = "http://www.w3.org/2000/09/xmldsig#"
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
SOAP_ACTION = "http://www.epaslaugos.lt/services/authenticationServiceProvider/"
NODE_ID = "uniqueNodeId"
PERSONAL_CODE = "lt-personal-code"
DEFAULT_PROVIDERS = (
    "auth.lt.bank", "auth.signatureProvider", "auth.lt.identity.card",
    "auth.lt.government.employee.card", "auth.eidas",
)
# Names shown to people choosing a means, by language.
PROVIDER_NAMES = {
    "auth.lt.bank": text("Elektroninė bankininkystė", "Online banking"),
    "auth.signatureProvider": text("Mobilusis elektroninis parašas", "Mobile e-signature"),
    "auth.lt.identity.card": text("Asmens tapatybės kortelė", "Identity card"),
    "auth.lt.government.employee.card": text("Valstybės tarnautojo pažymėjimas", "Civil servant card"),
    "auth.eidas": text("ES šalių eID (eIDAS)", "EU eID (eIDAS)"),
    "auth.login.pass": text("Slaptažodis", "Password"),
    "auth.iltu.identity.card": text("Užsieniečio kortelė", "Foreigner's card"),
}
MAX_RESPONSE_BYTES = 256 * 1024


class GatewayError(Exception):
    """`reason`: `unavailable` (cannot reach it), `refused` (a SOAP fault: e.g. the ticket is
    unknown, used or its login failed), `invalid` (bad signature or shape)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass(frozen=True)
class GatewayIdentity:
    provider: str
    personal_code: str
    given_name: str
    family_name: str
    custom_data: str


class IdentityGateway(Protocol):
    def start(self, postback_url: str, custom_data: str) -> str:
        """Ask for a ticket; return it."""

    def portal_url(self) -> str:
        """Where the browser is sent (form POST with `ticket`)."""

    def fetch_identity(self, ticket: str) -> GatewayIdentity:
        """The authenticated person's data for a ticket (once)."""


@dataclass(frozen=True)
class ViispConfig:
    soap_url: str
    portal_url: str
    pid: str
    client_key_pem: bytes
    gateway_cert_pem: bytes
    providers: tuple[str, ...] = DEFAULT_PROVIDERS
    signature_algorithm: str = "rsa-sha256"
    timeout_seconds: float = 10.0


# --- messages -------------------------------------------------------------------------------


def _el(parent: _Element, name: str, text: str | None = None) -> _Element:
    from lxml import etree

    child = etree.SubElement(parent, f"{{{NS}}}{name}")
    if text is not None:
        child.text = text
    return child


def _root(name: str) -> _Element:
    from lxml import etree

    return etree.Element(f"{{{NS}}}{name}", nsmap={"authentication": NS}, attrib={"id": NODE_ID})


def authentication_request(
    pid: str, providers: tuple[str, ...], postback_url: str, custom_data: str
) -> _Element:
    root = _root("authenticationRequest")
    _el(root, "pid", pid)
    _el(root, "serviceTarget", "citizen")
    for provider in providers:
        _el(root, "authenticationProvider", provider)
    _el(root, "authenticationAttribute", PERSONAL_CODE)
    for info in ("firstName", "lastName"):
        _el(root, "userInformation", info)
    _el(root, "postbackUrl", postback_url)
    _el(root, "customData", custom_data)
    return root


def authentication_data_request(pid: str, ticket: str) -> _Element:
    root = _root("authenticationDataRequest")
    _el(root, "pid", pid)
    _el(root, "ticket", ticket)
    _el(root, "includeSourceData", "false")
    return root


def sign(element: _Element, key_pem: bytes, algorithm: str = "rsa-sha256") -> _Element:
    """Enveloped XML-DSig over the element's `id`, exclusive c14n with the `authentication`
    prefix inclusive, the public key as RSAKeyValue, the Signature as the last child."""
    from signxml import XMLSigner

    if algorithm not in ("rsa-sha256", "rsa-sha1"):
        raise ValueError("VIISP signatures are rsa-sha256 or rsa-sha1")

    class GatewaySigner(XMLSigner):
        def check_deprecated_methods(self) -> None:
            # signxml refuses SHA-1 unless told; the gateway signs its own messages with it and
            # some deployments may still require it of clients. Only configuration chooses it.
            if algorithm != "rsa-sha1":
                super().check_deprecated_methods()  # type: ignore[no-untyped-call]

    digest = "sha1" if algorithm == "rsa-sha1" else "sha256"
    signer = GatewaySigner(signature_algorithm=algorithm, digest_algorithm=digest, c14n_algorithm=EXC_C14N)
    signed: _Element = signer.sign(
        element, key=key_pem, reference_uri=f"#{element.get('id')}", id_attribute="id",
        inclusive_ns_prefixes=["authentication"], always_add_key_value=True,
    )
    return signed


def verify(element: _Element, cert_pem: bytes) -> _Element:
    """Check the enveloped signature against a pinned certificate; return only the signed element."""
    from lxml import etree
    from signxml import InvalidInput, InvalidSignature, SignatureConfiguration, XMLVerifier
    from signxml.algorithms import DigestAlgorithm, SignatureMethod

    expected = SignatureConfiguration(
        require_x509=False,
        signature_methods=frozenset({SignatureMethod.RSA_SHA256, SignatureMethod.RSA_SHA1}),
        digest_algorithms=frozenset({DigestAlgorithm.SHA256, DigestAlgorithm.SHA1}),
        location="./",
    )
    try:
        result = XMLVerifier().verify(
            element, x509_cert=cert_pem.decode(), id_attribute="id", expect_config=expected,
            ignore_ambiguous_key_info=True,
            # signxml's bundled xmldsig schema refuses InclusiveNamespaces inside
            # CanonicalizationMethod, which the gateway itself sends; the signature is still
            # verified in full, and only the signed element is read afterwards.
            validate_schema=False,
        )
    except (InvalidSignature, InvalidInput, ValueError, etree.LxmlError) as exc:
        raise GatewayError("invalid", type(exc).__name__) from None
    signed = result.signed_xml if not isinstance(result, list) else None
    if signed is None:
        raise GatewayError("invalid", "no signed element")
    return signed


def envelope(body: _Element) -> bytes:
    from lxml import etree

    env = etree.Element(f"{{{SOAP}}}Envelope", nsmap={"soapenv": SOAP})
    etree.SubElement(env, f"{{{SOAP}}}Header")
    etree.SubElement(env, f"{{{SOAP}}}Body").append(body)
    # No pretty-printing after signing: whitespace is part of what was digested.
    return bytes(etree.tostring(env, xml_declaration=True, encoding="UTF-8"))


def body_element(document: bytes) -> _Element:
    """The single element inside a SOAP envelope's Body. Raises `GatewayError`."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    try:
        root = etree.fromstring(document, parser=parser)
    except etree.XMLSyntaxError:
        raise GatewayError("invalid", "not XML") from None
    body = root.find(f"{{{SOAP}}}Body")
    children = [child for child in body if isinstance(child.tag, str)] if body is not None else []
    if root.tag != f"{{{SOAP}}}Envelope" or len(children) != 1:
        raise GatewayError("invalid", "not a SOAP envelope with one body element")
    return children[0]


def fault(code: str, message: str, detail: str) -> bytes:
    """A SOAP 1.1 fault (the fake gateway's answer to a bad request)."""
    from lxml import etree

    env = etree.Element(f"{{{SOAP}}}Envelope", nsmap={"soap": SOAP})
    body = etree.SubElement(etree.SubElement(env, f"{{{SOAP}}}Body"), f"{{{SOAP}}}Fault")
    etree.SubElement(body, "faultcode").text = f"soap:{code}"
    etree.SubElement(body, "faultstring").text = message
    etree.SubElement(etree.SubElement(body, "detail"), f"{{{NS}}}{detail}")
    return bytes(etree.tostring(env, xml_declaration=True, encoding="UTF-8"))


def _text(element: _Element, name: str) -> str | None:
    found = element.find(f"{{{NS}}}{name}")
    return found.text.strip() if found is not None and found.text else None


def parse_identity(signed: _Element) -> GatewayIdentity:
    if signed.tag != f"{{{NS}}}authenticationDataResponse":
        raise GatewayError("invalid", "unexpected response element")
    attributes = {
        _text(pair, "attribute"): _text(pair, "value") for pair in signed.findall(f"{{{NS}}}authenticationAttribute")
    }
    information: dict[str | None, str | None] = {}
    for pair in signed.findall(f"{{{NS}}}userInformation"):
        value = pair.find(f"{{{NS}}}value")
        # The gateway may send an empty <value/> for an absent item: read it as nothing.
        information[_text(pair, "information")] = (
            (_text(value, "stringValue") or _text(value, "dateValue")) if value is not None else None
        )
    code, provider = attributes.get(PERSONAL_CODE), _text(signed, "authenticationProvider")
    given, family = information.get("firstName"), information.get("lastName")
    if not (code and provider and given and family):
        raise GatewayError("invalid", "the response lacks the personal code, names or provider")
    return GatewayIdentity(provider=provider, personal_code=code, given_name=given, family_name=family,
                           custom_data=_text(signed, "customData") or "")


# --- the client -------------------------------------------------------------------------------


class ViispClient:
    def __init__(self, config: ViispConfig) -> None:
        self._config = config

    def portal_url(self) -> str:
        return self._config.portal_url

    def start(self, postback_url: str, custom_data: str) -> str:
        request = authentication_request(self._config.pid, self._config.providers, postback_url, custom_data)
        response = self._call("initAuthentication", request)
        if response.tag != f"{{{NS}}}authenticationResponse":
            raise GatewayError("invalid", "unexpected response element")
        ticket = _text(response, "ticket")
        if not ticket or len(ticket) > 512:
            raise GatewayError("invalid", "no ticket")
        return ticket

    def fetch_identity(self, ticket: str) -> GatewayIdentity:
        response = self._call("getAuthenticationData", authentication_data_request(self._config.pid, ticket))
        return parse_identity(response)

    def _call(self, operation: str, message: _Element) -> _Element:
        import urllib.error
        import urllib.request

        signed = sign(message, self._config.client_key_pem, self._config.signature_algorithm)
        http_request = urllib.request.Request(  # noqa: S310 - the URL is configuration, https in prod
            self._config.soap_url, data=envelope(signed), method="POST",
            headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{SOAP_ACTION}{operation}"'},
        )
        try:
            with urllib.request.urlopen(http_request, timeout=self._config.timeout_seconds) as response:  # noqa: S310
                document = response.read(MAX_RESPONSE_BYTES + 1)
        except urllib.error.HTTPError as exc:
            # SOAP faults come with HTTP 500; anything else from the gateway is an outage.
            document = exc.read(MAX_RESPONSE_BYTES + 1)
            if exc.code != 500 or b"Fault" not in document:
                raise GatewayError("unavailable", f"HTTP {exc.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise GatewayError("unavailable", type(exc).__name__) from None
        if len(document) > MAX_RESPONSE_BYTES:
            raise GatewayError("invalid", "response too large")
        element = body_element(document)
        if element.tag == f"{{{SOAP}}}Fault":
            raise GatewayError("refused", (element.findtext("faultstring") or "")[:200])
        return verify(element, self._config.gateway_cert_pem)


def new_custom_data() -> str:
    return secrets.token_urlsafe(24)


@lru_cache(maxsize=2)
def _read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def configured_gateway() -> IdentityGateway:
    config = settings()
    key_source = config.viisp_client_key_secret_arn or config.viisp_client_key_file
    cert_source = config.viisp_gateway_cert_pem or config.viisp_gateway_cert_file
    if not (key_source and cert_source):
        raise GatewayError("unavailable", "the gateway client is not configured")
    if config.viisp_client_key_secret_arn:
        from chalicelib.secrets import secret_value

        client_key = secret_value(config.viisp_client_key_secret_arn).encode()
    else:
        client_key = _read(key_source)
    return ViispClient(ViispConfig(
        soap_url=config.viisp_soap_url, portal_url=config.viisp_portal_url, pid=config.viisp_pid,
        client_key_pem=client_key,
        gateway_cert_pem=config.viisp_gateway_cert_pem.encode() if config.viisp_gateway_cert_pem
        else _read(cert_source),
        providers=config.viisp_providers or DEFAULT_PROVIDERS,
        signature_algorithm=config.viisp_signature_algorithm,
    ))
