/** What every resolver receives: the caller and the services, created per request. */
import type { PrismaClient } from '../../prisma/generated/client/client.ts';
import type { CheckBudget, RequestCheckBudget } from '../access/check-budget.ts';
import type { Principal } from '../access/roles.ts';
import type { EventBus } from '../cluster/event-bus.ts';
import type { TokenService } from '../tokens/token-service.ts';
import type { HealthService } from '../health/health-service.ts';
import type { TestingService } from '../health/testing-service.ts';
import type { InstanceService } from '../instances/instance-service.ts';
import type { ConfigurationService } from '../instances/configuration-service.ts';
import type { Logger } from '../logger.ts';
import type { OperationService } from '../operations/operation-service.ts';
import type { PluginRegistry } from '../registry/index.ts';

export interface Services {
  prisma: PrismaClient;
  registry: PluginRegistry;
  instances: InstanceService;
  /** Configuration as code: export, plan and apply configuration documents. */
  configuration: ConfigurationService;
  testing: TestingService;
  health: HealthService;
  tokens: TokenService;
  operations: OperationService;
  checkBudget: CheckBudget;
  logger: Logger;
  /** Where callers reach this server (PLUGFORM_PUBLIC_URL), for links in results; unset: the request's origin. */
  publicUrl?: string | undefined;
  /** Events of every replica (health changes for subscriptions). */
  bus: EventBus;
}

export interface GraphQLContext extends Services {
  principal: Principal | null;
  requestId: string;
  /** The origin the request was addressed to (`http://localhost:4000`). */
  requestOrigin: string;
  /** This request's allowance of connection tests and health checks. */
  checks: RequestCheckBudget;
  /** Aborted when the caller's token is revoked (subscriptions end with it). */
  sessionSignal?: AbortSignal;
}
