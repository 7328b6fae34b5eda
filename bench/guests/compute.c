/* SPDX-License-Identifier: MIT */
/*
 * A realistic bare-metal compute guest for the benchmarks: each iteration fills a
 * buffer from a PRNG, takes its CRC32 (table driven) and FNV-1a hash, sorts an array
 * (quicksort with insertion sort for short runs), inserts and looks up keys in an
 * open-addressing hash table and multiplies two small matrices. That mixes short and
 * long blocks, loads, stores, calls and data-dependent branches. The iteration count
 * is at 0x80001000 (start.S, guests/common.inc); at the end the guest prints a checksum
 * over the UART, the same with and without a plugin.
 */
#include <stddef.h>
#include <stdint.h>

#define DEFAULT_ITERATIONS 100
#define BUFFER_BYTES 2048
#define SORT_ELEMENTS 384
#define TABLE_SLOTS 512 /* power of two */
#define TABLE_KEYS 320
#define MATRIX_N 8

extern volatile uint64_t iterations; /* start.S (PARAMS) */

static volatile uint8_t *const uart = (volatile uint8_t *)0x10000000;

static uint32_t crc_table[256];
static uint8_t buffer[BUFFER_BYTES];
static uint32_t sort_array[SORT_ELEMENTS];
static uint32_t table_keys[TABLE_SLOTS];
static int32_t matrix_a[MATRIX_N][MATRIX_N], matrix_b[MATRIX_N][MATRIX_N],
	matrix_c[MATRIX_N][MATRIX_N];

/* clang may turn loops into calls to these even when freestanding. */
void *memset(void *dst, int value, size_t len);
void *memcpy(void *dst, const void *src, size_t len);

void *memset(void *dst, int value, size_t len)
{
	uint8_t *d = dst;

	while (len--)
		*d++ = (uint8_t)value;
	return dst;
}

void *memcpy(void *dst, const void *src, size_t len)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	while (len--)
		*d++ = *s++;
	return dst;
}

static uint32_t xorshift32(uint32_t *state)
{
	uint32_t x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}

static void crc32_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int bit = 0; bit < 8; bit++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

static uint32_t crc32(const uint8_t *data, size_t len)
{
	uint32_t crc = 0xffffffffu;

	for (size_t i = 0; i < len; i++)
		crc = crc_table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static uint32_t fnv1a(const uint8_t *data, size_t len)
{
	uint32_t hash = 2166136261u;

	for (size_t i = 0; i < len; i++)
		hash = (hash ^ data[i]) * 16777619u;
	return hash;
}

static void insertion_sort(uint32_t *a, int n)
{
	for (int i = 1; i < n; i++) {
		uint32_t v = a[i];
		int j = i - 1;

		while (j >= 0 && a[j] > v) {
			a[j + 1] = a[j];
			j--;
		}
		a[j + 1] = v;
	}
}

static void quicksort(uint32_t *a, int n)
{
	while (n > 16) {
		uint32_t pivot = a[n / 2];
		int i = 0, j = n - 1;

		while (i <= j) {
			while (a[i] < pivot)
				i++;
			while (a[j] > pivot)
				j--;
			if (i <= j) {
				uint32_t t = a[i];

				a[i++] = a[j];
				a[j--] = t;
			}
		}
		/* Recurse into the smaller part, loop on the larger one. */
		if (j + 1 < n - i) {
			quicksort(a, j + 1);
			a += i;
			n -= i;
		} else {
			quicksort(a + i, n - i);
			n = j + 1;
		}
	}
	insertion_sort(a, n);
}

/* Inserts key (nonzero) with linear probing; returns the probes it took. */
static uint32_t table_insert(uint32_t key)
{
	uint32_t slot = (key * 2654435761u) & (TABLE_SLOTS - 1);
	uint32_t probes = 1;

	while (table_keys[slot] != 0 && table_keys[slot] != key) {
		slot = (slot + 1) & (TABLE_SLOTS - 1);
		probes++;
	}
	table_keys[slot] = key;
	return probes;
}

static int table_contains(uint32_t key)
{
	uint32_t slot = (key * 2654435761u) & (TABLE_SLOTS - 1);

	while (table_keys[slot] != 0) {
		if (table_keys[slot] == key)
			return 1;
		slot = (slot + 1) & (TABLE_SLOTS - 1);
	}
	return 0;
}

static uint32_t matrix_multiply(uint32_t *state)
{
	uint32_t trace = 0;

	for (int i = 0; i < MATRIX_N; i++)
		for (int j = 0; j < MATRIX_N; j++) {
			matrix_a[i][j] = (int32_t)(xorshift32(state) & 0xff) - 128;
			matrix_b[i][j] = (int32_t)(xorshift32(state) & 0xff) - 128;
		}
	for (int i = 0; i < MATRIX_N; i++)
		for (int j = 0; j < MATRIX_N; j++) {
			int32_t sum = 0;

			for (int k = 0; k < MATRIX_N; k++)
				sum += matrix_a[i][k] * matrix_b[k][j];
			matrix_c[i][j] = sum;
		}
	for (int i = 0; i < MATRIX_N; i++)
		trace += (uint32_t)matrix_c[i][i];
	return trace;
}

static uint32_t one_iteration(uint32_t *state)
{
	uint32_t sum = 0;

	for (size_t i = 0; i < BUFFER_BYTES; i += 4) {
		uint32_t r = xorshift32(state);

		memcpy(&buffer[i], &r, 4);
	}
	sum += crc32(buffer, BUFFER_BYTES);
	sum ^= fnv1a(buffer, BUFFER_BYTES);

	for (int i = 0; i < SORT_ELEMENTS; i++)
		sort_array[i] = xorshift32(state);
	quicksort(sort_array, SORT_ELEMENTS);
	sum += sort_array[0] ^ sort_array[SORT_ELEMENTS / 2] ^ sort_array[SORT_ELEMENTS - 1];

	memset(table_keys, 0, sizeof(table_keys));
	for (int i = 0; i < TABLE_KEYS; i++)
		sum += table_insert(sort_array[i] | 1);
	for (int i = 0; i < TABLE_KEYS; i++)
		sum += (uint32_t)table_contains(xorshift32(state) | 1);

	return sum + matrix_multiply(state);
}

static void put_hex(uint32_t value)
{
	for (int shift = 28; shift >= 0; shift -= 4)
		*uart = (uint8_t)"0123456789abcdef"[(value >> shift) & 0xf];
}

static void put_string(const char *s)
{
	while (*s)
		*uart = (uint8_t)*s++;
}

int main(void);

int main(void)
{
	uint64_t n = iterations ? iterations : DEFAULT_ITERATIONS;
	uint32_t state = 2463534242u, checksum = 0;

	crc32_init();
	for (uint64_t i = 0; i < n; i++)
		checksum = checksum * 31 + one_iteration(&state);
	put_string("compute: checksum ");
	put_hex(checksum);
	put_string("\n");
	return 0;
}
