import { CentralLoginEntity } from './central-login.entity.js';
import { EmailRecordEntity } from './email-record.entity.js';
import { FamilySessionEntity } from './family-session.entity.js';
import { FamilyUserEntity } from './family-user.entity.js';
import { LoginTokenEntity } from './login-token.entity.js';
import { ProjectEntity } from './project.entity.js';
import { StatusEntity } from './status.entity.js';
import { UserProductEntity } from './user-product.entity.js';

/** The family-users surface's entities, in `IDENTITY_ENTITIES`. */
export const FAMILY_USERS_ENTITIES = [
  ProjectEntity,
  CentralLoginEntity,
  StatusEntity,
  FamilyUserEntity,
  UserProductEntity,
  EmailRecordEntity,
  LoginTokenEntity,
  FamilySessionEntity,
];
