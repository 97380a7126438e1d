import { ApiPropertyOptional } from '../../common/peers/swagger.js';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import type { ApiKeyScope } from '../api-key.entity.js';

/** Body of `POST /identity/api-keys`. */
export class CreateApiKeyDto {
  @ApiPropertyOptional({ example: 'dashboard backend', maxLength: 100 })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  name?: string;

  @ApiPropertyOptional({ enum: ['read', 'write'], default: 'write' })
  @IsOptional()
  @IsIn(['read', 'write'])
  scope?: ApiKeyScope;
}
