/* onnx_trees.c - reads a HilTuner calibrated tree-ensemble ONNX file (protobuf wire format, the subset of the ONNX
 * schema the writer uses, field numbers as in onnx.proto) and evaluates its graph. See onnx_trees.h. */
#include "onnx_trees.h"
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sha256.h"

#define FORMAT_KEY "hiltuner_format"
#define FORMAT_VALUE "calibrated-tree-ensemble/1"
#define CHECKSUM_KEY "hiltuner_sha256"
#define FEATURE_NAMES_KEY "feature_names"
#define HEAD_NAMES_KEY "head_names"
#define INPUT_NAME "features"
#define ML_DOMAIN "ai.onnx.ml"
#define MAX_ML_OPSET 4

/* ---- protobuf wire format ---- */

typedef struct {
    const uint8_t *p, *end;
} pb_t;

typedef struct {
    uint32_t field;
    int wire;         /* 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32 */
    uint64_t value;   /* varint and fixed values */
    pb_t bytes;       /* length-delimited contents */
    const uint8_t *start; /* where the field's tag begins */
} pb_field_t;

static int pb_varint(pb_t *r, uint64_t *v)
{
    uint64_t x = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (r->p >= r->end)
            return -1;
        uint8_t b = *r->p++;
        x |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = x;
            return 0;
        }
    }
    return -1;
}

/* The next field of a message: 1 when one was read, 0 at its end, -1 when the bytes are not protobuf. */
static int pb_next(pb_t *r, pb_field_t *f)
{
    if (r->p >= r->end)
        return 0;
    f->start = r->p;
    uint64_t tag;
    if (pb_varint(r, &tag) != 0 || (tag >> 3) == 0 || (tag >> 3) > 0x1fffffff)
        return -1;
    f->field = (uint32_t)(tag >> 3);
    f->wire = (int)(tag & 7);
    f->value = 0;
    f->bytes.p = f->bytes.end = r->p;
    switch (f->wire) {
    case 0:
        return pb_varint(r, &f->value) == 0 ? 1 : -1;
    case 1:
    case 5: {
        size_t n = f->wire == 1 ? 8 : 4;
        if ((size_t)(r->end - r->p) < n)
            return -1;
        for (size_t i = 0; i < n; i++)
            f->value |= (uint64_t)r->p[i] << (8 * i);
        r->p += n;
        return 1;
    }
    case 2: {
        uint64_t len;
        if (pb_varint(r, &len) != 0 || len > (uint64_t)(r->end - r->p))
            return -1;
        f->bytes.p = r->p;
        f->bytes.end = r->p + len;
        r->p += len;
        return 1;
    }
    default:
        return -1;
    }
}

static float pb_float(uint64_t bits)
{
    uint32_t u = (uint32_t)bits;
    float x;
    memcpy(&x, &u, sizeof(x));
    return x;
}

static int pb_equals(pb_t s, const char *text)
{
    size_t n = strlen(text);
    return (size_t)(s.end - s.p) == n && memcmp(s.p, text, n) == 0;
}

/* ---- the model ---- */

enum { OP_TREES, OP_MUL, OP_ADD, OP_SUB, OP_DIV, OP_NEG, OP_SIGMOID };
enum { M_LEAF, M_LEQ, M_LT, M_GTE, M_GT, M_EQ, M_NEQ };

typedef struct {
    size_t count, n_roots;
    int32_t *roots;
    uint8_t *mode, *missing_true;
    int32_t *feature, *true_node, *false_node;
    float *threshold, *weight;
    float base;
} ensemble_t;

typedef struct {
    int op;
    size_t target, a, b;
    ensemble_t *trees;
} step_t;

typedef struct {
    pb_t name;
    float value;
    int scalar; /* initializers: 1 when a single float the evaluator can broadcast */
} value_t;

typedef struct {
    char *key, *value;
} meta_t;

struct ot_model {
    uint8_t *bytes;
    size_t n_features, n_heads, n_values, n_steps, n_meta;
    char **feature_names, **head_names;
    size_t *head_value;
    value_t *values;   /* registers: initializers read by nodes, then node outputs */
    float *initial;    /* their values before a row */
    float *scratch;    /* the registers during a row */
    step_t *steps;
    meta_t *meta;
};

typedef struct {
    char *err;
    size_t errlen;
} errbuf_t;

