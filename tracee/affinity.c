/* affinity.c - grr's thread and the traced program on one CPU
 * (see affinity.h). */
#include "tracee/affinity.h"

#include <string.h>

int grr_affinity_pin(struct grr_affinity *a, pid_t pid)
{
	memset(a, 0, sizeof(*a));
	if (sched_getaffinity(0, sizeof(a->saved), &a->saved) < 0)
		return -1;
	int cpu = sched_getcpu();
	if (cpu < 0 || cpu >= CPU_SETSIZE || CPU_COUNT(&a->saved) < 2)
		return cpu < 0 ? -1 : 0;
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(pid, sizeof(one), &one) < 0)
		return -1;
	if (sched_setaffinity(0, sizeof(one), &one) < 0) {
		(void)sched_setaffinity(pid, sizeof(a->saved), &a->saved);
		return -1;
	}
	a->active = a->owner = true;
	return 0;
}

void grr_affinity_restore(struct grr_affinity *a)
{
	if (a->owner)
		(void)sched_setaffinity(0, sizeof(a->saved), &a->saved);
	a->owner = false;
}

void grr_affinity_share(const struct grr_affinity *a, struct grr_affinity *copy)
{
	*copy = *a;
	copy->owner = false;
}

const cpu_set_t *grr_affinity_helpers(const struct grr_affinity *a)
{
	return a->active ? &a->saved : NULL;
}
