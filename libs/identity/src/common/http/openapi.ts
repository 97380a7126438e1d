/** An OpenAPI security scheme (the shape of @nestjs/swagger's `SecuritySchemeObject`, declared here). */
export interface IdentitySecurityScheme {
  type: 'apiKey' | 'http';
  in?: 'header' | 'query';
  name?: string;
  scheme?: string;
  description: string;
  /** OpenAPI extensions (none here; lets the type pass where @nestjs/swagger's is expected). */
  [extension: `x-${string}`]: unknown;
}

/**
 * The security schemes the module's routes and guard decorators refer to. Add them to your document:
 * `for (const [name, scheme] of Object.entries(IDENTITY_SECURITY_SCHEMES)) builder.addSecurity(name, scheme);`
 */
export const IDENTITY_SECURITY_SCHEMES: Readonly<Record<string, IdentitySecurityScheme>> = {
  'api-key': {
    type: 'apiKey',
    in: 'header',
    name: 'Authorization',
    description: 'A workspace API key: "Token idk_…" (Explo), "Bearer idk_…" or the bare key (Dixa, Zaia)',
  },
  'regpack-api-id': {
    type: 'apiKey',
    in: 'header',
    name: 'Api-id',
    description:
      "Regpack style: the API key's 8-character public id, sent with Api-token, Api-user and Timestamp",
  },
  'regpack-api-token': {
    type: 'apiKey',
    in: 'header',
    name: 'Api-token',
    description: 'Regpack style: the workspace API key (idk_…)',
  },
  'regpack-api-user': {
    type: 'apiKey',
    in: 'header',
    name: 'Api-user',
    description: 'Regpack style: who is calling, recorded in the audit log',
  },
  'regpack-timestamp': {
    type: 'apiKey',
    in: 'header',
    name: 'Timestamp',
    description: 'Regpack style: Unix seconds or milliseconds, or ISO 8601 with offset, within 5 minutes',
  },
  'user-group-token': {
    type: 'apiKey',
    in: 'header',
    name: 'Authorization',
    description: 'A user-group embed token: "Token ugt_…" (or ?token= in the URL)',
  },
  'external-user-token': {
    type: 'http',
    scheme: 'bearer',
    description:
      'An external user\'s access token: "Bearer eut_…" (from /api/v1/external-users/authenticate)',
  },
  'family-session': {
    type: 'http',
    scheme: 'bearer',
    description: 'A family session token (fst_…) from POST /reg/api2/session',
  },
};

/** The Regpack header set as one security requirement (all four headers together). */
export const REGPACK_KEY_SECURITY: Record<string, string[]> = {
  'regpack-api-id': [],
  'regpack-api-token': [],
  'regpack-api-user': [],
  'regpack-timestamp': [],
};
