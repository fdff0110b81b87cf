/* header_codec.c - tag-length-value encoding of struct grr_header (HEADER chunk). */
#include "format/codec.h"

#include <string.h>

#include "format/chunk.h"
#include "format/varint.h"

static const char *nz(const char *s)
{
	return s ? s : "";
}

static int put_field(struct grr_buf *out, unsigned tag, const struct grr_buf *val)
{
	if (grr_buf_varint(out, tag))
		return -1;
	return grr_buf_bytes(out, val->p, val->len);
}

static int put_str_field(struct grr_buf *out, unsigned tag, const char *s)
{
	s = nz(s);
	if (grr_buf_varint(out, tag))
		return -1;
	return grr_buf_bytes(out, s, strlen(s));
}

static int put_u64_field(struct grr_buf *out, unsigned tag, uint64_t v)
{
	uint8_t tmp[GRR_VARINT_MAX];
	size_t n = grr_varint_put(tmp, v);
	if (grr_buf_varint(out, tag))
		return -1;
	return grr_buf_bytes(out, tmp, n);
}

static int put_strv_field(struct grr_buf *out, struct grr_buf *t, unsigned tag,
			  uint32_t n, char *const *v)
{
	t->len = 0;
	if (grr_buf_varint(t, n))
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		const char *s = v ? nz(v[i]) : "";
		if (grr_buf_bytes(t, s, strlen(s)))
			return -1;
	}
	return put_field(out, tag, t);
}

int grr_header_encode(struct grr_buf *out, const struct grr_header *h)
{
	struct grr_buf t = { 0 };
	int rc = -1;

	if (put_str_field(out, GRR_TAG_PROGRAM, h->program) ||
	    put_str_field(out, GRR_TAG_CWD, h->cwd) ||
	    put_strv_field(out, &t, GRR_TAG_ARGV, h->argc, h->argv) ||
	    put_strv_field(out, &t, GRR_TAG_ENVP, h->envc, h->envp))
		goto out;

	t.len = 0;
	if (grr_buf_varint(&t, h->auxv ? h->nauxv : 0))
		goto out;
	for (uint32_t i = 0; h->auxv && i < h->nauxv; i++)
		if (grr_buf_varint(&t, h->auxv[i].key) || grr_buf_varint(&t, h->auxv[i].val))
			goto out;
	if (put_field(out, GRR_TAG_AUXV, &t))
		goto out;

	if (grr_buf_varint(out, GRR_TAG_AT_RANDOM) ||
	    grr_buf_bytes(out, h->at_random, sizeof(h->at_random)) ||
	    put_u64_field(out, GRR_TAG_INITIAL_SP, h->initial_sp))
		goto out;

	t.len = 0;
	if (grr_buf_varint(&t, h->maps ? h->nmaps : 0))
		goto out;
	for (uint32_t i = 0; h->maps && i < h->nmaps; i++) {
		const struct grr_mapping *m = &h->maps[i];
		if (grr_buf_varint(&t, m->start) || grr_buf_varint(&t, m->end) ||
		    grr_buf_varint(&t, m->offset) || grr_buf_varint(&t, m->prot) ||
		    grr_buf_varint(&t, m->flags) ||
		    grr_buf_bytes(&t, nz(m->path), strlen(nz(m->path))))
			goto out;
	}
	if (put_field(out, GRR_TAG_MAPS, &t))
		goto out;

	if (put_str_field(out, GRR_TAG_BUILD_ID, h->build_id) ||
	    put_str_field(out, GRR_TAG_GO_VERSION, h->go_version))
		goto out;

	t.len = 0;
	char vendor[12] = { 0 };
	memcpy(vendor, h->cpu.vendor, strnlen(h->cpu.vendor, sizeof(vendor)));
	if (grr_buf_put(&t, vendor, 12) || grr_buf_varint(&t, h->cpu.family) ||
	    grr_buf_varint(&t, h->cpu.model) || grr_buf_varint(&t, h->cpu.stepping) ||
	    grr_buf_varint(&t, GRR_CPUID_NWORDS))
		goto out;
	for (int i = 0; i < GRR_CPUID_NWORDS; i++)
		if (grr_buf_varint(&t, h->cpu.features[i]))
			goto out;
	if (put_field(out, GRR_TAG_CPU, &t))
		goto out;

	if (put_str_field(out, GRR_TAG_GRR_VERSION, h->grr_version) ||
	    put_u64_field(out, GRR_TAG_START_TIME, h->start_time_ns) ||
	    put_u64_field(out, GRR_TAG_CHAOS_SEED, h->chaos_seed) ||
	    put_u64_field(out, GRR_TAG_FLAGS, h->flags))
		goto out;
	if (h->env_screened &&
	    (put_strv_field(out, &t, GRR_TAG_ENV_WITHHELD, h->nwithheld, h->withheld) ||
	     put_strv_field(out, &t, GRR_TAG_ENV_KEPT_SECRET, h->nkept_secret, h->kept_secret)))
		goto out;
	rc = 0;
out:
	grr_buf_free(&t);
	return rc;
}

