// Added to FerretDB's PostgreSQL backend by dev/ferretdb/apply.cjs: collection.Query hands its rows to
// ticketingBufferRows instead of the stock streaming queryIterator.
//
// Stock FerretDB 1.24 streams a query's rows, so the pool connection that ran the query stays taken until
// the caller has read the last row or closed the iterator. Two callers wait for something else meanwhile,
// and with pool_max_conns (50) of them at once the server hangs for ever, every connection idle:
//   - update and findAndModify read the matching document from the open iterator, then write it back
//     (UpdateAll/InsertAll/DeleteAll), which needs a second pool connection: each of 50 concurrent writers
//     holds one connection and waits for another;
//   - a cursor whose first batch did not end the result keeps its connection until a later getMore, so a
//     client that keeps cursors open while it sends other commands (or 50 slow clients) starves the pool.
// Here the whole result is read into memory (rows as PostgreSQL sent them; documents are decoded one by
// one as they are iterated) and the connection goes back to the pool before Query returns. The cost is
// memory for the rows of a result not read to its end; pgx would read and discard them anyway when such
// an iterator is closed (it drains the result to reuse the connection), so PostgreSQL does no more work.

package postgresql

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/jackc/pgx/v5"

	"github.com/FerretDB/FerretDB/internal/backends/postgresql/metadata"
	"github.com/FerretDB/FerretDB/internal/handler/sjson"
	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/iterator"
	"github.com/FerretDB/FerretDB/internal/util/lazyerrors"
	"github.com/FerretDB/FerretDB/internal/util/must"
)

// ticketingRow is one row as read: its record ID (capped collections) and its document's JSON.
type ticketingRow struct {
	doc      []byte
	recordID int64
}

// ticketingBufferedIterator iterates rows already read; it holds no database connection.
type ticketingBufferedIterator struct {
	ctx           context.Context
	err           error // the error reading the result ended with, reported by Next
	rows          []ticketingRow
	m             sync.Mutex
	onlyRecordIDs bool
	closed        bool
}

// ticketingBufferRows reads every row, closes rows (so the connection is released) and returns an
// iterator over what was read, which behaves as the stock queryIterator does.
func ticketingBufferRows(ctx context.Context, rows pgx.Rows, onlyRecordIDs bool) types.DocumentsIterator {
	iter := &ticketingBufferedIterator{ctx: ctx, onlyRecordIDs: onlyRecordIDs}

	defer rows.Close()

	var columns []string

	for rows.Next() {
		if columns == nil {
			for _, d := range rows.FieldDescriptions() {
				columns = append(columns, d.Name)
			}
		}

		var r ticketingRow
		var dest []any

		switch {
		case slices.Equal(columns, []string{metadata.RecordIDColumn, metadata.DefaultColumn}):
			dest = []any{&r.recordID, &r.doc}
		case slices.Equal(columns, []string{metadata.RecordIDColumn}):
			dest = []any{&r.recordID}
		case slices.Equal(columns, []string{metadata.DefaultColumn}):
			dest = []any{&r.doc}
		default:
			panic(fmt.Sprintf("cannot scan unknown columns: %v", columns))
		}

		if err := rows.Scan(dest...); err != nil {
			iter.err = err
			return iter
		}

		iter.rows = append(iter.rows, r)
	}

	iter.err = rows.Err()

	return iter
}

// Next implements iterator.Interface.
func (iter *ticketingBufferedIterator) Next() (struct{}, *types.Document, error) {
	iter.m.Lock()
	defer iter.m.Unlock()

	var unused struct{}

	if iter.closed {
		return unused, nil, iterator.ErrIteratorDone
	}

	if err := context.Cause(iter.ctx); err != nil {
		iter.close()
		return unused, nil, lazyerrors.Error(err)
	}

	if len(iter.rows) == 0 {
		err := iter.err
		iter.close()

		if err == nil {
			return unused, nil, iterator.ErrIteratorDone
		}

		return unused, nil, lazyerrors.Error(err)
	}

	r := iter.rows[0]
	iter.rows[0] = ticketingRow{} // let the row's bytes go once decoded
	iter.rows = iter.rows[1:]

	doc := must.NotFail(types.NewDocument())

	if !iter.onlyRecordIDs {
		var err error
		if doc, err = sjson.Unmarshal(r.doc); err != nil {
			iter.close()
			return unused, nil, lazyerrors.Error(err)
		}
	}

	doc.SetRecordID(r.recordID)

	return unused, doc, nil
}

// Close implements iterator.Interface.
func (iter *ticketingBufferedIterator) Close() {
	iter.m.Lock()
	defer iter.m.Unlock()

	iter.close()
}

func (iter *ticketingBufferedIterator) close() {
	iter.closed = true
	iter.rows = nil
}

var _ types.DocumentsIterator = (*ticketingBufferedIterator)(nil)
