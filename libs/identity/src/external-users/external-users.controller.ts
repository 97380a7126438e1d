import { Body, Get, Header, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '../common/peers/swagger.js';
import { ApiKeyAuth, CurrentCaller } from '../api-keys/api-key.decorators.js';
import type { Caller } from '../audit/caller.js';
import { IdParamDto, ListQuery, ZaiaError } from './dto/common.dto.js';
import {
  AuthenticateExternalUserDto,
  CreateExternalUserDto,
  ListExternalUsersQueryDto,
  UpdateExternalUserDto,
} from './dto/external-user.dto.js';
import { ZaiaExternalUser, ZaiaExternalUserWithToken } from './dto/external-user.response.js';
import { ExternalUsersService } from './external-users.service.js';

/** Zaia's External Users API at `<paths.externalUsers>/external-users` (default `/api/v1`). */
@ApiTags('external users (Zaia)')
@ApiExtraModels(ZaiaError)
@ApiKeyAuth()
export class ExternalUsersController {
  constructor(private readonly externalUsers: ExternalUsersService) {}

  @Post('external-users/authenticate')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store') // the answer carries an access token
  @ApiOperation({ summary: 'Authenticates an external user (creating it on a first visit)' })
  @ApiOkResponse({ type: ZaiaExternalUserWithToken })
  async authenticate(
    @CurrentCaller() caller: Caller,
    @Body() body: AuthenticateExternalUserDto,
  ): Promise<ZaiaExternalUserWithToken> {
    const { user, accessToken } = await this.externalUsers.authenticate(caller, body);
    return ZaiaExternalUserWithToken.withToken(user, accessToken);
  }

  @Get('external-users')
  @ApiOperation({ summary: 'Retrieves multiple external users.' })
  @ApiOkResponse({ type: [ZaiaExternalUser] })
  async list(
    @CurrentCaller() caller: Caller,
    @ListQuery() query: ListExternalUsersQueryDto,
  ): Promise<ZaiaExternalUser[]> {
    return (await this.externalUsers.list(caller, query)).map((user) => ZaiaExternalUser.from(user));
  }

  @Post('external-users')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store') // the answer carries an access token
  @ApiOperation({ summary: 'Creates a new external user.' })
  @ApiOkResponse({ type: ZaiaExternalUserWithToken })
  async create(
    @CurrentCaller() caller: Caller,
    @Body() body: CreateExternalUserDto,
  ): Promise<ZaiaExternalUserWithToken> {
    const { user, accessToken } = await this.externalUsers.create(caller, body);
    return ZaiaExternalUserWithToken.withToken(user, accessToken);
  }

  @Get('external-users/:id')
  @ApiOperation({ summary: 'Retrieves an external user.' })
  @ApiOkResponse({ type: ZaiaExternalUser })
  async get(@CurrentCaller() caller: Caller, @Param() { id }: IdParamDto): Promise<ZaiaExternalUser> {
    return ZaiaExternalUser.from(await this.externalUsers.get(caller, id));
  }

  @Patch('external-users/:id')
  @ApiOperation({
    summary: 'Updates an external user; blocking refuses its access tokens from the next request',
  })
  @ApiOkResponse({ type: ZaiaExternalUser })
  async update(
    @CurrentCaller() caller: Caller,
    @Param() { id }: IdParamDto,
    @Body() body: UpdateExternalUserDto,
  ): Promise<ZaiaExternalUser> {
    return ZaiaExternalUser.from(await this.externalUsers.update(caller, id, body));
  }
}
