import { Controller, Get, Header } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  ActingFor,
  type ActingForPerson,
  CurrentFamilyUser,
  FamilyUserAuth,
  type FamilyUserPrincipal,
  FamilyUsersService,
  RegpackUserEntry,
} from '../libs/identity/src/index.js';

/** What `GET /family/registrations` answers. */
export interface FamilyRegistrations {
  /** The logged-in person. */
  clogin_id: string;
  /** The person listed: the logged-in person, or the child named by X-Acting-For. */
  acting_for: string;
  registrations: RegpackUserEntry[];
}

/**
 * A host route for a logged-in family member (`@FamilyUserAuth()`): the registrations of the person the
 * request acts for, in every project of the workspace. A parent sends `X-Acting-For: <child clogin_id>`
 * to see a child's.
 */
@ApiTags('demo host')
@Controller('family')
export class FamilyController {
  constructor(private readonly familyUsers: FamilyUsersService) {}

  @Get('registrations')
  @FamilyUserAuth()
  @Header('Cache-Control', 'no-store')
  async registrations(
    @CurrentFamilyUser() me: FamilyUserPrincipal,
    @ActingFor() actingFor: ActingForPerson,
  ): Promise<FamilyRegistrations> {
    const registrations = await this.familyUsers.listRegistrations(me.workspaceId, actingFor.cloginId);
    return {
      clogin_id: String(me.cloginId),
      acting_for: String(actingFor.cloginId),
      registrations: registrations.map((registration) => RegpackUserEntry.from(registration)),
    };
  }
}
