import { expect, it } from '@jest/globals';
import { CliUsageError, runCliCommand, wantsHelp } from '../src/cli-commands.js';
import { describeWithApp } from './utils/describe-with-app.js';
import { tokenAuth } from './utils/fixtures.js';

describeWithApp(
  'identity CLI',
  (ctx) => {
    it('creates and lists workspaces, then creates, lists and revokes a key that works in between', async () => {
      const t = ctx.app;
      const [created] = await runCliCommand(t.app, ['workspaces', 'create', '--name', 'Acme']);
      const workspaceId = /Created workspace (\S+)/.exec(created)![1];
      expect((await runCliCommand(t.app, ['workspaces', 'list'])).join('\n')).toContain(workspaceId);

      const keyLines = await runCliCommand(t.app, [
        'keys',
        'create',
        '--workspace',
        workspaceId,
        '--scope',
        'read',
      ]);
      const secret = keyLines.join('\n').match(/idk_\w+/)![0];
      const keyId = /key (\S+) \(public id/.exec(keyLines[0])![1];
      expect((await t.http.get('/whoami').set(tokenAuth(secret))).body.scope).toBe('read');

      const listed = (await runCliCommand(t.app, ['keys', 'list', '--workspace', workspaceId])).join('\n');
      expect(listed).toContain(keyId);
      expect(listed).not.toContain(secret);

      await runCliCommand(t.app, ['keys', 'revoke', keyId, '--workspace', workspaceId]);
      expect((await t.http.get('/whoami').set(tokenAuth(secret))).status).toBe(401);
    });

    it('says what is wrong with a bad command line', async () => {
      const t = ctx.app;
      await expect(runCliCommand(t.app, ['keys', 'create'])).rejects.toThrow(CliUsageError);
      await expect(
        runCliCommand(t.app, ['keys', 'create', '--workspace', 'x', '--scope', 'admin']),
      ).rejects.toThrow(/--scope/);
      await expect(runCliCommand(t.app, ['frobnicate'])).rejects.toThrow(/Unknown command/);
      await expect(
        runCliCommand(t.app, ['keys', 'list', '--workspace', '00000000-0000-4000-8000-000000000000']),
      ).resolves.toEqual(['No keys.']);
      expect(wantsHelp(['--help'])).toBe(true);
      expect(wantsHelp(['keys', 'list'])).toBe(false);
    });
  },
  { seedWorkspace: false },
);