static int fail(errbuf_t *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(errbuf_t *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->err, e->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static char *dup_bytes(pb_t s)
{
    size_t n = (size_t)(s.end - s.p);
    char *c = malloc(n + 1);
    if (c) {
        memcpy(c, s.p, n);
        c[n] = '\0';
    }
    return c;
}

static void free_ensemble(ensemble_t *t)
{
    if (!t)
        return;
    free(t->roots);
    free(t->mode);
    free(t->missing_true);
    free(t->feature);
    free(t->true_node);
    free(t->false_node);
    free(t->threshold);
    free(t->weight);
    free(t);
}

void ot_free(ot_model_t *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n_steps; i++)
        free_ensemble(m->steps[i].trees);
    for (size_t i = 0; i < m->n_meta; i++) {
        free(m->meta[i].key);
        free(m->meta[i].value);
    }
    for (size_t i = 0; m->feature_names && i < m->n_features; i++)
        free(m->feature_names[i]);
    for (size_t i = 0; m->head_names && i < m->n_heads; i++)
        free(m->head_names[i]);
    free(m->feature_names);
    free(m->head_names);
    free(m->head_value);
    free(m->values);
    free(m->initial);
    free(m->scratch);
    free(m->steps);
    free(m->meta);
    free(m->bytes);
    free(m);
}

size_t ot_feature_count(const ot_model_t *m) { return m->n_features; }
size_t ot_head_count(const ot_model_t *m) { return m->n_heads; }
const char *ot_head_name(const ot_model_t *m, size_t head) { return m->head_names[head]; }
const char *ot_feature_name(const ot_model_t *m, size_t feature) { return m->feature_names[feature]; }

const char *ot_metadata(const ot_model_t *m, const char *key)
{
    for (size_t i = 0; i < m->n_meta; i++)
        if (!strcmp(m->meta[i].key, key))
            return m->meta[i].value;
    return NULL;
}

/* ---- metadata: the JSON arrays of names the writer stores ---- */

/* Parses ["a", "b", …] (strings of printable ASCII, escapes \" \\ \/ and \u00XX) into a malloc'd array. */
static int json_names(const char *text, char ***out, size_t *count)
{
    const char *p = text;
    size_t cap = 0, n = 0;
    char **names = NULL;
    while (*p == ' ')
        p++;
    if (*p++ != '[')
        return -1;
    for (;;) {
        while (*p == ' ' || *p == ',')
            p++;
        if (*p == ']')
            break;
        if (*p++ != '"')
            goto bad;
        size_t len = strcspn(p, "\"");
        char *name = malloc(len + 1);
        if (!name)
            goto bad;
        size_t k = 0;
        while (*p && *p != '"') {
            char c = *p++;
            if (c == '\\') {
                char x = *p++;
                if (x == 'u' && p[0] == '0' && p[1] == '0' && p[2] && p[3]) {
                    char hex[3] = {p[2], p[3], 0};
                    c = (char)strtol(hex, NULL, 16);
                    p += 4;
                } else if (x == '"' || x == '\\' || x == '/') {
                    c = x;
                } else {
                    free(name);
                    goto bad;
                }
            }
            if (k < len)
                name[k++] = c;
        }
        name[k] = '\0';
        if (*p++ != '"') {
            free(name);
            goto bad;
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 32;
            char **grown = realloc(names, cap * sizeof(*names));
            if (!grown) {
                free(name);
                goto bad;
            }
            names = grown;
        }
        names[n++] = name;
    }
    *out = names;
    *count = n;
    return 0;
bad:
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return -1;
}

/* ---- the file: checksum, metadata, opsets ---- */

static int read_metadata(ot_model_t *m, pb_t file, pb_t *graph, errbuf_t *e)
{
    pb_t r = file;
    pb_field_t f;
    int got, have_ir = 0, have_graph = 0;
    const uint8_t *last_start = NULL;
    uint32_t last_field = 0;
    size_t cap = 0;
    while ((got = pb_next(&r, &f)) == 1) {
        last_start = f.start;
        last_field = f.field;
        if (f.field == 1 && f.wire == 0)
            have_ir = f.value > 0;
        else if (f.field == 7 && f.wire == 2) {
            *graph = f.bytes;
            have_graph = 1;
        } else if (f.field == 8 && f.wire == 2) {
            pb_t o = f.bytes;
            pb_field_t g;
            pb_t domain = {0, 0};
            uint64_t version = 0;
            while (pb_next(&o, &g) == 1) {
                if (g.field == 1 && g.wire == 2)
                    domain = g.bytes;
                else if (g.field == 2 && g.wire == 0)
                    version = g.value;
            }
            if (domain.p && pb_equals(domain, ML_DOMAIN) && version > MAX_ML_OPSET)
                return fail(e, "it imports %s opset %llu; TreeEnsembleRegressor is defined up to opset %d", ML_DOMAIN,
                            (unsigned long long)version, MAX_ML_OPSET);
        } else if (f.field == 14 && f.wire == 2) {
            pb_t o = f.bytes;
            pb_field_t g;
            pb_t key = {f.bytes.p, f.bytes.p}, value = {f.bytes.p, f.bytes.p};
            while (pb_next(&o, &g) == 1) {
                if (g.field == 1 && g.wire == 2)
                    key = g.bytes;
                else if (g.field == 2 && g.wire == 2)
                    value = g.bytes;
            }
            if (m->n_meta == cap) {
                cap = cap ? 2 * cap : 16;
                meta_t *grown = realloc(m->meta, cap * sizeof(*grown));
                if (!grown)
                    return fail(e, "out of memory");
                m->meta = grown;
            }
            meta_t *entry = &m->meta[m->n_meta++]; /* counted at once: ot_free releases it whatever follows */
            entry->key = dup_bytes(key);
            entry->value = dup_bytes(value);
            if (!entry->key || !entry->value)
                return fail(e, "out of memory");
            for (meta_t *earlier = m->meta; earlier < entry; earlier++)
                if (!strcmp(earlier->key, entry->key))
                    return fail(e, "metadata key '%s' appears twice", entry->key);
        }
    }
    if (got < 0)
        return fail(e, "it is not an ONNX model (damaged or truncated protobuf at byte %zu)", (size_t)(r.p - file.p));
    if (!have_ir || !have_graph)
        return fail(e, "it is not an ONNX model: it has no IR version or no graph");
    const char *format = ot_metadata(m, FORMAT_KEY);
    if (!format)
        return fail(e, "it is an ONNX model but not a HilTuner calibrated tree-ensemble model (no '%s' metadata)",
                    FORMAT_KEY);
    if (strcmp(format, FORMAT_VALUE) != 0)
        return fail(e, "its format is '%s'; this agent reads '%s'", format, FORMAT_VALUE);
    if (m->n_meta == 0 || strcmp(m->meta[m->n_meta - 1].key, CHECKSUM_KEY) != 0 || last_field != 14)
        return fail(e, "it has no '%s' entry at its end (not written by HilTuner, or truncated)", CHECKSUM_KEY);
    char hex[65];
    sha256_hex(file.p, (size_t)(last_start - file.p), hex);
#ifdef OT_FUZZING
    strcpy(hex, m->meta[m->n_meta - 1].value); /* the fuzzer's inputs reach the readers behind the checksum */
#endif
    if (strcmp(hex, m->meta[m->n_meta - 1].value) != 0)
        return fail(e, "its content does not match its SHA-256 checksum (the file is corrupted or was altered)");
    const char *features = ot_metadata(m, FEATURE_NAMES_KEY), *heads = ot_metadata(m, HEAD_NAMES_KEY);
    if (!features || json_names(features, &m->feature_names, &m->n_features) != 0)
        return fail(e, "metadata key '%s' is missing or not a JSON array of names", FEATURE_NAMES_KEY);
    if (!heads || json_names(heads, &m->head_names, &m->n_heads) != 0)
        return fail(e, "metadata key '%s' is missing or not a JSON array of names", HEAD_NAMES_KEY);
    if (m->n_features == 0 || m->n_heads == 0)
        return fail(e, "it lists no features or no heads");
    return 0;
}

/* The width of a float [batch, W] matrix declared by a ValueInfoProto, or -1. */
static long long matrix_width(pb_t value_info, pb_t *name)
{
    pb_field_t f, g, h, d;
    long long width = -1;
    int elem_float = 0;
    size_t dims = 0;
    pb_t r = value_info;
    while (pb_next(&r, &f) == 1) {
        if (f.field == 1 && f.wire == 2)
            *name = f.bytes;
        if (f.field != 2 || f.wire != 2)
            continue;
        pb_t type = f.bytes;
        while (pb_next(&type, &g) == 1) {
            if (g.field != 1 || g.wire != 2)
                continue;
            pb_t tensor = g.bytes;
            while (pb_next(&tensor, &h) == 1) {
                if (h.field == 1 && h.wire == 0)
                    elem_float = h.value == 1;
                if (h.field != 2 || h.wire != 2)
                    continue;
                pb_t shape = h.bytes;
                while (pb_next(&shape, &d) == 1) {
                    if (d.field != 1 || d.wire != 2)
                        continue;
                    dims++;
                    pb_t dim = d.bytes;
                    pb_field_t v;
                    while (pb_next(&dim, &v) == 1)
                        if (dims == 2 && v.field == 1 && v.wire == 0)
                            width = (long long)v.value;
                }
            }
        }
    }
    return elem_float && dims == 2 ? width : -1;
}

/* ---- TreeEnsembleRegressor ---- */

typedef struct {
    pb_t name;
    pb_t body;
} attr_t;

/* The attribute's repeated ints (field 8) or floats (field 7), packed or not; *n = count; malloc'd. */
static int attr_numbers(const attr_t *a, uint32_t field, int is_float, void **out, size_t *n)
{
    size_t count = 0;
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            *out = calloc(count ? count : 1, is_float ? sizeof(float) : sizeof(int64_t));
            if (!*out)
                return -1;
            *n = count;
            count = 0;
        }
        pb_t r = a->body;
        pb_field_t f;
        while (pb_next(&r, &f) == 1) {
            if (f.field != field)
                continue;
            if (f.wire == 2) {
                pb_t packed = f.bytes;
                while (packed.p < packed.end) {
                    uint64_t v = 0;
                    if (is_float) {
                        if (packed.end - packed.p < 4)
                            return -1;
                        for (int i = 0; i < 4; i++)
                            v |= (uint64_t)packed.p[i] << (8 * i);
                        packed.p += 4;
                    } else if (pb_varint(&packed, &v) != 0) {
                        return -1;
                    }
                    if (pass == 1) {
                        if (is_float)
                            ((float *)*out)[count] = pb_float(v);
                        else
                            ((int64_t *)*out)[count] = (int64_t)v;
                    }
                    count++;
                }
            } else if ((is_float && f.wire == 5) || (!is_float && f.wire == 0)) {
                if (pass == 1) {
                    if (is_float)
                        ((float *)*out)[count] = pb_float(f.value);
                    else
                        ((int64_t *)*out)[count] = (int64_t)f.value;
                }
                count++;
            } else {
                return -1;
            }
        }
    }
    return 0;
}

