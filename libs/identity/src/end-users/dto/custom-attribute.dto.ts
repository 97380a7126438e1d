import { ApiProperty, ApiPropertyOptional } from '../../common/peers/swagger.js';
import {
  IsBoolean,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import {
  CUSTOM_ATTRIBUTE_ENTITY_TYPES,
  type CustomAttributeEntityType,
} from '../custom-attributes/custom-attribute.entity.js';
import { OptionalNotNull } from '../../common/http/transforms.js';
import type { CustomAttributeInputDefinition } from '../custom-attributes/custom-attribute-definitions.js';
import type { CustomAttributeView } from '../custom-attributes/custom-attributes.service.js';

const INPUT_DEFINITION_SCHEMA = {
  type: 'object',
  additionalProperties: true,
  description:
    "`{ _type: 'Text', placeholder? }` or `{ _type: 'Select', options: [{ id?, value, label?, isDeactivated?, nestedOptions? }] }`",
  example: { _type: 'Select', options: [{ value: 'Europe', nestedOptions: [{ value: 'Denmark' }] }] },
} as const;

/** Query of `GET /custom-attributes`. */
export class ListCustomAttributesQueryDto {
  @ApiPropertyOptional({ enum: CUSTOM_ATTRIBUTE_ENTITY_TYPES })
  @IsOptional()
  @IsIn(CUSTOM_ATTRIBUTE_ENTITY_TYPES)
  entityType?: CustomAttributeEntityType;
}

/** Body of `POST /custom-attributes` (the host defines attributes; Dixa does it in its UI). */
export class CreateCustomAttributeDto {
  @ApiProperty({ enum: CUSTOM_ATTRIBUTE_ENTITY_TYPES })
  @IsIn(CUSTOM_ATTRIBUTE_ENTITY_TYPES)
  entityType: CustomAttributeEntityType;

  @ApiProperty({ example: 'plan', description: 'Letters, digits, _, - or .; unique per entity type' })
  @IsString()
  @Matches(/^[A-Za-z0-9_.-]{1,100}$/, { message: 'must be 1 to 100 letters, digits, _, - or .' })
  identifier: string;

  @ApiProperty({ example: 'Plan', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  label: string;

  @ApiPropertyOptional({ maxLength: 1000, nullable: true })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MaxLength(1000)
  description?: string | null;

  @ApiProperty(INPUT_DEFINITION_SCHEMA)
  @IsObject()
  inputDefinition: CustomAttributeInputDefinition;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  isRequired?: boolean;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  isDeactivated?: boolean;
}

/** Body of `PATCH /custom-attributes/{id}`; entity type, identifier and input type stay. */
export class UpdateCustomAttributeDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @OptionalNotNull()
  @IsString()
  @Length(1, 200)
  label?: string;

  @ApiPropertyOptional({ maxLength: 1000, nullable: true })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MaxLength(1000)
  description?: string | null;

  @ApiPropertyOptional(INPUT_DEFINITION_SCHEMA)
  @IsOptional()
  @IsObject()
  inputDefinition?: CustomAttributeInputDefinition;

  @ApiPropertyOptional()
  @OptionalNotNull()
  @IsBoolean()
  isRequired?: boolean;

  @ApiPropertyOptional()
  @OptionalNotNull()
  @IsBoolean()
  isDeactivated?: boolean;

  @ApiPropertyOptional()
  @OptionalNotNull()
  @IsBoolean()
  isArchived?: boolean;
}

/** A custom attribute definition in the seed's shape. */
export class DixaCustomAttribute {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: CUSTOM_ATTRIBUTE_ENTITY_TYPES })
  entityType: CustomAttributeEntityType;

  @ApiProperty({ example: 'plan' })
  identifier: string;

  @ApiProperty({ example: 'Plan' })
  label: string;

  @ApiPropertyOptional()
  description?: string;

  @ApiProperty(INPUT_DEFINITION_SCHEMA)
  inputDefinition: Record<string, unknown>;

  @ApiProperty()
  isRequired: boolean;

  @ApiProperty()
  isArchived: boolean;

  @ApiProperty()
  isDeactivated: boolean;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt: string;

  static from(view: CustomAttributeView): DixaCustomAttribute {
    return {
      id: view.id,
      entityType: view.entityType,
      identifier: view.identifier,
      label: view.label,
      ...(view.description === null ? {} : { description: view.description }),
      inputDefinition: view.inputDefinition as unknown as Record<string, unknown>,
      isRequired: view.isRequired,
      isArchived: view.isArchived,
      isDeactivated: view.isDeactivated,
      createdAt: view.createdAt.toISOString(),
      updatedAt: view.updatedAt.toISOString(),
    };
  }
}

/** `{ data: attribute }`. */
export class DixaCustomAttributeResponse {
  @ApiProperty({ type: DixaCustomAttribute })
  data: DixaCustomAttribute;
}

/** `{ data: attributes }`. */
export class DixaCustomAttributeListResponse {
  @ApiProperty({ type: [DixaCustomAttribute] })
  data: DixaCustomAttribute[];
}
