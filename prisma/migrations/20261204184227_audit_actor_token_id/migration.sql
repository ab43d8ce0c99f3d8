-- AlterTable
ALTER TABLE "audit_event" ADD COLUMN     "actor_token_id" TEXT;
