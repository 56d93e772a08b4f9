"""`GET /me/transcript` (a signed copy of my history) and `POST /transcripts/verify` (public)."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.handlers.contract import RouteDoc, documented, shaped
from chalicelib.handlers.requests import json_object
from chalicelib.handlers.security import caller, jwt_auth

blueprint = Blueprint(__name__)


@blueprint.route("/me/transcript", methods=["GET"], authorizer=jwt_auth)
@documented(RouteDoc("My learning history as a signed, verifiable credential (JWS)", "Transcript", errors=(404,)))
def my_transcript() -> Response:
    from chalicelib.services.transcript import issue_transcript

    signed = issue_transcript(caller(blueprint.current_request).person_id)
    return Response(body=shaped("Transcript", {"transcript": signed}), headers={"Cache-Control": "no-store"})


@blueprint.route("/transcripts/verify", methods=["POST"])
@documented(RouteDoc("Check a transcript: signed by the register and unchanged?", "Verified",
                     request="TranscriptToCheck", auth=False))
def verify() -> Response:
    from chalicelib.errors import Problem
    from chalicelib.services.transcript import verify_transcript

    body = json_object(blueprint.current_request)
    transcript = body.get("transcript")
    if not isinstance(transcript, str) or set(body) != {"transcript"}:
        raise Problem(422, "transcript.shape", "Send {\"transcript\": \"<the JWS>\"}.")
    claims = verify_transcript(transcript.strip())
    return Response(body=shaped("Verified", {"valid": True, "issued_at": claims["iat"], "subject": claims["sub"],
                                           "credential": claims["vc"]}), headers={"Cache-Control": "no-store"})
