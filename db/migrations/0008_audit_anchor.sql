-- Each entry carries the node's proof (an HMAC the database cannot compute); like the
-- content, the proof never changes once written.
ALTER TABLE "audit_log" ADD COLUMN "proof" text;--> statement-breakpoint
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- The one permitted change: the sealer chaining an unsealed entry, its content untouched.
  IF TG_OP = 'UPDATE' THEN
    IF OLD.hash IS NULL AND OLD.seq IS NULL
       AND NEW.hash IS NOT NULL AND NEW.seq IS NOT NULL AND NEW.prev_hash IS NOT NULL
       AND (NEW.id, NEW.at, NEW.actor_org_id, NEW.actor_kind, NEW.action, NEW.entity_type,
            NEW.entity_id, NEW.data, NEW.request_id, NEW.proof)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.at, OLD.actor_org_id, OLD.actor_kind, OLD.action, OLD.entity_type,
            OLD.entity_id, OLD.data, OLD.request_id, OLD.proof) THEN
      RETURN NEW;
    END IF;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