static const attr_t *find_attr(const attr_t *attrs, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (pb_equals(attrs[i].name, name))
            return &attrs[i];
    return NULL;
}

/* The attribute's single int (field 3) or string (field 4). */
static int attr_int(const attr_t *a, int64_t *v)
{
    pb_t r = a->body;
    pb_field_t f;
    while (pb_next(&r, &f) == 1)
        if (f.field == 3 && f.wire == 0) {
            *v = (int64_t)f.value;
            return 0;
        }
    return -1;
}

static int attr_string(const attr_t *a, pb_t *s)
{
    pb_t r = a->body;
    pb_field_t f;
    while (pb_next(&r, &f) == 1)
        if (f.field == 4 && f.wire == 2) {
            *s = f.bytes;
            return 0;
        }
    return -1;
}

typedef struct {
    int64_t *tree_ids, *node_ids, *feature_ids, *true_ids, *false_ids, *missing, *t_trees, *t_nodes, *t_ids;
    float *values, *weights, *bases;
    size_t n_tree, n_node, n_feat, n_true, n_false, n_missing, n_vals, n_modes, n_t_trees, n_t_nodes, n_t_ids, n_w,
        n_bases;
    pb_t *modes;
} tree_attrs_t;

static void free_tree_attrs(tree_attrs_t *t)
{
    free(t->tree_ids);
    free(t->node_ids);
    free(t->feature_ids);
    free(t->true_ids);
    free(t->false_ids);
    free(t->missing);
    free(t->t_trees);
    free(t->t_nodes);
    free(t->t_ids);
    free(t->values);
    free(t->weights);
    free(t->bases);
    free(t->modes);
}

