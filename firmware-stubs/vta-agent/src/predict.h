/* predict.h - `vta-agent predict`: the validity model evaluated on the board (see onnx_trees.h). */
#ifndef VTA_AGENT_PREDICT_H
#define VTA_AGENT_PREDICT_H
#include <stdio.h>

/* argv[0] is "predict". Reads CSV rows (header "index,<feature names>", then "N,v1,…,vF" per configuration, as
 * `hiltuner-predict --features` writes them) from in, writes one JSON line per row to out, problems to err as one
 * line. Returns the exit code: 0, or 2 for bad input (model, flags, header, row). */
int predict_main(int argc, char **argv, FILE *in, FILE *out, FILE *err);
#endif
