import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { ConversationsService, IdentityEvents } from '../libs/identity/src/index.js';
import { createTestApp, type TestApp, type TestWorkspace } from './utils/test-app.js';

/** Personal data of the user to be anonymized: distinctive, so finding any of it anywhere is a leak. */
const PII = {
  oldEmail: 'zelda.former@quixotic-mail.org',
  email: 'zelda.current@quixotic-mail.org',
  phone: '+4531415926',
  additionalPhone: '+4527182818',
  additionalEmail: 'zq.second@quixotic-mail.org',
  firstName: 'Zeldarine',
  lastName: 'Quixotica',
  middleName: 'Xanthippe',
  displayName: 'Zeldarine Quixotica',
  externalId: 'zq-external-8675309',
  avatar: 'https://avatars.example/zeldarine-face.png',
  attribute: 'zeldarine-attribute-value',
  subject: 'Zeldarine asks about billing',
  message: 'Hi, this is Zeldarine Quixotica, call me at +4531415926',
};

/** Every byte of the database as stored: SQLite's files, or a pg_dump of the PostgreSQL database. */
async function databaseBytes(t: TestApp): Promise<string> {
  const config = t.database.config;
  if (config.type === 'sqlite') {
    return ['', '-wal', '-journal', '-shm']
      .map((suffix) => `${config.path}${suffix}`)
      .filter((file) => existsSync(file))
      .map((file) => readFileSync(file).toString('latin1'))
      .join('\n');
  }
  const { stdout } = await promisify(execFile)('pg_dump', ['--no-owner', config.url], {
    maxBuffer: 200 * 1024 * 1024,
  });
  return stdout;
}

