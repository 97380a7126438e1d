import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { JsonObject } from '../../common/persistence/persistence.js';
import type { StartedFamilySession } from '../family-sessions.service.js';
import type {
  FamilyUserAction,
  FamilyUserListEntry,
  FamilyUsersOutcome,
  FamilyUserView,
  UserProductView,
} from '../family-user.view.js';
import type { ProjectEntity } from '../project.entity.js';
import type { StatusEntity } from '../status.entity.js';

/** Regpack's `msg` for each action's success. */
const ACTION_MESSAGES: Record<FamilyUserAction, string> = {
  create: 'User created',
  create_child: 'Child created',
  login: 'User logged in',
  update: 'User updated',
  add_product: 'Products added',
  add_email: 'Email added',
  get_info: 'User info',
  get_user_list: 'User list',
  set_status: 'Status updated',
};

/** The module records no payments and prices no products: money is always this. */
const NO_MONEY = '0.00';

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

/** A product of a registration. */
export class RegpackProduct {
  @ApiProperty({ example: '12' })
  p_id: string;

  @ApiProperty({ example: '1' })
  q: string;

  @ApiProperty({ example: '' })
  product_remark: string;

  @ApiProperty({ example: '2025-09-01', description: '"" when not recurring' })
  recurring_start_date: string;

  static from(product: UserProductView): RegpackProduct {
    return {
      p_id: String(product.productId),
      q: String(product.quantity),
      product_remark: product.remark ?? '',
      recurring_start_date: product.recurringStartDate ?? '',
    };
  }
}

/** A form of a registration (`_userforms`). */
export class RegpackUserForm {
  @ApiProperty({ example: '1' })
  form_id: string;

  @ApiProperty({ example: 'Registration' })
  form_name: string;

  @ApiProperty({ example: '1' })
  is_mandatory: string;

  @ApiProperty({ example: '1' })
  is_completed: string;

  @ApiProperty({ example: '2025-01-31T12:00:00.000Z', description: '"" until submitted' })
  completed_at: string;
}

/** The cart of a registration (`_usercart`). */
export class RegpackUserCart {
  @ApiProperty({ type: [RegpackProduct] })
  items: RegpackProduct[];

  @ApiProperty({ example: '0.00' })
  total_order: string;

  @ApiProperty({ example: '0.00' })
  total_paid: string;

  @ApiProperty({ example: '0.00' })
  total_balance: string;
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

/** The answer of every users action: the envelope, `user_info`, `meta_info`, and what the action adds. */
export class FamilyUsersResponse extends RegpackSuccess {
  @ApiProperty({ type: RegpackUserInfo, description: 'get_user_list: clogin_id and connected_to are ""' })
  user_info: RegpackUserInfo;

  @ApiProperty({ type: RegpackMetaInfo, description: 'get_user_list: zeros and ""' })
  meta_info: RegpackMetaInfo;

  @ApiPropertyOptional({
    description: 'login: single use, exchange it within 10 minutes at POST <base>/session',
  })
  user_token?: string;

  @ApiPropertyOptional({ description: 'login: when user_token stops working (ISO 8601)' })
  user_token_expires_at?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'get_info with _allfields',
  })
  user_fields?: JsonObject;

  @ApiPropertyOptional({ type: [RegpackUserEntry], description: 'get_info with _family: parent first' })
  family?: RegpackUserEntry[];

  @ApiPropertyOptional({ type: [RegpackProduct], description: 'get_info with _userproducts; add_product' })
  user_products?: RegpackProduct[];

  @ApiPropertyOptional({ type: [RegpackUserForm], description: 'get_info with _userforms' })
  user_forms?: RegpackUserForm[];

  @ApiPropertyOptional({ type: RegpackUserCart, description: 'get_info with _usercart' })
  user_cart?: RegpackUserCart;

  @ApiPropertyOptional({
    type: [Object],
    description: 'get_info with _userpayments: the module records none',
  })
  user_payments?: never[];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'get_info with _utm',
  })
  utm?: Record<string, string>;

  @ApiPropertyOptional({ type: [RegpackUserEntry], description: 'get_user_list' })
  users?: RegpackUserEntry[];

  @ApiPropertyOptional({ example: '120', description: 'get_user_list: users matching the filters' })
  total_users?: string;

  @ApiPropertyOptional({
    example: '100',
    description: 'get_user_list: starting_position of the next page; "" on the last',
  })
  next_position?: string;

  @ApiPropertyOptional({ type: [RegpackUserEntry], description: 'set_status' })
  affected_users?: RegpackUserEntry[];

  @ApiPropertyOptional({ description: 'add_email: the recorded email' })
  email_id?: string;

  static from(outcome: FamilyUsersOutcome): FamilyUsersResponse {
    const { user } = outcome;
    const response: FamilyUsersResponse = {
      success: true,
      msg: ACTION_MESSAGES[outcome.action],
      msg_type: 'success',
      user_info: user ? RegpackUserInfo.from(user) : RegpackUserInfo.none(outcome.groupId),
      meta_info: user ? RegpackMetaInfo.from(user) : RegpackMetaInfo.none(),
    };
    if (outcome.userToken) {
      response.user_token = outcome.userToken.token;
      response.user_token_expires_at = outcome.userToken.expiresAt.toISOString();
    }
    if (outcome.products) {
      response.user_products = outcome.products.map((p) => RegpackProduct.from(p));
    }
    if (outcome.emailId) {
      response.email_id = outcome.emailId;
    }
    if (outcome.affected) {
      response.affected_users = outcome.affected.map((u) => RegpackUserEntry.from(u));
    }
    if (outcome.list) {
      response.users = outcome.list.entries.map((e) => RegpackUserEntry.fromListEntry(e));
      response.total_users = String(outcome.list.total);
      response.next_position = outcome.list.nextPosition === null ? '' : String(outcome.list.nextPosition);
    }
    if (outcome.info && user) {
      Object.assign(response, infoSections(user, outcome.info));
    }
    return response;
  }
}

function infoSections(
  user: FamilyUserView,
  info: NonNullable<FamilyUsersOutcome['info']>,
): Partial<FamilyUsersResponse> {
  const { flags } = info;
  const sections: Partial<FamilyUsersResponse> = {};
  const products = (info.products ?? []).map((p) => RegpackProduct.from(p));
  if (flags.allFields) {
    sections.user_fields = user.fields;
  }
  if (flags.family) {
    sections.family = (info.family ?? []).map((member) => RegpackUserEntry.from(member));
  }
  if (flags.userProducts) {
    sections.user_products = products;
  }
  if (flags.userForms) {
    sections.user_forms = [
      {
        form_id: '1',
        form_name: 'Registration',
        is_mandatory: '1',
        is_completed: user.formSubmittedAt ? '1' : '0',
        completed_at: user.formSubmittedAt?.toISOString() ?? '',
      },
    ];
  }
  if (flags.userCart) {
    sections.user_cart = {
      items: products,
      total_order: NO_MONEY,
      total_paid: NO_MONEY,
      total_balance: NO_MONEY,
    };
  }
  if (flags.userPayments) {
    sections.user_payments = [];
  }
  if (flags.utm) {
    sections.utm = Object.fromEntries(
      Object.entries(user.fields)
        .filter(
          ([key, value]) =>
            key.startsWith('utm_') && (typeof value === 'string' || typeof value === 'number'),
        )
        .map(([key, value]) => [key, String(value)]),
    );
  }
  return sections;
}

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
