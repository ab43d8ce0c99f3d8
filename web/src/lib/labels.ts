/** Words for the API's enum values, in one place. */
import type { HealthStatus, InstanceStatus, PluginType, Role } from '../gql/graphql.ts';

export const HEALTH_LABELS: Record<HealthStatus, string> = {
  HEALTHY: 'Healthy',
  DEGRADED: 'Degraded',
  UNHEALTHY: 'Unhealthy',
  UNKNOWN: 'Unknown',
};

export const STATUS_LABELS: Record<InstanceStatus, string> = {
  ACTIVE: 'Active',
  INACTIVE: 'Inactive',
  ERROR: 'Error',
};

export const ROLE_LABELS: Record<Role, string> = {
  ADMIN: 'Admin',
  OPERATOR: 'Operator',
  VIEWER: 'Viewer',
};

export const PLUGIN_TYPE_LABELS: Record<PluginType, string> = {
  ANALYTICS: 'Analytics',
  AUTHENTICATION: 'Authentication',
  INTEGRATION: 'Integration',
  NOTIFICATION: 'Notification',
  PAYMENT: 'Payment',
  SEARCH: 'Search',
  STORAGE: 'Storage',
  WORKFLOW: 'Workflow',
};

export const PLUGIN_TYPES = Object.keys(PLUGIN_TYPE_LABELS) as PluginType[];
export const HEALTH_STATUSES = Object.keys(HEALTH_LABELS) as HealthStatus[];
export const INSTANCE_STATUSES = Object.keys(STATUS_LABELS) as InstanceStatus[];

/** Roles that may create, change, test and delete instances. */
export function canOperate(role: Role | undefined): boolean {
  return role === 'OPERATOR' || role === 'ADMIN';
}
