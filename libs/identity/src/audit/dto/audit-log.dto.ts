import { ApiProperty, ApiPropertyOptional } from '../../common/peers/swagger.js';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import type { AuditActorType, AuditLogEntity } from '../audit-log.entity.js';

/** Query of `GET /identity/audit-log`. */
export class AuditLogQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

/** One audit entry: who did what to which id, when. Ids only. */
export class AuditLogEntryDto implements AuditLogEntity {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  workspaceId: string;

  @ApiProperty({ enum: ['api_key', 'user_group', 'external_user', 'family_user', 'system'] })
  actorType: AuditActorType;

  @ApiPropertyOptional({ type: String, nullable: true })
  actorId: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: "Regpack's Api-user header" })
  apiUser: string | null;

  @ApiProperty({ example: 'api-key.create' })
  action: string;

  @ApiProperty({ example: 'api_key' })
  targetType: string;

  @ApiPropertyOptional({ type: String, nullable: true })
  targetId: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: Date;
}

/** `{ data: entries }`, newest first. */
export class AuditLogResponse {
  @ApiProperty({ type: [AuditLogEntryDto] })
  data: AuditLogEntryDto[];
}
