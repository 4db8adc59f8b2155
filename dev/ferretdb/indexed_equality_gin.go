// Added to FerretDB's PostgreSQL metadata package by dev/ferretdb/apply.cjs; see indexed_equality.go.
//
// Every index whose first key is a top-level field other than `_id` gets a GIN companion on that field
// (`jsonb_path_ops`), which serves the `_jsonb->'field' @> value` equality filters FerretDB pushes down.
// It is created and dropped with its index.

package metadata

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

func ticketingCompanionField(index IndexInfo) string {
	if len(index.Key) == 0 {
		return ""
	}

	field := index.Key[0].Field
	if field == "_id" || field == "" || strings.ContainsAny(field, ".\x00") {
		return ""
	}

	return field
}

func ticketingCompanionName(index IndexInfo) string {
	return index.PgIndex + "_eq"
}

func ticketingCreateCompanion(ctx context.Context, p *pgxpool.Pool, dbName, tableName string, index IndexInfo) error {
	field := ticketingCompanionField(index)
	if field == "" {
		return nil
	}

	q := fmt.Sprintf(
		"CREATE INDEX IF NOT EXISTS %s ON %s USING gin ((%s->'%s') jsonb_path_ops)",
		pgx.Identifier{ticketingCompanionName(index)}.Sanitize(),
		pgx.Identifier{dbName, tableName}.Sanitize(),
		DefaultColumn,
		strings.ReplaceAll(field, "'", "''"),
	)

	_, err := p.Exec(ctx, q)

	return err
}

func ticketingDropCompanion(ctx context.Context, p *pgxpool.Pool, dbName string, index IndexInfo) error {
	if ticketingCompanionField(index) == "" {
		return nil
	}

	_, err := p.Exec(ctx, fmt.Sprintf(
		"DROP INDEX IF EXISTS %s",
		pgx.Identifier{dbName, ticketingCompanionName(index)}.Sanitize(),
	))

	return err
}
