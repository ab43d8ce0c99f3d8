-- CreateTable
CREATE TABLE "plugin_instance" (
    "id" TEXT NOT NULL,
    "plugin_name" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "status" TEXT NOT NULL DEFAULT 'inactive',
    "status_message" TEXT,
    "config" JSONB NOT NULL DEFAULT '{}',
    "version" INTEGER NOT NULL DEFAULT 1,
    "health_status" TEXT NOT NULL DEFAULT 'unknown',
    "health_since" TIMESTAMP(3),
    "last_health_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "plugin_instance_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "plugin_instance_secret" (
    "instance_id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "plugin_instance_secret_pkey" PRIMARY KEY ("instance_id","key")
);

-- CreateTable
CREATE TABLE "health_check" (
    "id" TEXT NOT NULL,
    "instance_id" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "details" JSONB,
    "response_time_ms" INTEGER NOT NULL,
    "checked_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "health_check_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_event" (
    "id" TEXT NOT NULL,
    "instance_id" TEXT,
    "plugin_name" TEXT,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "changed_keys" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "details" JSONB,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_token" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMP(3),
    "revoked_at" TIMESTAMP(3),

    CONSTRAINT "api_token_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "plugin_instance_plugin_name_name_key" ON "plugin_instance"("plugin_name", "name");

-- CreateIndex
CREATE INDEX "health_check_instance_id_checked_at_idx" ON "health_check"("instance_id", "checked_at" DESC);

-- CreateIndex
CREATE INDEX "audit_event_instance_id_at_idx" ON "audit_event"("instance_id", "at");

-- CreateIndex
CREATE UNIQUE INDEX "api_token_hash_key" ON "api_token"("hash");

-- AddForeignKey
ALTER TABLE "plugin_instance_secret" ADD CONSTRAINT "plugin_instance_secret_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "plugin_instance"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "health_check" ADD CONSTRAINT "health_check_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "plugin_instance"("id") ON DELETE CASCADE ON UPDATE CASCADE;
