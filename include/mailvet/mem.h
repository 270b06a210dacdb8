/*
 * mem — memory hints shared by the modules that hold big arrays (the
 * table's arena and indexes, the string pool's slots). No state.
 */
#ifndef MAILVET_MEM_H
#define MAILVET_MEM_H

#include <stddef.h>

/* Ask for transparent huge pages over [p, p+len) when it spans more than
 * one (fewer page faults and TLB misses); a hint, silently ignored. */
void mem_advise_huge(void *p, size_t len);

/* Give the system back the free memory the allocator keeps (after a
 * phase has freed big temporaries, before the next grows); a hint: does
 * nothing where the C library has no way to. */
void mem_release(void);

#endif
