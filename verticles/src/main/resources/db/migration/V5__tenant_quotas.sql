-- Why: quotas per tenant (DESIGN §12), set by the admin with PATCH /tenants/:id. NULL means "the
-- configured default" (HUB_TENANT_MAX_INSTANCES, HUB_TENANT_MAX_QUEUE_SIZE,
-- HUB_TENANT_ACCEPTED_PER_MINUTE), so an operator changing a default reaches every tenant that has
-- no quota of its own, and adding the columns rewrites no row. The key look-up reads them with the
-- key, so enforcing them costs no extra query per request.
ALTER TABLE tenants
  ADD COLUMN max_instances       integer,
  ADD COLUMN max_queue_size      integer,
  ADD COLUMN accepted_per_minute integer,
  ADD CONSTRAINT tenants_max_instances_range CHECK (max_instances IS NULL OR max_instances BETWEEN 0 AND 1000000),
  ADD CONSTRAINT tenants_max_queue_size_range CHECK (max_queue_size IS NULL OR max_queue_size BETWEEN 1 AND 1000000),
  ADD CONSTRAINT tenants_accepted_per_minute_range
    CHECK (accepted_per_minute IS NULL OR accepted_per_minute BETWEEN 0 AND 1000000);
