// Group 7 of the harness: argon2id's cost, and whether a login tells unknown usernames apart by its time.
//  - argon2id hash at the module's parameters (OWASP's minimum), next to a verify of the same hash: the
//    hash time is the figure; a login costs about one of them.
//  - family `login` with an unknown username vs with a known username and a wrong password, interleaved,
//    through FamilyUsersService (login-failure limit off, so neither turns into a 429): within 10%.
import {
  Argon2idPasswordHashing,
  ARGON2ID_PARAMETERS,
  FamilyUsersService,
  IdentityError,
  IdentityErrorCode,
  ProjectsService,
  WorkspacesService,
} from '../libs/identity/src/index.js';
import { bootContext } from './harness/boot.js';
import { type BenchDatabase, onEachDatabase } from './harness/databases.js';
import { median, ms, row, sample, timed } from './harness/measure.js';
import type { BenchRow, Scenario } from './harness/types.js';

const PARAMETERS = `m=${ARGON2ID_PARAMETERS.memoryCost} t=${ARGON2ID_PARAMETERS.timeCost} p=${ARGON2ID_PARAMETERS.parallelism}`;

async function argon2Row(quick: boolean): Promise<BenchRow> {
  const argon2 = new Argon2idPasswordHashing();
  const encoded = await argon2.hash('correct horse battery staple');
  const samples = quick ? 3 : 30;
  const hash = await sample(samples, () => argon2.hash('correct horse battery staple'), 2);
  const verify = await sample(samples, () => argon2.verify(encoded, 'correct horse battery staple'), 2);
  return row({
    group: 7,
    name: `argon2id hash (${PARAMETERS})`,
    database: '-',
    ratio: median(hash) / median(verify),
    baseline: 'argon2id verify of the same hash',
    target: 'info',
    detail: `hash p50 ${ms(median(hash))}, verify p50 ${ms(median(verify))}; ${samples} each`,
  });
}

/** Runs a login that must fail with 401; its time in ms. */
async function failedLogin(work: () => Promise<unknown>): Promise<number> {
  let refused: unknown;
  const time = await timed(() => work().catch((err: unknown) => (refused = err)));
  if (!(refused instanceof IdentityError) || refused.code !== IdentityErrorCode.Unauthenticated) {
    throw new Error(`a wrong login did not answer 401: ${String(refused)}`);
  }
  return time;
}

async function loginsOn(database: BenchDatabase, quick: boolean): Promise<BenchRow[]> {
  const app = await bootContext(database.config, { familyUsers: { loginFailures: false } });
  try {
    const workspaceId = (await app.get(WorkspacesService).create('Family logins')).id;
    const { groupId } = await app.get(ProjectsService).create(workspaceId, { name: 'Summer camp' });
    const users = app.get(FamilyUsersService);
    await users.perform(workspaceId, {
      action: 'create',
      groupId,
      doc: {
        username: 'parent@example.com',
        password: 'parent-password-1',
        main_email: 'parent@example.com',
        first_name: 'Pat',
        last_name: 'Parent',
      },
    });
    const login = (username: string, password: string) =>
      users.perform(workspaceId, { action: 'login', groupId, doc: { username, password } });
    const unknown: number[] = [];
    const wrong: number[] = [];
    const rounds = quick ? 4 : 100;
    for (let i = 0; i < rounds + 3; i++) {
      // Alternating order, so neither always follows the other.
      const pair = [
        () => failedLogin(() => login(`nobody${i}@example.com`, 'parent-password-1')),
        () => failedLogin(() => login('parent@example.com', `wrong-password-${i}`)),
      ];
      const [a, b] = i % 2 === 0 ? pair : [pair[1], pair[0]];
      const first = await a();
      const second = await b();
      if (i >= 3) {
        unknown.push(i % 2 === 0 ? first : second);
        wrong.push(i % 2 === 0 ? second : first);
      }
    }
    return [
      row({
        group: 7,
        name: 'family login, unknown username',
        database: database.kind,
        ratio: median(unknown) / median(wrong),
        baseline: 'family login, wrong password',
        target: { between: [0.9, 1.1] },
        detail: `p50 ${ms(median(unknown))} vs ${ms(median(wrong))}; ${rounds} each, interleaved`,
      }),
    ];
  } finally {
    await app.close();
  }
}

/** Group 7: argon2id once (no database), the login timing on SQLite and PostgreSQL. */
export const passwordScenario: Scenario = async ({ quick }) => [
  await argon2Row(quick),
  ...(await onEachDatabase((database) => loginsOn(database, quick))),
];
