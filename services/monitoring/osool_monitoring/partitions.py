"""Day partitions of the history tables: today's and tomorrow's created ahead, those past the retention dropped whole.

Written here rather than with pg_partman: the extension is not in the pip-installed PostgreSQL, and what we need is
two statements a day per table."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import asyncpg


class DailyPartitions:
    def __init__(self, pool: asyncpg.Pool, table: str, retention_days: int) -> None:
        self.pool = pool
        self.table = table
        self.retention_days = retention_days
        self._created: set[date] = set()
        self._pruned: date | None = None

    async def ensure(self, today: date) -> None:
        for day in (today, today + timedelta(days=1)):
            if day in self._created:
                continue
            # The table is one of ours and the bounds are dates formatted here, never input.
            await self.pool.execute(
                f"CREATE TABLE IF NOT EXISTS {self.table}_{day:%Y%m%d} PARTITION OF {self.table} "
                f"FOR VALUES FROM ('{day.isoformat()}') TO ('{(day + timedelta(days=1)).isoformat()}')"
            )
            self._created.add(day)

    async def prune(self, today: date) -> list[str]:
        """Drop the partitions wholly older than the retention; once a day per process."""
        if self._pruned == today:
            return []
        oldest = today - timedelta(days=self.retention_days)
        rows = await self.pool.fetch(
            """SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
               JOIN pg_class p ON p.oid = i.inhparent
               WHERE p.relname = $1 AND p.relnamespace = to_regnamespace(current_schema())""",
            self.table,
        )
        dropped = []
        for row in rows:
            day = datetime.strptime(row["relname"].rsplit("_", 1)[1], "%Y%m%d").date()
            if day < oldest:
                await self.pool.execute(f"DROP TABLE IF EXISTS {row['relname']}")
                dropped.append(row["relname"])
        self._pruned = today
        return dropped
