// Applies the local changes to a writable copy of FerretDB's module source (called by dev/mongo.sh):
//   node dev/ferretdb/apply.cjs <source dir>
// Each change is a file added to a package plus, where needed, one anchored edit of a stock file. An
// anchor that is not found exactly once stops the build: the FerretDB version changed and the patch must
// be looked at again.
'use strict';
const fs = require('fs');
const path = require('path');

const src = process.argv[2];
const here = __dirname;

function addFile(name, destDir) {
  fs.copyFileSync(path.join(here, name), path.join(src, destDir, `zz_ticketing_${name}`));
}

function edit(file, anchor, replacement) {
  const full = path.join(src, file);
  const text = fs.readFileSync(full, 'utf8');
  if (text.split(anchor).length !== 2) {
    console.error(`${file}: anchor not found exactly once, cannot patch:\n${anchor}`);
    process.exit(1);
  }
  fs.writeFileSync(full, text.replace(anchor, replacement));
}

// 1. Atomic single-document writes with per-document / per-collection locks.
addFile('atomic_writes.go', 'internal/handler');
edit(
  'internal/handler/commands.go',
  '\tfor name, cmd := range h.commands {\n\t\tif h.EnableNewAuth',
  '\th.atomicWrites()\n\n\tfor name, cmd := range h.commands {\n\t\tif h.EnableNewAuth',
);

// 2. Equality filters that PostgreSQL can answer from an index.
addFile('indexed_equality.go', 'internal/backends/postgresql');
edit(
  'internal/backends/postgresql/query.go',
  'func filterEqual(p *metadata.Placeholder',
  'func filterEqualStock(p *metadata.Placeholder',
);
addFile('indexed_equality_gin.go', 'internal/backends/postgresql/metadata');
edit(
  'internal/backends/postgresql/metadata/registry.go',
  '\t\tcreated = append(created, index.Name)\n',
  '\t\tif err = ticketingCreateCompanion(ctx, p, dbName, c.TableName, index); err != nil {\n' +
    '\t\t\t_ = r.indexesDrop(ctx, p, dbName, collectionName, created)\n' +
    '\t\t\treturn lazyerrors.Error(err)\n' +
    '\t\t}\n\n' +
    '\t\tcreated = append(created, index.Name)\n',
);
edit(
  'internal/backends/postgresql/metadata/registry.go',
  '\t\tq := fmt.Sprintf("DROP INDEX %s", pgx.Identifier{dbName, c.Indexes[i].PgIndex}.Sanitize())\n',
  '\t\tif err := ticketingDropCompanion(ctx, p, dbName, c.Indexes[i]); err != nil {\n' +
    '\t\t\treturn lazyerrors.Error(err)\n' +
    '\t\t}\n\n' +
    '\t\tq := fmt.Sprintf("DROP INDEX %s", pgx.Identifier{dbName, c.Indexes[i].PgIndex}.Sanitize())\n',
);

// 3. Query results read whole before Query returns, so no command or cursor holds a pool connection while
//    it waits for another one (the pool deadlock described in buffered_query.go).
addFile('buffered_query.go', 'internal/backends/postgresql');
edit(
  'internal/backends/postgresql/collection.go',
  '\t\tIter: newQueryIterator(ctx, rows, params.OnlyRecordIDs),\n',
  '\t\tIter: ticketingBufferRows(ctx, rows, params.OnlyRecordIDs),\n',
);
