/* sym_buildinfo.c - the Go version an executable was built with, from its
 * .go.buildinfo section.
 *
 * The section starts with the 14-byte magic "\xff Go buildinf:", a pointer
 * size byte and a flags byte.  From Go 1.18 on (flag 2) the version and the
 * module information follow at offset 32 as two strings, each preceded by
 * its length as an unsigned varint.  Older layouts (pointers to the
 * strings) are not read: the version is then unknown. */
#include "replayer/symbols/sym_private.h"

#include <string.h>

#define BI_MAGIC "\xff Go buildinf:"
#define BI_MAGIC_LEN 14
#define BI_HEADER 32
#define BI_INLINE_STRINGS 2

void sym_buildinfo_read(struct sym_elf *e, struct grr_symbols *s)
{
	uint64_t addr;
	size_t size;
	const uint8_t *p = sym_elf_section(e, ".go.buildinfo", &addr, &size);
	s->go_version[0] = 0;
	if (!p || size < BI_HEADER + 1 || memcmp(p, BI_MAGIC, BI_MAGIC_LEN) != 0 ||
	    !(p[15] & BI_INLINE_STRINGS))
		return;
	uint64_t len = 0;
	size_t at = BI_HEADER;
	for (int shift = 0; at < size && shift < 64; shift += 7) {
		uint8_t b = p[at++];
		len |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			break;
	}
	if (len == 0 || len >= sizeof(s->go_version) || at + len > size)
		return;
	memcpy(s->go_version, p + at, len);
	s->go_version[len] = 0;
}

const char *grr_symbols_go_version(const struct grr_symbols *s)
{
	return s ? s->go_version : "";
}
