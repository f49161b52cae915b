/*
 * fuzz_phone.c — phone_normalize() on arbitrary bytes: it must not crash,
 * and whatever it accepts must be stored form that normalizes to itself.
 */
#include "phone.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = malloc(size + 1);
    if (in == NULL)
        return 0;
    memcpy(in, data, size);
    in[size] = '\0';
    char out[PHONE_E164_SIZE], again[PHONE_E164_SIZE];
    const char *why = NULL;
    if (phone_normalize(in, out, &why)) {
        if (!phone_is_e164(out) || !phone_normalize(out, again, &why) || strcmp(out, again) != 0)
            abort();
    } else if (why == NULL || why[0] == '\0') {
        abort();
    }
    if (phone_is_e164(in) && (!phone_normalize(in, out, NULL) || strcmp(in, out) != 0))
        abort();
    free(in);
    return 0;
}
