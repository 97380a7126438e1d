#!/usr/bin/env node
// `npm run pack`: builds the publishable package (libs/identity) alone and packs it into .pack/
// (or --destination <dir>). Prints the tarball's path on its last line.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const lib = join(root, 'libs/identity');
const flag = process.argv.indexOf('--destination');
const destination = resolve(flag > 0 ? process.argv[flag + 1] : join(root, '.pack'));

rmSync(join(lib, 'dist'), { recursive: true, force: true });
execFileSync(
  process.execPath,
  [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(lib, 'tsconfig.lib.json')],
  {
    stdio: 'inherit',
  },
);
// The package's README, changelog and licence are the repository's.
for (const file of ['README.md', 'CHANGELOG.md', 'LICENSE']) {
  copyFileSync(join(root, file), join(lib, file));
}
mkdirSync(destination, { recursive: true });
const [packed] = JSON.parse(
  execFileSync('npm', ['pack', '--json', '--pack-destination', destination], { cwd: lib, encoding: 'utf8' }),
);
console.log(`${packed.files.length} files, ${packed.size} bytes packed, ${packed.unpackedSize} unpacked`);
console.log(join(destination, packed.filename));
