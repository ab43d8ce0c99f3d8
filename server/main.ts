/**
 * `npm start`: runs Plugform until SIGINT/SIGTERM. Configuration comes from the environment
 * (see the README's settings table).
 */
import { ConfigError, loadConfig } from './config.ts';
import { startServer } from './app/start-server.ts';
import { createLogger } from './logger.ts';

// Until the settings are read (and checked), messages go out at the default level.
let logger = createLogger();

try {
  const config = loadConfig();
  logger = createLogger({ level: config.logLevel });
  const server = await startServer({ config, logger });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: shutting down`);
    await server.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
} catch (error) {
  const message = error instanceof ConfigError || error instanceof Error ? error.message : String(error);
  logger.error(`Plugform could not start: ${message}`);
  process.exit(1);
}
