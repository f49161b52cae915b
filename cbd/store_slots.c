/*
 * store_slots.c — how full the slots of a business process are (see
 * store.h). Slots are not all the same length (a DST change stretches or
 * shrinks one in the BP's zone), so instead of grouping in SQL this reads
 * the due times of the open callbacks in the whole range once, in order,
 * off the callbacks_bp_due index, and bins them against the slot bounds the
 * caller computed (slots.c).
 */
#include "store_internal.h"

#include <string.h>

enum store_result store_slots_count_due(struct store *st, int64_t bp_id, const int64_t bounds[],
                                        int n, int64_t counts[])
{
    if (n <= 0)
        return STORE_OK;
    memset(counts, 0, (size_t)n * sizeof counts[0]);
    sqlite3_stmt *s = store_stmt(st, "SELECT due_at FROM callbacks WHERE bp_id = ?1 AND "
                                     "due_at >= ?2 AND due_at < ?3 AND location IN (" STORE_LOC_PENDING
                                     ", " STORE_LOC_QUEUED ", " STORE_LOC_AGENT ") "
                                     "ORDER BY due_at");
    if (s == NULL)
        return STORE_ERROR;
    sqlite3_bind_int64(s, 1, bp_id);
    sqlite3_bind_int64(s, 2, bounds[0]);
    sqlite3_bind_int64(s, 3, bounds[n]);
    int rc, i = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t due = sqlite3_column_int64(s, 0);
        while (i < n - 1 && due >= bounds[i + 1])
            i++;
        counts[i]++;
    }
    sqlite3_reset(s);
    return store_result_of(st, rc);
}
