"""Progress (/progress, 📈 Progress): the diary's statistics, then its chart (30 or 90 days)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from innertalk.application.services import Services
from innertalk.application.wellbeing.diary import ChartWords
from innertalk.domain.mood import TREND_MIN_ENTRIES, Trend
from innertalk.domain.users import Language, Profile, UserKey
from innertalk.presentation.telegram.filters import MenuButton
from innertalk.presentation.telegram.keyboards import wellbeing as kb
from innertalk.presentation.telegram.texts.wellbeing import DIARY, label_in, say_in
from innertalk.presentation.telegram.transport.sender import Sender
from innertalk.presentation.texts import day_text, local_day_text


def _say(language: Language, key: str, **fields: object) -> str:
    return say_in(DIARY, language, key, **fields)


async def on_progress(
    message: Message, key: UserKey, profile: Profile, services: Services, sender: Sender
) -> None:
    await show_progress(message.chat.id, key, profile, services, sender)


async def show_progress(
    chat_id: int, key: UserKey, profile: Profile, services: Services, sender: Sender
) -> None:
    """The statistics, then the 30-day chart with buttons for 30 and 90 days."""
    language = profile.language
    progress = await services.diary.progress(key, days=30)
    stats = progress.stats
    if stats.count == 0 or stats.latest is None:
        await sender.html(chat_id, _say(language, "no_entries"))
        return
    if stats.trend is Trend.NOT_ENOUGH_DATA:
        trend = _say(language, "trend_not_enough_data", needed=TREND_MIN_ENTRIES)
    else:
        trend = _say(language, f"trend_{stats.trend.value}")
    lines = [
        f"<b>{_say(language, 'progress_title')}</b>",
        _say(language, "progress_count", count=stats.count),
        _say(language, "progress_average", average=stats.average),
        _say(
            language,
            "progress_latest",
            score=stats.latest.score,
            date=local_day_text(language, stats.latest.created_at, progress.timezone),
        ),
        _say(language, "progress_trend", trend=trend),
        _say(language, "progress_streak", days=stats.streak)
        if stats.streak
        else _say(language, "progress_streak_none"),
    ]
    for name, day in (("best", stats.best_day), ("worst", stats.worst_day)):
        if day is not None:
            lines.append(
                _say(
                    language,
                    f"progress_{name}_day",
                    date=day_text(language, day.day),
                    average=round(day.average, 1),
                )
            )
    if stats.top_tags:
        names = ", ".join(label_in(DIARY, language, f"tag_{tag}") for tag, _ in stats.top_tags)
        lines.append(_say(language, "progress_top_tags", tags=names))
    await sender.html(chat_id, "\n".join(lines))
    await send_chart(chat_id, key, language, 30, services, sender)


async def send_chart(
    chat_id: int,
    key: UserKey,
    language: Language,
    days: int,
    services: Services,
    sender: Sender,
) -> None:
    progress = await services.diary.progress(key, days=days)
    words = ChartWords(
        title=label_in(DIARY, language, "chart_title").format(days=days),
        axis=label_in(DIARY, language, "chart_axis"),
        daily=label_in(DIARY, language, "chart_daily"),
        moving_average=label_in(DIARY, language, "chart_moving_average").format(window=7),
        empty=label_in(DIARY, language, "chart_empty"),
    )
    png = await services.diary.chart(progress, words)
    if png is None:
        return
    await sender.bot.send_photo(
        chat_id,
        BufferedInputFile(png, filename=f"mood-{days}.png"),
        caption=_say(language, "chart_caption", days=days),
        reply_markup=kb.chart_periods(language),
    )


async def on_chart(
    query: CallbackQuery,
    callback_data: kb.ChartPeriod,
    key: UserKey,
    profile: Profile,
    services: Services,
    sender: Sender,
) -> None:
    await query.answer()
    days = 90 if callback_data.days == 90 else 30
    await send_chart(query.from_user.id, key, profile.language, days, services, sender)


def build() -> Router:
    router = Router(name="progress")
    router.message.filter(F.chat.type == ChatType.PRIVATE)
    router.message.register(on_progress, Command("progress"))
    router.message.register(on_progress, MenuButton("progress"))
    router.callback_query.register(on_chart, kb.ChartPeriod.filter())
    return router
