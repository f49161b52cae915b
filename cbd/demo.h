/*
 * demo.h — the demo data of DESIGN.md §5a, written into an empty database
 * inside the caller's transaction.
 */
#ifndef CBD_DEMO_H
#define CBD_DEMO_H

#include <stdbool.h>
#include <stddef.h>

#include "store.h"

/* Creates the demo BPs, teams, users, service token and callbacks; prints
 * the service token once on stdout. False with a reason in err. */
bool demo_create(struct store *st, char *err, size_t err_size);

#endif
