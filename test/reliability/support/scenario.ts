import type { TestApp, TestWorkspace } from '../../utils/test-app.js';
import type { KeepAliveClient, RawResponse } from './client.js';

/** Regpack's header set for a key: Api-id (the key's public id), Api-token, Api-user, Timestamp (Unix seconds). */
export function regpackHeaders(key: string, timestamp = Date.now()): Record<string, string> {
  return {
    'api-id': key.slice(4, 12),
    'api-token': key,
    'api-user': 'reliability@example.com',
    timestamp: String(Math.floor(timestamp / 1000)),
  };
}

/** `Authorization: Token <key>`: every management-key route accepts it, whatever its seed. */
export const keyAuth = (key: string): Record<string, string> => ({ authorization: `Token ${key}` });

/** One of every resource a workspace can own, made through the HTTP API, with the secrets handed out. */
export interface SeededWorkspace extends TestWorkspace {
  /** A third key, revoked through the API. */
  revokedKey: string;
  /** Ids by resource: `api-keys`, `endusers`, `custom-attributes`, `channels`, `tiers`, `external-user-groups`, `external-users`. */
  ids: Record<string, string>;
  /** Regpack ids: the project's `group_id` and the parent's and child's `clogin_id`. */
  groupId: number;
  parentClogin: string;
  childClogin: string;
  /** Secrets handed out while seeding. */
  embedToken: string;
  accessToken: string;
  sessionToken: string;
  password: string;
}

let sequence = 0;

function expectOk(res: RawResponse, what: string): Record<string, unknown> {
  if (res.status < 200 || res.status > 299) {
    throw new Error(`seeding ${what} answered ${res.status}: ${res.text.slice(0, 300)}`);
  }
  return res.json as Record<string, unknown>;
}

/**
 * Creates a workspace (or seeds `t.workspace`) holding one resource of each kind on every surface:
 * an API key, a revoked key, a user group with its embed token, an end user, a custom attribute,
 * a channel, a tier, an external user group, an external user with an access token, a Regpack project
 * with a parent, a child, a login and a session.
 */
export async function seedWorkspace(
  t: TestApp,
  client: KeepAliveClient,
  workspace?: TestWorkspace,
): Promise<SeededWorkspace> {
  const ws = workspace ?? (await t.createWorkspace(`Seeded ${++sequence}`));
  const n = ++sequence;
  const write = keyAuth(ws.writeKey);
  const post = async (url: string, body: unknown, headers = write) =>
    expectOk(await client.json('POST', url, headers, body), `POST ${url}`);

  const key = (await post('/identity/api-keys', { name: `extra ${n}`, scope: 'read' })) as {
    data: { id: string };
  };
  const revoked = (await post('/identity/api-keys', { name: `revoked ${n}`, scope: 'write' })) as {
    data: { id: string; secret: string };
  };
  expectOk(await client.json('DELETE', `/identity/api-keys/${revoked.data.id}`, write), 'revoke');

  const group = expectOk(
    await client.json('GET', '/api/user', write, { name: `Group ${n}`, user_group_id: `group_${n}` }),
    'user group',
  ) as { user_group: { token: string } };

  const endUser = (await post('/beta/endusers', {
    displayName: `Seeded user ${n}`,
    email: `seeded.${n}@example.com`,
    externalId: `seeded-${n}`,
  })) as { data: { id: string } };
  const attribute = (await post('/beta/custom-attributes', {
    entityType: 'Contact',
    identifier: `plan_${n}`,
    label: `Plan ${n}`,
    inputDefinition: { _type: 'Text' },
  })) as { data: { id: string } };

  const channel = (await post('/api/v1/channels', { name: `Channel ${n}` })) as { id: string };
  const tier = (await post('/api/v1/tiers', { name: `Tier ${n}`, description: 'seeded' })) as { id: string };
  const userGroup = (await post('/api/v1/external-user-groups', {
    externalId: `eug-${n}`,
    name: `External group ${n}`,
  })) as { id: string };
  const external = (await post('/api/v1/external-users/authenticate', {
    channelId: channel.id,
    externalId: `ext-${n}`,
    id: null,
    identifier: null,
  })) as { id: string; accessToken: string };

  const project = (await post('/reg/api2/projects', { action: 'create', doc: { name: `Project ${n}` } })) as {
    group_id: string;
  };
  const groupId = Number(project.group_id);
  const regpack = regpackHeaders(ws.writeKey);
  const password = `pw-${n}-${Math.random().toString(36).slice(2)}`;
  const username = `parent.${n}.${Date.now()}@example.com`;
  const parent = (await post(
    '/reg/api2/users',
    {
      action: 'create',
      group_id: groupId,
      doc: { username, password, main_email: username, first_name: 'Pat', last_name: `Parent${n}` },
    },
    regpack,
  )) as { user_info: { clogin_id: string } };
  const child = (await post(
    '/reg/api2/users',
    {
      action: 'create_child',
      group_id: groupId,
      connected_to: parent.user_info.clogin_id,
      doc: { first_name: 'Kid', last_name: `Parent${n}` },
    },
    regpack,
  )) as { user_info: { clogin_id: string } };
  const login = (await post(
    '/reg/api2/users',
    { action: 'login', group_id: groupId, doc: { username, password } },
    regpack,
  )) as { user_token: string };
  const session = (await post('/reg/api2/session', { user_token: login.user_token }, {})) as {
    session_token: string;
  };

  return {
    ...ws,
    revokedKey: revoked.data.secret,
    ids: {
      'api-keys': key.data.id,
      endusers: endUser.data.id,
      'custom-attributes': attribute.data.id,
      channels: channel.id,
      tiers: tier.id,
      'external-user-groups': userGroup.id,
      'external-users': external.id,
      dashboards: `dashboard-${n}`,
    },
    groupId,
    parentClogin: parent.user_info.clogin_id,
    childClogin: child.user_info.clogin_id,
    embedToken: group.user_group.token,
    accessToken: external.accessToken,
    sessionToken: session.session_token,
    password,
  };
}
