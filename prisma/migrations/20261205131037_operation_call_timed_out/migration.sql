-- AlterTable
ALTER TABLE "operation_call" ADD COLUMN     "timed_out" BOOLEAN NOT NULL DEFAULT false;
