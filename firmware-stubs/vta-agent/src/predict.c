/* predict.c - `vta-agent predict --model FILE.onnx [--threshold P]`: every head's probability for each row of
 * features, the gate's verdict beside it. */
#include "predict.h"
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "onnx_trees.h"

#define MAX_MODEL_BYTES (256u << 20)
#define MAX_LINE 65536
#define FAIL_HEAD "p_fail"
#define THRESHOLD_KEY "threshold"

static const char usage[] = "usage: vta-agent predict --model FILE.onnx [--rows FILE.csv] [--threshold P]\n"
                            "  rows.csv: a header \"index,<the model's feature names>\", then one configuration per line\n"
                            "  (hiltuner-predict --features writes them), from FILE.csv or standard input; prints one JSON line per row\n";

static unsigned char *read_file(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s", strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap)
            break;
        if (cap >= MAX_MODEL_BYTES) {
            snprintf(err, errlen, "larger than %u MiB, not a validity model", MAX_MODEL_BYTES >> 20);
            free(buf);
            fclose(f);
            return NULL;
        }
        cap *= 2;
        unsigned char *grown = realloc(buf, cap);
        if (!grown)
            free(buf);
        buf = grown;
    }
    int failed = ferror(f);
    fclose(f);
    if (!buf || failed) {
        snprintf(err, errlen, "%s", buf ? "read error" : "out of memory");
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

/* The next comma-separated field of *p (NUL-terminated in place), or NULL at the end of the line. */
static char *next_field(char **p)
{
    if (!*p)
        return NULL;
    char *start = *p, *comma = strchr(start, ',');
    if (comma) {
        *comma = '\0';
        *p = comma + 1;
    } else {
        *p = NULL;
    }
    return start;
}

static void print_probability(FILE *out, float p)
{
    if (isfinite(p))
        fprintf(out, "%.9g", (double)p);
    else
        fprintf(out, "\"%s\"", isnan(p) ? "NaN" : p > 0 ? "Infinity" : "-Infinity");
}

int predict_main(int argc, char **argv, FILE *in, FILE *out, FILE *err)
{
    const char *model_path = NULL, *rows_path = NULL;
    double threshold = NAN;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(usage, out);
            return 0;
        } else if (!strcmp(argv[i], "--model") && i + 1 < argc) {
            model_path = argv[++i];
        } else if (!strcmp(argv[i], "--rows") && i + 1 < argc) {
            rows_path = argv[++i];
        } else if (!strcmp(argv[i], "--threshold") && i + 1 < argc) {
            char *end;
            errno = 0;
            threshold = strtod(argv[++i], &end);
            if (errno || *end || !(threshold >= 0 && threshold <= 1)) {
                fprintf(err, "vta-agent predict: --threshold %s: not a probability between 0 and 1\n", argv[i]);
                return 2;
            }
        } else {
            fprintf(err, "vta-agent predict: unknown or incomplete option '%s' (see vta-agent predict --help)\n", argv[i]);
            return 2;
        }
    }
    if (!model_path) {
        fprintf(err, "vta-agent predict: --model FILE.onnx is required (see vta-agent predict --help)\n");
        return 2;
    }
    FILE *rows_file = NULL;
    if (rows_path && !(in = rows_file = fopen(rows_path, "r"))) {
        fprintf(err, "vta-agent predict: %s: %s\n", rows_path, strerror(errno));
        return 2;
    }
    const char *rows_name = rows_path ? rows_path : "stdin";
    char problem[512];
    size_t len = 0;
    unsigned char *bytes = read_file(model_path, &len, problem, sizeof(problem));
    ot_model_t *m = bytes ? ot_load(bytes, len, problem, sizeof(problem)) : NULL;
    free(bytes);
    if (!m) {
        fprintf(err, "vta-agent predict: %s: %s\n", model_path, problem);
        if (rows_file)
            fclose(rows_file);
        return 2;
    }
    const char *stored = ot_metadata(m, THRESHOLD_KEY);
    if (isnan(threshold))
        threshold = stored ? strtod(stored, NULL) : 0.5;
    size_t fail_head = ot_head_count(m);
    for (size_t h = 0; h < ot_head_count(m); h++)
        if (!strcmp(ot_head_name(m, h), FAIL_HEAD))
            fail_head = h;

    size_t features = ot_feature_count(m), heads = ot_head_count(m);
    static char line[MAX_LINE];
    float *row = calloc(features, sizeof(float)), *probabilities = calloc(heads, sizeof(float));
    int rc = 0;
    long line_no = 0;
    if (!row || !probabilities) {
        fprintf(err, "vta-agent predict: out of memory\n");
        rc = 2;
    }
    while (rc == 0 && fgets(line, sizeof(line), in)) {
        line_no++;
        size_t n = strlen(line);
        if (n == sizeof(line) - 1 && line[n - 1] != '\n') {
            fprintf(err, "vta-agent predict: %s line %ld: longer than %d bytes\n", rows_name, line_no, MAX_LINE - 1);
            rc = 2;
            break;
        }
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0)
            continue;
        char *p = line;
        char *first = next_field(&p);
        if (line_no == 1) {
            /* the header: "index", then exactly the model's feature names in its column order */
            size_t k = 0;
            char *name;
            int ok = !strcmp(first, "index");
            while (ok && (name = next_field(&p))) {
                ok = k < features && !strcmp(name, ot_feature_name(m, k));
                k++;
            }
            if (!ok || k != features) {
                fprintf(err, "vta-agent predict: %s line 1: the header is not \"index\" and the model's %zu feature "
                             "names in its order (column %zu differs); make the rows for this model\n", rows_name, features,
                        k + 1);
                rc = 2;
            }
            continue;
        }
        char *end;
        errno = 0;
        long long index = strtoll(first, &end, 10);
        if (errno || *end || end == first) {
            fprintf(err, "vta-agent predict: %s line %ld: the index '%s' is not an integer\n", rows_name, line_no, first);
            rc = 2;
            break;
        }
        size_t k = 0;
        char *value;
        while ((value = next_field(&p))) {
            if (k == features)
                break;
            errno = 0;
            row[k] = strtof(value, &end);
            if (errno == EINVAL || *end || end == value) {
                fprintf(err, "vta-agent predict: %s line %ld: column %zu is '%s', not a number\n", rows_name, line_no, k + 2,
                        value);
                rc = 2;
                break;
            }
            k++;
        }
        if (rc == 0 && (k != features || value)) {
            fprintf(err, "vta-agent predict: %s line %ld: %zu values, the model reads %zu\n", rows_name, line_no,
                    k + (value ? 1 : 0), features);
            rc = 2;
        }
        if (rc != 0)
            break;
        ot_predict(m, row, probabilities);
        fprintf(out, "{\"index\": %lld", index);
        if (fail_head < heads) {
            fprintf(out, ", \"%s\": ", FAIL_HEAD);
            print_probability(out, probabilities[fail_head]);
        }
        fputs(", \"heads\": {", out);
        for (size_t h = 0; h < heads; h++) {
            fprintf(out, "%s\"%s\": ", h ? ", " : "", ot_head_name(m, h));
            print_probability(out, probabilities[h]);
        }
        fprintf(out, "}, \"threshold\": %.15g", threshold);
        if (fail_head < heads)
            fprintf(out, ", \"verdict\": \"%s\"", probabilities[fail_head] >= threshold ? "skip" : "measure");
        fputs("}\n", out);
    }
    if (rc == 0 && line_no == 0) {
        fprintf(err, "vta-agent predict: %s is empty: give the rows' header and rows (hiltuner-predict --features)\n", rows_name);
        rc = 2;
    }
    if (rc == 0 && ferror(in)) {
        fprintf(err, "vta-agent predict: %s: read error\n", rows_name);
        rc = 2;
    }
    if (rows_file)
        fclose(rows_file);
    fflush(out);
    free(row);
    free(probabilities);
    ot_free(m);
    return rc;
}
