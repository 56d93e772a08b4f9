"""`python -m chalicelib.auth.devtoken PERSON_ID`: print an access token for a person, with the
roles a real login would give. Local stages only: it refuses to run anywhere else.

Each call opens a session of its own (provider `dev`), as a login would: the authoriser refuses
tokens whose session it cannot find. The session's refresh token is not printed; the access token
lives its 15 minutes.

It talks to the same tables and uses the same signing key as the running dev stack; outside the
dev stack's shell, it reads their location from the state file `make dev` writes.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from chalicelib.config import LOCAL_STAGES, settings
from chalicelib.domain.person_id import person_id_error

STATE_FILE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mokiniu-registras" / "dev-state.json"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m chalicelib.auth.devtoken PERSON_ID", file=sys.stderr)
        return 2
    # Checked before and after reading the dev stack's state: a shell set up for another stage
    # must never be turned into a local one by a stale state file.
    if os.environ.get("REGISTER_STAGE", "local") not in LOCAL_STAGES:
        print(f"refused: dev tokens exist only in local stages, not in '{os.environ['REGISTER_STAGE']}'",
              file=sys.stderr)
        return 1
    if "AWS_ENDPOINT_URL" not in os.environ and STATE_FILE.exists():
        os.environ.update(json.loads(STATE_FILE.read_text()))
    if not settings().is_local:
        print(f"refused: dev tokens exist only in local stages, not in '{settings().stage}'", file=sys.stderr)
        return 1
    person_id = argv[0].strip()
    if person_id_error(person_id):
        print("refused: not a valid personal code or register id", file=sys.stderr)
        return 2
    from chalicelib.services.sessions import access_token_for, open_session

    token, _ = access_token_for(person_id, open_session(person_id, "dev").session_id)
    print(token)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
