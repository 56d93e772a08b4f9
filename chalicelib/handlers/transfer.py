"""DAKPR transfer: the scheduled function `transfer_qualifications` that drains the outbox, and the
operators' view of its dead-letter place (the ministry)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response
from chalice.app import CloudWatchEvent, Rate

from chalicelib import observability
from chalicelib.handlers.contract import PAGING, RouteDoc, documented, shaped
from chalicelib.handlers.requests import query
from chalicelib.handlers.security import caller_facts_for, jwt_auth

blueprint = Blueprint(__name__)


@blueprint.schedule(Rate(1, unit=Rate.MINUTES), name="transfer_qualifications")
def transfer_qualifications(event: CloudWatchEvent) -> dict[str, int]:
    """Every minute: deliver what is due. A schedule over an outbox rather than the records
    stream: a version waits in the table for as long as DAKPR is down (a stream keeps 24 hours),
    and one failing delivery never holds up the others behind it (a stream shard would)."""
    from chalicelib.dakpr import client_from_settings
    from chalicelib.services.transfer import run_transfers

    client = client_from_settings()
    if client is None:
        observability.log("dakpr_not_configured", "WARNING")
        return {}
    context: Any = event.context
    seconds_left = (lambda: context.get_remaining_time_in_millis() / 1000) if context is not None else None
    with observability.correlated(f"schedule-{event.to_dict().get('id', '')}"):
        return run_transfers(client, seconds_left=seconds_left)


@blueprint.route("/admin/dakpr/dead-letters", methods=["GET"], authorizer=jwt_auth)
@documented(RouteDoc("Deliveries to DAKPR given up on, oldest first (ministry)", "DeadLetters", errors=(400,),
                     query=PAGING))
def list_dead_letters() -> Response:
    from chalicelib.services.paging import page_size
    from chalicelib.services.transfer import dead_letters_for

    request = blueprint.current_request
    body = dead_letters_for(caller_facts_for(request), query(request, "cursor"), page_size(query(request, "limit")))
    return Response(body=shaped("DeadLetters", body), headers={"Cache-Control": "no-store"})


@blueprint.route("/admin/dakpr/dead-letters/{delivery_id}/replay", methods=["POST"], authorizer=jwt_auth)
@documented(RouteDoc("Put a dead delivery back in the outbox, due at once (ministry)", "Replayed", 202,
                     errors=(404,)))
def replay_dead_letter(delivery_id: str) -> Response:
    from chalicelib.services.transfer import replay_for

    body = replay_for(caller_facts_for(blueprint.current_request), delivery_id)
    return Response(body=shaped("Replayed", body), status_code=202, headers={"Cache-Control": "no-store"})
