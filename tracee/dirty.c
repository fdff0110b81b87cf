/* dirty.c - written-page tracking with a write-protecting userfaultfd
 * (see dirty.h). */
#include "tracee/dirty.h"
#include "tracee/remote.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Linux 6.7 ABI, newer than the C library's headers on Debian 12. */
#ifndef PAGEMAP_SCAN
struct page_region {
	uint64_t start, end, categories;
};
struct pm_scan_arg {
	uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask, return_mask;
};
#define PAGEMAP_SCAN _IOWR('f', 16, struct pm_scan_arg)
#define PM_SCAN_WP_MATCHING (1 << 0)
#define PM_SCAN_CHECK_WPASYNC (1 << 1)
#define PAGE_IS_WRITTEN (1 << 1)
#endif
#ifndef UFFD_FEATURE_WP_ASYNC
#define UFFD_FEATURE_WP_UNPOPULATED (1 << 13)
#define UFFD_FEATURE_WP_ASYNC (1 << 15)
#endif
#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif

#define SCAN_BATCH 256

int grr_range_list_add(struct grr_range_list *l, uint64_t addr, uint64_t len)
{
	if (l->n && l->v[l->n - 1].addr + l->v[l->n - 1].len == addr) {
		l->v[l->n - 1].len += len;
		return 0;
	}
	if (l->n == l->cap) {
		uint32_t cap = l->cap ? l->cap * 2 : 64;
		struct grr_range *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n].addr = addr;
	l->v[l->n].len = len;
	l->n++;
	return 0;
}

void grr_range_list_free(struct grr_range_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int open_pagemap(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	return open(path, O_RDONLY | O_CLOEXEC);
}

int grr_dirty_adopt(struct grr_dirty *d, pid_t pid, int tracee_fd, const char **why)
{
	d->uffd = d->pagemap = -1;
	d->pid = pid;
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		*why = "pidfd_open failed";
		return -1;
	}
	d->uffd = (int)syscall(SYS_pidfd_getfd, pidfd, tracee_fd, 0);
	close(pidfd);
	if (d->uffd < 0) {
		*why = "pidfd_getfd failed";
		return -1;
	}
	struct uffdio_api api = {
		.api = UFFD_API,
		.features = UFFD_FEATURE_WP_ASYNC | UFFD_FEATURE_WP_UNPOPULATED,
	};
	d->pagemap = open_pagemap(pid);
	if (ioctl(d->uffd, UFFDIO_API, &api) < 0 || d->pagemap < 0) {
		*why = d->pagemap < 0 ? "cannot open pagemap" :
			"the kernel has no asynchronous write protection (Linux >= 6.7)";
		grr_dirty_close(d);
		return -1;
	}
	return 0;
}

int grr_dirty_open(struct grr_dirty *d, const struct grr_mem *m, pid_t tid,
		   const char **why)
{
	d->uffd = d->pagemap = -1;
	d->pid = m->pid;
	uint64_t args[6] = { O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY, 0, 0, 0, 0, 0 };
	int64_t fd;
	if (grr_remote_syscall(m, tid, SYS_userfaultfd, args, &fd) < 0 || fd < 0) {
		*why = "userfaultfd(2) failed in the program";
		return -1;
	}
	int rc = grr_dirty_adopt(d, m->pid, (int)fd, why);
	uint64_t cargs[6] = { (uint64_t)fd, 0, 0, 0, 0, 0 };
	int64_t ret;
	if (grr_remote_syscall(m, tid, SYS_close, cargs, &ret) < 0 || ret != 0) {
		*why = "cannot close the program's userfaultfd";
		grr_dirty_close(d);
		return -1;
	}
	return rc;
}

void grr_dirty_close(struct grr_dirty *d)
{
	if (d->uffd >= 0)
		close(d->uffd);
	if (d->pagemap >= 0)
		close(d->pagemap);
	d->uffd = d->pagemap = -1;
}

/* One PAGEMAP_SCAN pass over [START, END) for written pages, protecting
 * them; appends them to OUT (if not NULL).  Returns 0, 1 (not covered),
 * -1. */
static int scan(struct grr_dirty *d, uint64_t start, uint64_t end, struct grr_range_list *out)
{
	struct page_region r[SCAN_BATCH];
	while (start < end) {
		struct pm_scan_arg a = {
			.size = sizeof(a),
			.flags = PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC,
			.start = start,
			.end = end,
			.vec = (uint64_t)(uintptr_t)r,
			.vec_len = SCAN_BATCH,
			.category_mask = PAGE_IS_WRITTEN,
			.return_mask = PAGE_IS_WRITTEN,
		};
		long n = ioctl(d->pagemap, PAGEMAP_SCAN, &a);
		if (n < 0)
			return errno == EPERM ? 1 : -1;
		for (long i = 0; out && i < n; i++)
			if (grr_range_list_add(out, r[i].start, r[i].end - r[i].start) < 0)
				return -1;
		if (a.walk_end <= start)
			return -1;
		start = a.walk_end;
	}
	return 0;
}

int grr_dirty_track(struct grr_dirty *d, uint64_t start, uint64_t end)
{
	struct uffdio_register reg = {
		.range = { .start = start, .len = end - start },
		.mode = UFFDIO_REGISTER_MODE_WP,
	};
	if (ioctl(d->uffd, UFFDIO_REGISTER, &reg) < 0)
		return -1;
	return scan(d, start, end, NULL) == 0 ? 0 : -1;
}

void grr_dirty_untrack(struct grr_dirty *d, uint64_t start, uint64_t end)
{
	struct uffdio_range r = { .start = start, .len = end - start };
	(void)ioctl(d->uffd, UFFDIO_UNREGISTER, &r);
}

int grr_dirty_collect(struct grr_dirty *d, uint64_t start, uint64_t end,
		      struct grr_range_list *out)
{
	return scan(d, start, end, out);
}
