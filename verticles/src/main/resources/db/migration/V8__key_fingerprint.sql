-- Why: api_keys.prefix kept the first 10 characters of every key in clear — for an operator-chosen
-- HUB_ADMIN_KEY a real part of the secret. A key is now shown by a non-secret fingerprint: the first
-- 8 hex digits of its SHA-256, i.e. of key_hash, so it is derived rather than stored separately and
-- can never disagree with the hash. Check a key with: printf %s "$KEY" | sha256sum | cut -c1-8
ALTER TABLE api_keys
  ADD COLUMN fingerprint text GENERATED ALWAYS AS (encode(substring(key_hash FROM 1 FOR 4), 'hex')) STORED;
ALTER TABLE api_keys DROP COLUMN prefix;
