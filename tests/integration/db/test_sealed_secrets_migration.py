"""Migration 0015 seals the channel secrets stored in clear before it, and a downgrade opens
them again; users start with session generation 0."""

from __future__ import annotations

from sqlalchemy import Engine, text

from servicelevel.db import migrate, sealing

PLAIN = "SEC-dingtalk-signing-key"


def test_the_upgrade_seals_secrets_stored_in_clear_and_the_downgrade_opens_them(
    database_url: str, engine: Engine
) -> None:
    migrate.downgrade(database_url, "0014")
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO notification_channel (name, kind, address, secret, locale, "
                    "timezone, kinds, active, created_at, updated_at, version) VALUES "
                    "('old', 'dingtalk', 'https://x', :secret, 'en', 'UTC', '{}', true, "
                    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1), "
                    "('none', 'webhook', 'https://y', '', 'en', 'UTC', '{}', true, "
                    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)"
                ),
                {"secret": PLAIN},
            )
            conn.execute(
                text(
                    "INSERT INTO user_account (username, display_name, email, password_hash, "
                    "locale, timezone, is_active, failed_logins, created_at, updated_at, "
                    "version) VALUES ('before-0015', '', '', '', 'en', 'UTC', true, 0, "
                    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)"
                )
            )
        migrate.upgrade(database_url)
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT name, secret FROM notification_channel"))
            secrets = {str(name): str(secret) for name, secret in rows}
            generation = conn.scalar(
                text("SELECT session_generation FROM user_account WHERE username = 'before-0015'")
            )
        assert secrets["none"] == ""
        assert secrets["old"].startswith("fernet:")
        assert sealing.unseal(secrets["old"]) == PLAIN
        assert generation == 0
        migrate.downgrade(database_url, "0014")
        with engine.connect() as conn:
            query = text("SELECT secret FROM notification_channel WHERE name = 'old'")
            assert conn.scalar(query) == PLAIN
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM notification_channel WHERE name IN ('old', 'none')"))
            conn.execute(text("DELETE FROM user_account WHERE username = 'before-0015'"))
        migrate.upgrade(database_url)
