-- Templates (issue 15, cloud-api): a pre-approved WhatsApp Business template is the only message
-- Meta delivers outside the 24 h customer-care window, so it is a message kind of its own.
ALTER TABLE messages DROP CONSTRAINT messages_kind;
ALTER TABLE messages ADD CONSTRAINT messages_kind
  CHECK (kind IN ('text', 'media', 'location', 'contact', 'poll', 'template'));
