"""Errors the service layer raises; each message is fit to show to a user as it is."""

from __future__ import annotations


class KiriError(Exception):
    """Base class: ``str(error)`` is the user-facing message."""


class AccessDenied(KiriError):
    """The actor may not do this (not logged in, deactivated, wrong role, no access)."""


class NotFound(KiriError):
    """The thing asked for does not exist (or is hidden from this actor)."""


class ValidationError(KiriError):
    """Input is invalid; ``problems`` lists every problem found, each on its own."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or [message]


class AuthenticationError(KiriError):
    """Login failed (wrong e-mail or password, locked, deactivated)."""


class QueueUnavailable(KiriError):
    """A job could not be handed to the queue (Redis down, no process could start)."""
