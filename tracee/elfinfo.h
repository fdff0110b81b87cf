/* elfinfo.h - what grr needs to know about an executable before tracing
 * it: is it a Go program, which Go built it, is it static (cgo programs and
 * non-Go programs are refused), and its build id. */
#ifndef GRR_TRACEE_ELFINFO_H
#define GRR_TRACEE_ELFINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct grr_elfinfo {
	bool is_elf64_x86;
	bool has_interp;          /* dynamically linked: cgo or not Go */
	bool is_go;
	char go_version[64];      /* "go1.26.8" */
	char build_id[256];       /* GNU build id (hex) or Go build id */
	int goamd64;              /* GOAMD64 level the code was compiled for (1..4;
				     1 when the build info does not say) */
	uint64_t entry;
};

/* Returns 0, or -1 with a one-line reason in ERR. */
int grr_elfinfo_read(const char *path, struct grr_elfinfo *info, char *err, size_t errlen);

#endif
