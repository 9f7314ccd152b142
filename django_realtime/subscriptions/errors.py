from __future__ import annotations

from typing import Any

# Codes of PROTOCOL.md, and the HTTP status a GET would have had.
STATUS_CODES: dict[int, str] = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "not_realtime",
    406: "bad_request",
    429: "throttled",
}


class SubscriptionError(Exception):
    """A subscription cannot be served; ``code`` and ``status`` go to the client as they are."""

    def __init__(self, code: str, detail: str, status: int | None = None) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.status = status

    @classmethod
    def from_status(cls, status: int, detail: Any) -> SubscriptionError:
        if status >= 500:
            return cls("server_error", "The server failed to answer this GET.", status)
        return cls(STATUS_CODES.get(status, "bad_request"), _text(detail), status)

    def __repr__(self) -> str:
        return f"SubscriptionError({self.code!r}, {self.detail!r}, {self.status!r})"


def _text(detail: Any) -> str:
    """DRF error bodies as one line: {"detail": "..."} or field errors."""
    if isinstance(detail, dict):
        if set(detail) == {"detail"}:
            return _text(detail["detail"])
        return "; ".join(f"{key}: {_text(value)}" for key, value in detail.items())
    if isinstance(detail, (list, tuple)):
        return " ".join(_text(item) for item in detail)
    return str(detail)
