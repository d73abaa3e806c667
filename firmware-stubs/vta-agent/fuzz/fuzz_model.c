/* fuzz_model.c - libFuzzer target: the validity-model reader (a hostile or damaged .onnx file) and, when a file loads,
 * one prediction. Built with OT_FUZZING so that inputs get past the SHA-256 check to the protobuf and graph readers
 * (the checksum entry must still be there and last). */
#include <stdint.h>
#include <stdlib.h>
#include "onnx_trees.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512];
    ot_model_t *m = ot_load(data, size, err, sizeof(err));
    if (m) {
        float *row = calloc(ot_feature_count(m), sizeof(float));
        float *heads = calloc(ot_head_count(m), sizeof(float));
        if (row && heads)
            ot_predict(m, row, heads);
        free(row);
        free(heads);
        ot_free(m);
    }
    return 0;
}
