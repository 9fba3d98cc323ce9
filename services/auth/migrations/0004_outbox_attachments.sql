-- Files sent with an email (a viewing's calendar invitation), kept in the development outbox as
-- [{"filename", "content_type", "content_base64"}]; null for a message without any.
-- depends: 0003_notifications
ALTER TABLE outbox ADD COLUMN attachments jsonb;
