from onevisit.identity.tests.conftest import acme, alice, bob, send_code, sms_outbox  # noqa: F401
