// SPDX-License-Identifier: MIT
/*
 * SystemC as a co-simulation participant: a SystemC model and a QEMU guest share one clock.
 *
 * At every halt of the guest the SystemC kernel runs its processes up to exactly the
 * guest's time (sc_start(delta): with SystemC's default SC_RUN_TO_TIME policy
 * sc_time_stamp() then reads the halt's time, events or not), checks that
 * sc_time_stamp() equals the guest's time, then grants the guest the next step: protocol
 * 2 RUN_UNTIL the next multiple of the step (so a halt that comes a little late does
 * not shift the ones after it), protocol 1 the seed's byte (one quantum). A process
 * whose time is exactly the halt's time has not run yet when the guest is granted: it
 * runs first thing in the next step (sc_start(t) stops before the evaluation at t).
 *
 * The model: a timer that ticks every --period-us and notifies an event, and a logger
 * that SystemC wakes on that event; both print what they do with sc_time_stamp(), and
 * every line this program prints starts with the time it is about, "[t=<ms> ms]", so
 * that scripts/interleave.sh can merge it with the guest's output.
 */
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <getopt.h>
#include <string>

#include <systemc>

#include "timesync.h"
#include "timesync_proto.h"

namespace
{

const char kName[] = "systemc-participant";

struct Options {
    std::string transport = "socket";
    std::string path;
    std::string hostToGuest = "/tmp/HostToGuestPipe";
    std::string guestToHost = "/tmp/GuestToHostPipe";
    int protocol = 2;
    uint64_t quantumNs = 0; // protocol 1: the plugin's quantum (required)
    uint64_t stepNs = 0;    // protocol 2: 0: the guest's quantum, from its HELLO
    uint64_t periodNs = 250000;
    uint64_t timeoutNs = 0; // 0: wait for QEMU forever
    bool printSyncs = false;
};

struct Counters {
    uint64_t syncs = 0;
    uint64_t mismatches = 0;
    uint64_t ticks = 0;
    uint64_t logged = 0;
};

Counters counters;

// --timeout: every wait for QEMU (to connect, for a halt) lasts at most this long.
uint64_t timeoutNs;
uint64_t waitStartNs; // the start of the wait in hand

int KeepWaiting(void*)
{
    return timeoutNs && ts_now_ns() - waitStartNs >= timeoutNs ? -ETIMEDOUT : 0;
}

// Guest time is at most 2^62 ns (the plugin's limit).
constexpr uint64_t kMaxNs = uint64_t{1} << 62;

uint64_t NowNs()
{
    return sc_core::sc_time_stamp().value(); // the time resolution is 1 ns
}

// Starts a line with the time it is about, in the format interleave.sh reads.
void PrintStamp(uint64_t ns)
{
    std::printf("[t=%" PRIu64 ".%06" PRIu64 " ms] ", ns / 1000000, ns % 1000000);
}

// A periodic timer: every period it counts a tick, says so and notifies its event.
SC_MODULE(Timer)
{
    sc_core::sc_event tick;
    sc_core::sc_time period;

    void Run()
    {
        for (;;)
        {
            wait(period);
            counters.ticks++;
            PrintStamp(NowNs());
            std::printf("systemc: timer tick %" PRIu64 "\n", counters.ticks);
            tick.notify(sc_core::SC_ZERO_TIME);
        }
    }

    SC_HAS_PROCESS(Timer);
    Timer(sc_core::sc_module_name name, sc_core::sc_time p) : sc_module(name), period(p)
    {
        SC_THREAD(Run);
    }
};

// A module that SystemC wakes on the timer's event, one delta cycle after the tick.
SC_MODULE(Logger)
{
    void OnTick()
    {
        counters.logged++;
        PrintStamp(NowNs());
        std::printf("systemc: logger saw tick %" PRIu64 "\n", counters.logged);
    }

    SC_HAS_PROCESS(Logger);
    Logger(sc_core::sc_module_name name, sc_core::sc_event & tick) : sc_module(name)
    {
        SC_METHOD(OnTick);
        sensitive << tick;
        dont_initialize();
    }
};

// Runs SystemC up to guest time targetNs; sc_time_stamp() then reads exactly targetNs.
void AdvanceTo(uint64_t targetNs)
{
    uint64_t nowNs = NowNs();

    if (targetNs > nowNs)
        sc_core::sc_start(sc_core::sc_time::from_value(targetNs - nowNs));
}

void PrintSummary(const char* why)
{
    std::printf("%s: %s: %" PRIu64 " syncs, %" PRIu64 " mismatches, SystemC time %" PRIu64
                " ns, %" PRIu64 " timer ticks, %" PRIu64 " logged\n",
                kName, why, counters.syncs, counters.mismatches, NowNs(), counters.ticks,
                counters.logged);
}

// The guest is gone. A power-off's GOODBYE names the guest's last time: SystemC runs up
// to it too, so both have simulated the same span. Returns the exit status.
int GuestGone(struct ts_session* session, int protocol, int err)
{
    const struct ts_goodbye* bye = ts_session_goodbye(session);
    uint64_t endNs;

    if (err == -ETIMEDOUT)
    {
        std::fprintf(stderr, "%s: QEMU sent nothing for the --timeout: giving up\n", kName);
        PrintSummary("timed out");
        return 1;
    }
    if (protocol == 1 && err == TS_EOF)
    {
        // The seed's protocol has no goodbye: QEMU closing the pipe is its end.
        PrintSummary("QEMU closed the pipe");
        return counters.mismatches == 0 ? 0 : 1;
    }
    if (err != TS_EGOODBYE || !bye)
    {
        std::fprintf(stderr, "%s: %s\n", kName, ts_strerror(err));
        PrintSummary("QEMU went away without a goodbye");
        return 1;
    }
    if (bye->reason == TS_GOODBYE_POWEROFF &&
        std::sscanf(bye->text, "QEMU exits at guest time %" SCNu64 " ns", &endNs) == 1)
        AdvanceTo(endNs);
    std::string why = "QEMU said goodbye (" + std::string(ts_goodbye_reason_name(bye->reason)) + ")";
    PrintSummary(why.c_str());
    bool normal = bye->reason == TS_GOODBYE_POWEROFF || bye->reason == TS_GOODBYE_QUIT;
    return normal && counters.mismatches == 0 ? 0 : 1;
}

// Answers every halt: SystemC catches up to the guest, then the guest may run one step.
int RunLockstep(struct ts_session* session, const Options& opt, uint64_t stepNs)
{
    for (;;)
    {
        struct ts_halt halt;
        waitStartNs = ts_now_ns();
        int ret = ts_session_wait_halt(session, &halt);
        if (ret < 0)
            return GuestGone(session, opt.protocol, ret);

        AdvanceTo(halt.guest_ns);
        counters.syncs++;
        bool agree = NowNs() == halt.guest_ns;
        if (!agree)
            counters.mismatches++;
        uint64_t untilNs = (halt.guest_ns / stepNs + 1) * stepNs;
        if (opt.printSyncs || !agree)
        {
            PrintStamp(halt.guest_ns);
            std::printf("sync %" PRIu64 ": guest halted, SystemC time %" PRIu64 " ns%s, "
                        "guest may run until %" PRIu64 " ns\n",
                        counters.syncs, NowNs(), agree ? "" : " (MISMATCH)", untilNs);
        }
        ret = ts_session_run_until(session, untilNs);
        if (ret < 0)
            return GuestGone(session, opt.protocol, ret);
    }
}

void Usage(FILE* out)
{
    std::fprintf(out,
        "Usage: %s [OPTION]...\n"
        "SystemC in lockstep with a QEMU guest running libTimeSyncPlugin.so: at every halt\n"
        "SystemC runs up to the guest's time (sc_start), checks sc_time_stamp() against it,\n"
        "then the guest runs one more step. A timer ticks every --period-us and a logger\n"
        "module prints each tick; every line starts with its time, [t=<ms> ms].\n"
        "\n"
        "  --protocol 1|2        the plugin's protocol= (default 2)\n"
        "  --transport NAME      fifo, socket (default) or shm (the plugin's transport=)\n"
        "  --path PATH           the socket or shared-memory file (the plugin's path=)\n"
        "  --host-to-guest PATH  FIFO this participant writes (default /tmp/HostToGuestPipe)\n"
        "  --guest-to-host PATH  FIFO this participant reads (default /tmp/GuestToHostPipe)\n"
        "  --quantum-us N        the plugin's quantum; protocol 1 counts guest time with it\n"
        "  --quantum-ns N        the same in nanoseconds\n"
        "  --step-us N           protocol 2: grant steps of N us (default: the guest's quantum)\n"
        "  --step-ns N           the same in nanoseconds\n"
        "  --period-us N         the timer's period (default 250)\n"
        "  --timeout SECONDS     give up when QEMU is silent this long (default 0: never)\n"
        "  --print-syncs         print a line at every sync\n"
        "  -h, --help            this text\n"
        "\n"
        "Exit status: 0 when the guest ended normally (protocol 2: its GOODBYE; protocol 1:\n"
        "QEMU closed the pipe) and SystemC's time equalled the guest's at every sync; 1 on\n"
        "a mismatch, a QEMU gone without a goodbye, a timeout or a link error; 2 on bad usage.\n",
        kName);
}

// A number of unit ns (1000 for us, 1 for ns, 10^9 for s) into *out: false if malformed.
bool ParseTime(const char* name, const char* text, uint64_t unit, bool zeroOk, uint64_t* out)
{
    char* end;
    errno = 0;
    unsigned long long v = std::strtoull(text, &end, 10);
    if (errno || end == text || *end || text[0] == '-' || (!zeroOk && v == 0) ||
        v > kMaxNs / unit)
    {
        std::fprintf(stderr, "%s: --%s: '%s' is not a %s number of at most %" PRIu64 "\n", kName,
                     name, text, zeroOk ? "whole" : "positive whole", kMaxNs / unit);
        return false;
    }
    *out = v * unit;
    return true;
}

// Fills opt from the command line; false (the message said) on bad usage.
bool ParseOptions(int argc, char** argv, Options& opt, bool& help)
{
    static const struct option longOpts[] = {
        {"protocol", required_argument, nullptr, 'P'},
        {"transport", required_argument, nullptr, 't'},
        {"path", required_argument, nullptr, 'p'},
        {"host-to-guest", required_argument, nullptr, 'H'},
        {"guest-to-host", required_argument, nullptr, 'G'},
        {"quantum-us", required_argument, nullptr, 'q'},
        {"quantum-ns", required_argument, nullptr, 'Q'},
        {"step-us", required_argument, nullptr, 's'},
        {"step-ns", required_argument, nullptr, 'S'},
        {"period-us", required_argument, nullptr, 'r'},
        {"timeout", required_argument, nullptr, 'T'},
        {"print-syncs", no_argument, nullptr, 'v'},
        {"help", no_argument, nullptr, 'h'},
        {nullptr, 0, nullptr, 0},
    };
    int c;
    bool ok = true;

    opterr = 0;
    while (ok && (c = getopt_long(argc, argv, "h", longOpts, nullptr)) != -1)
    {
        switch (c)
        {
        case 'P':
            if (std::strcmp(optarg, "1") == 0 || std::strcmp(optarg, "2") == 0)
                opt.protocol = optarg[0] - '0';
            else
            {
                std::fprintf(stderr, "%s: --protocol: '%s' is not 1 or 2\n", kName, optarg);
                ok = false;
            }
            break;
        case 't': opt.transport = optarg; break;
        case 'p': opt.path = optarg; break;
        case 'H': opt.hostToGuest = optarg; break;
        case 'G': opt.guestToHost = optarg; break;
        case 'q': ok = ParseTime("quantum-us", optarg, 1000, false, &opt.quantumNs); break;
        case 'Q': ok = ParseTime("quantum-ns", optarg, 1, false, &opt.quantumNs); break;
        case 's': ok = ParseTime("step-us", optarg, 1000, false, &opt.stepNs); break;
        case 'S': ok = ParseTime("step-ns", optarg, 1, false, &opt.stepNs); break;
        case 'r': ok = ParseTime("period-us", optarg, 1000, false, &opt.periodNs); break;
        case 'T': ok = ParseTime("timeout", optarg, 1000000000, true, &opt.timeoutNs); break;
        case 'v': opt.printSyncs = true; break;
        case 'h': help = true; return true;
        default:
            std::fprintf(stderr, "%s: unknown option or missing value: '%s' (try --help)\n", kName,
                         argv[optind - 1]);
            ok = false;
        }
    }
    if (ok && optind < argc)
    {
        std::fprintf(stderr, "%s: unexpected argument '%s' (try --help)\n", kName, argv[optind]);
        ok = false;
    }
    return ok;
}

} // namespace

