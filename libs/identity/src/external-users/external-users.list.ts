import type { DataSource } from 'typeorm';
import { IdentityError } from '../common/errors/identity-error.js';
import { dialectOf, isUuid } from '../common/persistence/persistence.js';
import { ExternalUserEntity } from './external-user.entity.js';
import { containsPattern, LIMITS, type PageRequest, pageRange } from './external-users.rules.js';

/** Filters of the external-user list (Zaia's query parameters); each id list matches any of its ids. */
export interface ListExternalUsersQuery extends PageRequest {
  channelIds?: readonly string[];
  externalUserGroupIds?: readonly string[];
  superIdentityIds?: readonly string[];
  tierIds?: readonly string[];
  /** Matches name, identifier or externalId containing it (case-insensitive). */
  search?: string;
}

const ID_FILTERS = [
  ['channelIds', 'channelId'],
  ['externalUserGroupIds', 'externalUserGroupId'],
  ['superIdentityIds', 'superIdentityId'],
  ['tierIds', 'tierId'],
] as const;

/** How many ids one filter may list. */
const MAX_IDS_PER_FILTER = 100;

/**
 * One page of a workspace's external users, in creation order.
 *
 * Without filters or search, page N is the ordinal range `((N-1)·size, N·size]` of the unique
 * `(workspace_id, ordinal)` index: ordinals are 1, 2, 3… without gaps (external users are never
 * deleted one by one), so page 100,000 is one index range read, as cheap as page 1. With filters,
 * the rows come from the filter's `(…_id, ordinal)` index in ordinal order and OFFSET skips inside
 * that index only (cost grows with the depth within the filtered set, not with the workspace); a
 * search scans the workspace's users.
 */
export async function listExternalUsers(
  dataSource: DataSource,
  workspaceId: string,
  query: ListExternalUsersQuery = {},
): Promise<ExternalUserEntity[]> {
  const { offset, limit } = pageRange(query);
  const builder = dataSource.manager
    .createQueryBuilder(ExternalUserEntity, 'u')
    .where('u.workspace_id = :workspaceId', { workspaceId })
    .orderBy('u.ordinal', 'ASC')
    .limit(limit);
  let filtered = false;
  for (const [param, property] of ID_FILTERS) {
    const ids = query[param];
    if (ids === undefined || ids.length === 0) {
      continue;
    }
    if (ids.length > MAX_IDS_PER_FILTER || !ids.every(isUuid)) {
      throw IdentityError.validation(`${param} must be up to ${MAX_IDS_PER_FILTER} UUIDs`, [param]);
    }
    filtered = true;
    builder.andWhere(`u.${property} IN (:...${param})`, { [param]: [...new Set(ids)] });
  }
  if (query.search !== undefined && query.search !== '') {
    if ([...query.search].length > LIMITS.search.max) {
      throw IdentityError.validation(`search must be at most ${LIMITS.search.max} characters`, ['search']);
    }
    filtered = true;
    const like = dialectOf(dataSource) === 'postgres' ? 'ILIKE' : 'LIKE';
    builder.andWhere(
      `(u.name ${like} :search ESCAPE '\\' OR u.identifier ${like} :search ESCAPE '\\' OR u.external_id ${like} :search ESCAPE '\\')`,
      { search: containsPattern(query.search) },
    );
  }
  if (filtered) {
    builder.offset(offset);
  } else {
    builder.andWhere('u.ordinal > :after', { after: offset });
  }
  return builder.getMany();
}
