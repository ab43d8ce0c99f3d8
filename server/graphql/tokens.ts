/** API tokens (admin only) and the caller's own identity. */
import { ROLES } from '../access/roles.ts';
import { actorOf } from '../audit/audit-log.ts';
import { NotFoundError, ValidationError } from '../instances/errors.ts';
import { scopesOf } from '../tokens/token-service.ts';
import type { OperationScope } from '../operations/scopes.ts';
import { builder } from './builder.ts';
import { selectingSomething } from './instances.ts';

export const RoleEnum = builder.enumType('Role', {
  description: 'viewer: read only. operator: create, update, test and check instances. admin: everything, including tokens.',
  values: Object.fromEntries(ROLES.map((role) => [role.toUpperCase(), { value: role }])) as {
    VIEWER: { value: 'viewer' };
    OPERATOR: { value: 'operator' };
    ADMIN: { value: 'admin' };
  },
});

const OperationScopeRef = builder.objectRef<OperationScope>('OperationScope').implement({
  description: 'Operations a service token may call on one instance.',
  fields: (t) => ({ instanceId: t.exposeID('instanceId'), operations: t.exposeStringList('operations') }),
});

const OperationScopeInput = builder.inputType('OperationScopeInput', {
  fields: (t) => ({
    instanceId: t.id({ required: true }),
    operations: t.stringList({ required: true, description: 'Operation names (sendNotification, createPayment …), or "*" for all of the instance’s operations.' }),
  }),
});

const ApiTokenRef = builder.prismaObject('ApiToken', {
  description: 'An API token. Its value is shown only once, when it is created.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    prefix: t.exposeString('prefix', { description: 'The first characters of the token, to tell tokens apart.' }),
    role: t.field({ type: RoleEnum, resolve: (token) => token.role as 'viewer' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    lastUsedAt: t.expose('lastUsedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the token last authenticated a request (recorded at most once a minute).',
    }),
    createdBy: t.exposeString('createdByName', {
      nullable: true,
      description: 'The name of the token that created this one; null for a bootstrap admin token.',
    }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
    scopes: t.field({
      type: [OperationScopeRef],
      nullable: true,
      description: 'A service token’s scopes: the only operations it may call. Null for a token with the full rights of its role.',
      resolve: (token) => scopesOf(token.operationScopes),
    }),
  }),
});

const CreatedTokenRef = builder.objectRef<{ token: string; id: string }>('CreatedApiToken').implement({
  fields: (t) => ({
    token: t.exposeString('token', { description: 'The token itself. Store it now: it is never shown again.' }),
    apiToken: t.prismaField({
      type: 'ApiToken',
      resolve: (query, created, _args, context) => context.prisma.apiToken.findUniqueOrThrow({ ...selectingSomething(query), where: { id: created.id } }),
    }),
  }),
});

const ViewerRef = builder.objectRef<{ tokenName: string; role: 'viewer' | 'operator' | 'admin' }>('Viewer').implement({
  description: 'Who is calling.',
  fields: (t) => ({ tokenName: t.exposeString('tokenName'), role: t.field({ type: RoleEnum, resolve: (v) => v.role }) }),
});

builder.queryFields((t) => ({
  viewer: t.field({
    type: ViewerRef,
    authScopes: { viewer: true },
    resolve: (_root, _args, context) => context.principal!,
  }),
  apiTokens: t.prismaField({
    type: ['ApiToken'],
    authScopes: { admin: true },
    resolve: (query, _root, _args, context) => context.prisma.apiToken.findMany({ ...query, orderBy: { createdAt: 'asc' } }),
  }),
}));

builder.mutationFields((t) => ({
  createApiToken: t.field({
    type: CreatedTokenRef,
    authScopes: { admin: true },
    errors: { types: [ValidationError] },
    args: {
      name: t.arg.string({ required: true }),
      role: t.arg({ type: RoleEnum, required: true }),
      scopes: t.arg({
        type: [OperationScopeInput],
        description: 'Makes a service token (role OPERATOR) that may call only these operations of these instances, and nothing else.',
      }),
      clientMutationId: t.arg.string({
        description:
          'Idempotency key (1–200 characters, per actor). A token is shown only once, so a retry with the same key mints no second ' +
          'token: it answers a ValidationError on clientMutationId (rule alreadyCreated) naming the id of the token made.',
      }),
    },
    resolve: (_root, args, context) =>
      context.tokens.create(
        args.name,
        args.role,
        args.scopes?.map((s) => ({ instanceId: String(s.instanceId), operations: s.operations })),
        context.principal ?? undefined,
        args.clientMutationId,
      ),
  }),
  revokeApiToken: t.prismaField({
    type: ApiTokenRef,
    authScopes: { admin: true },
    errors: { types: [NotFoundError] },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _root, args, context) => {
      const revoked = await context.tokens.revoke(String(args.id), actorOf(context.principal));
      return context.prisma.apiToken.findUniqueOrThrow({ ...selectingSomething(query), where: { id: revoked.id } });
    },
  }),
}));
