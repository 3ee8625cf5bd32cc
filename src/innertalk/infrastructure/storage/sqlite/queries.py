"""The SQLite read statements. Each runs as one statement, i.e. one round trip.

Every ordering ends with the insertion order (``rowid``/``seq``) so equal timestamps
still give one deterministic order, and every statement is served by an index.
"""

from __future__ import annotations

from innertalk.infrastructure.storage.sqlite.reminders import EXPORT_REMINDER

# One row: the profile, the open session, its newest and its first turns as JSON, and the
# summary of the newest ended session that has one. Each turn carries ``seq`` so the caller
# restores the order itself rather than trusting the aggregate to keep it.
_OPEN_SESSION_TURNS = """(SELECT json_group_array(json_object(
                'seq', seq, 'id', id, 'role', role, 'text', text, 'created_at', created_at,
                'provider', provider, 'model', model, 'input_tokens', input_tokens,
                'output_tokens', output_tokens, 'variant', variant, 'latency_ms', latency_ms))
     FROM (SELECT seq, id, role, text, created_at, provider, model, input_tokens,
                  output_tokens, variant, latency_ms FROM turns
           WHERE bot_id = :bot_id AND user_id = :user_id
             AND session_id = (SELECT id FROM open_session)
           ORDER BY {order}
           LIMIT {limit}))"""
"""The open session's turns as a JSON array: its newest (``seq DESC``) or its first."""

LOAD_CONTEXT = f"""
WITH open_session AS (
    SELECT id, started_at, ended_at, summary, tokens_used, safety, folded_through, fold_summary
    FROM sessions
    WHERE bot_id = :bot_id AND user_id = :user_id AND ended_at IS NULL
    ORDER BY started_at DESC, rowid DESC
    LIMIT 1
)
SELECT
    (SELECT json_object(
                'created_at', created_at, 'last_active_at', last_active_at,
                'display_name', display_name, 'language', language, 'style', style,
                'timezone', timezone, 'consent_at', consent_at, 'active', active,
                'blocked', blocked)
     FROM profiles WHERE bot_id = :bot_id AND user_id = :user_id) AS profile,
    (SELECT json_object(
                'id', id, 'started_at', started_at, 'ended_at', ended_at, 'summary', summary,
                'tokens_used', tokens_used, 'safety', safety, 'folded_through', folded_through,
                'fold_summary', fold_summary)
     FROM open_session) AS session,
    (SELECT summary FROM sessions
     WHERE bot_id = :bot_id AND user_id = :user_id
       AND ended_at IS NOT NULL AND summary IS NOT NULL
     ORDER BY started_at DESC, rowid DESC
     LIMIT 1) AS previous_summary,
    {_OPEN_SESSION_TURNS.format(order="seq DESC", limit=":limit")} AS recent_turns,
    {_OPEN_SESSION_TURNS.format(order="seq", limit=":opening")} AS opening_turns,
    (SELECT json_group_array(json_object(
                'id', id, 'instrument', instrument, 'score', score, 'severity', severity,
                'answers', answers, 'created_at', created_at))
     FROM (SELECT id, instrument, score, severity, answers, created_at
           FROM questionnaire_results
           WHERE bot_id = :bot_id AND user_id = :user_id
           ORDER BY created_at DESC, rowid DESC
           LIMIT :results)) AS recent_results
"""  # noqa: S608 - built from the constant above only

SESSION_TURNS = """
SELECT id, role, text, created_at, provider, model, input_tokens, output_tokens, variant,
       latency_ms
FROM turns
WHERE bot_id = :bot_id AND user_id = :user_id AND session_id = :session_id
ORDER BY seq DESC
LIMIT :limit
"""

RECENT_MESSAGES = """
SELECT id, session_id, role, text, created_at, provider, model, input_tokens, output_tokens,
       variant, latency_ms
FROM turns
WHERE bot_id = :bot_id AND user_id = :user_id AND role = 'user'
ORDER BY seq DESC
LIMIT :limit
"""

SESSIONS = """
SELECT id, started_at, ended_at, summary, tokens_used, safety, folded_through, fold_summary
FROM sessions
WHERE bot_id = :bot_id AND user_id = :user_id
ORDER BY started_at DESC, rowid DESC
LIMIT :limit
"""

PROFILE = """
SELECT created_at, last_active_at, display_name, language, style, timezone, consent_at,
       active, blocked
FROM profiles
WHERE bot_id = :bot_id AND user_id = :user_id
"""

MOODS = """
SELECT id, score, tags, note, created_at FROM mood_entries
WHERE bot_id = :bot_id AND user_id = :user_id
ORDER BY created_at DESC, rowid DESC
LIMIT :limit
"""

QUESTIONNAIRE_RESULTS = """
SELECT id, instrument, score, severity, answers, created_at FROM questionnaire_results
WHERE bot_id = :bot_id AND user_id = :user_id
  AND (:instrument IS NULL OR instrument = :instrument)
ORDER BY created_at DESC, rowid DESC
LIMIT :limit
"""

PORTRAITS = """
SELECT id, text, created_at FROM portraits
WHERE bot_id = :bot_id AND user_id = :user_id
ORDER BY created_at DESC, rowid DESC
LIMIT :limit
"""

FEEDBACK = """
SELECT id, turn_id, helpful, created_at FROM feedback
WHERE bot_id = :bot_id AND user_id = :user_id
ORDER BY created_at DESC, rowid DESC
LIMIT :limit
"""

# Export: every record of one person, oldest first. Deletion: one statement per table.
EXPORT_TABLES = {
    "sessions": "SELECT id, started_at, ended_at, summary, tokens_used, safety, folded_through, "
    "fold_summary FROM sessions "
    "WHERE bot_id = :bot_id AND user_id = :user_id ORDER BY started_at, rowid",
    "turns": "SELECT id, session_id, role, text, created_at, provider, model, input_tokens, "
    "output_tokens, variant, latency_ms FROM turns "
    "WHERE bot_id = :bot_id AND user_id = :user_id ORDER BY seq",
    "mood_entries": "SELECT id, score, tags, note, created_at FROM mood_entries "
    "WHERE bot_id = :bot_id AND user_id = :user_id ORDER BY created_at, rowid",
    "questionnaire_results": "SELECT id, instrument, score, severity, answers, created_at "
    "FROM questionnaire_results WHERE bot_id = :bot_id AND user_id = :user_id "
    "ORDER BY created_at, rowid",
    "portraits": "SELECT id, text, created_at FROM portraits "
    "WHERE bot_id = :bot_id AND user_id = :user_id ORDER BY created_at, rowid",
    "feedback": "SELECT id, turn_id, helpful, created_at FROM feedback "
    "WHERE bot_id = :bot_id AND user_id = :user_id ORDER BY created_at, rowid",
    "reminders": EXPORT_REMINDER,
}

USER_TABLES = (
    "profiles",
    "sessions",
    "turns",
    "mood_entries",
    "questionnaire_results",
    "portraits",
    "feedback",
    "reminders",
    "fsm_states",
    "dead_letters",
    "person_refs",
)
"""Every table holding a person's records; deletion covers each (a test checks the schema)."""