int sc_main(int argc, char* argv[])
{
    Options opt;
    bool help = false;

    // SystemC's banner would mix into the model's output (a user's setting wins).
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
    if (!ParseOptions(argc, argv, opt, help))
        return 2;
    if (help)
    {
        Usage(stdout);
        return 0;
    }
    struct ts_session_config cfg;
    std::memset(&cfg, 0, sizeof(cfg));
    if (ts_transport_parse(opt.transport.c_str(), &cfg.link.transport) < 0)
    {
        std::fprintf(stderr, "%s: --transport: '%s' is not fifo, socket or shm\n", kName,
                     opt.transport.c_str());
        return 2;
    }
    if (cfg.link.transport != TS_TRANSPORT_FIFO && opt.path.empty())
    {
        std::fprintf(stderr, "%s: --transport %s needs --path PATH (the plugin's path=)\n", kName,
                     opt.transport.c_str());
        return 2;
    }
    if (opt.protocol == 1 && opt.quantumNs == 0)
    {
        std::fprintf(stderr, "%s: --protocol 1 needs --quantum-us or --quantum-ns (the plugin's "
                     "TimeInMicroseconds): the seed's byte carries no time\n", kName);
        return 2;
    }
    cfg.protocol = opt.protocol;
    cfg.quantum_ns = opt.quantumNs;
    cfg.link.path = opt.path.c_str();
    cfg.link.host_to_guest = opt.hostToGuest.c_str();
    cfg.link.guest_to_host = opt.guestToHost.c_str();
    cfg.link.wait.spin_ns = 50000;
    cfg.link.wait.slice_ms = 100;
    cfg.link.wait.keep_waiting = KeepWaiting;
    timeoutNs = opt.timeoutNs;
    std::setvbuf(stdout, nullptr, _IOLBF, 0);

    sc_core::sc_set_time_resolution(1, sc_core::SC_NS);
    sc_core::sc_report_handler::set_actions("/IEEE_Std_1666/deprecated", sc_core::SC_DO_NOTHING);
    Timer timer("timer", sc_core::sc_time::from_value(opt.periodNs));
    Logger logger("logger", timer.tick);

    const char* where = cfg.link.transport == TS_TRANSPORT_FIFO ? opt.guestToHost.c_str()
                                                                : opt.path.c_str();
    struct ts_session* session;
    int ret = ts_session_open(&session, TS_ROLE_PARTICIPANT, &cfg);
    if (ret < 0)
    {
        std::fprintf(stderr, "%s: %s: %s\n", kName, where, ts_strerror(ret));
        return 1;
    }
    std::fprintf(stderr, "%s: waiting for QEMU on %s\n", kName, where);
    waitStartNs = ts_now_ns();
    ret = ts_session_connect(session);
    if (ret < 0)
    {
        std::fprintf(stderr, "%s: cannot connect to QEMU on %s: %s %s\n", kName, where,
                     ret == -ETIMEDOUT ? "no QEMU came within the --timeout" : ts_strerror(ret),
                     ts_session_error(session));
        ts_session_close(session, 0, nullptr);
        return 1;
    }
    uint64_t stepNs = opt.protocol == 1 ? opt.quantumNs
                      : opt.stepNs      ? opt.stepNs
                                        : ts_session_guest_quantum_ns(session);
    if (stepNs == 0)
    {
        std::fprintf(stderr, "%s: the guest announced no quantum: give --step-us\n", kName);
        ts_session_close(session, TS_GOODBYE_ERROR, "no step");
        return 1;
    }
    std::fprintf(stderr, "%s: connected (protocol %d), steps of %" PRIu64 " ns\n", kName,
                 opt.protocol, stepNs);
    int status = RunLockstep(session, opt, stepNs);
    ts_session_close(session, 0, nullptr);
    return status;
}
