/* crc32c.h - CRC-32C (Castagnoli), software slicing-by-8 (internal). */
#ifndef GRR_FORMAT_CRC32C_H
#define GRR_FORMAT_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Continues CRC (0 to start) over N bytes at P.  crc32c("123456789") is
 * 0xe3069283. */
uint32_t grr_crc32c(uint32_t crc, const void *p, size_t n);

#endif
