-- AlterTable
ALTER TABLE "api_token" ADD COLUMN     "operation_scopes" JSONB;

-- CreateTable
CREATE TABLE "operation_call" (
    "id" TEXT NOT NULL,
    "instance_id" TEXT NOT NULL,
    "plugin_name" TEXT NOT NULL,
    "operation" TEXT NOT NULL,
    "caller" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "error_type" TEXT,
    "error_message" TEXT,
    "vendor_status" INTEGER,
    "duration_ms" INTEGER NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "operation_call_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "idempotency_record" (
    "id" TEXT NOT NULL,
    "instance_id" TEXT NOT NULL,
    "operation" TEXT NOT NULL,
    "input_hash" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "result" JSONB,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "idempotency_record_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "operation_call_instance_id_at_idx" ON "operation_call"("instance_id", "at" DESC);

-- CreateIndex
CREATE INDEX "idempotency_record_expires_at_idx" ON "idempotency_record"("expires_at");
