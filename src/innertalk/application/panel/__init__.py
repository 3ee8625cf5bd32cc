"""The operator panel's use cases: operators, sign-in with lockout and TOTP, the audit log."""