static int load_numbers(const attr_t *attrs, size_t n, const char *name, int is_float, void **out, size_t *count)
{
    const attr_t *a = find_attr(attrs, n, name);
    *count = 0;
    if (!a) {
        *out = calloc(1, sizeof(int64_t));
        return *out ? 0 : -1;
    }
    return attr_numbers(a, is_float ? 7 : 8, is_float, out, count);
}

/* The index of node `id` in tree run [start, end), or -1. */
static long find_node(const int64_t *node_ids, size_t start, size_t end, int64_t id)
{
    for (size_t i = start; i < end; i++)
        if (node_ids[i] == id)
            return (long)i;
    return -1;
}

static int parse_ensemble(ensemble_t *t, const attr_t *attrs, size_t n_attrs, size_t n_features, const char *node,
                          errbuf_t *e)
{
    static const char *const mode_names[] = {"LEAF", "BRANCH_LEQ", "BRANCH_LT", "BRANCH_GTE",
                                             "BRANCH_GT", "BRANCH_EQ", "BRANCH_NEQ"};
    for (size_t i = 0; i < n_attrs; i++) {
        size_t len = (size_t)(attrs[i].name.end - attrs[i].name.p);
        if (len > 10 && !memcmp(attrs[i].name.end - 10, "_as_tensor", 10) &&
            !pb_equals(attrs[i].name, "nodes_hitrates_as_tensor"))
            return fail(e, "TreeEnsembleRegressor '%s': it has %.*s (double-precision values), which the agent does not "
                           "implement", node, (int)len, (const char *)attrs[i].name.p);
        for (size_t j = 0; j < i; j++)
            if (len == (size_t)(attrs[j].name.end - attrs[j].name.p) && !memcmp(attrs[i].name.p, attrs[j].name.p, len))
                return fail(e, "TreeEnsembleRegressor '%s': its attribute %.*s appears twice", node, (int)len,
                            (const char *)attrs[i].name.p);
    }
    int64_t targets = 1;
    pb_t post = {(const uint8_t *)"NONE", (const uint8_t *)"NONE" + 4};
    pb_t aggregate = {(const uint8_t *)"SUM", (const uint8_t *)"SUM" + 3};
    const attr_t *a;
    if ((a = find_attr(attrs, n_attrs, "n_targets")) && attr_int(a, &targets) != 0)
        return fail(e, "TreeEnsembleRegressor '%s': n_targets holds no integer", node);
    if ((a = find_attr(attrs, n_attrs, "post_transform")) && attr_string(a, &post) != 0)
        return fail(e, "TreeEnsembleRegressor '%s': post_transform holds no string", node);
    if ((a = find_attr(attrs, n_attrs, "aggregate_function")) && attr_string(a, &aggregate) != 0)
        return fail(e, "TreeEnsembleRegressor '%s': aggregate_function holds no string", node);
    if (targets != 1 || !pb_equals(post, "NONE") || !pb_equals(aggregate, "SUM"))
        return fail(e, "TreeEnsembleRegressor '%s': it has n_targets %lld, post_transform %.*s, aggregate_function %.*s; "
                       "the agent implements 1, NONE, SUM", node, (long long)targets, (int)(post.end - post.p),
                    (const char *)post.p, (int)(aggregate.end - aggregate.p), (const char *)aggregate.p);

    tree_attrs_t x;
    memset(&x, 0, sizeof(x));
    int rc = -1;
    if (load_numbers(attrs, n_attrs, "nodes_treeids", 0, (void **)&x.tree_ids, &x.n_tree) ||
        load_numbers(attrs, n_attrs, "nodes_nodeids", 0, (void **)&x.node_ids, &x.n_node) ||
        load_numbers(attrs, n_attrs, "nodes_featureids", 0, (void **)&x.feature_ids, &x.n_feat) ||
        load_numbers(attrs, n_attrs, "nodes_truenodeids", 0, (void **)&x.true_ids, &x.n_true) ||
        load_numbers(attrs, n_attrs, "nodes_falsenodeids", 0, (void **)&x.false_ids, &x.n_false) ||
        load_numbers(attrs, n_attrs, "nodes_missing_value_tracks_true", 0, (void **)&x.missing, &x.n_missing) ||
        load_numbers(attrs, n_attrs, "nodes_values", 1, (void **)&x.values, &x.n_vals) ||
        load_numbers(attrs, n_attrs, "target_treeids", 0, (void **)&x.t_trees, &x.n_t_trees) ||
        load_numbers(attrs, n_attrs, "target_nodeids", 0, (void **)&x.t_nodes, &x.n_t_nodes) ||
        load_numbers(attrs, n_attrs, "target_ids", 0, (void **)&x.t_ids, &x.n_t_ids) ||
        load_numbers(attrs, n_attrs, "target_weights", 1, (void **)&x.weights, &x.n_w) ||
        load_numbers(attrs, n_attrs, "base_values", 1, (void **)&x.bases, &x.n_bases)) {
        fail(e, "TreeEnsembleRegressor '%s': a nodes_*/target_* attribute is damaged", node);
        goto done;
    }
    /* the modes: repeated strings, field 9 */
    if ((a = find_attr(attrs, n_attrs, "nodes_modes"))) {
        x.modes = calloc(x.n_tree ? x.n_tree : 1, sizeof(pb_t));
        if (!x.modes) {
            fail(e, "out of memory");
            goto done;
        }
        pb_t r = a->body;
        pb_field_t f;
        while (pb_next(&r, &f) == 1)
            if (f.field == 9 && f.wire == 2) {
                if (x.n_modes < x.n_tree)
                    x.modes[x.n_modes] = f.bytes;
                x.n_modes++;
            }
    }
    size_t count = x.n_tree;
    if (count == 0 || x.n_node != count || x.n_feat != count || x.n_vals != count || x.n_modes != count ||
        x.n_true != count || x.n_false != count || (x.n_missing != 0 && x.n_missing != count)) {
        fail(e, "TreeEnsembleRegressor '%s': its nodes_* attributes are empty or disagree in length (nodes_treeids has "
                "%zu)", node, count);
        goto done;
    }
    t->count = count;
    t->roots = calloc(count, sizeof(int32_t));
    t->mode = calloc(count, 1);
    t->missing_true = calloc(count, 1);
    t->feature = calloc(count, sizeof(int32_t));
    t->true_node = calloc(count, sizeof(int32_t));
    t->false_node = calloc(count, sizeof(int32_t));
    t->threshold = calloc(count, sizeof(float));
    t->weight = calloc(count, sizeof(float));
    size_t *run_end = calloc(count, sizeof(size_t)); /* per node: the end of its tree's run */
    size_t *run_start = calloc(count, sizeof(size_t));
    uint8_t *reached = calloc(count, 1);
    size_t *pending = calloc(count + 1, sizeof(size_t));
    if (!t->roots || !t->mode || !t->missing_true || !t->feature || !t->true_node || !t->false_node || !t->threshold ||
        !t->weight || !run_end || !run_start || !reached || !pending) {
        fail(e, "out of memory");
        goto runs_done;
    }
    /* trees in the order they appear, each one run of nodes; a tree's root is its first node */
    for (size_t i = 0; i < count;) {
        size_t j = i;
        while (j < count && x.tree_ids[j] == x.tree_ids[i])
            j++;
        for (size_t r = 0; r < t->n_roots; r++)
            if (x.tree_ids[t->roots[r]] == x.tree_ids[i]) {
                fail(e, "TreeEnsembleRegressor '%s': the nodes of tree %lld are not listed together", node,
                     (long long)x.tree_ids[i]);
                goto runs_done;
            }
        t->roots[t->n_roots++] = (int32_t)i;
        for (size_t k = i; k < j; k++) {
            run_start[k] = i;
            run_end[k] = j;
            if (find_node(x.node_ids, i, k, x.node_ids[k]) >= 0) {
                fail(e, "TreeEnsembleRegressor '%s': tree %lld lists node %lld twice", node, (long long)x.tree_ids[k],
                     (long long)x.node_ids[k]);
                goto runs_done;
            }
        }
        i = j;
    }
    for (size_t i = 0; i < count; i++) {
        int m = -1;
        for (int k = 0; k < 7; k++)
            if (pb_equals(x.modes[i], mode_names[k]))
                m = k;
        if (m < 0) {
            fail(e, "TreeEnsembleRegressor '%s': node %lld of tree %lld has the mode '%.*s'", node,
                 (long long)x.node_ids[i], (long long)x.tree_ids[i], (int)(x.modes[i].end - x.modes[i].p),
                 (const char *)x.modes[i].p);
            goto runs_done;
        }
        t->mode[i] = (uint8_t)m;
        t->missing_true[i] = x.n_missing != 0 && x.missing[i] != 0;
        t->threshold[i] = x.values[i];
        if (m == M_LEAF)
            continue;
        if (x.feature_ids[i] < 0 || (uint64_t)x.feature_ids[i] >= n_features) {
            fail(e, "TreeEnsembleRegressor '%s': node %lld of tree %lld reads feature %lld of %zu", node,
                 (long long)x.node_ids[i], (long long)x.tree_ids[i], (long long)x.feature_ids[i], n_features);
            goto runs_done;
        }
        t->feature[i] = (int32_t)x.feature_ids[i];
        long tn = find_node(x.node_ids, run_start[i], run_end[i], x.true_ids[i]);
        long fn = find_node(x.node_ids, run_start[i], run_end[i], x.false_ids[i]);
        if (tn < 0 || fn < 0) {
            fail(e, "TreeEnsembleRegressor '%s': node %lld of tree %lld has a branch to a node the tree does not have",
                 node, (long long)x.node_ids[i], (long long)x.tree_ids[i]);
            goto runs_done;
        }
        t->true_node[i] = (int32_t)tn;
        t->false_node[i] = (int32_t)fn;
    }
    if (x.n_t_nodes != x.n_t_trees || x.n_t_ids != x.n_t_trees || x.n_w != x.n_t_trees) {
        fail(e, "TreeEnsembleRegressor '%s': its target_* attributes disagree in length", node);
        goto runs_done;
    }
    for (size_t j = 0; j < x.n_t_trees; j++) {
        long leaf = -1;
        for (size_t r = 0; r < t->n_roots && leaf < 0; r++) {
            size_t s = (size_t)t->roots[r];
            if (x.tree_ids[s] == x.t_trees[j])
                leaf = find_node(x.node_ids, s, run_end[s], x.t_nodes[j]);
        }
        if (x.t_ids[j] != 0 || leaf < 0 || t->mode[leaf] != M_LEAF) {
            fail(e, "TreeEnsembleRegressor '%s': target weight %zu is not for target 0 of a leaf", node, j);
            goto runs_done;
        }
        t->weight[leaf] += x.weights[j];
    }
    /* every walk from a root ends at a leaf: no node is reached twice */
    for (size_t r = 0; r < t->n_roots; r++) {
        size_t top = 0;
        pending[top++] = (size_t)t->roots[r];
        while (top > 0) {
            size_t i = pending[--top];
            if (reached[i]) {
                fail(e, "TreeEnsembleRegressor '%s': tree %lld reaches node %lld twice (not a tree)", node,
                     (long long)x.tree_ids[i], (long long)x.node_ids[i]);
                goto runs_done;
            }
            reached[i] = 1;
            if (t->mode[i] != M_LEAF) {
                if (top + 2 > count + 1) {
                    fail(e, "TreeEnsembleRegressor '%s': tree %lld is not a tree", node, (long long)x.tree_ids[i]);
                    goto runs_done;
                }
                pending[top++] = (size_t)t->true_node[i];
                pending[top++] = (size_t)t->false_node[i];
            }
        }
    }
    if (x.n_bases > 1) {
        fail(e, "TreeEnsembleRegressor '%s': it has %zu base_values for one target", node, x.n_bases);
        goto runs_done;
    }
    t->base = x.n_bases == 1 ? x.bases[0] : 0.0f;
    rc = 0;
runs_done:
    free(run_end);
    free(run_start);
    free(reached);
    free(pending);
done:
    free_tree_attrs(&x);
    return rc;
}

