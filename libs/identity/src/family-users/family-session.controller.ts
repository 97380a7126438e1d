import { Body, Header, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '../common/peers/swagger.js';
import { clientOf, type CredentialRequest } from '../common/http/credential-request.js';
import { FamilySessionRequestDto } from './dto/family-users.dto.js';
import { FamilySessionResponse } from './dto/family-projects.response.js';
import { FamilySessionsService } from './family-sessions.service.js';

/**
 * `<paths.familyUsers>/session`: the person's browser exchanges the `user_token` of a login (once) for a
 * family session token. The `user_token` is the credential, so no API key is needed.
 */
@ApiTags('family users (Regpack)')
export class FamilySessionController {
  constructor(private readonly sessions: FamilySessionsService) {}

  @Post('session')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store') // the answer carries a session token
  @ApiOperation({ summary: 'Exchanges a single-use user_token for a family session token (fst_…)' })
  @ApiOkResponse({ type: FamilySessionResponse })
  async exchange(
    @Body() body: FamilySessionRequestDto,
    @Req() request: CredentialRequest,
  ): Promise<FamilySessionResponse> {
    return FamilySessionResponse.from(
      await this.sessions.exchange(body.user_token, { client: clientOf(request) }),
    );
  }
}
