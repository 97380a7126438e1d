import type * as Swagger from '@nestjs/swagger';
import { importOptionalPeer } from './optional-peer.js';

/**
 * The @nestjs/swagger decorators the library documents its routes with. @nestjs/swagger is an optional
 * peer: when the host has not installed it, the decorators do nothing (the routes work the same, there
 * is just no document to describe them in). Library code imports them from here, never from the package.
 */
const swagger = await importOptionalPeer<typeof Swagger>('@nestjs/swagger');

/** Whether the host has @nestjs/swagger installed (the module's routes are then documented). */
export const SWAGGER_AVAILABLE = swagger !== undefined;

const inert = (() => () => undefined) as unknown as (
  ...args: unknown[]
) => ClassDecorator & MethodDecorator & PropertyDecorator;

export const ApiProperty: typeof Swagger.ApiProperty = swagger?.ApiProperty ?? inert;
export const ApiPropertyOptional: typeof Swagger.ApiPropertyOptional = swagger?.ApiPropertyOptional ?? inert;
export const ApiHideProperty: typeof Swagger.ApiHideProperty = swagger?.ApiHideProperty ?? inert;
export const ApiTags: typeof Swagger.ApiTags = swagger?.ApiTags ?? inert;
export const ApiOperation: typeof Swagger.ApiOperation = swagger?.ApiOperation ?? inert;
export const ApiOkResponse: typeof Swagger.ApiOkResponse = swagger?.ApiOkResponse ?? inert;
export const ApiCreatedResponse: typeof Swagger.ApiCreatedResponse = swagger?.ApiCreatedResponse ?? inert;
export const ApiAcceptedResponse: typeof Swagger.ApiAcceptedResponse = swagger?.ApiAcceptedResponse ?? inert;
export const ApiNoContentResponse: typeof Swagger.ApiNoContentResponse =
  swagger?.ApiNoContentResponse ?? inert;
export const ApiResponse: typeof Swagger.ApiResponse = swagger?.ApiResponse ?? inert;
export const ApiExtraModels: typeof Swagger.ApiExtraModels = swagger?.ApiExtraModels ?? inert;
export const ApiSecurity: typeof Swagger.ApiSecurity = swagger?.ApiSecurity ?? inert;
export const ApiHeader: typeof Swagger.ApiHeader = swagger?.ApiHeader ?? inert;
export const ApiBody: typeof Swagger.ApiBody = swagger?.ApiBody ?? inert;
export const ApiQuery: typeof Swagger.ApiQuery = swagger?.ApiQuery ?? inert;
export const ApiParam: typeof Swagger.ApiParam = swagger?.ApiParam ?? inert;
export const ApiExcludeController: typeof Swagger.ApiExcludeController =
  swagger?.ApiExcludeController ?? inert;

/** `#/components/schemas/<name>` (what @nestjs/swagger's `getSchemaPath` answers). */
export const getSchemaPath: typeof Swagger.getSchemaPath =
  swagger?.getSchemaPath ??
  ((model: string | { name: string }) =>
    `#/components/schemas/${typeof model === 'string' ? model : model.name}`);