static float ensemble_score(const ensemble_t *t, const float *row)
{
    float score = 0.0f;
    for (size_t r = 0; r < t->n_roots; r++) {
        size_t n = (size_t)t->roots[r];
        while (t->mode[n] != M_LEAF) {
            float x = row[t->feature[n]], th = t->threshold[n];
            int to_true;
            switch (t->mode[n]) {
            case M_LEQ: to_true = x <= th; break;
            case M_LT: to_true = x < th; break;
            case M_GTE: to_true = x >= th; break;
            case M_GT: to_true = x > th; break;
            case M_EQ: to_true = x == th; break;
            default: to_true = x != th; break;
            }
            if (t->missing_true[n] && isnan(x))
                to_true = 1;
            n = (size_t)(to_true ? t->true_node[n] : t->false_node[n]);
        }
        score += t->weight[n];
    }
    return score + t->base;
}

/* ---- the graph ---- */

static long find_value(const ot_model_t *m, pb_t name)
{
    for (size_t i = 0; i < m->n_values; i++)
        if (m->values[i].name.end - m->values[i].name.p == name.end - name.p &&
            !memcmp(m->values[i].name.p, name.p, (size_t)(name.end - name.p)))
            return (long)i;
    return -1;
}

static int add_value(ot_model_t *m, size_t *cap, pb_t name, float v, int scalar, errbuf_t *e)
{
    if (m->n_values == *cap) {
        *cap = *cap ? 2 * *cap : 32;
        value_t *grown = realloc(m->values, *cap * sizeof(*grown));
        if (!grown)
            return fail(e, "out of memory");
        m->values = grown;
    }
    m->values[m->n_values].name = name;
    m->values[m->n_values].value = v;
    m->values[m->n_values].scalar = scalar;
    m->n_values++;
    return 0;
}

