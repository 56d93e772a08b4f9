"""`GET /me/transcript` (a signed copy of my history), `POST /transcripts/verify` (public) and
`GET /transcripts/status/{list_id}` (public: the signed status list transcripts point to)."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.handlers.contract import RouteDoc, documented, shaped
from chalicelib.handlers.requests import json_object, query
from chalicelib.handlers.security import caller, jwt_auth

blueprint = Blueprint(__name__)
VC_JWT = "application/vc+jwt"


@blueprint.route("/me/transcript", methods=["GET"], authorizer=jwt_auth)
@documented(RouteDoc("My learning history as a signed, verifiable credential (JWS)", "Transcript", errors=(404, 409),
                     query=(("include_personal_code",
                             "`true` to put my personal code in it; by default it names me by name and birth date"),)))
def my_transcript() -> Response:
    from chalicelib.domain import problems as P
    from chalicelib.errors import Problem
    from chalicelib.services.transcript import issue_transcript

    request = blueprint.current_request
    include = query(request, "include_personal_code") or "false"
    if include not in ("true", "false"):
        raise Problem(P.request.include_personal_code)
    signed = issue_transcript(caller(request).person_id, include_personal_code=include == "true")
    return Response(body=shaped("Transcript", {"transcript": signed}), headers={"Cache-Control": "no-store"})


@blueprint.route("/transcripts/verify", methods=["POST"])
@documented(RouteDoc("Check a transcript: signed by the register, unchanged, and none of its records annulled or "
                     "changed since issue?", "Verified", request="TranscriptToCheck", auth=False))
def verify() -> Response:
    from chalicelib.domain import problems as P
    from chalicelib.errors import Problem
    from chalicelib.services.transcript import verify_transcript

    body = json_object(blueprint.current_request)
    transcript = body.get("transcript")
    if not isinstance(transcript, str) or set(body) != {"transcript"}:
        raise Problem(P.transcript.shape, "Send {\"transcript\": \"<the JWS>\"}.")
    claims, withdrawn = verify_transcript(transcript.strip())
    return Response(body=shaped("Verified", {"valid": not withdrawn, "issued_at": claims["iat"],
                                           "subject": claims.get("sub"), "credential": claims["vc"],
                                           "withdrawn": withdrawn}), headers={"Cache-Control": "no-store"})


@blueprint.route("/transcripts/status/{list_id}", methods=["GET"])
@documented(RouteDoc("A status list of transcripts (W3C BitstringStatusListCredential, signed VC-JWT): bit set = "
                     "withdrawn", auth=False, errors=(404,), response_types=(VC_JWT,)))
def status_list(list_id: str) -> Response:
    from chalicelib.services.status_list import signed_list

    credential, max_age = signed_list(list_id)
    return Response(body=credential, headers={"Content-Type": VC_JWT, "Cache-Control": f"public, max-age={max_age}"})
