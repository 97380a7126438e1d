import { existsSync, readFileSync } from 'node:fs';
import { expect, it } from '@jest/globals';
import { ConversationsService } from '../../libs/identity/src/index.js';
import { describeWithApp } from '../utils/describe-with-app.js';
import { recordFigure } from './figures.js';
import { KeepAliveClient, type RawResponse } from './support/client.js';
import { cellTexts, dumpDatabase } from './support/database-dump.js';
import { keyAuth, regpackHeaders, seedWorkspace } from './support/scenario.js';

/** Personal data of the user anonymized at the end: distinctive, so any trace of it is a finding. */
const PII = {
  displayName: 'Quenbyrd Zarathustine',
  firstName: 'Quenbyrd',
  lastName: 'Zarathustine',
  middleName: 'Ylvaquist',
  email: 'quenbyrd.current@zanzibarine-mail.org',
  oldEmail: 'quenbyrd.former@zanzibarine-mail.org',
  additionalEmail: 'qz.second@zanzibarine-mail.org',
  phone: '+4561803398',
  additionalPhone: '+4566260700',
  externalId: 'qz-external-31337',
  avatar: 'https://avatars.example/quenbyrd-face.png',
  attribute: 'quenbyrd-attribute-value',
  subject: 'Quenbyrd asks about invoices',
  message: 'Hello, Quenbyrd Zarathustine here, call +4561803398',
};

function ok(res: RawResponse, what: string): Record<string, unknown> {
  if (res.status < 200 || res.status > 299) {
    throw new Error(`${what}: ${res.status} ${res.text.slice(0, 300)}`);
  }
  return res.json as Record<string, unknown>;
}

/** The parts of a token that must never be stored: the whole token, and its secret part after the public prefix. */
function secretForms(token: string): string[] {
  const forms = [token];
  if (token.length > 24) {
    forms.push(token.slice(12)); // the stored lookup prefix is the first 12 characters; the rest is the secret
  }
  return forms;
}

