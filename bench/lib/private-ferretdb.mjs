// A MongoDB-compatible server of its own for a benchmark: a private PostgreSQL cluster (Debian's server
// binaries, fsync off as in dev/) and a FerretDB binary on it, both on free ports, so every CPU second and
// every row read belongs to the benchmark alone. `stop()` ends both and deletes their data.
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function pgBin() {
  const dirs = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql') : [];
  for (const d of dirs.sort((a, b) => Number(b) - Number(a)))
    if (existsSync(`/usr/lib/postgresql/${d}/bin/postgres`)) return `/usr/lib/postgresql/${d}/bin`;
  throw new Error('PostgreSQL server binaries not found (make infra-up installs them)');
}

/** The newest FerretDB binary dev/mongo.sh built into the cache. */
export function newestFerretdb() {
  const dir = join(process.env.XDG_CACHE_HOME ?? join(os.homedir(), '.cache'), 'ticketing-dev', 'ferretdb');
  const out = spawnSync(
    'bash',
    ['-c', `ls -t "${dir}"/ferretdb-* 2>/dev/null | grep -v '\\.tmp$' | head -1`],
    {
      encoding: 'utf8',
    },
  );
  const bin = out.stdout.trim();
  if (!bin) throw new Error(`no FerretDB build in ${dir}: run make infra-up first`);
  return bin;
}

function run(cmd) {
  const r = spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/**
 * @param {{ ferretdb?: string, log?: (...a: unknown[]) => void, debug?: boolean, pgParams?: Record<string, string> }} options
 *   debug: FerretDB's debug HTTP listener on a free port (`debugUrl`: /debug/pprof/goroutine?debug=2 dumps
 *   every goroutine); pgParams: extra parameters of the PostgreSQL URL (e.g. pool_max_conns).
 */
export async function startPrivateFerretdb({
  ferretdb,
  log = () => undefined,
  debug = false,
  pgParams = {},
} = {}) {
  const isRoot = process.getuid?.() === 0;
  const asPg = (cmd) =>
    isRoot ? ['setpriv', '--reuid=postgres', '--regid=postgres', '--init-groups', ...cmd] : cmd;
  const work = mkdtempSync(join(tmpdir(), 'bench-ferretdb-'));
  const pgData = join(work, 'pg');
  const pgSock = join(work, 'sock');
  mkdirSync(pgData);
  mkdirSync(pgSock);
  if (isRoot) {
    const uid = Number(run(['id', '-u', 'postgres']).trim());
    const gid = Number(run(['id', '-g', 'postgres']).trim());
    for (const p of [work, pgData, pgSock]) chownSync(p, uid, gid);
  }
  const bin = pgBin();
  run(
    asPg([
      `${bin}/initdb`,
      '-D',
      pgData,
      '-U',
      'postgres',
      '-A',
      'trust',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
    ]),
  );
  const pgPort = await freePort();
  const pgCmd = asPg([
    `${bin}/postgres`,
    ...[
      '-D',
      pgData,
      '-p',
      String(pgPort),
      '-c',
      'listen_addresses=',
      '-c',
      `unix_socket_directories=${pgSock}`,
    ],
    ...[
      '-c',
      'max_connections=200',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      // as dev/mongo.sh runs it
      '-c',
      'jit=off',
      '-c',
      'random_page_cost=1.1',
    ],
  ]);
  const postgres = spawn(pgCmd[0], pgCmd.slice(1), { stdio: 'ignore' });
  for (let i = 0; ; i++) {
    if (spawnSync(`${bin}/pg_isready`, ['-q', '-h', pgSock, '-p', String(pgPort)]).status === 0) break;
    if (i > 150) throw new Error('private PostgreSQL did not start');
    await sleep(200);
  }
  const postmasterPid = Number(readFileSync(join(pgData, 'postmaster.pid'), 'utf8').split('\n')[0]);

  const ferretBin = ferretdb ?? newestFerretdb();
  const mongoPort = await freePort();
  const debugPort = debug ? await freePort() : undefined;
  const pgQuery = new URLSearchParams({ host: pgSock, port: String(pgPort), ...pgParams });
  const ferret = spawn(
    ferretBin,
    [
      '--handler=pg',
      `--postgresql-url=postgres://postgres@/postgres?${pgQuery}`,
      `--state-dir=${work}`,
      `--listen-addr=127.0.0.1:${mongoPort}`,
      `--debug-addr=${debugPort ? `127.0.0.1:${debugPort}` : '-'}`,
      '--telemetry=disable',
      '--log-level=error',
    ],
    { stdio: 'ignore' },
  );
  const MONGO_URL = `mongodb://127.0.0.1:${mongoPort}`;
  for (let i = 0; ; i++) {
    const ok = await new Promise((resolve) => {
      const c = connect(mongoPort, '127.0.0.1');
      c.once('connect', () => (c.destroy(), resolve(true)));
      c.once('error', () => resolve(false));
    });
    if (ok) break;
    if (i > 100) throw new Error('FerretDB did not start');
    await sleep(200);
  }
  log(`FerretDB ${ferretBin.split('/').pop()} on ${MONGO_URL}, PostgreSQL ${bin} (private cluster)`);

  return {
    MONGO_URL,
    debugUrl: debugPort ? `http://127.0.0.1:${debugPort}` : undefined,
    ferretBin,
    ferretdbPid: ferret.pid,
    /** The postmaster and its current backends. */
    postgresPids() {
      const out = spawnSync('pgrep', ['-P', String(postmasterPid)], { encoding: 'utf8' }).stdout;
      return [postmasterPid, ...out.split('\n').filter(Boolean).map(Number)];
    },
    /** Runs SQL on the private cluster; rows tab-separated. */
    psql(sql) {
      return run([
        'psql',
        '-h',
        pgSock,
        '-p',
        String(pgPort),
        '-U',
        'postgres',
        '-d',
        'postgres',
        '-At',
        '-F',
        '\t',
        '-c',
        sql,
      ]);
    },
    async stop() {
      ferret.kill('SIGTERM');
      await sleep(500);
      postgres.kill('SIGINT');
      await sleep(1000);
      rmSync(work, { recursive: true, force: true });
    },
  };
}
