/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ring_impl.h - the consumer side of the ready ring, shared by libeventpoll2
 * and the LD_PRELOAD drop-in (each includes it once and keeps its own table).
 *
 * THE PROTOCOL (the kernel side is module/ring.hpp)
 * An entry at position p is in slot p & mask; its first 8 bytes are one word,
 * events | seq << 32.  The kernel fills a slot (data, then the word with
 * store-release), then publishes tail (store-release).  A consumer loads
 * tail (acquire), then each entry word (acquire) and its data, and claims it
 * with a compare-and-swap of the word to events 0 (acq_rel); it then moves
 * head past what it examined with a compare-and-swap (release).  The kernel
 * reuses a slot only once head (loaded with acquire) is past it, so a
 * consumer never reads a slot being rewritten.  The kernel may update an
 * unclaimed entry's events in place (a new readiness of the same item) or
 * withdraw it (events 0: DEL, MOD, close): both by compare-and-swap, so a
 * claim either gets the newest events or fails and looks again.
 * What a consumer may assume: every entry it claims is an event no other
 * consumer got; events are epoll's (a fresh ->poll() by the kernel, masked
 * by the item's events) as of the last wakeup of that item.
 *
 * LIFETIME
 * Rings are found by instance fd in a two-level table read without a lock.
 * A harvest pins the ring (users count, checked against the table after the
 * increment, Dekker-style against ring_forget()'s store and load), so a
 * close() in another thread never unmaps memory a harvest is reading: the
 * last user unmaps.  The small struct itself is never freed (a closed ring's
 * struct is reused by the next one).
 */
#ifndef EP2_RING_IMPL_H
#define EP2_RING_IMPL_H

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/eventpoll2.h>

struct ring_slot {
	struct ep2_ring ring;
	int users;		/* harvests in progress (atomic) */
	int dying;		/* unregistered: the last user unmaps */
	struct ring_slot *next_free;
};

#define RING_CHUNK_BITS 10
#define RING_CHUNK (1u << RING_CHUNK_BITS)
#define RING_CHUNKS 1024u		/* fds below 1M */

static struct ring_slot **ring_table[RING_CHUNKS];
static struct ring_slot *ring_free;
static pthread_mutex_t ring_lock = PTHREAD_MUTEX_INITIALIZER;

static inline struct ring_slot **ring_cell(int fd, int create)
{
	struct ring_slot ***chunkp, **chunk;

	if (fd < 0 || (unsigned)fd >= RING_CHUNKS * RING_CHUNK)
		return NULL;
	chunkp = &ring_table[(unsigned)fd >> RING_CHUNK_BITS];
	chunk = __atomic_load_n(chunkp, __ATOMIC_ACQUIRE);
	if (!chunk && create) {
		chunk = calloc(RING_CHUNK, sizeof(*chunk));
		if (!chunk)
			return NULL;
		__atomic_store_n(chunkp, chunk, __ATOMIC_RELEASE);	/* under ring_lock */
	}
	return chunk ? &chunk[(unsigned)fd & (RING_CHUNK - 1)] : NULL;
}

static inline struct ring_slot *ring_lookup(int fd)
{
	struct ring_slot **cell = ring_cell(fd, 0);

	return cell ? __atomic_load_n(cell, __ATOMIC_ACQUIRE) : NULL;
}

/* Map @fd's ring: its header page first (for the size), then all of it. */
static inline int ring_map(int fd, struct ep2_ring *ring)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), size;
	struct ep2_ring_header *hdr;
	void *p;

	hdr = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0);
	if (hdr == MAP_FAILED)
		return -1;
	size = __atomic_load_n(&hdr->mmap_size, __ATOMIC_RELAXED);
	munmap(hdr, page);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -1;
	hdr = p;
	ring->hdr = hdr;
	ring->entries = (struct ep2_ring_entry *)((char *)p + hdr->entries_offset);
	ring->nentries = hdr->entries;
	ring->mask = hdr->mask;
	ring->size = size;
	ring->epfd = fd;
	return 0;
}

static inline void ring_unmap(struct ep2_ring *ring)
{
	if (ring->hdr)
		munmap(ring->hdr, ring->size);
	ring->hdr = NULL;
}

/* Map @fd's ring and register it: 0, or -1 with errno. */
static inline int ring_register(int fd)
{
	struct ring_slot *s, **cell;

	pthread_mutex_lock(&ring_lock);
	cell = ring_cell(fd, 1);
	s = ring_free;
	if (s)
		ring_free = s->next_free;
	else
		s = calloc(1, sizeof(*s));
	if (!cell || !s || ring_map(fd, &s->ring) < 0) {
		int err = !cell || !s ? ENOMEM : errno;
		if (s) {
			s->next_free = ring_free;
			ring_free = s;
		}
		pthread_mutex_unlock(&ring_lock);
		errno = err;
		return -1;
	}
	s->dying = 0;
	__atomic_store_n(&s->users, 0, __ATOMIC_RELAXED);
	__atomic_store_n(cell, s, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&ring_lock);
	return 0;
}

