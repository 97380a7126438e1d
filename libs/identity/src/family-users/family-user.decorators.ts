import { applyDecorators, createParamDecorator, type ExecutionContext, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiSecurity } from '../common/peers/swagger.js';
import { requestPrincipal } from '../common/http/request-principal.js';
import {
  type ActingFor as ActingForValue,
  FamilyUserGuard,
  type FamilyUserPrincipal,
  type FamilyUserRequest,
} from './family-user.guard.js';

/** Protects a host route with a family session token (and lets parents act for their children). */
export const FamilyUserAuth = () =>
  applyDecorators(
    UseGuards(FamilyUserGuard),
    ApiSecurity('family-session'),
    ApiHeader({
      name: 'X-Acting-For',
      required: false,
      description: "A child's clogin_id: the logged-in parent acts for that child",
    }),
  );

function principalOf(context: ExecutionContext): FamilyUserPrincipal {
  return requestPrincipal<FamilyUserPrincipal>(
    context,
    'familyUser' satisfies keyof FamilyUserRequest,
    '@FamilyUserAuth()',
  );
}

/** The logged-in person (the session's central login and the project they logged in to). */
export const CurrentFamilyUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): FamilyUserPrincipal => principalOf(context),
);

/** Whom the request acts for: the logged-in person, or with `X-Acting-For` one of their children. */
export const ActingFor = createParamDecorator(
  (_data: unknown, context: ExecutionContext): ActingForValue => principalOf(context).actingFor,
);