/* A TensorProto: its name and, when it is one float (float_data or 4 bytes of raw_data), its value. */
static void read_initializer(pb_t tensor, pb_t *name, float *value, int *scalar)
{
    pb_field_t f;
    int one_element = 1; /* every dimension 1 (no dimension: a scalar) */
    int is_float = 0, values = 0;
    *scalar = 0;
    pb_t r = tensor;
    while (pb_next(&r, &f) == 1) {
        if (f.field == 1 && f.wire == 0)
            one_element &= f.value == 1;
        else if (f.field == 1 && f.wire == 2) {
            pb_t p = f.bytes;
            uint64_t d;
            while (pb_varint(&p, &d) == 0)
                one_element &= d == 1;
        } else if (f.field == 2 && f.wire == 0)
            is_float = f.value == 1;
        else if (f.field == 8 && f.wire == 2)
            *name = f.bytes;
        else if (f.field == 4 && f.wire == 5) {
            *value = pb_float(f.value);
            values++;
        } else if (f.field == 4 && f.wire == 2 && f.bytes.end - f.bytes.p == 4) {
            uint64_t bits = 0;
            for (int i = 0; i < 4; i++)
                bits |= (uint64_t)f.bytes.p[i] << (8 * i);
            *value = pb_float(bits);
            values++;
        } else if (f.field == 9 && f.wire == 2 && f.bytes.end - f.bytes.p == 4 && values == 0) {
            uint64_t bits = 0;
            for (int i = 0; i < 4; i++)
                bits |= (uint64_t)f.bytes.p[i] << (8 * i);
            *value = pb_float(bits);
            values++;
        }
    }
    *scalar = is_float && one_element && values == 1;
}