describeWithApp(
  'secrets and personal data at rest',
  (ctx) => {
    it('stores no plaintext key, token, session or password, and nothing of an anonymized user', async () => {
      const t = ctx.app;
      const client = await KeepAliveClient.of(t.app);
      const secrets = new Map<string, string>(); // secret → what it is
      const keep = (what: string, value: unknown) => {
        if (typeof value !== 'string' || value.length < 8) {
          throw new Error(`${what}: no secret to keep (${String(value)})`);
        }
        secrets.set(value, what);
      };

      // every surface's scenario, in two workspaces
      for (const ws of [await seedWorkspace(t, client, t.workspace), await seedWorkspace(t, client)]) {
        keep('write key', ws.writeKey);
        keep('read key', ws.readKey);
        keep('revoked key', ws.revokedKey);
        keep('embed token', ws.embedToken);
        keep('access token', ws.accessToken);
        keep('session token', ws.sessionToken);
        keep('family password', ws.password);
        const write = keyAuth(ws.writeKey);
        const created = ok(
          await client.json('POST', '/identity/api-keys', write, { name: 'another', scope: 'write' }),
          'key',
        );
        keep('created key', (created.data as { secret: string }).secret);
        const rotated = ok(
          await client.json('POST', '/api/user', write, { current_token: ws.embedToken }),
          'rotate',
        ) as {
          user_group: { token: string };
        };
        keep('rotated embed token', rotated.user_group.token);
        for (let i = 0; i < 3; i++) {
          const again = ok(
            await client.json('POST', '/api/v1/external-users/authenticate', write, {
              channelId: ws.ids.channels,
              externalId: `secret-user-${i}`,
              id: null,
              identifier: `secret-user-${i}@example.com`,
            }),
            'authenticate',
          );
          keep('access token', again.accessToken);
        }
        // a family member logs in, starts a session, changes the password, logs in again
        const regpack = regpackHeaders(ws.writeKey);
        const username = `secret.parent.${ws.id}@example.com`;
        const password = `first-${ws.id.slice(-12)}`;
        const person = ok(
          await client.json('POST', '/reg/api2/users', regpack, {
            action: 'create',
            group_id: ws.groupId,
            doc: { username, password, main_email: username, first_name: 'Sec', last_name: 'Ret' },
          }),
          'family create',
        ) as { user_info: { clogin_id: string } };
        keep('family password', password);
        const login = ok(
          await client.json('POST', '/reg/api2/users', regpack, {
            action: 'login',
            group_id: ws.groupId,
            doc: { username, password },
          }),
          'login',
        );
        keep('login token', login.user_token);
        const session = ok(
          await client.json('POST', '/reg/api2/session', {}, { user_token: login.user_token }),
          'session',
        );
        keep('session token', session.session_token);
        const newPassword = `second-${ws.id.slice(-12)}`;
        ok(
          await client.json('POST', '/reg/api2/users', regpack, {
            action: 'update',
            group_id: ws.groupId,
            clogin_id: Number(person.user_info.clogin_id),
            doc: { password: newPassword },
          }),
          'password change',
        );
        keep('changed family password', newPassword);
        const relogin = ok(
          await client.json('POST', '/reg/api2/users', regpack, {
            action: 'login',
            group_id: ws.groupId,
            doc: { username, password: newPassword },
          }),
          'login again',
        );
        keep('login token', relogin.user_token);
      }

      // an end user with every kind of personal data, a custom attribute and conversations, then anonymized
      const write = keyAuth(t.workspace.writeKey);
      const user = ok(
        await client.json('POST', '/beta/endusers', write, {
          displayName: PII.displayName,
          email: PII.oldEmail,
          phoneNumber: PII.phone,
          additionalEmails: [PII.additionalEmail],
          additionalPhoneNumbers: [PII.additionalPhone],
          firstName: PII.firstName,
          lastName: PII.lastName,
          middleNames: [PII.middleName],
          avatarUrl: PII.avatar,
          externalId: PII.externalId,
        }),
        'end user',
      ) as { data: { id: string } };
      const userId = user.data.id;
      ok(await client.json('PATCH', `/beta/endusers/${userId}`, write, { email: PII.email }), 'new email');
      const attribute = ok(
        await client.json('POST', '/beta/custom-attributes', write, {
          entityType: 'Contact',
          identifier: 'secret_attribute',
          label: 'Secret attribute',
          inputDefinition: { _type: 'Text' },
        }),
        'attribute',
      ) as { data: { id: string } };
      ok(
        await client.json('PATCH', `/beta/endusers/${userId}/custom-attributes`, write, {
          [attribute.data.id]: PII.attribute,
        }),
        'attribute value',
      );
      const conversations = t.app.get(ConversationsService);
      const conversation = await conversations.open(t.workspace.id, userId, {
        channel: 'chat',
        subject: PII.subject,
      });
      await conversations.addMessage(t.workspace.id, conversation.id, {
        author: 'EndUser',
        text: PII.message,
      });
      ok(await client.json('GET', `/beta/endusers/${userId}/export`, write), 'export');
      ok(await client.json('PATCH', `/beta/endusers/${userId}/anonymize?force=true`, write), 'anonymize');
      client.close();

      // every cell of every table, as text (and binary cells as UTF-8, hex and base64)
      const dump = await dumpDatabase(t.dataSource);
      const cells: { where: string; text: string }[] = dump.flatMap(({ table, rows }) =>
        rows.flatMap((row) =>
          Object.entries(row).flatMap(([column, value]) =>
            cellTexts(value).map((text) => ({ where: `${table}.${column}`, text: text.toLowerCase() })),
          ),
        ),
      );
      const findings: string[] = [];
      for (const [secret, what] of secrets) {
        for (const form of secretForms(secret)) {
          const hit = cells.find((cell) => cell.text.includes(form.toLowerCase()));
          if (hit) {
            findings.push(`${what} (${form.slice(0, 8)}…) in ${hit.where}`);
          }
        }
      }
      // SQLite: the files' bytes as well (freed pages, the journal), for the secrets
      const config = t.database.config;
      if (config.type === 'sqlite') {
        const bytes = ['', '-wal', '-journal']
          .map((suffix) => `${config.path}${suffix}`)
          .filter((file) => existsSync(file))
          .map((file) => readFileSync(file).toString('latin1'))
          .join('\n');
        for (const [secret, what] of secrets) {
          if (bytes.includes(secret)) {
            findings.push(`${what} (${secret.slice(0, 8)}…) in the SQLite file`);
          }
        }
      }
      const piiFindings: string[] = [];
      for (const [field, value] of Object.entries(PII)) {
        const hit = cells.find((cell) => cell.text.includes(value.toLowerCase()));
        if (hit) {
          piiFindings.push(`${field} of the anonymized user in ${hit.where}`);
        }
      }

      const tables = dump.length;
      recordFigure(
        'secrets found at rest',
        findings.length,
        `${secrets.size} secrets issued, ${tables} tables, ${cells.length} cells searched`,
      );
      recordFigure(
        'PII of an anonymized user at rest',
        piiFindings.length,
        `${Object.keys(PII).length} values searched`,
      );
      expect(secrets.size).toBeGreaterThanOrEqual(30);
      expect(findings).toEqual([]);
      expect(piiFindings).toEqual([]);
    });
  },
  { adapter: 'express' },
);
