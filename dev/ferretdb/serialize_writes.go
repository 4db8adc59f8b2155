// Added to FerretDB's handler package by dev/mongo.sh when it builds the local MongoDB-compatible server.
//
// FerretDB 1.24 applies an update as "read the document, change it in Go, write it back" without a lock
// or transaction, so two concurrent `$inc`s or two guarded `updateOne`s on one document can both read the
// old state and one write is lost. MongoDB makes every single-document write atomic, and the platform's
// invariants (ARCHITECTURE.md §3, §7) rely on that. Serialising the write commands inside the one local
// server process restores that guarantee for tests; reads stay concurrent.

package handler

import (
	"context"
	"sync"

	"github.com/FerretDB/wire"
)

// ticketingWriteMu orders every write command of this process.
var ticketingWriteMu sync.Mutex

// serializeWrites wraps the document-writing commands so they run one at a time.
func (h *Handler) serializeWrites() {
	for _, name := range []string{"insert", "update", "delete", "findAndModify", "findandmodify"} {
		cmd, ok := h.commands[name]
		if !ok {
			continue
		}

		next := cmd.Handler
		cmd.Handler = func(ctx context.Context, msg *wire.OpMsg) (*wire.OpMsg, error) {
			ticketingWriteMu.Lock()
			defer ticketingWriteMu.Unlock()

			return next(ctx, msg)
		}
	}
}
