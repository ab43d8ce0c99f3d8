-- AlterTable
ALTER TABLE "plugin_instance" ADD COLUMN     "config_version" INTEGER NOT NULL DEFAULT 1;

-- CreateTable
CREATE TABLE "plugin_instance_version" (
    "instance_id" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "actor_token_id" TEXT,
    "config" JSONB NOT NULL,
    "config_version" INTEGER NOT NULL DEFAULT 1,
    "secrets" JSONB NOT NULL DEFAULT '{}',
    "secret_changes" JSONB NOT NULL DEFAULT '[]',
    "secrets_version" INTEGER NOT NULL DEFAULT 0,
    "restored_from" INTEGER,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "plugin_instance_version_pkey" PRIMARY KEY ("instance_id","version")
);

-- AddForeignKey
ALTER TABLE "plugin_instance_version" ADD CONSTRAINT "plugin_instance_version_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "plugin_instance"("id") ON DELETE CASCADE ON UPDATE CASCADE;
