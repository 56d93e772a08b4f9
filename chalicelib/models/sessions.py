"""Table `sessions`: server-side login state, login sessions and their refresh tokens, so logout,
revocation and refresh-token rotation work.

Three kinds of item share the table:

- `LOGIN#<sha256 of the gateway ticket>`: a gateway login in progress.
- `SESSION#<session id>`: a login session. The id is random and travels in access tokens (`sid`)
  and API Gateway's logs (the principal): it names the session, it does not open it. The
  authoriser reads this item for every token it has not cached (one GetItem), so it stays small.
- `REFRESH#<sha256 of a refresh token>`: one per refresh token ever issued to a session. A refresh
  spends it (`rotated_at`, set by a conditional update) and issues the next; a spent one is kept
  until the session's end, so presenting it again is recognised as reuse.

Keys of secrets are SHA-256 hashes (the refresh cookie, the gateway ticket): a read of this table
gives no one a usable session. Items expire by TTL, and the code checks `expires_at` too, since
DynamoDB deletes expired items only eventually.
"""

from __future__ import annotations

from pynamodb.attributes import TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.models.base import RegisterMeta, RegisterModel

LOGIN = "LOGIN"  # a gateway login in progress: ticket issued, postback not yet received
SESSION = "SESSION"  # a login session after a successful login
REFRESH = "REFRESH"  # one refresh token of a session


class AuthSession(RegisterModel):
    class Meta(RegisterMeta):
        table = "sessions"

    session_key = UnicodeAttribute(hash_key=True)  # "<kind>#<session id or sha256 of the secret>"
    kind = UnicodeAttribute()
    person_id = UnicodeAttribute(null=True)  # SESSION
    nonce_hash = UnicodeAttribute(null=True)  # LOGIN: hash of the browser-bound login cookie
    custom_data = UnicodeAttribute(null=True)  # LOGIN: what the gateway must echo back
    provider = UnicodeAttribute(null=True)  # SESSION: the means of authentication used
    session_id = UnicodeAttribute(null=True)  # REFRESH: the session it belongs to
    rotated_at = UTCDateTimeAttribute(null=True)  # REFRESH: spent (exchanged for the next one)
    revoked_at = UTCDateTimeAttribute(null=True)  # SESSION: logged out, or ended for reuse
    revoked_reason = UnicodeAttribute(null=True)  # SESSION: `logout` or `reuse`
    created_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute()
