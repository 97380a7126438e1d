import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  ConsumesQuota,
  CurrentExternalUser,
  CurrentQuotaUsage,
  ExternalUserAuth,
  type ExternalUserPrincipal,
  type QuotaUsage,
  RequireTier,
} from '../libs/identity/src/index.js';

/**
 * A host route protected by an external user's access token: what an assistant backend does with
 * `@ExternalUserAuth()`, `@ConsumesQuota()` and `@RequireTier()`.
 */
@ApiTags('demo host')
@Controller('assistant')
@ExternalUserAuth()
export class AssistantController {
  /** Sends one assistant message: spends one unit of the tier's monthly quota and says what is left. */
  @Post('messages')
  @HttpCode(200)
  @ConsumesQuota('assistantMessages')
  sendMessage(@CurrentExternalUser() user: ExternalUserPrincipal, @CurrentQuotaUsage() quota: QuotaUsage) {
    return {
      externalUserId: user.id,
      tier: user.tier?.name ?? null,
      quota: {
        name: quota.quota,
        used: quota.used,
        limit: quota.limit,
        remaining: quota.remaining,
        resetsAt: quota.resetsAt.toISOString(),
      },
    };
  }

  /** Who is calling: the guard alone (a cache hit costs no query). */
  @Get('me')
  me(@CurrentExternalUser() user: ExternalUserPrincipal) {
    return { id: user.id, channelId: user.channelId, tier: user.tier?.name ?? null };
  }

  /** Only for users whose effective tier is named `pro` (403 otherwise). */
  @Get('pro')
  @RequireTier('pro')
  pro(@CurrentExternalUser() user: ExternalUserPrincipal) {
    return { id: user.id, tier: user.tier?.name ?? null };
  }
}
