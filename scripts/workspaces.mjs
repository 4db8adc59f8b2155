#!/usr/bin/env node
// `npm run build` and `npm run typecheck`: one npm script (`build` or `typecheck`) in every workspace, several
// at a time (one tsc is mostly one core; `npm run --workspaces` runs them one after another). The shared
// packages go first, in order, since every service compiles against them; then the services and the web
// app side by side. `typecheck` also checks tests/ and k8s/. Each step's output is printed whole when it
// ends; the exit code is non-zero when any step failed (later stages still run, so one report lists all).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const script = process.argv[2];
if (script !== 'build' && script !== 'typecheck') {
  console.error('usage: node scripts/workspaces.mjs build|typecheck');
  process.exit(2);
}
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { workspaces } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const npmStep = (ws) => ({ name: ws, cwd: join(root, ws), cmd: 'npm', args: ['run', '--silent', script] });
const shared = workspaces.filter((ws) => ws.startsWith('packages/'));
// The web app first among the rest: it is the longest (three projects and a bundle).
const rest = workspaces
  .filter((ws) => !ws.startsWith('packages/'))
  .sort((a, b) => Number(b === 'services/web') - Number(a === 'services/web'));
const stages = [
  ...shared.map((ws) => [npmStep(ws)]),
  [
    ...rest.map(npmStep),
    ...(script === 'typecheck'
      ? [
          { name: 'tests', cwd: root, cmd: 'npx', args: ['tsc', '-p', 'tests/tsconfig.json', '--noEmit'] },
          { name: 'k8s', cwd: root, cmd: 'npx', args: ['tsc', '-p', 'k8s/tsconfig.json', '--noEmit'] },
        ]
      : []),
  ],
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
        `${script} ${name}: ${code === 0 ? 'ok' : 'FAILED'} (${seconds}s)${shown ? `\n${shown}` : ''}`,
      );
      resolve(code === 0);
    });
  });

const width = Math.max(2, availableParallelism());
let ok = true;
for (const stage of stages) {
  const queue = [...stage];
  const results = await Promise.all(
    Array.from({ length: Math.min(width, queue.length) }, async () => {
      let all = true;
      for (let step = queue.shift(); step; step = queue.shift()) all = (await run(step)) && all;
      return all;
    }),
  );
  ok = results.every(Boolean) && ok;
}
process.exit(ok ? 0 : 1);
