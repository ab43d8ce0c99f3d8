-- CreateEnum
CREATE TYPE "instance_status" AS ENUM ('active', 'inactive', 'error');

-- CreateEnum
CREATE TYPE "health_status" AS ENUM ('unknown', 'healthy', 'degraded', 'unhealthy');

-- AlterTable: stored values are converted, not dropped (a value outside the enum fails the
-- migration, which then rolls back whole). A text default cannot be cast, so it is set anew.
ALTER TABLE "health_check" ALTER COLUMN "status" TYPE "health_status" USING ("status"::"health_status");

-- AlterTable
ALTER TABLE "plugin_instance"
  ALTER COLUMN "status" DROP DEFAULT,
  ALTER COLUMN "status" TYPE "instance_status" USING ("status"::"instance_status"),
  ALTER COLUMN "status" SET DEFAULT 'inactive',
  ALTER COLUMN "health_status" DROP DEFAULT,
  ALTER COLUMN "health_status" TYPE "health_status" USING ("health_status"::"health_status"),
  ALTER COLUMN "health_status" SET DEFAULT 'unknown';
