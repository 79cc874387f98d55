"""Every Redis key of the flash-sale app. A sale's keys share the hash tag ``{fs:<id>}`` so one Lua
script can touch all of them on a Redis Cluster (they live in one slot)."""


def _tag(sale_id: int) -> str:
    return f"{{fs:{sale_id}}}"


def meta(sale_id: int) -> str:
    """Hash: loaded, start_ms, end_ms, limit, frozen."""
    return f"{_tag(sale_id)}:meta"


def stock(sale_id: int) -> str:
    return f"{_tag(sale_id)}:stock"


def users(sale_id: int) -> str:
    """Hash limit field (``limit_field``) -> units admitted."""
    return f"{_tag(sale_id)}:users"


def limit_field(*, user_id: int, identity_hash: str = "") -> str:
    """The field of ``users(sale)`` a buyer's units count under: in a cross-border sale the verified
    customs identity (its keyed hash, shortened), so that new accounts of one person get no extra units;
    otherwise the account."""
    return f"id:{identity_hash[:32]}" if identity_hash else str(user_id)


def requests(sale_id: int) -> str:
    """Hash request_id -> the first answer given to it, and ``request_owner(request_id)`` -> its buyer."""
    return f"{_tag(sale_id)}:req"


def request_owner(request_id: str) -> str:
    """The field of ``requests(sale)`` that holds the id of the buyer who sent ``request_id``."""
    return f"u:{request_id}"


def stream(sale_id: int) -> str:
    """Stream of admissions waiting to become orders."""
    return f"{_tag(sale_id)}:stream"


def outcomes(sale_id: int) -> str:
    """Hash request_id -> "order:<id>" or "sold_out" once materialised."""
    return f"{_tag(sale_id)}:outcome"


def returned(sale_id: int) -> str:
    """Hash order id -> "units|limit field": the released orders whose units Redis holds again (given back
    by release.lua, or counted in the stock by a rebuild), so each comes back once."""
    return f"{_tag(sale_id)}:returned"


def consumer_lease(sale_id: int) -> str:
    return f"{_tag(sale_id)}:consumer"


def sale_keys(sale_id: int) -> list[str]:
    return [
        meta(sale_id),
        stock(sale_id),
        users(sale_id),
        requests(sale_id),
        stream(sale_id),
        outcomes(sale_id),
        returned(sale_id),
    ]


def rate_user(user_id: int, window: int) -> str:
    return f"fs:rate:u:{user_id}:{window}"


def rate_ip(ip: str, window: int) -> str:
    return f"fs:rate:ip:{ip}:{window}"


GROUP = "materializer"
