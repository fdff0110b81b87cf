/* cpuid_vars.c - where a Go program keeps raw CPUID results (see cpuid_vars.h). */
#include "tracee/cpuid_vars.h"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <string.h>
#include <unistd.h>

static const char *const names[] = {
	"runtime.processorVersionInfo",
	"runtime.isIntel",
	"runtime.lfenceBeforeRdtsc",
	"internal/cpu.X86",
	"internal/cpu.maxExtendedFunctionInformation",
	"vendor/golang.org/x/sys/cpu.X86",
	"golang.org/x/sys/cpu.X86",
};

static int scan_symtab(Elf *e, Elf_Scn *scn, const GElf_Shdr *sh, struct grr_range *out)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	if (!d || !sh->sh_entsize)
		return 0;
	int n = 0;
	size_t count = sh->sh_size / sh->sh_entsize;
	for (size_t i = 0; i < count && n < GRR_CPUID_VARS_MAX; i++) {
		GElf_Sym sym;
		if (!gelf_getsym(d, (int)i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_OBJECT ||
		    !sym.st_value || !sym.st_size)
			continue;
		const char *name = elf_strptr(e, sh->sh_link, sym.st_name);
		for (size_t k = 0; name && k < sizeof(names) / sizeof(names[0]); k++) {
			if (strcmp(name, names[k]) == 0) {
				out[n].addr = sym.st_value;
				out[n].len = sym.st_size;
				n++;
				break;
			}
		}
	}
	return n;
}

int grr_cpuid_vars(const char *path, struct grr_range *out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	elf_version(EV_CURRENT);
	Elf *e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	int n = e ? 0 : -1;
	Elf_Scn *scn = NULL;
	while (e && (scn = elf_nextscn(e, scn)) != NULL) {
		GElf_Shdr sh;
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB) {
			n = scan_symtab(e, scn, &sh, out);
			break;
		}
	}
	if (e)
		elf_end(e);
	close(fd);
	return n;
}
