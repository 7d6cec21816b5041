"""Fixtures for the notification tests: the SMTP server."""

from tests.smtp import smtp_server  # noqa: F401 - a fixture
