-- The leases by start: the RED job's housekeeping deletes those past the retention every minute, and without this
-- index it read the whole table to find them (a lease per job and period: about 7,200 rows a day, 216,000 at the
-- default 30 days' retention, scanned every minute of the stack's life).
-- depends: 0004_reports
CREATE INDEX job_runs_started ON job_runs (started_at);
