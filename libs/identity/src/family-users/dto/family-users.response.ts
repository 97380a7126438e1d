import { ApiProperty, ApiPropertyOptional } from '../../common/peers/swagger.js';
import type { JsonObject } from '../../common/persistence/persistence.js';
import type {
  FamilyUserAction,
  FamilyUsersOutcome,
  FamilyUserView,
  UserProductView,
} from '../family-user.view.js';
import {
  NO_MONEY,
  RegpackMetaInfo,
  RegpackSuccess,
  RegpackUserEntry,
  RegpackUserInfo,
} from './regpack-envelope.response.js';

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
