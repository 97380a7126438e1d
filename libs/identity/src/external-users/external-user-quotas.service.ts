import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { IDENTITY_RESOLVED_OPTIONS } from '../identity.constants.js';
import type { ResolvedIdentityOptions } from '../identity.module-definition.js';
import { IdentityError, IdentityErrorReason } from '../common/errors/identity-error.js';
import { newId, queryRows, runInTransaction } from '../common/persistence/persistence.js';
import type { QuotaPeriod } from './external-users.options.js';
import type { EffectiveTier } from './external-user-tokens.service.js';

/** Every quota `@ConsumesQuota()` can count, each limited by a field of the effective tier. */
export const QUOTA_NAMES = ['assistantMessages'] as const;
/** One of `QUOTA_NAMES`. */
export type QuotaName = (typeof QUOTA_NAMES)[number];

/** The tier field that limits each quota; null there (or no tier at all) means unlimited. */
const LIMIT_OF: Record<QuotaName, (tier: EffectiveTier) => number | null> = {
  assistantMessages: (tier) => tier.maxAssistantMessages,
};

/** One quota of one external user in the current period. */
export interface QuotaUsage {
  quota: QuotaName;
  /** The period's label in UTC (`2025-06` for a month, `2025-06-14` for a day). */
  period: string;
  used: number;
  /** The tier's limit; null: unlimited. */
  limit: number | null;
  /** What is left in this period; null: unlimited. */
  remaining: number | null;
  /** When the next period starts and the count begins again at 0. */
  resetsAt: Date;
}

/** The subject of a quota: an external user and its effective tier (an `ExternalUserPrincipal` fits). */
export interface QuotaSubject {
  id: string;
  workspaceId: string;
  tier: EffectiveTier | null;
}

const TABLE = 'identity_external_user_quota_usage';
// One atomic statement: the first use of a period inserts 1; later ones add 1 only while under the
// limit (the conflict update's WHERE). Concurrent requests serialize on the row, so none overspends.
const CONSUME_LIMITED = `INSERT INTO ${TABLE} (id, workspace_id, external_user_id, quota, period, used)
  VALUES (?, ?, ?, ?, ?, 1)
  ON CONFLICT (external_user_id, quota, period) DO UPDATE SET used = ${TABLE}.used + 1
  WHERE ${TABLE}.used < ?
  RETURNING used`;
const CONSUME_UNLIMITED = `INSERT INTO ${TABLE} (id, workspace_id, external_user_id, quota, period, used)
  VALUES (?, ?, ?, ?, ?, 1)
  ON CONFLICT (external_user_id, quota, period) DO UPDATE SET used = ${TABLE}.used + 1
  RETURNING used`;

/** The UTC period `at` falls in: its label and when the next one starts. */
export function quotaPeriodOf(at: Date, period: QuotaPeriod): { label: string; resetsAt: Date } {
  const y = at.getUTCFullYear();
  const m = at.getUTCMonth();
  const month = `${y}-${String(m + 1).padStart(2, '0')}`;
  if (period === 'day') {
    const d = at.getUTCDate();
    return { label: `${month}-${String(d).padStart(2, '0')}`, resetsAt: new Date(Date.UTC(y, m, d + 1)) };
  }
  return { label: month, resetsAt: new Date(Date.UTC(y, m + 1, 1)) };
}

/** Counts quota use per external user and period in the database, atomically, against the tier's limit. */
@Injectable()
export class ExternalUserQuotasService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(IDENTITY_RESOLVED_OPTIONS) private readonly options: ResolvedIdentityOptions,
  ) {}

  /**
   * Spends one unit of `quota`, or throws 429 (with `Retry-After` until the period ends) when the
   * effective tier's limit is used up. Answers the usage after spending.
   */
  async consume(subject: QuotaSubject, quota: QuotaName, now = new Date()): Promise<QuotaUsage> {
    const { label, resetsAt } = quotaPeriodOf(now, this.options.externalUsers.quotaPeriod);
    const limit = subject.tier ? LIMIT_OF[quota](subject.tier) : null;
    const usage = (used: number): QuotaUsage => ({
      quota,
      period: label,
      used,
      limit,
      remaining: limit === null ? null : Math.max(limit - used, 0),
      resetsAt,
    });
    if (limit === 0) {
      throw this.spent(usage(0), now);
    }
    const rows = await runInTransaction(this.dataSource, (manager) =>
      queryRows<{ used: number | string }>(manager, limit === null ? CONSUME_UNLIMITED : CONSUME_LIMITED, [
        newId(),
        subject.workspaceId,
        subject.id,
        quota,
        label,
        ...(limit === null ? [] : [limit]),
      ]),
    );
    if (rows.length === 0) {
      throw this.spent(usage(limit ?? 0), now);
    }
    return usage(Number(rows[0].used));
  }

  /** The subject's use of every quota in the current period. */
  async usage(subject: QuotaSubject, now = new Date()): Promise<Record<QuotaName, QuotaUsage>> {
    const { label, resetsAt } = quotaPeriodOf(now, this.options.externalUsers.quotaPeriod);
    const rows = await queryRows<{ quota: string; used: number | string }>(
      this.dataSource,
      `SELECT quota, used FROM ${TABLE} WHERE external_user_id = ? AND period = ?`,
      [subject.id, label],
    );
    const result = {} as Record<QuotaName, QuotaUsage>;
    for (const quota of QUOTA_NAMES) {
      const used = Number(rows.find((r) => r.quota === quota)?.used ?? 0);
      const limit = subject.tier ? LIMIT_OF[quota](subject.tier) : null;
      result[quota] = {
        quota,
        period: label,
        used,
        limit,
        remaining: limit === null ? null : Math.max(limit - used, 0),
        resetsAt,
      };
    }
    return result;
  }

  private spent(usage: QuotaUsage, now: Date): IdentityError {
    return IdentityError.tooManyRequests(
      IdentityErrorReason.RateLimited,
      `The ${usage.quota} quota is used up (${usage.limit ?? 0} per ${this.options.externalUsers.quotaPeriod}); ` +
        `it resets at ${usage.resetsAt.toISOString()}.`,
      Math.max(1, Math.ceil((usage.resetsAt.getTime() - now.getTime()) / 1000)),
    );
  }
}
