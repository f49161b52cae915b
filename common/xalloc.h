/*
 * xalloc.h — allocation that never returns NULL.
 *
 * Out of memory is not a condition cbd or the consoles can recover from in a
 * useful way, so these wrappers print a message and abort; callers need no
 * NULL checks. Memory returned belongs to the caller, freed with free().
 */
#ifndef CB_XALLOC_H
#define CB_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a new string; the caller frees it. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
