/* core_writer.c - the whole core file: ELF header, program headers
 * (PT_NOTE first, then one PT_LOAD per segment), the notes, the
 * segments' bytes (core_image.h).  Offsets are those the kernel gives:
 * the first segment's bytes at the page boundary after the notes, each
 * next one right after the previous one's p_filesz bytes; a segment left
 * out has p_filesz 0 at the offset where it would start. */
#include "replayer/core/core_image.h"

#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static uint64_t page_up(uint64_t v) { return (v + CORE_PAGE - 1) & ~(CORE_PAGE - 1); }

static uint32_t pflags(uint32_t prot)
{
	return (prot & PROT_READ ? PF_R : 0) | (prot & PROT_WRITE ? PF_W : 0) |
	       (prot & PROT_EXEC ? PF_X : 0);
}

static void elf_header(Elf64_Ehdr *h, uint16_t phnum)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->e_ident, ELFMAG, SELFMAG);
	h->e_ident[EI_CLASS] = ELFCLASS64;
	h->e_ident[EI_DATA] = ELFDATA2LSB;
	h->e_ident[EI_VERSION] = EV_CURRENT;
	h->e_ident[EI_OSABI] = ELFOSABI_NONE;
	h->e_type = ET_CORE;
	h->e_machine = EM_X86_64;
	h->e_version = EV_CURRENT;
	h->e_phoff = sizeof(Elf64_Ehdr);
	h->e_ehsize = sizeof(Elf64_Ehdr);
	h->e_phentsize = sizeof(Elf64_Phdr);
	h->e_phnum = phnum;
}

int core_write(int fd, const struct core_image *im, struct core_stats *st, char *err,
	       size_t errlen)
{
	memset(st, 0, sizeof(*st));
	if (im->nthreads < 1) {
		snprintf(err, errlen, "no thread to write");
		return -1;
	}
	/* Go's debug/elf (Delve, viewcore) does not read PN_XNUM numbering */
	if (im->nsegs + 1 >= PN_XNUM) {
		snprintf(err, errlen, "too many mappings for a core file (%d)", im->nsegs);
		return -1;
	}
	uint8_t *notes;
	size_t nlen;
	if (core_notes_build(im, &notes, &nlen) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	size_t nph = (size_t)im->nsegs + 1;
	size_t hlen = sizeof(Elf64_Ehdr) + nph * sizeof(Elf64_Phdr);
	uint8_t *head = calloc(1, hlen);
	if (!head) {
		free(notes);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	elf_header((Elf64_Ehdr *)head, (uint16_t)nph);
	Elf64_Phdr *ph = (Elf64_Phdr *)(head + sizeof(Elf64_Ehdr));
	ph[0] = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = hlen, .p_filesz = nlen, .p_align = 4 };
	uint64_t off = page_up(hlen + nlen);
	for (int i = 0; i < im->nsegs; i++) {
		const struct core_segment *s = &im->segs[i];
		uint64_t size = s->end - s->start;
		ph[i + 1] = (Elf64_Phdr){
			.p_type = PT_LOAD,
			.p_flags = pflags(s->prot),
			.p_offset = off,
			.p_vaddr = s->start,
			.p_filesz = s->dump ? size : 0,
			.p_memsz = size,
			.p_align = CORE_PAGE,
		};
		off += ph[i + 1].p_filesz;
	}
	st->file_size = off;
	int rc = 0;
	if (core_pwrite_all(fd, head, hlen, 0) < 0 || core_pwrite_all(fd, notes, nlen, hlen) < 0)
		rc = -1;
	for (int i = 0; rc == 0 && i < im->nsegs; i++)
		if (im->segs[i].dump)
			rc = core_segment_write(fd, ph[i + 1].p_offset, &im->segs[i], &im->mem, st);
	/* the holes at the end, if any */
	if (rc == 0 && ftruncate(fd, (off_t)off) < 0)
		rc = -1;
	if (rc < 0)
		snprintf(err, errlen, "%s", strerror(errno));
	st->nsegs = im->nsegs;
	free(head);
	free(notes);
	return rc;
}
