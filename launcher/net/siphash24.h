/* net/siphash24.h - SipHash-2-4 (Aumasson and Bernstein), 64-bit output. systemd hashes interface
 * names and MAC addresses with it; boxlaunch follows so its names match systemd-nspawn's. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* The 64-bit tag of data under a 16-byte key, as the integer the reference code returns (its
 * little-endian bytes are the reference's output bytes). */
uint64_t siphash24(const void *data, size_t len, const uint8_t key[16]);
