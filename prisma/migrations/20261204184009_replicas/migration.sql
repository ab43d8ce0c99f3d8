-- AlterTable
ALTER TABLE "audit_event" ADD COLUMN     "client_mutation_id" TEXT;

-- CreateTable
CREATE TABLE "secret_store_binding" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "kind" TEXT NOT NULL,
    "identity" TEXT NOT NULL,
    "location" TEXT NOT NULL,
    "bound_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "secret_store_binding_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "audit_event_actor_client_mutation_id_key" ON "audit_event"("actor", "client_mutation_id");