describe('anonymization and export (PATCH /endusers/{userId}/anonymize, GET /endusers/{userId}/export)', () => {
  let t: TestApp;
  let w: TestWorkspace;
  let userId: string;
  let attributeId: string;
  let conversationId: string;
  const auth = () => ({ Authorization: w.writeKey });
  const events: unknown[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    w = await t.createWorkspace('Privacy workspace');
    t.app.get(EventEmitter2).on(IdentityEvents.endUserAnonymized, (payload: unknown) => events.push(payload));
    const created = await t.http
      .post('/beta/endusers')
      .set(auth())
      .send({
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
      });
    userId = created.body.data.id;
    // The former email was replaced: it must not linger in freed space either.
    await t.http.patch(`/beta/endusers/${userId}`).set(auth()).send({ email: PII.email });
    attributeId = (
      await t.http
        .post('/beta/custom-attributes')
        .set(auth())
        .send({
          entityType: 'Contact',
          identifier: 'secret',
          label: 'Secret',
          inputDefinition: { _type: 'Text' },
        })
    ).body.data.id;
    await t.http
      .patch(`/beta/endusers/${userId}/custom-attributes`)
      .set(auth())
      .send({ [attributeId]: PII.attribute });
    const conversations = t.app.get(ConversationsService);
    const closed = await conversations.open(w.id, userId, { channel: 'email', subject: PII.subject });
    await conversations.addMessage(w.id, closed.id, { author: 'EndUser', text: PII.message });
    await conversations.close(w.id, closed.id);
    conversationId = (await conversations.open(w.id, userId, { channel: 'chat', subject: PII.subject })).id;
    await conversations.addMessage(w.id, conversationId, { author: 'EndUser', text: PII.message });
    // A neighbour whose data must survive.
    await t.http
      .post('/beta/endusers')
      .set(auth())
      .send({ displayName: 'Neighbour Ned', email: 'ned@example.org' });
  });

  afterAll(async () => {
    await t.close();
  });

  it('exports everything stored about the user', async () => {
    const res = await t.http.get(`/beta/endusers/${userId}/export`).set(auth());
    expect(res.status).toBe(200);
    expect(res.body.data.endUser).toMatchObject({
      id: userId,
      email: PII.email,
      phoneNumber: PII.phone,
      externalId: PII.externalId,
      customAttributes: [{ id: attributeId, value: PII.attribute }],
    });
    expect(res.body.data.conversations).toHaveLength(2);
    expect(res.body.data.conversations[0]).toMatchObject({
      channel: 'email',
      status: 'closed',
      subject: PII.subject,
      messages: [{ author: 'EndUser', text: PII.message }],
    });
    expect(res.body.data.anonymizationRequests).toEqual([]);
  });

  it('lists the user’s conversations, oldest first', async () => {
    const res = await t.http.get(`/beta/endusers/${userId}/conversations?pageLimit=1`).set(auth());
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([
      {
        id: expect.any(String),
        endUserId: userId,
        channel: 'email',
        status: 'closed',
        createdAt: expect.any(String),
        closedAt: expect.any(String),
      },
    ]);
    const next = new URL(res.body.meta.next);
    const second = await t.http.get(`${next.pathname}${next.search}`).set(auth());
    expect(second.body.data).toMatchObject([{ id: conversationId, status: 'open' }]);
    expect(second.body.meta.next).toBeUndefined();
    expect(second.body.meta.previous).toBeDefined();
  });

  it('refuses to anonymize while a conversation is open, and changes nothing', async () => {
    const res = await t.http.patch(`/beta/endusers/${userId}/anonymize?force=false`).set(auth());
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ message: expect.stringContaining('1 open conversation') });
    const user = await t.http.get(`/beta/endusers/${userId}`).set(auth());
    expect(user.body.data.email).toBe(PII.email);
    expect(events).toEqual([]);
  });

  it('anonymizes with force=true: closes the conversation and erases every piece of personal data', async () => {
    const res = await t.http.patch(`/beta/endusers/${userId}/anonymize?force=true`).set(auth());
    expect(res.status).toBe(202);
    expect(res.body.data).toMatchObject({
      _type: 'User',
      entityType: 'UserAnonymizationType',
      targetEntityId: userId,
    });
    expect(events).toEqual([{ workspaceId: w.id, id: userId }]);

    const user = await t.http.get(`/beta/endusers/${userId}`).set(auth());
    expect(user.body.data).toEqual({
      id: userId,
      createdAt: expect.any(String),
      additionalEmails: [],
      additionalPhoneNumbers: [],
      middleNames: [],
      customAttributes: [],
    });
    const exported = await t.http.get(`/beta/endusers/${userId}/export`).set(auth());
    expect(exported.body.data.conversations.map((c: { status: string }) => c.status)).toEqual([
      'closed',
      'closed',
    ]);
    expect(exported.body.data.conversations.map((c: { subject: unknown }) => c.subject)).toEqual([
      null,
      null,
    ]);
    expect(
      exported.body.data.conversations.flatMap((c: { messages: { text: unknown }[] }) =>
        c.messages.map((m) => m.text),
      ),
    ).toEqual([null, null]);
    expect(exported.body.data.anonymizationRequests).toEqual([res.body.data]);
    expect(exported.body.data.endUser.anonymizedAt).toEqual(expect.any(String));
  });

  it('leaves none of the former personal data anywhere in the database files', async () => {
    const bytes = await databaseBytes(t);
    expect(bytes).toContain('Neighbour Ned'); // the scan does see live data
    for (const [name, value] of Object.entries(PII)) {
      expect([name, bytes.includes(value)]).toEqual([name, false]);
    }
  });

  it('is idempotent: a second call answers the same request and changes nothing', async () => {
    const first = await t.http.get(`/beta/endusers/${userId}/export`).set(auth());
    const again = await t.http.patch(`/beta/endusers/${userId}/anonymize`).set(auth());
    expect(again.status).toBe(202);
    expect(again.body.data).toEqual(first.body.data.anonymizationRequests[0]);
    expect(events).toHaveLength(1);
  });

  it('keeps the audit log free of personal data', async () => {
    const entries: { action: string }[] = await t.dataSource.query('SELECT * FROM identity_audit_log');
    expect(entries.map((e) => e.action)).toContain('end-user.anonymize');
    const dump = JSON.stringify(entries);
    for (const value of Object.values(PII)) {
      expect(dump).not.toContain(value);
    }
  });

  it('answers 404 for an unknown user', async () => {
    const res = await t.http
      .patch('/beta/endusers/0192d6a0-0000-7000-8000-00000000f00d/anonymize')
      .set(auth());
    expect(res.status).toBe(404);
  });
});
