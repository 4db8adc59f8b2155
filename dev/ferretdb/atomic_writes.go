// Added to FerretDB's handler package by dev/ferretdb/apply.cjs when dev/mongo.sh builds the local
// MongoDB-compatible server.
//
// FerretDB 1.24 applies an update as "read the document, change it in Go, write it back" without a lock
// or transaction, so two concurrent `$inc`s or two guarded `updateOne`s on one document can both read the
// old state and one write is lost. MongoDB makes every single-document write atomic, and the platform's
// invariants (ARCHITECTURE.md §3, §7) rely on that. This file restores the guarantee with the finest
// locking that keeps it:
//
//   - a write whose one statement names a scalar `_id` (almost every write the services make) locks that
//     one document, under a shared lock of its collection: writes to different documents run in parallel;
//   - any other write (a filter on other fields, several statements, `multi`) takes its collection's lock
//     exclusively, so no document it may touch is being changed under it;
//   - inserts take the collection's lock shared: they read nothing, and unique indexes settle duplicates;
//   - reads take no lock.

package handler

import (
	"context"
	"math"
	"strconv"
	"sync"

	"github.com/FerretDB/wire"

	"github.com/FerretDB/FerretDB/internal/bson"
	"github.com/FerretDB/FerretDB/internal/types"
)

// ticketingCollLock guards one collection: shared for single-document writes and inserts, exclusive for
// writes that may touch any document.
type ticketingCollLock struct {
	rw sync.RWMutex
}

// ticketingDocLock is one document's mutex, kept while someone holds or waits for it.
type ticketingDocLock struct {
	mu   sync.Mutex
	refs int
}

var (
	ticketingLocksMu sync.Mutex
	ticketingColls   = map[string]*ticketingCollLock{}
	ticketingDocs    = map[string]*ticketingDocLock{}
)

func ticketingColl(ns string) *ticketingCollLock {
	ticketingLocksMu.Lock()
	defer ticketingLocksMu.Unlock()

	l := ticketingColls[ns]
	if l == nil {
		l = new(ticketingCollLock)
		ticketingColls[ns] = l
	}

	return l
}

// ticketingLockDoc locks one document key and returns its unlock; entries go away when nobody uses them.
func ticketingLockDoc(key string) func() {
	ticketingLocksMu.Lock()
	l := ticketingDocs[key]
	if l == nil {
		l = new(ticketingDocLock)
		ticketingDocs[key] = l
	}
	l.refs++
	ticketingLocksMu.Unlock()

	l.mu.Lock()

	return func() {
		l.mu.Unlock()

		ticketingLocksMu.Lock()
		l.refs--
		if l.refs == 0 {
			delete(ticketingDocs, key)
		}
		ticketingLocksMu.Unlock()
	}
}

// ticketingIDKey is a canonical key for a scalar `_id` value (numbers compare by value, as in MongoDB),
// or "" when the filter does not name exactly one document by a scalar `_id`.
func ticketingIDKey(filter *types.Document) string {
	if filter == nil {
		return ""
	}

	id, err := filter.Get("_id")
	if err != nil {
		return ""
	}

	switch v := id.(type) {
	case string:
		return "s:" + v
	case types.ObjectID:
		return "o:" + string(v[:])
	case int32:
		return "n:" + strconv.FormatFloat(float64(v), 'g', -1, 64)
	case int64:
		return "n:" + strconv.FormatFloat(float64(v), 'g', -1, 64)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return ""
		}

		return "n:" + strconv.FormatFloat(v, 'g', -1, 64)
	default:
		// a document, an operator ({$in: ...}) or another type: not one known document
		return ""
	}
}

// ticketingStatements returns the statements of an update/delete command (body array or document
// sequence), decoding at most two of them: only "exactly one statement" matters here.
func ticketingStatements(msg *wire.OpMsg, body *types.Document, field string) []*types.Document {
	for _, section := range msg.Sections() {
		if section.Kind == 0 || section.Identifier != field {
			continue
		}

		raw := section.Documents()
		if len(raw) != 1 {
			return make([]*types.Document, len(raw))
		}

		doc, err := bson.ToDocument(raw[0])
		if err != nil {
			return nil
		}

		return []*types.Document{doc}
	}

	v, err := body.Get(field)
	if err != nil {
		return nil
	}

	arr, ok := v.(*types.Array)
	if !ok {
		return nil
	}

	res := make([]*types.Document, 0, arr.Len())

	for i := 0; i < arr.Len(); i++ {
		el, _ := arr.Get(i)
		doc, _ := el.(*types.Document)
		res = append(res, doc)
	}

	return res
}

// ticketingSingleDocFilter returns the filter of a write that changes at most one document named by its
// `_id`, or nil.
func ticketingSingleDocFilter(command string, msg *wire.OpMsg, body *types.Document) *types.Document {
	get := func(d *types.Document, key string) any {
		if d == nil {
			return nil
		}

		v, _ := d.Get(key)

		return v
	}

	switch command {
	case "findAndModify", "findandmodify":
		q, _ := get(body, "query").(*types.Document)
		return q

	case "update":
		stmts := ticketingStatements(msg, body, "updates")
		if len(stmts) != 1 || stmts[0] == nil {
			return nil
		}

		if multi, _ := get(stmts[0], "multi").(bool); multi {
			return nil
		}

		q, _ := get(stmts[0], "q").(*types.Document)

		return q

	case "delete":
		stmts := ticketingStatements(msg, body, "deletes")
		if len(stmts) != 1 || stmts[0] == nil {
			return nil
		}

		q, _ := get(stmts[0], "q").(*types.Document)

		return q
	}

	return nil
}

// atomicWrites wraps the document-writing commands with the locks described at the top of this file.
func (h *Handler) atomicWrites() {
	for _, name := range []string{"insert", "update", "delete", "findAndModify", "findandmodify"} {
		cmd, ok := h.commands[name]
		if !ok {
			continue
		}

		command := name
		next := cmd.Handler
		cmd.Handler = func(ctx context.Context, msg *wire.OpMsg) (*wire.OpMsg, error) {
			body, err := bson.ToDocument(msg.RawSection0())
			if err != nil {
				return next(ctx, msg) // let the command report the malformed message
			}

			db, _ := body.Get("$db")
			coll, _ := body.Get(command)
			dbName, _ := db.(string)
			collName, _ := coll.(string)
			cl := ticketingColl(dbName + "." + collName)

			if command == "insert" {
				cl.rw.RLock()
				defer cl.rw.RUnlock()

				return next(ctx, msg)
			}

			if key := ticketingIDKey(ticketingSingleDocFilter(command, msg, body)); key != "" {
				cl.rw.RLock()
				defer cl.rw.RUnlock()

				unlock := ticketingLockDoc(dbName + "." + collName + "\x00" + key)
				defer unlock()

				return next(ctx, msg)
			}

			cl.rw.Lock()
			defer cl.rw.Unlock()

			return next(ctx, msg)
		}
	}
}
