// nestjs-identity/passport: the API key as a passport strategy. A separate entry, so that only hosts that
// use passport need @nestjs/passport and passport installed.
export { ApiKeyStrategy } from './api-keys/api-key.strategy.js';
export { API_KEY_STRATEGY } from './identity.constants.js';
