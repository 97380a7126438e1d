import { ApiProperty, ApiPropertyOptional } from '../../common/peers/swagger.js';
import { IsOptional, IsString, Length } from 'class-validator';
import type { ChannelEntity } from '../channel.entity.js';
import { LIMITS } from '../external-users.rules.js';

/** Body of `POST /channels`. */
export class CreateChannelDto {
  @ApiProperty({ minLength: 3, maxLength: 50, example: 'Website chat' })
  @IsString()
  @Length(LIMITS.name.min, LIMITS.name.max)
  name: string;
}

/** Body of `PATCH /channels/{id}`. */
export class UpdateChannelDto {
  @ApiPropertyOptional({ minLength: 3, maxLength: 50, example: 'Website chat' })
  @IsOptional()
  @IsString()
  @Length(LIMITS.name.min, LIMITS.name.max)
  name?: string;
}

/** A channel, as the routes answer it. */
export class ZaiaChannel {
  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;

  @ApiProperty({ minLength: 3, maxLength: 50 })
  name: string;

  @ApiProperty({ format: 'uuid' })
  workspaceId: string;

  static from(channel: ChannelEntity): ZaiaChannel {
    return {
      createdAt: new Date(channel.createdAt).toISOString(),
      id: channel.id,
      updatedAt: new Date(channel.updatedAt).toISOString(),
      name: channel.name,
      workspaceId: channel.workspaceId,
    };
  }
}
