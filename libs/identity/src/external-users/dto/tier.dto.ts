import { ApiProperty, ApiPropertyOptional } from '../../common/peers/swagger.js';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { LIMITS } from '../external-users.rules.js';
import type { TierEntity } from '../tier.entity.js';

/** Body of `POST /tiers`. */
export class CreateTierDto {
  @ApiProperty({ minLength: 3, maxLength: 50 })
  @IsString()
  @Length(LIMITS.name.min, LIMITS.name.max)
  name: string;

  @ApiProperty({ minLength: 3, maxLength: 250 })
  @IsString()
  @Length(LIMITS.description.min, LIMITS.description.max)
  description: string;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 0,
    description:
      'Assistant messages per user and quota period (a calendar month by default); null: unlimited',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(2 ** 31 - 1)
  maxAssistantMessages?: number | null;

  @ApiPropertyOptional({ type: String, nullable: true, minLength: 3, maxLength: 500 })
  @IsOptional()
  @IsString()
  @Length(LIMITS.prompt.min, LIMITS.prompt.max)
  prompt?: string | null;
}

/** Body of `PATCH /tiers/{id}`: any field of a tier; null clears `maxAssistantMessages` or `prompt`. */
export class UpdateTierDto {
  @ApiPropertyOptional({ minLength: 3, maxLength: 50 })
  @IsOptional()
  @IsString()
  @Length(LIMITS.name.min, LIMITS.name.max)
  name?: string;

  @ApiPropertyOptional({ minLength: 3, maxLength: 250 })
  @IsOptional()
  @IsString()
  @Length(LIMITS.description.min, LIMITS.description.max)
  description?: string;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 0,
    description:
      'Assistant messages per user and quota period (a calendar month by default); null: unlimited',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(2 ** 31 - 1)
  maxAssistantMessages?: number | null;

  @ApiPropertyOptional({ type: String, nullable: true, minLength: 3, maxLength: 500 })
  @IsOptional()
  @IsString()
  @Length(LIMITS.prompt.min, LIMITS.prompt.max)
  prompt?: string | null;
}

/** A tier, as the routes answer it. */
export class ZaiaTier {
  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;

  @ApiProperty({ minLength: 3, maxLength: 50 })
  name: string;

  @ApiProperty({ minLength: 3, maxLength: 250 })
  description: string;

  @ApiProperty({ type: Number, nullable: true, minimum: 0 })
  maxAssistantMessages: number | null;

  @ApiProperty({ type: String, nullable: true, minLength: 3, maxLength: 500 })
  prompt: string | null;

  @ApiProperty({ format: 'uuid' })
  workspaceId: string;

  static from(tier: TierEntity): ZaiaTier {
    return {
      createdAt: new Date(tier.createdAt).toISOString(),
      id: tier.id,
      updatedAt: new Date(tier.updatedAt).toISOString(),
      name: tier.name,
      description: tier.description,
      maxAssistantMessages: tier.maxAssistantMessages,
      prompt: tier.prompt,
      workspaceId: tier.workspaceId,
    };
  }
}
