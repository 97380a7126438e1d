import { ApiProperty, ApiPropertyOptional } from '../../common/peers/swagger.js';
import type { ApiKeyScope } from '../api-key.entity.js';
import type { ApiKeyView } from '../api-keys.service.js';

/** An API key as its owners see it: never the hash, never the secret. */
export class ApiKeyDto implements ApiKeyView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  workspaceId: string;

  @ApiProperty({ example: 'dashboard backend' })
  name: string;

  @ApiProperty({ enum: ['read', 'write'] })
  scope: ApiKeyScope;

  @ApiProperty({ description: 'The public id (8 characters after idk_); Regpack clients send it as Api-id' })
  prefix: string;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  lastUsedAt: Date | null;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  revokedAt: Date | null;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: Date;
}

/** A newly created key: the only answer that ever carries its secret. */
export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({ description: 'The key itself (idk_…); shown once, only its hash is stored' })
  secret: string;
}

/** `{ data: key }`. */
export class ApiKeyResponse {
  @ApiProperty({ type: ApiKeyDto })
  data: ApiKeyDto;
}

/** `{ data: key with secret }`. */
export class CreatedApiKeyResponse {
  @ApiProperty({ type: CreatedApiKeyDto })
  data: CreatedApiKeyDto;
}

/** `{ data: keys }`. */
export class ApiKeyListResponse {
  @ApiProperty({ type: [ApiKeyDto] })
  data: ApiKeyDto[];
}

/** `{ message }`: the management routes' error body. */
export class ManagementError {
  @ApiProperty({ example: 'API key not found.' })
  message: string;

  @ApiPropertyOptional({ type: [String], description: 'The offending fields of a 400' })
  fields?: string[];
}