static int read_graph(ot_model_t *m, pb_t graph, errbuf_t *e)
{
    pb_field_t f;
    pb_t r = graph;
    size_t n_inputs = 0, n_outputs = 0, cap = 0, steps_cap = 0;
    long long width = -1;
    /* initializers first: nodes may read them wherever they appear */
    while (pb_next(&r, &f) == 1) {
        if (f.field == 5 && f.wire == 2) {
            pb_t name = {f.bytes.p, f.bytes.p};
            float value = 0;
            int scalar;
            read_initializer(f.bytes, &name, &value, &scalar);
            if (find_value(m, name) < 0 && add_value(m, &cap, name, value, scalar, e) != 0)
                return -1;
        } else if (f.field == 11 && f.wire == 2) {
            pb_t name = {f.bytes.p, f.bytes.p};
            width = matrix_width(f.bytes, &name);
            if (!pb_equals(name, INPUT_NAME))
                return fail(e, "its graph should have the single input '%s' but has '%.*s'", INPUT_NAME,
                            (int)(name.end - name.p), (const char *)name.p);
            n_inputs++;
        }
    }
    if (n_inputs != 1)
        return fail(e, "its graph should have the single input '%s' but has %zu inputs", INPUT_NAME, n_inputs);
    if (width < 0 || (unsigned long long)width != m->n_features)
        return fail(e, "its input '%s' is not a float matrix [batch, %zu] (%zu feature names)", INPUT_NAME,
                    m->n_features, m->n_features);
    size_t initializers = m->n_values;
    r = graph;
    while (pb_next(&r, &f) == 1) {
        if (f.field != 1 || f.wire != 2)
            continue;
        pb_t inputs[2], output = {0, 0}, name = {f.bytes.p, f.bytes.p}, op = {0, 0}, domain = {0, 0};
        size_t n_in = 0, n_out = 0, n_attrs = 0, attrs_cap = 0;
        attr_t *attrs = NULL;
        pb_t node = f.bytes;
        pb_field_t g;
        int rc = 0;
        while (rc == 0 && pb_next(&node, &g) == 1) {
            if (g.wire != 2)
                continue;
            if (g.field == 1) {
                if (n_in < 2)
                    inputs[n_in] = g.bytes;
                n_in++;
            } else if (g.field == 2) {
                output = g.bytes;
                n_out++;
            } else if (g.field == 3)
                name = g.bytes;
            else if (g.field == 4)
                op = g.bytes;
            else if (g.field == 7)
                domain = g.bytes;
            else if (g.field == 5) {
                if (n_attrs == attrs_cap) {
                    attrs_cap = attrs_cap ? 2 * attrs_cap : 32;
                    attr_t *grown = realloc(attrs, attrs_cap * sizeof(*grown));
                    if (!grown) {
                        rc = fail(e, "out of memory");
                        break;
                    }
                    attrs = grown;
                }
                attrs[n_attrs].body = g.bytes;
                attrs[n_attrs].name = (pb_t){g.bytes.p, g.bytes.p};
                pb_t a = g.bytes;
                pb_field_t h;
                while (pb_next(&a, &h) == 1)
                    if (h.field == 1 && h.wire == 2)
                        attrs[n_attrs].name = h.bytes;
                n_attrs++;
            }
        }
        char node_name[128];
        snprintf(node_name, sizeof(node_name), "%.*s", (int)(name.end - name.p), (const char *)name.p);
        char op_name[64];
        snprintf(op_name, sizeof(op_name), "%.*s", op.p ? (int)(op.end - op.p) : 0, op.p ? (const char *)op.p : "");
        if (rc == 0 && n_out != 1)
            rc = fail(e, "node '%s' (%s) has %zu outputs; the agent takes one", node_name, op_name, n_out);
        if (m->n_steps == steps_cap && rc == 0) {
            steps_cap = steps_cap ? 2 * steps_cap : 16;
            step_t *grown = realloc(m->steps, steps_cap * sizeof(*grown));
            if (!grown)
                rc = fail(e, "out of memory");
            else
                m->steps = grown;
        }
        step_t step = {0, 0, 0, 0, NULL};
        int is_ml = domain.p && pb_equals(domain, ML_DOMAIN);
        int is_default = !domain.p || domain.p == domain.end || pb_equals(domain, "ai.onnx");
        static const char *const ops[] = {"", "Mul", "Add", "Sub", "Div", "Neg", "Sigmoid"};
        int op_code = -1;
        for (int k = 1; k < 7 && is_default; k++)
            if (op.p && pb_equals(op, ops[k]))
                op_code = k;
        if (rc == 0 && is_ml && op.p && pb_equals(op, "TreeEnsembleRegressor")) {
            if (n_in != 1 || !pb_equals(inputs[0], INPUT_NAME))
                rc = fail(e, "node '%s' (TreeEnsembleRegressor) should read the input '%s' alone", node_name, INPUT_NAME);
            else if (!(step.trees = calloc(1, sizeof(ensemble_t))))
                rc = fail(e, "out of memory");
            else {
                step.op = OP_TREES;
                rc = parse_ensemble(step.trees, attrs, n_attrs, m->n_features, node_name, e);
                if (rc != 0) {
                    free_ensemble(step.trees);
                    step.trees = NULL;
                }
            }
        } else if (rc == 0 && op_code > 0) {
            size_t arity = op_code == OP_NEG || op_code == OP_SIGMOID ? 1 : 2;
            step.op = op_code;
            if (n_in != arity)
                rc = fail(e, "node '%s' (%s) has %zu inputs, not %zu", node_name, op_name, n_in, arity);
            for (size_t k = 0; rc == 0 && k < arity; k++) {
                long v = find_value(m, inputs[k]);
                if (pb_equals(inputs[k], INPUT_NAME))
                    rc = fail(e, "node '%s' (%s) reads the input '%s'; only TreeEnsembleRegressor may", node_name,
                              op_name, INPUT_NAME);
                else if (v < 0)
                    rc = fail(e, "node '%s' reads '%.*s', which no earlier node computes", node_name,
                              (int)(inputs[k].end - inputs[k].p), (const char *)inputs[k].p);
                else if ((size_t)v < initializers && !m->values[v].scalar)
                    rc = fail(e, "the initializer '%.*s' is not one float (the agent broadcasts scalars only)",
                              (int)(inputs[k].end - inputs[k].p), (const char *)inputs[k].p);
                else if (k == 0)
                    step.a = (size_t)v;
                else
                    step.b = (size_t)v;
            }
        } else if (rc == 0) {
            rc = fail(e, "node '%s' is the operator %.*s%s%s, which the agent does not implement (it runs "
                         "TreeEnsembleRegressor, Mul, Add, Sub, Div, Neg and Sigmoid)", node_name,
                      domain.p ? (int)(domain.end - domain.p) : 0, domain.p ? (const char *)domain.p : "",
                      domain.p && domain.p != domain.end ? ":" : "", op_name);
        }
        free(attrs);
        if (rc == 0 && find_value(m, output) >= 0 && (size_t)find_value(m, output) >= initializers)
            rc = fail(e, "the value '%.*s' is computed twice", (int)(output.end - output.p), (const char *)output.p);
        if (rc == 0)
            rc = add_value(m, &cap, output, 0.0f, 0, e);
        if (rc != 0) {
            free_ensemble(step.trees);
            return -1;
        }
        step.target = m->n_values - 1;
        m->steps[m->n_steps++] = step;
    }
    /* outputs: the heads, in the order the metadata names them */
    m->head_value = calloc(m->n_heads, sizeof(size_t));
    if (!m->head_value)
        return fail(e, "out of memory");
    r = graph;
    while (pb_next(&r, &f) == 1) {
        if (f.field != 12 || f.wire != 2)
            continue;
        pb_t name = {f.bytes.p, f.bytes.p};
        long long w = matrix_width(f.bytes, &name);
        if (n_outputs >= m->n_heads || !pb_equals(name, m->head_names[n_outputs]))
            return fail(e, "its outputs are not the heads its metadata names (%s …)", m->head_names[0]);
        if (w != 1)
            return fail(e, "its output '%s' is not a float matrix [batch, 1]", m->head_names[n_outputs]);
        long v = find_value(m, name);
        if (v < 0 || (size_t)v < initializers)
            return fail(e, "no node computes the output '%s'", m->head_names[n_outputs]);
        m->head_value[n_outputs++] = (size_t)v;
    }
    if (n_outputs != m->n_heads)
        return fail(e, "it has %zu outputs but its metadata names %zu heads", n_outputs, m->n_heads);
    return 0;
}

