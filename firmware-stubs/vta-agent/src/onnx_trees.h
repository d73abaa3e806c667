/* onnx_trees.h - HilTuner's validity model (a calibrated tree-ensemble ONNX file) evaluated on the board itself.
 *
 * For boards whose platform OnnxRuntime ships no library for and .NET is not installed on (32-bit ARM: PYNQ-Z1/Z2,
 * DE10-Nano): the agent reads the very file `hiltuner model train-validity` writes and evaluates its graph with ONNX's
 * semantics as OnnxRuntime runs them in float, like the C# managed evaluator (src/HilTuner.Onnx/ManagedTreePredictor.cs):
 * ai.onnx.ml TreeEnsembleRegressor (opsets 1-4, one target, SUM, no post transform, every branch mode, NaN to the
 * false branch unless the node's missing value tracks true; leaf weights summed in float in tree order, then the base
 * value), then Mul, Add, Sub, Div, Neg and Sigmoid on one value per row and one-element float initializers. The file's
 * SHA-256 checksum (its last metadata entry) is verified first. Anything else is refused with one line naming it.
 * Loading allocates; predicting does not. */
#ifndef VTA_AGENT_ONNX_TREES_H
#define VTA_AGENT_ONNX_TREES_H
#include <stddef.h>
#include <stdint.h>

typedef struct ot_model ot_model_t;

/* Parses and checks a model held in memory (the bytes are copied). Returns NULL with the problem in err. */
ot_model_t *ot_load(const uint8_t *bytes, size_t len, char *err, size_t errlen);
void ot_free(ot_model_t *m);

size_t ot_feature_count(const ot_model_t *m);
size_t ot_head_count(const ot_model_t *m);
const char *ot_head_name(const ot_model_t *m, size_t head);
const char *ot_feature_name(const ot_model_t *m, size_t feature);
/* A metadata value (NUL-terminated copy), or NULL when the key is absent. */
const char *ot_metadata(const ot_model_t *m, const char *key);

/* Every head's probability for one row of ot_feature_count values. Not reentrant (one scratch per model). */
void ot_predict(ot_model_t *m, const float *row, float *heads);
#endif
