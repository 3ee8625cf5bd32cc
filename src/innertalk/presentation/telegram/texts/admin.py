"""The /admin menu's words (``locales/<language>/admin.toml``) and its reports as Telegram HTML.

Everything shown here is counts and ids: statistics, mailing results, a person's blocked flag.
"""

from __future__ import annotations

import html

from innertalk.application.operations.admin import MailingReport
from innertalk.domain.stats import BotStats, Segment, VariantOutcome
from innertalk.domain.users import Language
from innertalk.presentation.texts import Catalog, Texts

CATALOG = Catalog.ADMIN
ADMIN = Texts(CATALOG)
LOG_ROWS = 10

say = ADMIN.html
"""The admin text ``key`` as Telegram HTML, ``fields`` HTML-escaped into it."""


def segment_name(language: Language, segment: Segment) -> str:
    return say(language, f"segment_{segment.value}")


def _mood(language: Language, value: float | None) -> str:
    return say(language, "none") if value is None else f"{value:.1f}"


def stats_text(stats: BotStats, language: Language) -> str:
    """Every count of ``BotStats`` and the A/B table."""
    fields = {
        name: getattr(stats, name)
        for name in (
            "users", "consented", "new_24h", "new_7d", "dau", "wau", "mau", "messages",
            "sessions", "questionnaires", "unreachable", "blocked",
        )
    }  # fmt: skip
    summary = say(
        language,
        "stats",
        **fields,
        mood_this_week=_mood(language, stats.mood_this_week),
        mood_last_week=_mood(language, stats.mood_last_week),
    )
    if stats.cost_per_active_person is not None:
        cost = f"{stats.cost_per_active_person:.4f}"
        summary = f"{summary}\n{say(language, 'stats_cost', cost=cost)}"
    if not stats.variants:
        return f"{summary}\n\n{say(language, 'stats_no_variants')}"
    table = variants_table(stats.variants, language)
    return f"{summary}\n\n{say(language, 'stats_variants')}\n{table}"


def _variant_row(variant: VariantOutcome) -> list[str]:
    latency = "—" if variant.avg_latency_ms is None else f"{variant.avg_latency_ms:.0f}"
    share = variant.helpful_share
    helpful = "—" if share is None else f"{share:.0%} ({variant.helpful + variant.not_helpful})"
    tokens = f"{variant.input_tokens}/{variant.output_tokens}"
    return [variant.variant, str(variant.replies), latency, tokens, helpful]


def variants_table(variants: tuple[VariantOutcome, ...], language: Language) -> str:
    """A preformatted, column-aligned table: variant, replies, latency, tokens, helpful share."""
    rows = [ADMIN.text(language, "variants_columns").split("|")]
    rows += [_variant_row(variant) for variant in variants]
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    return f"<pre>{html.escape(chr(10).join(line.rstrip() for line in lines), quote=False)}</pre>"


def report_text(report: MailingReport, language: Language) -> str:
    """A running mailing's progress, or its summary once finished."""
    key = "mail_progress"
    if report.finished_at is not None:
        key = "mail_stopped" if report.cancelled else "mail_done"
    return say(
        language,
        key,
        segment=segment_name(language, report.segment),
        done=report.done,
        total=report.total,
        sent=report.sent,
        unreachable=report.unreachable,
        failed=report.failed,
    )


def mail_log_text(history: list[MailingReport], language: Language) -> str:
    """The newest mailings first, at most ``LOG_ROWS``."""
    if not history:
        return say(language, "mail_log_empty")
    rows = [
        say(
            language,
            "mail_log_row",
            started=report.started_at.strftime("%Y-%m-%d %H:%M UTC"),
            segment=segment_name(language, report.segment),
            sent=report.sent,
            total=report.total,
            unreachable=report.unreachable,
            failed=report.failed,
            stopped=say(language, "mail_log_stopped") if report.cancelled else "",
        )
        for report in reversed(history[-LOG_ROWS:])
    ]
    return "\n".join([say(language, "mail_log_title"), *rows])
