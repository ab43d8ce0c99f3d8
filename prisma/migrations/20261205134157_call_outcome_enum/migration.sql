-- CreateEnum
CREATE TYPE "call_outcome" AS ENUM ('success', 'error', 'rejected', 'replayed');

-- AlterTable: stored values are converted, not dropped.
ALTER TABLE "operation_call" ALTER COLUMN "outcome" TYPE "call_outcome" USING ("outcome"::"call_outcome");
