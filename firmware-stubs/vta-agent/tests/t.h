/* t.h - a very small test runner: CHECK macros and the test registry. */
#ifndef VTA_AGENT_T_H
#define VTA_AGENT_T_H
#include <stdint.h>
#include <stdio.h>

void t_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
extern int t_cur_failed;
extern const char *t_agent_path; /* host agent binary for end-to-end tests */

#define CHECK(c)                                                                                                       \
    do {                                                                                                               \
        if (!(c))                                                                                                      \
            t_fail(__FILE__, __LINE__, "%s", #c);                                                                      \
    } while (0)
#define CHECK_EQ(a, b)                                                                                                 \
    do {                                                                                                               \
        unsigned long long a_ = (unsigned long long)(a), b_ = (unsigned long long)(b);                                 \
        if (a_ != b_)                                                                                                  \
            t_fail(__FILE__, __LINE__, "%s == %s (0x%llx != 0x%llx)", #a, #b, a_, b_);                                 \
    } while (0)
#define REQUIRE(c)                                                                                                     \
    do {                                                                                                               \
        if (!(c)) {                                                                                                    \
            t_fail(__FILE__, __LINE__, "required: %s", #c);                                                            \
            return;                                                                                                    \
        }                                                                                                              \
    } while (0)

/* every test, in run order; E2E_TESTS need processes and are left out of cross builds */
#define UNIT_TESTS(X)                                                                                                  \
    X(crc_known_vectors)                                                                                               \
    X(frame_layout_worked_example)                                                                                     \
    X(frame_roundtrip_sizes)                                                                                           \
    X(frame_byte_by_byte)                                                                                              \
    X(frame_resync_after_garbage)                                                                                      \
    X(frame_every_bit_flip_detected)                                                                                   \
    X(frame_dropped_byte_then_retry)                                                                                   \
    X(frame_oversize_rejected)                                                                                         \
    X(config_default_string)                                                                                           \
    X(config_other_strings)                                                                                            \
    X(config_rejects_bad_strings)                                                                                      \
    X(cli_accepts_valid_lines)                                                                                         \
    X(cli_rejects_bad_lines)                                                                                           \
    X(sha256_known_vectors)                                                                                            \
    X(onnx_refuses_what_is_not_a_checked_model)                                                                        \
    X(insn_relocates_each_memory_type)                                                                                 \
    X(insn_leaves_other_instructions_alone)                                                                            \
    X(insn_refuses_out_of_arena)                                                                                       \
    X(insn_refuses_bad_memory_types)                                                                                   \
    X(agent_hello_fields)                                                                                              \
    X(agent_write_read_roundtrip)                                                                                      \
    X(agent_write_read_range_checks)                                                                                   \
    X(agent_duplicate_replayed_not_executed)                                                                           \
    X(agent_header_errors_and_nak)                                                                                     \
    X(agent_oversize_frame_answered)                                                                                   \
    X(agent_run_refusals)                                                                                              \
    X(agent_status_counters)                                                                                           \
    X(driver_hls_run_done)                                                                                             \
    X(driver_hls_hang_timeout_then_soft_reset)                                                                         \
    X(driver_duplicate_run_not_rerun)                                                                                  \
    X(driver_de10nano_vcr_run)                                                                                         \
    X(driver_hard_reset_and_bitstream_cmd)                                                                             \
    X(driver_idle_agent_holds_no_lock)                                                                                 \
    X(driver_second_agent_waits_for_a_run_in_flight)

#define E2E_TESTS(X)                                                                                                   \
    X(e2e_bad_flags_exit_2)                                                                                            \
    X(e2e_stdio_pipe_session)                                                                                          \
    X(e2e_tty_pty_session)                                                                                             \
    X(e2e_tty_truncated_frame_abandoned)                                                                               \
    X(e2e_undrained_stderr_never_blocks)

#define DECLARE_TEST(name) void test_##name(void);
UNIT_TESTS(DECLARE_TEST)
E2E_TESTS(DECLARE_TEST)
#endif
