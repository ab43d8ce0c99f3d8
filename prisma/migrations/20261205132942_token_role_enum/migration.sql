-- CreateEnum
CREATE TYPE "token_role" AS ENUM ('viewer', 'operator', 'admin');

-- AlterTable: the stored roles are converted, not dropped (a value outside the enum fails the
-- migration, which then rolls back whole, instead of losing the token).
ALTER TABLE "api_token" ALTER COLUMN "role" TYPE "token_role" USING ("role"::"token_role");
