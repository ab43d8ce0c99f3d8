-- AlterTable
ALTER TABLE "api_token" ADD COLUMN     "created_by_id" TEXT,
ADD COLUMN     "created_by_name" TEXT;
