import { ApiProperty, ApiPropertyOptional } from '../../common/peers/swagger.js';
import type { JsonObject } from '../../common/persistence/persistence.js';
import type { FamilyUserListEntry, FamilyUserView } from '../family-user.view.js';

/** The module records no payments and prices no products: money is always this. */
export const NO_MONEY = '0.00';

/** Regpack's `user_info`: who the answer is about. Every value is a string, as Regpack sends them. */
export class RegpackUserInfo {
  @ApiProperty({ example: '7', description: 'The central login id' })
  clogin_id: string;

  @ApiProperty({ example: '1' })
  group_id: string;

  @ApiProperty({
    example: '7',
    description: "The parent's clogin_id for a child; the user's own clogin_id for a parent or an individual",
  })
  connected_to: string;

  static from(user: FamilyUserView): RegpackUserInfo {
    return {
      clogin_id: String(user.cloginId),
      group_id: String(user.groupId),
      connected_to: String(user.connectedTo ?? user.cloginId),
    };
  }

  /** For an answer about no one in particular (a user list). */
  static none(groupId: number): RegpackUserInfo {
    return { clogin_id: '', group_id: String(groupId), connected_to: '' };
  }
}

/** Regpack's `meta_info`: a summary of the user's progress. Every value is a string. */
export class RegpackMetaInfo {
  @ApiProperty({ example: 'Jane Doe', description: 'first_name and last_name of the form' })
  u_name: string;

  @ApiProperty({ example: '1' })
  total_forms: string;

  @ApiProperty({ example: '1' })
  completed_forms: string;

  @ApiProperty({ example: '1' })
  total_user_forms: string;

  @ApiProperty({ example: '1' })
  total_completed_user_forms: string;

  @ApiProperty({ example: '1' })
  total_user_mandatory_forms: string;

  @ApiProperty({ example: '1' })
  total_completed_user_mandatory_forms: string;

  @ApiProperty({ example: '0.00' })
  total_order: string;

  @ApiProperty({ example: '0.00' })
  total_paid: string;

  @ApiProperty({ example: '0.00' })
  total_balance: string;

  @ApiProperty({ example: '0', description: '"0" when the user has no status' })
  status_id: string;

  @ApiProperty({ example: '' })
  status_name: string;

  /**
   * Each registration has one (mandatory) form, its fields; it is completed once submitted (every
   * create and update, unless `submit_forms: false`).
   */
  static from(user: FamilyUserView): RegpackMetaInfo {
    const completed = user.formSubmittedAt ? '1' : '0';
    return {
      u_name: nameOf(user.fields),
      total_forms: '1',
      completed_forms: completed,
      total_user_forms: '1',
      total_completed_user_forms: completed,
      total_user_mandatory_forms: '1',
      total_completed_user_mandatory_forms: completed,
      total_order: NO_MONEY,
      total_paid: NO_MONEY,
      total_balance: NO_MONEY,
      status_id: String(user.status?.statusId ?? 0),
      status_name: user.status?.name ?? '',
    };
  }

  /** For an answer about no one in particular (a user list). */
  static none(): RegpackMetaInfo {
    return {
      u_name: '',
      total_forms: '0',
      completed_forms: '0',
      total_user_forms: '0',
      total_completed_user_forms: '0',
      total_user_mandatory_forms: '0',
      total_completed_user_mandatory_forms: '0',
      total_order: NO_MONEY,
      total_paid: NO_MONEY,
      total_balance: NO_MONEY,
      status_id: '0',
      status_name: '',
    };
  }
}

function nameOf(fields: JsonObject): string {
  return [fields.first_name, fields.last_name]
    .filter((part): part is string | number => typeof part === 'string' || typeof part === 'number')
    .map(String)
    .join(' ')
    .trim();
}

/** One user of a list or a family: `user_info` and `meta_info`, and with `return_families` its children. */
export class RegpackUserEntry {
  @ApiProperty({ type: RegpackUserInfo })
  user_info: RegpackUserInfo;

  @ApiProperty({ type: RegpackMetaInfo })
  meta_info: RegpackMetaInfo;

  @ApiPropertyOptional({ type: () => [RegpackUserEntry], description: 'get_user_list with return_families' })
  children?: RegpackUserEntry[];

  static from(user: FamilyUserView, children?: FamilyUserView[]): RegpackUserEntry {
    const entry: RegpackUserEntry = {
      user_info: RegpackUserInfo.from(user),
      meta_info: RegpackMetaInfo.from(user),
    };
    if (children) {
      entry.children = children.map((child) => RegpackUserEntry.from(child));
    }
    return entry;
  }

  static fromListEntry({ user, children }: FamilyUserListEntry): RegpackUserEntry {
    return RegpackUserEntry.from(user, children);
  }
}

/** What every Regpack success starts with. */
export class RegpackSuccess {
  @ApiProperty({ enum: [true] })
  success: true;

  @ApiProperty({ example: 'User created' })
  msg: string;

  @ApiProperty({ enum: ['success'] })
  msg_type: 'success';
}

/** `{ success: false, msg, msg_type: 'error' }`: Regpack's error body, with a 4xx (or 5xx) status. */
export class RegpackError {
  @ApiProperty({ enum: [false] })
  success: false;

  @ApiProperty({ example: 'User 12 not found in this project.' })
  msg: string;

  @ApiProperty({ enum: ['error'] })
  msg_type: 'error';
}