/* Caller holds ring_lock, s->users is 0 and s is dying: unmap and recycle. */
static inline void ring_retire_locked(struct ring_slot *s)
{
	ring_unmap(&s->ring);
	s->next_free = ring_free;
	ring_free = s;
}

/* Pin the ring registered for @fd, or NULL. */
static inline struct ring_slot *ring_get(int fd)
{
	struct ring_slot *s = ring_lookup(fd);

	if (!s)
		return NULL;
	__atomic_add_fetch(&s->users, 1, __ATOMIC_SEQ_CST);
	if (ring_lookup(fd) == s)
		return s;
	/* Forgotten meanwhile: let go (and unmap if we were the last). */
	if (__atomic_sub_fetch(&s->users, 1, __ATOMIC_SEQ_CST) == 0) {
		pthread_mutex_lock(&ring_lock);
		if (s->dying && __atomic_load_n(&s->users, __ATOMIC_SEQ_CST) == 0 && s->ring.hdr)
			ring_retire_locked(s);
		pthread_mutex_unlock(&ring_lock);
	}
	return NULL;
}

static inline void ring_put(struct ring_slot *s)
{
	if (__atomic_sub_fetch(&s->users, 1, __ATOMIC_SEQ_CST) == 0 &&
	    __atomic_load_n(&s->dying, __ATOMIC_SEQ_CST)) {
		pthread_mutex_lock(&ring_lock);
		if (s->dying && __atomic_load_n(&s->users, __ATOMIC_SEQ_CST) == 0 && s->ring.hdr)
			ring_retire_locked(s);
		pthread_mutex_unlock(&ring_lock);
	}
}

/* @fd is being closed (or replaced): unregister its ring. */
static inline void ring_forget(int fd)
{
	struct ring_slot **cell = ring_cell(fd, 0), *s;

	if (!cell || !__atomic_load_n(cell, __ATOMIC_ACQUIRE))
		return;
	pthread_mutex_lock(&ring_lock);
	s = *cell;
	if (s) {
		__atomic_store_n(cell, NULL, __ATOMIC_SEQ_CST);
		__atomic_store_n(&s->dying, 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&s->users, __ATOMIC_SEQ_CST) == 0)
			ring_retire_locked(s);
	}
	pthread_mutex_unlock(&ring_lock);
}

/* The harvest: never a system call, never blocks (see THE PROTOCOL). */
static inline int ring_harvest(struct ep2_ring *ring, struct epoll_event *events, int maxevents)
{
	struct ep2_ring_header *hdr = ring->hdr;
	uint32_t head, tail, h, cur;
	int n = 0;

	head = __atomic_load_n(&hdr->head, __ATOMIC_ACQUIRE);
	tail = __atomic_load_n(&hdr->tail, __ATOMIC_ACQUIRE);
	if (tail - head > ring->nentries || head == tail)
		return 0;	/* empty, or indexes scribbled on: nothing to trust */
	for (h = head; h != tail && n < maxevents; h++) {
		struct ep2_ring_entry *e = &ring->entries[h & ring->mask];
		uint64_t *word = (uint64_t *)e;
		uint64_t w = __atomic_load_n(word, __ATOMIC_ACQUIRE);

		/* Retry while it is claimable: the kernel may update it in place. */
		while ((uint32_t)(w >> 32) == h && (uint32_t)w != 0) {
			uint64_t data = __atomic_load_n(&e->data, __ATOMIC_RELAXED);

			if (__atomic_compare_exchange_n(word, &w, (uint64_t)h << 32, 0,
							__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
				events[n].events = (uint32_t)w;
				events[n].data.u64 = data;
				n++;
				break;
			}
		}
	}
	cur = head;
	while (!__atomic_compare_exchange_n(&hdr->head, &cur, h, 0, __ATOMIC_RELEASE, __ATOMIC_ACQUIRE))
		if ((int32_t)(cur - h) >= 0)
			break;	/* another consumer went further */
	return n;
}

/*
 * A wait on @fd: from its ring, without a system call, when the kernel has
 * nothing the ring does not.  Returns -1 when the kernel must be asked in
 * the normal way: no ring, bad maxevents, the ring empty, or kernel_pending
 * set (the kernel then publishes what is pending into the ring, so an item
 * coalesces with its unclaimed entry, takes the ring, then the rest: one
 * call gives what epoll_wait() would).  Otherwise the events taken.
 */
static inline int ring_take_first(int fd, struct epoll_event *events, int maxevents)
{
	struct ring_slot *s;
	int n = -1;

	if (maxevents <= 0 || !(s = ring_get(fd)))
		return -1;
	if (!__atomic_load_n(&s->ring.hdr->kernel_pending, __ATOMIC_ACQUIRE))
		n = ring_harvest(&s->ring, events, maxevents);
	ring_put(s);
	return n > 0 ? n : -1;
}

#endif /* EP2_RING_IMPL_H */