ot_model_t *ot_load(const uint8_t *bytes, size_t len, char *err, size_t errlen)
{
    errbuf_t e = {err, errlen};
    if (len == 0) {
        fail(&e, "it is empty (0 bytes), not an ONNX model");
        return NULL;
    }
    ot_model_t *m = calloc(1, sizeof(*m));
    if (!m || !(m->bytes = malloc(len))) {
        free(m);
        fail(&e, "out of memory");
        return NULL;
    }
    memcpy(m->bytes, bytes, len);
    pb_t file = {m->bytes, m->bytes + len}, graph = {0, 0};
    if (read_metadata(m, file, &graph, &e) != 0 || read_graph(m, graph, &e) != 0) {
        ot_free(m);
        return NULL;
    }
    m->initial = calloc(m->n_values, sizeof(float));
    m->scratch = calloc(m->n_values, sizeof(float));
    if (!m->initial || !m->scratch) {
        ot_free(m);
        fail(&e, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < m->n_values; i++)
        m->initial[i] = m->values[i].value;
    return m;
}

void ot_predict(ot_model_t *m, const float *row, float *heads)
{
    float *v = m->scratch;
    memcpy(v, m->initial, m->n_values * sizeof(float));
    for (size_t s = 0; s < m->n_steps; s++) {
        const step_t *st = &m->steps[s];
        float a = v[st->a], b = v[st->b];
        switch (st->op) {
        case OP_TREES: v[st->target] = ensemble_score(st->trees, row); break;
        case OP_MUL: v[st->target] = a * b; break;
        case OP_ADD: v[st->target] = a + b; break;
        case OP_SUB: v[st->target] = a - b; break;
        case OP_DIV: v[st->target] = a / b; break;
        case OP_NEG: v[st->target] = -a; break;
        default: v[st->target] = (float)(1.0 / (1.0 + exp(-(double)a))); break;
        }
    }
    for (size_t h = 0; h < m->n_heads; h++)
        heads[h] = v[m->head_value[h]];
}
