import type { JsonObject } from '../common/persistence/persistence.js';

/** Every action of Regpack's users endpoint, in the seed's order. */
export const FAMILY_USER_ACTIONS = [
  'create',
  'create_child',
  'login',
  'update',
  'add_product',
  'add_email',
  'get_info',
  'get_user_list',
  'set_status',
] as const;
/** One of `FAMILY_USER_ACTIONS`. */
export type FamilyUserAction = (typeof FAMILY_USER_ACTIONS)[number];

/** A registration's status, as answered in `meta_info`. */
export interface FamilyUserStatusView {
  statusId: number;
  name: string;
  color: string;
  isExcluded: boolean;
}

/** A person's registration in one project, as the services answer it. */
export interface FamilyUserView {
  /** The registration's id. */
  id: string;
  workspaceId: string;
  projectId: string;
  groupId: number;
  centralLoginId: string;
  cloginId: number;
  /** The parent's `clogin_id` for a child, null for a parent or an individual. */
  connectedTo: number | null;
  fields: JsonObject;
  status: FamilyUserStatusView | null;
  formSubmittedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A product on a registration. */
export interface UserProductView {
  productId: number;
  quantity: number;
  remark: string | null;
  recurringStartDate: string | null;
  createdAt: Date;
}

/** The `doc` flags of `get_info`: which sections to add to the answer. */
export interface FamilyUserInfoFlags {
  allFields: boolean;
  family: boolean;
  userProducts: boolean;
  userForms: boolean;
  userCart: boolean;
  userPayments: boolean;
  utm: boolean;
}

/** What `get_info` found, by section (a section is present only when its flag was set). */
export interface FamilyUserInfo {
  flags: FamilyUserInfoFlags;
  family?: FamilyUserView[];
  products?: UserProductView[];
}

/** Filters of `get_user_list`. */
export interface FamilyUserListOptions {
  withExcluded?: boolean;
  onlyExcluded?: boolean;
  onlyParents?: boolean;
  onlyChildren?: boolean;
  /** Offset into the list ordered by `clogin_id`; default 0. */
  startingPosition?: number;
  /** List parents, each with its children of the project. */
  returnFamilies?: boolean;
}

/** One entry of a user list; `children` with `return_families`. */
export interface FamilyUserListEntry {
  user: FamilyUserView;
  children?: FamilyUserView[];
}

/** A page of `get_user_list`. */
export interface FamilyUserList {
  entries: FamilyUserListEntry[];
  total: number;
  /** Where the next page starts, or null on the last page. */
  nextPosition: number | null;
}

/** A call of the users endpoint, as the controller hands it to `FamilyUsersService.perform`. */
export interface FamilyUsersRequest {
  action: FamilyUserAction;
  groupId: number;
  cloginId?: number;
  doc?: JsonObject;
  connectedTo?: number;
  /** Default true; false saves forms without submitting them. */
  submitForms?: boolean;
  /** Default false; true suppresses `identity.family-user.email`. */
  disableEmailSending?: boolean;
  /** `set_status` target (also read from `doc.status_id`). */
  statusId?: number;
  /** `get_user_list` filters given beside `doc` (they win over `doc`'s). */
  list?: FamilyUserListOptions;
}

/** What one users call did: the person it is about, plus what the action adds. */
export interface FamilyUsersOutcome {
  action: FamilyUserAction;
  groupId: number;
  /** The person the call is about; null for `get_user_list`. */
  user: FamilyUserView | null;
  /** `login`: the single-use token to exchange at `POST <familyUsers>/session`. */
  userToken?: { token: string; expiresAt: Date };
  info?: FamilyUserInfo;
  list?: FamilyUserList;
  /** `set_status`: the registrations whose status changed. */
  affected?: FamilyUserView[];
  /** `add_product`: the products added. */
  products?: UserProductView[];
  /** `add_email`: the recorded email's id. */
  emailId?: string;
}
