/* elfinfo.c - inspect an executable with libelf (see elfinfo.h). */
#include "tracee/elfinfo.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Go's build info blob: "\xff Go buildinf:", pointer size, flags; with
 * flag bit 2 (Go 1.18+) the version string follows at offset 32 as a
 * varint length and bytes. */
static void read_go_version(Elf_Data *d, struct grr_elfinfo *info)
{
	const unsigned char *p = d->d_buf;
	size_t n = d->d_size;
	if (n < 33 || memcmp(p, "\xff Go buildinf:", 14) != 0)
		return;
	info->is_go = true;
	if (!(p[15] & 2))
		return;  /* pre-1.18 pointer format: not supported toolchains */
	uint64_t len = 0;
	size_t i = 32;
	for (int shift = 0; i < n && shift < 64; shift += 7) {
		len |= (uint64_t)(p[i] & 0x7f) << shift;
		if (!(p[i++] & 0x80))
			break;
	}
	if (len < sizeof(info->go_version) && i + len <= n) {
		memcpy(info->go_version, p + i, len);
		info->go_version[len] = 0;
	}
	/* the module info that follows has a "build\tGOAMD64=vN" line */
	const unsigned char *lv = memmem(p, n, "GOAMD64=v", 9);
	if (lv && lv + 9 < p + n && lv[9] >= '1' && lv[9] <= '4')
		info->goamd64 = lv[9] - '0';
}

static void read_note_build_id(Elf_Data *d, bool go_note, struct grr_elfinfo *info)
{
	size_t off = 0, name_off, desc_off;
	GElf_Nhdr nh;
	while ((off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
		const unsigned char *desc = (const unsigned char *)d->d_buf + desc_off;
		if (!go_note && nh.n_type == NT_GNU_BUILD_ID) {
			size_t k = 0;
			for (size_t i = 0; i < nh.n_descsz && k + 3 < sizeof(info->build_id); i++)
				k += snprintf(info->build_id + k, 3, "%02x", desc[i]);
			return;
		}
		if (go_note && nh.n_type == 4 && !info->build_id[0]) {
			size_t len = nh.n_descsz < sizeof(info->build_id) - 1 ?
				     nh.n_descsz : sizeof(info->build_id) - 1;
			memcpy(info->build_id, desc, len);
			info->build_id[len] = 0;
		}
	}
}

static void scan_sections(Elf *e, struct grr_elfinfo *info)
{
	size_t shstrndx;
	if (elf_getshdrstrndx(e, &shstrndx) != 0)
		return;
	Elf_Scn *scn = NULL;
	char go_build_id[256] = "";
	while ((scn = elf_nextscn(e, scn)) != NULL) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh))
			continue;
		const char *name = elf_strptr(e, shstrndx, sh.sh_name);
		if (!name || sh.sh_type == SHT_NOBITS)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		if (!d || !d->d_buf)
			continue;
		if (strcmp(name, ".go.buildinfo") == 0)
			read_go_version(d, info);
		else if (strcmp(name, ".note.gnu.build-id") == 0)
			read_note_build_id(d, false, info);
		else if (strcmp(name, ".note.go.buildid") == 0) {
			struct grr_elfinfo tmp = { 0 };
			read_note_build_id(d, true, &tmp);
			memcpy(go_build_id, tmp.build_id, sizeof(go_build_id));
		} else if (strncmp(name, ".go.", 4) == 0 || strcmp(name, ".gopclntab") == 0 ||
			   strcmp(name, ".gosymtab") == 0) {
			info->is_go = true;
		}
	}
	if (!info->build_id[0])
		memcpy(info->build_id, go_build_id, sizeof(info->build_id));
}

int grr_elfinfo_read(const char *path, struct grr_elfinfo *info, char *err, size_t errlen)
{
	memset(info, 0, sizeof(*info));
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	elf_version(EV_CURRENT);
	Elf *e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	int rc = -1;
	GElf_Ehdr eh;
	if (!e || elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh)) {
		snprintf(err, errlen, "%s: not an ELF executable", path);
		goto out;
	}
	info->is_elf64_x86 = eh.e_ident[EI_CLASS] == ELFCLASS64 && eh.e_machine == EM_X86_64;
	if (!info->is_elf64_x86) {
		snprintf(err, errlen, "%s: not an x86-64 ELF executable", path);
		goto out;
	}
	info->entry = eh.e_entry;
	size_t nph = 0;
	elf_getphdrnum(e, &nph);
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;
		if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_INTERP)
			info->has_interp = true;
	}
	scan_sections(e, info);
	if (!info->goamd64)
		info->goamd64 = 1;
	rc = 0;
out:
	if (e)
		elf_end(e);
	close(fd);
	return rc;
}
