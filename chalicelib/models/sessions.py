"""Table `sessions`: server-side login state and refresh sessions, so logout and revocation work.

Keys are SHA-256 hashes of the secrets (the refresh cookie, the gateway ticket): a read of this
table gives no one a usable session. Items expire by TTL, and the code checks `expires_at` too,
since DynamoDB deletes expired items only eventually.
"""

from __future__ import annotations

from pynamodb.attributes import TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.models.base import RegisterMeta, RegisterModel

LOGIN = "LOGIN"  # a gateway login in progress: ticket issued, postback not yet received
SESSION = "SESSION"  # a refresh session after a successful login


class AuthSession(RegisterModel):
    class Meta(RegisterMeta):
        table = "sessions"

    session_key = UnicodeAttribute(hash_key=True)  # "<kind>#<sha256 of the secret>"
    kind = UnicodeAttribute()
    person_id = UnicodeAttribute(null=True)
    nonce_hash = UnicodeAttribute(null=True)  # LOGIN: hash of the browser-bound login cookie
    custom_data = UnicodeAttribute(null=True)  # LOGIN: what the gateway must echo back
    provider = UnicodeAttribute(null=True)  # SESSION: the means of authentication used
    created_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute()