/* ---- decoding ---- */

static char *dup_bytes(const uint8_t *p, size_t n)
{
	char *s = malloc(n + 1);
	if (!s)
		return NULL;
	if (n)
		memcpy(s, p, n);
	s[n] = 0;
	return s;
}

/* Replaces *dst with a copy of the value; -1 if out of memory. */
static int set_str(char **dst, const uint8_t *p, size_t n)
{
	char *s = dup_bytes(p, n);
	if (!s)
		return -1;
	free(*dst);
	*dst = s;
	return 0;
}

static int get_bytes(const uint8_t **p, const uint8_t *end, const uint8_t **s, size_t *n)
{
	uint64_t len;
	if (grr_varint_get(p, end, &len) || len > (uint64_t)(end - *p))
		return -1;
	*s = *p;
	*n = (size_t)len;
	*p += len;
	return 0;
}

static void free_strv(char **v, uint32_t n)
{
	for (uint32_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

/* varint count, then count strings; -1 malformed, -3 out of memory */
static int get_strv(const uint8_t *p, const uint8_t *end, char ***out, uint32_t *outn)
{
	uint64_t n;
	if (grr_varint_get(&p, end, &n) || n > (uint64_t)(end - p) || n > GRR_MAX_STRINGS)
		return -1;
	char **v = calloc((size_t)n + 1, sizeof(*v));
	if (!v)
		return -3;
	for (uint64_t i = 0; i < n; i++) {
		const uint8_t *s;
		size_t len;
		if (get_bytes(&p, end, &s, &len)) {
			free_strv(v, (uint32_t)n);
			return -1;
		}
		if (!(v[i] = dup_bytes(s, len))) {
			free_strv(v, (uint32_t)n);
			return -3;
		}
	}
	if (p != end) {
		free_strv(v, (uint32_t)n);
		return -1;
	}
	free_strv(*out, *outn);
	*out = v;
	*outn = (uint32_t)n;
	return 0;
}

static int get_u64_val(const uint8_t *p, const uint8_t *end, uint64_t *v)
{
	return grr_varint_get(&p, end, v) || p != end ? -1 : 0;
}

static int get_u32v(const uint8_t **p, const uint8_t *end, uint32_t *v)
{
	uint64_t x;
	if (grr_varint_get(p, end, &x) || x > UINT32_MAX)
		return -1;
	*v = (uint32_t)x;
	return 0;
}

static int decode_field(struct grr_header *h, uint64_t tag, const uint8_t *p, const uint8_t *end,
			const char **why)
{
	uint64_t v;
	int rc;
	switch (tag) {
	case GRR_TAG_PROGRAM:
		return set_str(&h->program, p, (size_t)(end - p)) ? -3 : 0;
	case GRR_TAG_CWD:
		return set_str(&h->cwd, p, (size_t)(end - p)) ? -3 : 0;
	case GRR_TAG_BUILD_ID:
		return set_str(&h->build_id, p, (size_t)(end - p)) ? -3 : 0;
	case GRR_TAG_GO_VERSION:
		return set_str(&h->go_version, p, (size_t)(end - p)) ? -3 : 0;
	case GRR_TAG_GRR_VERSION:
		return set_str(&h->grr_version, p, (size_t)(end - p)) ? -3 : 0;
	case GRR_TAG_ARGV:
		rc = get_strv(p, end, &h->argv, &h->argc);
		if (rc == -1)
			*why = "bad argv field";
		return rc;
	case GRR_TAG_ENVP:
		rc = get_strv(p, end, &h->envp, &h->envc);
		if (rc == -1)
			*why = "bad envp field";
		return rc;
	case GRR_TAG_ENV_WITHHELD:
		rc = get_strv(p, end, &h->withheld, &h->nwithheld);
		if (rc == -1)
			*why = "bad withheld environment field";
		h->env_screened = rc == 0;
		return rc;
	case GRR_TAG_ENV_KEPT_SECRET:
		rc = get_strv(p, end, &h->kept_secret, &h->nkept_secret);
		if (rc == -1)
			*why = "bad kept environment field";
		return rc;
	case GRR_TAG_AUXV: {
		if (grr_varint_get(&p, end, &v) || v > (uint64_t)(end - p) / 2 || v > GRR_MAX_AUXV) {
			*why = "bad auxv field";
			return -1;
		}
		struct grr_auxv_entry *a = calloc(v ? (size_t)v : 1, sizeof(*a));
		if (!a)
			return -3;
		for (uint64_t i = 0; i < v; i++)
			if (grr_varint_get(&p, end, &a[i].key) || grr_varint_get(&p, end, &a[i].val)) {
				free(a);
				*why = "bad auxv field";
				return -1;
			}
		free(h->auxv);
		h->auxv = a;
		h->nauxv = (uint32_t)v;
		return 0;
	}
	case GRR_TAG_AT_RANDOM:
		if (end - p != 16) {
			*why = "bad AT_RANDOM field";
			return -1;
		}
		memcpy(h->at_random, p, 16);
		return 0;
	case GRR_TAG_INITIAL_SP:
		if (get_u64_val(p, end, &h->initial_sp)) {
			*why = "bad initial_sp field";
			return -1;
		}
		return 0;
	case GRR_TAG_MAPS: {
		/* each mapping takes at least 6 bytes */
		if (grr_varint_get(&p, end, &v) || v > (uint64_t)(end - p) / 6 || v > GRR_MAX_MAPS) {
			*why = "bad maps field";
			return -1;
		}
		struct grr_mapping *m = calloc(v ? (size_t)v : 1, sizeof(*m));
		if (!m)
			return -3;
		uint64_t i;
		for (i = 0; i < v; i++) {
			const uint8_t *s;
			size_t n;
			if (grr_varint_get(&p, end, &m[i].start) || grr_varint_get(&p, end, &m[i].end) ||
			    grr_varint_get(&p, end, &m[i].offset) || get_u32v(&p, end, &m[i].prot) ||
			    get_u32v(&p, end, &m[i].flags) || get_bytes(&p, end, &s, &n))
				break;
			if (!(m[i].path = dup_bytes(s, n))) {
				rc = -3;
				goto maps_fail;
			}
		}
		if (i == v && p == end) {
			for (uint32_t k = 0; h->maps && k < h->nmaps; k++)
				free(h->maps[k].path);
			free(h->maps);
			h->maps = m;
			h->nmaps = (uint32_t)v;
			return 0;
		}
		*why = "bad maps field";
		rc = -1;
maps_fail:
		for (uint64_t k = 0; k < v; k++)
			free(m[k].path);
		free(m);
		return rc;
	}
	case GRR_TAG_CPU: {
		if (end - p < 12) {
			*why = "bad cpu field";
			return -1;
		}
		memset(&h->cpu, 0, sizeof(h->cpu));
		memcpy(h->cpu.vendor, p, 12);
		h->cpu.vendor[12] = 0;
		p += 12;
		uint32_t nw;
		if (get_u32v(&p, end, &h->cpu.family) || get_u32v(&p, end, &h->cpu.model) ||
		    get_u32v(&p, end, &h->cpu.stepping) || get_u32v(&p, end, &nw)) {
			*why = "bad cpu field";
			return -1;
		}
		for (uint32_t i = 0; i < nw; i++) {
			uint32_t w;
			if (get_u32v(&p, end, &w)) {
				*why = "bad cpu field";
				return -1;
			}
			if (i < GRR_CPUID_NWORDS)   /* words added later are skipped */
				h->cpu.features[i] = w;
		}
		return 0;
	}
	case GRR_TAG_START_TIME:
		if (get_u64_val(p, end, &h->start_time_ns)) {
			*why = "bad start time field";
			return -1;
		}
		return 0;
	case GRR_TAG_CHAOS_SEED:
		if (get_u64_val(p, end, &h->chaos_seed)) {
			*why = "bad chaos seed field";
			return -1;
		}
		return 0;
	case GRR_TAG_FLAGS:
		if (get_u64_val(p, end, &v) || v > UINT32_MAX) {
			*why = "bad flags field";
			return -1;
		}
		h->flags = (uint32_t)v;
		return 0;
	default:
		return 0;   /* a field from a newer minor version: skipped */
	}
}

int grr_header_decode(const uint8_t *p, size_t n, struct grr_header *h, const char **why)
{
	const uint8_t *end = p + n;
	memset(h, 0, sizeof(*h));
	*why = "out of memory";
	while (p < end) {
		uint64_t tag;
		const uint8_t *val;
		size_t len;
		if (grr_varint_get(&p, end, &tag) || get_bytes(&p, end, &val, &len)) {
			*why = "malformed header field";
			goto fail;
		}
		int rc = decode_field(h, tag, val, val + len, why);
		if (rc == -3)
			*why = "out of memory";
		if (rc)
			goto fail;
	}
	/* fields absent from the chunk read as empty */
	char **strs[] = { &h->program, &h->cwd, &h->build_id, &h->go_version, &h->grr_version };
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (!*strs[i] && !(*strs[i] = dup_bytes(NULL, 0)))
			goto fail;
	if (!h->argv && !(h->argv = calloc(1, sizeof(char *))))
		goto fail;
	if (!h->envp && !(h->envp = calloc(1, sizeof(char *))))
		goto fail;
	if (!h->withheld && !(h->withheld = calloc(1, sizeof(char *))))
		goto fail;
	if (!h->kept_secret && !(h->kept_secret = calloc(1, sizeof(char *))))
		goto fail;
	*why = NULL;
	return 0;
fail:
	grr_header_free(h);
	return -1;
}
