/* header.c - freeing headers and naming event kinds. */
#include <stdlib.h>
#include <string.h>

#include "format/trace.h"

void grr_header_free(struct grr_header *h)
{
	if (!h)
		return;
	free(h->program);
	free(h->cwd);
	for (uint32_t i = 0; h->argv && i < h->argc; i++)
		free(h->argv[i]);
	free(h->argv);
	for (uint32_t i = 0; h->envp && i < h->envc; i++)
		free(h->envp[i]);
	free(h->envp);
	for (uint32_t i = 0; h->withheld && i < h->nwithheld; i++)
		free(h->withheld[i]);
	free(h->withheld);
	for (uint32_t i = 0; h->kept_secret && i < h->nkept_secret; i++)
		free(h->kept_secret[i]);
	free(h->kept_secret);
	free(h->auxv);
	for (uint32_t i = 0; h->maps && i < h->nmaps; i++)
		free(h->maps[i].path);
	free(h->maps);
	free(h->build_id);
	free(h->go_version);
	free(h->grr_version);
	memset(h, 0, sizeof(*h));
}

const char *grr_event_kind_name(unsigned kind)
{
	static const char *const names[] = {
		[GRR_EV_SYSCALL_ENTER] = "syscall_enter",
		[GRR_EV_SYSCALL_EXIT] = "syscall_exit",
		[GRR_EV_SIGNAL] = "signal",
		[GRR_EV_CLONE] = "clone",
		[GRR_EV_THREAD_EXIT] = "thread_exit",
		[GRR_EV_PROCESS_EXIT] = "process_exit",
		[GRR_EV_RDTSC] = "rdtsc",
		[GRR_EV_ANCHOR] = "anchor",
		[GRR_EV_NOTE] = "note",
		[GRR_EV_BUFFERED] = "buffered",
	};
	if (kind >= 1 && kind <= GRR_EV_KIND_MAX)
		return names[kind];
	return "unknown";
}
