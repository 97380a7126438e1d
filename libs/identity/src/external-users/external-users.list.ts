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
  ['channelIds', 'channel_id'],
  ['externalUserGroupIds', 'external_user_group_id'],
  ['superIdentityIds', 'super_identity_id'],
  ['tierIds', 'tier_id'],
] as const;

/** How many ids one filter may list. */
const MAX_IDS_PER_FILTER = 100;

/**
 * One page of a workspace's external users, in creation order.
 *
 * - Without filters or search, page N is the ordinal range `((N-1)·size, N·size]` of the unique
 *   `(workspace_id, ordinal)` index: ordinals are 1, 2, 3… without gaps (external users are never
 *   deleted one by one), so page 100,000 is one index range read, as cheap as page 1.
 * - With one channel id and nothing else, page N is the same range of the channel's own numbering,
 *   `(channel_id, workspace_id, channel_ordinal)`: as cheap at any depth.
 * - Any other filter (or search) is a deferred join: an inner query picks the page's ordinals with
 *   LIMIT/OFFSET reading only the filter's `(…_id, workspace_id, ordinal)` index (the rows a deep page
 *   skips are index entries, never table rows), then the outer query reads the page's rows by
 *   `(workspace_id, ordinal)`. Skipping still grows with the depth inside the filtered set, at the price
 *   of an index entry. Several channel ids, or a search, read the workspace's ordinal index and the
 *   table for each row they test.
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
    .orderBy('u.ordinal', 'ASC');
  const page = dataSource
    .createQueryBuilder()
    .select('p.ordinal')
    .from(ExternalUserEntity, 'p')
    .where('p.workspace_id = :workspaceId', { workspaceId });
  const used: string[] = [];
  for (const [param, column] of ID_FILTERS) {
    const ids = query[param];
    if (ids === undefined || ids.length === 0) {
      continue;
    }
    if (ids.length > MAX_IDS_PER_FILTER || !ids.every(isUuid)) {
      throw IdentityError.validation(`${param} must be up to ${MAX_IDS_PER_FILTER} UUIDs`, [param]);
    }
    used.push(param);
    page.andWhere(`p.${column} IN (:...${param})`, { [param]: [...new Set(ids)] });
  }
  if (query.search !== undefined && query.search !== '') {
    if ([...query.search].length > LIMITS.search.max) {
      throw IdentityError.validation(`search must be at most ${LIMITS.search.max} characters`, ['search']);
    }
    used.push('search');
    const like = dialectOf(dataSource) === 'postgres' ? 'ILIKE' : 'LIKE';
    page.andWhere(
      `(p.name ${like} :search ESCAPE '\\' OR p.identifier ${like} :search ESCAPE '\\' OR p.external_id ${like} :search ESCAPE '\\')`,
      { search: containsPattern(query.search) },
    );
  }
  if (used.length === 0) {
    return builder.andWhere('u.ordinal > :after', { after: offset }).limit(limit).getMany();
  }
  const channelIds = new Set(query.channelIds);
  if (used.length === 1 && used[0] === 'channelIds' && channelIds.size === 1) {
    return builder
      .andWhere('u.channel_id = :channelId AND u.channel_ordinal > :after', {
        channelId: [...channelIds][0],
        after: offset,
      })
      .orderBy('u.channel_ordinal', 'ASC')
      .limit(limit)
      .getMany();
  }
  page.orderBy('p.ordinal', 'ASC').limit(limit).offset(offset);
  return builder.andWhere(`u.ordinal IN (${page.getQuery()})`).setParameters(page.getParameters()).getMany();
}
