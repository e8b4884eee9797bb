"""The one local time zone (显示时区) every page, export and log line shown to people
uses. Times are stored as naive UTC (voting.accounts.models.utcnow); they are turned
into local time only here, at the edge. The zone is DISPLAY_TIMEZONE (an IANA name,
Asia/Shanghai by default)."""
from datetime import date, datetime, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "Asia/Shanghai"
MINUTE = "%Y-%m-%d %H:%M"
DAY = "%Y-%m-%d"


@lru_cache(maxsize=8)
def zone_named(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"DISPLAY_TIMEZONE 不是有效的时区名称：{name!r}（例如 Asia/Shanghai）") from error


def display_zone() -> ZoneInfo:
    from flask import current_app, has_app_context

    name = current_app.config.get("DISPLAY_TIMEZONE") if has_app_context() else None
    return zone_named(name or DEFAULT_ZONE)


def to_local(moment: datetime | str | None) -> datetime | None:
    """A stored moment (naive UTC, aware, or ISO text with "Z") in the display zone."""
    if moment is None or moment == "":
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(display_zone())


def local_text(moment: datetime | date | str | None, fmt: str = MINUTE, empty: str = "") -> str:
    """"2026-11-23 14:00" for 06:00 UTC in Asia/Shanghai; a date is shown as it is
    (a day has no zone); `empty` for nothing."""
    if moment is None or moment == "":
        return empty
    if isinstance(moment, date) and not isinstance(moment, datetime):
        return moment.strftime(fmt if "%H" not in fmt else DAY)
    return to_local(moment).strftime(fmt)


def local_today(now: datetime | None = None) -> date:
    """Today in the display zone (a deadline is overdue from the local midnight)."""
    return to_local(now or datetime.now(timezone.utc)).date()
