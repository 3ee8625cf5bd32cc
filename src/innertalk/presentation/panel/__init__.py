"""The operator web panel under ``/admin`` (issue 16): server-rendered pages in English and
Russian, behind a login with CSRF, lockout and an audit log. Never shows what a person wrote."""
