import { Body, Header, HttpCode, Post } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '../common/peers/swagger.js';
import { ApiKeyAuth, CurrentCaller, RequireScope } from '../api-keys/api-key.decorators.js';
import type { Caller } from '../audit/caller.js';
import { FamilyUsersRequestDto } from './dto/family-users.dto.js';
import { FamilyUsersResponse } from './dto/family-users.response.js';
import { RegpackError } from './dto/regpack-envelope.response.js';
import { FamilyUsersService } from './family-users.service.js';

/**
 * Regpack's users endpoint at `<paths.familyUsers>/users/` (default `/reg/api2/users/`): one POST, the
 * `action` field says what to do. Read-only keys may call `get_info` and `get_user_list`.
 */
@ApiTags('family users (Regpack)')
@ApiExtraModels(RegpackError)
@ApiKeyAuth()
export class FamilyUsersController {
  constructor(private readonly familyUsers: FamilyUsersService) {}

  @Post('users')
  @HttpCode(200)
  @RequireScope('read') // write actions need a write key: the service checks per action
  @Header('Cache-Control', 'no-store') // answers carry personal data and login tokens
  @ApiOperation({
    summary:
      'create, create_child, login, update, add_product, add_email, get_info, get_user_list, set_status',
  })
  @ApiOkResponse({ type: FamilyUsersResponse })
  async users(
    @CurrentCaller() caller: Caller,
    @Body() body: FamilyUsersRequestDto,
  ): Promise<FamilyUsersResponse> {
    const outcome = await this.familyUsers.perform(caller, {
      action: body.action,
      groupId: body.group_id,
      cloginId: body.clogin_id,
      doc: body.doc,
      connectedTo: body.connected_to,
      submitForms: body.submit_forms,
      disableEmailSending: body.disable_email_sending,
      statusId: body.status_id,
      list: {
        withExcluded: body.with_excluded,
        onlyExcluded: body.only_excluded,
        onlyParents: body.only_parents,
        onlyChildren: body.only_children,
        returnFamilies: body.return_families,
        startingPosition: body.starting_position,
      },
    });
    return FamilyUsersResponse.from(outcome);
  }
}
