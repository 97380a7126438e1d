import type { KeepAliveClient } from './client.js';
import type { MountedRoute } from './routes.js';

/** Field names and enum values the app's OpenAPI document declares, overall and per route. */
export interface OpenApiFields {
  /** Every property and parameter name in the document. */
  names: string[];
  /** Every enum value in the document (actions, scopes, environment tags…). */
  enums: string[];
  /** Body property and query parameter names of one route (`METHOD /path/:param`). */
  of(route: MountedRoute): string[];
}

type Json = Record<string, unknown>;

/**
 * Reads the host's OpenAPI document (`/docs-json`), so the fuzzer sends each route its own field
 * names (and so gets past whitelists into the services) without a hand list to keep up to date.
 */
export async function openApiFields(client: KeepAliveClient): Promise<OpenApiFields> {
  const res = await client.json('GET', '/docs-json', {});
  if (res.status !== 200) {
    throw new Error(`GET /docs-json answered ${res.status}`);
  }
  const doc = res.json as { paths: Record<string, Record<string, Json>>; components?: { schemas?: Json } };
  const schemas = (doc.components?.schemas ?? {}) as Record<string, Json>;
  const names = new Set<string>();
  const enums = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(walk);
    } else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node as Json)) {
        if (key === 'properties' && value && typeof value === 'object') {
          Object.keys(value).forEach((name) => names.add(name));
        }
        if (key === 'enum' && Array.isArray(value)) {
          value.filter((v) => typeof v === 'string').forEach((v) => enums.add(v));
        }
        walk(value);
      }
    }
  };
  walk(doc);
  const propertiesOf = (schema: unknown, seen = new Set<string>()): string[] => {
    if (!schema || typeof schema !== 'object') {
      return [];
    }
    const s = schema as Json;
    if (typeof s.$ref === 'string') {
      const name = s.$ref.split('/').pop()!;
      return seen.has(name) ? [] : propertiesOf(schemas[name], new Set([...seen, name]));
    }
    const own = s.properties ? Object.keys(s.properties) : [];
    const nested = ['allOf', 'oneOf', 'anyOf'].flatMap((k) =>
      Array.isArray(s[k]) ? (s[k] as unknown[]).flatMap((x) => propertiesOf(x, seen)) : [],
    );
    return [...own, ...nested, ...(s.items ? propertiesOf(s.items, seen) : [])];
  };
  const perRoute = new Map<string, string[]>();
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(operations)) {
      const params = ((op.parameters as Json[] | undefined) ?? [])
        .filter((p) => p.in === 'query')
        .map((p) => String(p.name));
      const body = (op.requestBody as { content?: Record<string, { schema?: unknown }> } | undefined)
        ?.content;
      const bodyFields = Object.values(body ?? {}).flatMap((c) => propertiesOf(c.schema));
      perRoute.set(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`, [
        ...new Set([...params, ...bodyFields]),
      ]);
    }
  }
  return {
    names: [...names],
    enums: [...enums],
    of: (route) => perRoute.get(`${route.method} ${route.path}`) ?? [],
  };
}
