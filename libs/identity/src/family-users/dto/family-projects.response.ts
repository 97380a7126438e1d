import { ApiProperty } from '../../common/peers/swagger.js';
import type { StartedFamilySession } from '../family-sessions.service.js';
import type { ProjectEntity } from '../project.entity.js';
import type { StatusEntity } from '../status.entity.js';
import { RegpackSuccess, RegpackUserInfo } from './regpack-envelope.response.js';

/** `{ success, msg, msg_type, group_id }`: the answer to a project create. */
export class ProjectCreatedResponse extends RegpackSuccess {
  @ApiProperty({ example: '1', description: "The new project's group_id" })
  group_id: string;

  @ApiProperty({ example: 'Summer camp 2025' })
  name: string;

  static from(project: ProjectEntity): ProjectCreatedResponse {
    return {
      success: true,
      msg: 'Project created',
      msg_type: 'success',
      group_id: String(project.groupId),
      name: project.name,
    };
  }
}

/** The answer to a status create. */
export class StatusCreatedResponse extends RegpackSuccess {
  @ApiProperty({ example: '3' })
  status_id: string;

  @ApiProperty({ example: 'Waitlisted' })
  status_name: string;

  @ApiProperty({ example: '#ff9900' })
  color: string;

  @ApiProperty({ example: '0', description: '"1" when users with this status are left out of user lists' })
  is_excluded: string;

  @ApiProperty({ example: '1' })
  group_id: string;

  static from(status: StatusEntity, groupId: number): StatusCreatedResponse {
    return {
      success: true,
      msg: 'Status created',
      msg_type: 'success',
      status_id: String(status.statusId),
      status_name: status.name,
      color: status.color,
      is_excluded: status.isExcluded ? '1' : '0',
      group_id: String(groupId),
    };
  }
}

/** The answer to a `user_token` exchange: the session token, shown once. */
export class FamilySessionResponse extends RegpackSuccess {
  @ApiProperty({
    description: 'The family session token (fst_…); send it as "Authorization: Bearer <token>"',
  })
  session_token: string;

  @ApiProperty({ example: '2025-01-31T12:00:00.000Z' })
  expires_at: string;

  @ApiProperty({
    type: RegpackUserInfo,
    description: 'Who logged in, to which project',
  })
  user_info: Pick<RegpackUserInfo, 'clogin_id' | 'group_id'>;

  static from(session: StartedFamilySession): FamilySessionResponse {
    return {
      success: true,
      msg: 'Session started',
      msg_type: 'success',
      session_token: session.sessionToken,
      expires_at: session.expiresAt.toISOString(),
      user_info: {
        clogin_id: String(session.principal.cloginId),
        group_id: String(session.principal.groupId),
      },
    };
  }
}
