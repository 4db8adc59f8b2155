#!/usr/bin/env node
// `npm run typecheck`: every workspace's own `typecheck` script, then tests/ and k8s/, several at a time
// (one tsc is mostly one core; `npm run --workspaces` would run them one after another). Each check's output
// is printed whole when it ends; the exit code is non-zero when any check failed.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { workspaces } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const checks = [
  // The web app first: it is the longest (three projects).
  ...[...workspaces]
    .sort((a, b) => Number(b === 'services/web') - Number(a === 'services/web'))
    .map((ws) => ({ name: ws, cwd: join(root, ws), cmd: 'npm', args: ['run', '--silent', 'typecheck'] })),
  { name: 'tests', cwd: root, cmd: 'npx', args: ['tsc', '-p', 'tests/tsconfig.json', '--noEmit'] },
  { name: 'k8s', cwd: root, cmd: 'npx', args: ['tsc', '-p', 'k8s/tsconfig.json', '--noEmit'] },
];

const run = ({ name, cwd, cmd, args }) =>
  new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', (err) => (out += String(err)));
    child.on('close', (code) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(0);
      const shown = out
        .split('\n')
        .filter((line) => !line.startsWith('npm warn'))
        .join('\n')
        .trim();
      console.log(
        `typecheck ${name}: ${code === 0 ? 'ok' : 'FAILED'} (${seconds}s)${shown ? `\n${shown}` : ''}`,
      );
      resolve(code === 0);
    });
  });

const queue = [...checks];
const width = Math.max(2, availableParallelism());
const results = await Promise.all(
  Array.from({ length: width }, async () => {
    const ok = [];
    for (let check = queue.shift(); check; check = queue.shift()) ok.push(await run(check));
    return ok.every(Boolean);
  }),
);
process.exit(results.every(Boolean) ? 0 : 1);
