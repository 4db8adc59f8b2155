// Added to FerretDB's PostgreSQL backend by dev/ferretdb/apply.cjs (the stock function is renamed
// filterEqualStock).
//
// FerretDB 1.24 pushes an equality filter on a top-level field down to PostgreSQL as
// `_jsonb->$1 @> $2`: the field name is a parameter, and `@>` is an operator the B-tree indexes it creates
// cannot serve. So every lookup, `_id` included, was a sequential scan of the whole table. Here the field
// name is written into the SQL as a literal, so that PostgreSQL can match it to an expression index, and:
//   - `_id` (never an array in MongoDB, so containment is equality) is compared with `=`, which the
//     collection's unique `_id` B-tree index serves;
//   - any other field keeps `@>` (it must also match an array that contains the value, as MongoDB does),
//     which the GIN companion index added by indexed_equality_gin.go serves.
// Anything else (paths, numbers beyond the safe range, other types) goes to the stock function.

package postgresql

import (
	"fmt"
	"strings"
	"time"

	"github.com/FerretDB/FerretDB/internal/backends/postgresql/metadata"
	"github.com/FerretDB/FerretDB/internal/handler/sjson"
	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/must"
)

func filterEqual(p *metadata.Placeholder, k any, v any, operator string) (string, []any) {
	name, ok := k.(string)
	if !ok || operator != "->" || name == "" || strings.ContainsRune(name, 0) {
		return filterEqualStock(p, k, v, operator)
	}

	op := "@>"
	if name == "_id" {
		op = "="
	}

	column := metadata.DefaultColumn + "->'" + strings.ReplaceAll(name, "'", "''") + "'"

	var arg any

	switch v := v.(type) {
	case string, types.ObjectID, time.Time:
		arg = string(must.NotFail(sjson.MarshalSingleValue(v)))
	case bool, int32:
		arg = v
	case int64:
		if v > int64(types.MaxSafeDouble) || v < -int64(types.MaxSafeDouble) {
			return filterEqualStock(p, k, v, operator)
		}

		arg = v
	case float64:
		if v > types.MaxSafeDouble || v < -types.MaxSafeDouble {
			return filterEqualStock(p, k, v, operator)
		}

		arg = v
	default:
		return filterEqualStock(p, k, v, operator)
	}

	return fmt.Sprintf("%s %s %s", column, op, p.Next()), []any{arg}
}
