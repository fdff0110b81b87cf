/* synth_gen.h - generator of synthetic, realistic-looking trace events (tests, benchmark). */
#ifndef GRR_TESTS_SYNTH_GEN_H
#define GRR_TESTS_SYNTH_GEN_H

#include <stdint.h>

#include "format/trace.h"

struct synth;

/* A generator with its own PRNG seeded by SEED. */
struct synth *synth_new(uint64_t seed);
void synth_free(struct synth *s);
/* A plausible header (program, argv, env, maps, CPU ...). Owned by s. */
const struct grr_header *synth_header(struct synth *s);
/* Fills *ev with the next event (pointers valid until the next call).
 * After synth_remaining(s) reaches 0 it ends the threads and the process. */
void synth_next(struct synth *s, struct grr_event *ev, uint64_t events_left);

/* Bit k set: write k of the last event holds fresh (never seen) data whose
 * first 8 bytes are a counter. */
unsigned synth_fresh_mask(const struct synth *s);

#endif
