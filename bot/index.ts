import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ContentCatalog, ContentError } from '../core/content/catalog';
import { ProductCatalog } from '../core/licensing/productCatalog';
import { loadUnderstanding } from '../core/intent/intentModel';
import { createApp } from './app';
import { createDirectory } from './directory/createDirectory';
import { ConfigError, loadConfig, redactedConfig } from './config';
import { createLogger } from './logger';
import { projectRoot } from './paths';
import { openStorage } from './storage/openStorage';
import { startTelemetry } from './telemetry';

/** The composition root: the only place that reads process.env and builds the services. */
async function main(): Promise<void> {
  // A local .env is a convenience for development; real deployments set the environment.
  if (existsSync('.env')) process.loadEnvFile('.env');
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee .env.example and the configuration table in README.md.\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  logger.info('starting Sign-in Desk', { config: redactedConfig(config) });
  if (!config.authenticated) logger.warn('MicrosoftAppId is not set: authentication is OFF (local mode)');
  if (config.unauthenticatedRemote)
    logger.warn(
      `!!! LISTENING ON ${config.host} WITHOUT AUTHENTICATION (ALLOW_UNAUTHENTICATED_REMOTE=true): anyone who can reach this port can talk to the bot as any user !!!`,
    );

  let catalog: ContentCatalog;
  try {
    catalog = ContentCatalog.load(join(projectRoot(), 'content'));
  } catch (error) {
    if (error instanceof ContentError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }

  const products = ProductCatalog.load(join(projectRoot(), 'content', 'licensing'));
  const understanding = loadUnderstanding(join(projectRoot(), 'content'));
  const storage = await openStorage(config.storage, resolve(config.dataDir), logger);
  logger.info('storage', {
    kind: config.storage.kind,
    container: 'container' in config.storage ? config.storage.container : undefined,
  });
  const telemetry = startTelemetry(config.telemetryConnectionString, logger);
  const graph = await createDirectory(config.graph, logger, telemetry);
  const { server } = createApp({
    config,
    storage,
    catalog,
    logger,
    directory: graph.directory,
    channelPosts: graph.directory,
    telemetry,
    products,
    understanding,
  });
  const address = await server.listen(config.port, config.host);
  logger.info('listening', { url: `http://${address.host}:${address.port}/api/messages` });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping: finishing turns in flight', { signal });
    await server.close();
    storage.close?.();
    await graph.close();
    await telemetry
      .shutdown()
      .catch((error: Error) =>
        logger.warn('telemetry could not send its last figures', { error: error.message }),
      );
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: Error) => {
  process.stderr.write(`Sign-in Desk failed to start: ${error.message}\n`);
  process.exit(1);
});
