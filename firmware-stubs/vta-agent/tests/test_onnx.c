/* test_onnx.c - SHA-256 known answers and the model reader's refusals (the parity of predictions with OnnxRuntime is
 * tested from C#: HilTuner.Edge.Tests, TheAgentOnArmUnderQemuPrintsWhatOnnxRuntimePrintsOnX64). */
#include <string.h>
#include "onnx_trees.h"
#include "sha256.h"
#include "t.h"

void test_sha256_known_vectors(void)
{
    char hex[65];
    sha256_hex("", 0, hex);
    CHECK(!strcmp(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    sha256_hex("abc", 3, hex);
    CHECK(!strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    const char *two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"; /* 56 bytes: padding spills */
    sha256_hex(two_blocks, strlen(two_blocks), hex);
    CHECK(!strcmp(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
    static char million[1000000];
    memset(million, 'a', sizeof(million));
    sha256_hex(million, sizeof(million), hex);
    CHECK(!strcmp(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
}

/* Appends a length-delimited field. */
static size_t put(uint8_t *out, size_t n, int field, const void *bytes, size_t len)
{
    out[n++] = (uint8_t)(field << 3 | 2);
    out[n++] = (uint8_t)len; /* the test's fields are short */
    memcpy(out + n, bytes, len);
    return n + len;
}

static size_t put_meta(uint8_t *out, size_t n, const char *key, const char *value)
{
    uint8_t entry[128];
    size_t e = put(entry, 0, 1, key, strlen(key));
    e = put(entry, e, 2, value, strlen(value));
    return put(out, n, 14, entry, e);
}

static int refused_with(const uint8_t *bytes, size_t len, const char *fragment)
{
    char err[512] = "";
    ot_model_t *m = ot_load(bytes, len, err, sizeof(err));
    ot_free(m);
    if (m || !strstr(err, fragment)) {
        printf("    got: %s\n", m ? "(loaded)" : err);
        return 0;
    }
    return 1;
}

void test_onnx_refuses_what_is_not_a_checked_model(void)
{
    uint8_t file[1024] = {0};
    CHECK(refused_with(file, 0, "empty"));
    const uint8_t garbage[] = {0xff, 0xff, 0xff};
    CHECK(refused_with(garbage, sizeof(garbage), "not an ONNX model"));

    size_t n = 0;
    file[n++] = 0x08; /* ir_version 8 */
    file[n++] = 8;
    n = put(file, n, 7, "", 0); /* an empty graph */
    CHECK(refused_with(file, n, "not a HilTuner calibrated tree-ensemble model"));

    size_t with_other_format = put_meta(file, n, "hiltuner_format", "something-else/9");
    CHECK(refused_with(file, with_other_format, "its format is 'something-else/9'"));

    n = put_meta(file, n, "hiltuner_format", "calibrated-tree-ensemble/1");
    CHECK(refused_with(file, n, "no 'hiltuner_sha256' entry at its end"));

    char hex[65];
    sha256_hex(file, n, hex);
    size_t sealed = put_meta(file, n, "hiltuner_sha256", hex);
    CHECK(refused_with(file, sealed, "feature_names")); /* checksum holds: the next check speaks */

    file[1] ^= 1; /* a changed byte before the checksum (the IR version: still protobuf) */
    CHECK(refused_with(file, sealed, "does not match its SHA-256 checksum"));
    file[1] ^= 1;
    CHECK(refused_with(file, sealed - 5, "not an ONNX model")); /* truncated */
}
