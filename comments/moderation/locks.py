"""PostgreSQL advisory locks by name: posting's per commenter, reports' per network, the
moderators' mail's (``moderator_mail``)."""

import hashlib


def advisory_key(name: str) -> int:
    """``name`` as a 64-bit PostgreSQL advisory lock key."""
    return int.from_bytes(
        hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True
    )
