-- CreateTable
CREATE TABLE "read_generation" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "value" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "read_generation_pkey" PRIMARY KEY ("id")
);

-- The one row, and the triggers that bump it in the transaction of every statement that
-- changes what an instance list shows (the rows of a list page and their secrets' presence
-- and health checks). Per statement, not per row: a batch of health results is one bump.
-- A sequence would not do: nextval is visible before the write commits, so a reader could
-- cache the old rows under the new value.
INSERT INTO "read_generation" ("id", "value") VALUES (1, 0);

CREATE FUNCTION "bump_read_generation"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "read_generation" SET "value" = "value" + 1 WHERE "id" = 1;
  RETURN NULL;
END
$$;

CREATE TRIGGER "plugin_instance_read_generation" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "plugin_instance"
  FOR EACH STATEMENT EXECUTE FUNCTION "bump_read_generation"();
CREATE TRIGGER "plugin_instance_secret_read_generation" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "plugin_instance_secret"
  FOR EACH STATEMENT EXECUTE FUNCTION "bump_read_generation"();
CREATE TRIGGER "health_check_read_generation" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "health_check"
  FOR EACH STATEMENT EXECUTE FUNCTION "bump_read_generation"();
