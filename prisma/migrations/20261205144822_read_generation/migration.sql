-- CreateTable
CREATE TABLE "read_generation" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "value" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "read_generation_pkey" PRIMARY KEY ("id")
);

-- The one row, and the triggers that bump it in the transaction of every write that changes
-- what an instance list shows (the rows of a list page, their secrets' presence and health
-- checks). A sequence would not do: nextval is visible before the write commits, so a reader
-- could cache the old rows under the new value.
-- Deferred to the commit, and once per transaction: the row is locked only from then to the
-- end of the commit, after every other lock the transaction takes, so writers queue on it for
-- no longer than a commit and cannot deadlock on it (a transaction holding it takes no other).
INSERT INTO "read_generation" ("id", "value") VALUES (1, 0);

CREATE FUNCTION "bump_read_generation"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('plugform.read_generation_bumped', true) IS DISTINCT FROM txid_current()::text THEN
    UPDATE "read_generation" SET "value" = "value" + 1 WHERE "id" = 1;
    PERFORM set_config('plugform.read_generation_bumped', txid_current()::text, true);
  END IF;
  RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER "plugin_instance_read_generation" AFTER INSERT OR UPDATE OR DELETE ON "plugin_instance"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "bump_read_generation"();
CREATE CONSTRAINT TRIGGER "plugin_instance_secret_read_generation" AFTER INSERT OR UPDATE OR DELETE ON "plugin_instance_secret"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "bump_read_generation"();
CREATE CONSTRAINT TRIGGER "health_check_read_generation" AFTER INSERT OR UPDATE OR DELETE ON "health_check"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "bump_read_generation"();
-- TRUNCATE has only statement triggers (it locks the whole table anyway).
CREATE TRIGGER "plugin_instance_truncate_read_generation" AFTER TRUNCATE ON "plugin_instance"
  FOR EACH STATEMENT EXECUTE FUNCTION "bump_read_generation"();
CREATE TRIGGER "plugin_instance_secret_truncate_read_generation" AFTER TRUNCATE ON "plugin_instance_secret"
  FOR EACH STATEMENT EXECUTE FUNCTION "bump_read_generation"();
CREATE TRIGGER "health_check_truncate_read_generation" AFTER TRUNCATE ON "health_check"
  FOR EACH STATEMENT EXECUTE FUNCTION "bump_read_generation"();
