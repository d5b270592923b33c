"""Identity: users, passwords, roles and API tokens; who may do what; the audit trail; a
person's own settings."""
