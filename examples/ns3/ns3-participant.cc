// SPDX-License-Identifier: MIT
/*
 * ns-3 as a co-simulation participant: ns-3's simulator and a QEMU guest share one clock.
 *
 * At every halt of the guest, ns-3 runs its own events up to exactly the guest's time
 * (Simulator::Stop(delta) then Simulator::Run(): the stop event ends Run() with the clock
 * at the halt), checks that its clock and the guest's agree, then grants the guest the
 * next step (protocol 2 RUN_UNTIL). The grant is the next multiple of the step, not
 * "halt + step", so a halt that comes a little late does not shift the ones after it.
 * ns-3 runs events of equal time in the order they were scheduled: one at exactly the
 * halt's time runs in this step if it was scheduled before the step's stop event, else
 * first thing in the next step.
 *
 * The ns-3 side: a periodic event, and optionally a UDP echo between two nodes over a
 * point-to-point link. Every line this program prints starts with the time it happened,
 * "[t=<ms> ms]", so that scripts/interleave.sh can merge it with the guest's output.
 */
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <string>

#include "ns3/applications-module.h"
#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"

#include "timesync.h"
#include "timesync_proto.h"

using namespace ns3;

namespace
{

struct Options {
    std::string transport = "socket";
    std::string path;
    uint64_t stepUs = 0; // 0: the guest's quantum, from its HELLO
    uint64_t periodUs = 2500;
    uint64_t echoUs = 0; // 0: no UDP echo
    bool printSyncs = false;
};

struct Counters {
    uint64_t syncs = 0;
    uint64_t mismatches = 0;
    uint64_t periodicEvents = 0;
    uint64_t packetEvents = 0;
};

Counters counters;

// Guest time is at most 2^62 ns (the plugin's limit): times given in us stay below.
constexpr uint64_t kMaxUs = (uint64_t{1} << 62) / 1000;

uint64_t NowNs()
{
    return static_cast<uint64_t>(Simulator::Now().GetNanoSeconds());
}

// Starts a line with the time it is about, in the format interleave.sh reads.
void PrintStamp(uint64_t ns)
{
    std::printf("[t=%" PRIu64 ".%06" PRIu64 " ms] ", ns / 1000000, ns % 1000000);
}

void PeriodicEvent(Time period)
{
    counters.periodicEvents++;
    PrintStamp(NowNs());
    std::printf("ns-3: periodic event %" PRIu64 "\n", counters.periodicEvents);
    Simulator::Schedule(period, &PeriodicEvent, period);
}

void PacketEvent(const char* what, Ptr<const Packet> packet)
{
    counters.packetEvents++;
    PrintStamp(NowNs());
    std::printf("ns-3: %s (%" PRIu32 " bytes)\n", what, packet->GetSize());
}

void EchoRequestSent(Ptr<const Packet> packet)
{
    PacketEvent("node 0 sends a UDP echo request", packet);
}

void EchoRequestReceived(Ptr<const Packet> packet)
{
    PacketEvent("node 1 receives the request and echoes it", packet);
}

void EchoReplyReceived(Ptr<const Packet> packet)
{
    PacketEvent("node 0 receives the echo", packet);
}

// Two nodes, a 10 Mbit/s point-to-point link with 500 us delay, a UDP echo every interval.
void BuildEchoNetwork(Time interval)
{
    NodeContainer nodes;
    nodes.Create(2);
    PointToPointHelper link;
    link.SetDeviceAttribute("DataRate", StringValue("10Mbps"));
    link.SetChannelAttribute("Delay", StringValue("500us"));
    NetDeviceContainer devices = link.Install(nodes);
    InternetStackHelper internet;
    internet.Install(nodes);
    Ipv4AddressHelper addresses("10.1.1.0", "255.255.255.0");
    Ipv4InterfaceContainer interfaces = addresses.Assign(devices);

    UdpEchoServerHelper server(9);
    ApplicationContainer serverApp = server.Install(nodes.Get(1));
    UdpEchoClientHelper client(interfaces.GetAddress(1), 9);
    client.SetAttribute("MaxPackets", UintegerValue(1000000));
    client.SetAttribute("Interval", TimeValue(interval));
    client.SetAttribute("PacketSize", UintegerValue(64));
    ApplicationContainer clientApp = client.Install(nodes.Get(0));
    clientApp.Start(interval);

    clientApp.Get(0)->TraceConnectWithoutContext("Tx", MakeCallback(&EchoRequestSent));
    clientApp.Get(0)->TraceConnectWithoutContext("Rx", MakeCallback(&EchoReplyReceived));
    serverApp.Get(0)->TraceConnectWithoutContext("Rx", MakeCallback(&EchoRequestReceived));
}

// Runs ns-3's events up to guest time targetNs; ns-3's clock then reads exactly targetNs.
void AdvanceTo(uint64_t targetNs)
{
    uint64_t nowNs = NowNs();

    if (targetNs <= nowNs)
        return;
    Simulator::Stop(NanoSeconds(static_cast<int64_t>(targetNs - nowNs)));
    Simulator::Run();
}

void PrintSummary(const char* why)
{
    std::printf("ns3-participant: %s: %" PRIu64 " syncs, %" PRIu64 " mismatches, ns-3 time %" PRIu64
                " ns, %" PRIu64 " periodic events, %" PRIu64 " packet events\n",
                why,
                counters.syncs,
                counters.mismatches,
                NowNs(),
                counters.periodicEvents,
                counters.packetEvents);
}

// The guest is gone. A power-off's GOODBYE names the guest's last time: ns-3 runs up to
// it too, so both have simulated the same span. Returns the exit status.
int GuestGone(struct ts_session* session, int err)
{
    const struct ts_goodbye* bye = ts_session_goodbye(session);
    uint64_t endNs;

    if (err != TS_EGOODBYE || !bye)
    {
        std::fprintf(stderr, "ns3-participant: %s\n", ts_strerror(err));
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

// Answers every halt: ns-3 catches up to the guest, then the guest may run one step.
int RunLockstep(struct ts_session* session, uint64_t stepNs, bool printSyncs)
{
    for (;;)
    {
        struct ts_halt halt;
        int ret = ts_session_wait_halt(session, &halt);
        if (ret < 0)
            return GuestGone(session, ret);

        AdvanceTo(halt.guest_ns);
        counters.syncs++;
        bool agree = NowNs() == halt.guest_ns;
        if (!agree)
            counters.mismatches++;
        uint64_t untilNs = (halt.guest_ns / stepNs + 1) * stepNs;
        if (printSyncs || !agree)
        {
            PrintStamp(halt.guest_ns);
            std::printf("sync %" PRIu64 ": guest halted, ns-3 clock %" PRIu64 " ns%s, "
                        "guest may run until %" PRIu64 " ns\n",
                        counters.syncs,
                        NowNs(),
                        agree ? "" : " (MISMATCH)",
                        untilNs);
        }
        ret = ts_session_run_until(session, untilNs);
        if (ret < 0)
            return GuestGone(session, ret);
    }
}

} // namespace

int main(int argc, char* argv[])
{
    Options opt;
    CommandLine cmd(__FILE__);
    cmd.Usage("ns-3 in lockstep with a QEMU guest running libTimeSyncPlugin.so with "
              "protocol=2:\nat every halt ns-3 runs up to the guest's time, then the guest "
              "runs one more step.\nOptions are given as --name=value.");
    cmd.AddValue("transport", "socket or shm (the plugin's transport=)", opt.transport);
    cmd.AddValue("path", "the socket or shared-memory file (the plugin's path=)", opt.path);
    cmd.AddValue("step-us", "grant steps of this many us (0: the guest's quantum)", opt.stepUs);
    cmd.AddValue("period-us", "a periodic ns-3 event every this many us (0: none)", opt.periodUs);
    cmd.AddValue("echo-us", "a UDP echo between two nodes every this many us (0: none)",
                 opt.echoUs);
    cmd.AddValue("print-syncs", "print a line at every sync", opt.printSyncs);
    cmd.Parse(argc, argv);

    struct ts_session_config cfg;
    std::memset(&cfg, 0, sizeof(cfg));
    cfg.protocol = 2;
    cfg.link.wait.spin_ns = 50000;
    cfg.link.wait.slice_ms = 100;
    cfg.link.path = opt.path.c_str();
    if (ts_transport_parse(opt.transport.c_str(), &cfg.link.transport) < 0 ||
        cfg.link.transport == TS_TRANSPORT_FIFO || opt.path.empty())
    {
        std::fprintf(stderr, "ns3-participant: give --transport=socket or shm and --path=PATH\n");
        return 2;
    }
    if (opt.stepUs > kMaxUs || opt.periodUs > kMaxUs || opt.echoUs > kMaxUs)
    {
        std::fprintf(stderr, "ns3-participant: a time is too large (at most %" PRIu64 " us)\n",
                     kMaxUs);
        return 2;
    }
    std::setvbuf(stdout, nullptr, _IOLBF, 0);

    Time::SetResolution(Time::NS);
    if (opt.periodUs)
        Simulator::Schedule(MicroSeconds(opt.periodUs), &PeriodicEvent, MicroSeconds(opt.periodUs));
    if (opt.echoUs)
        BuildEchoNetwork(MicroSeconds(opt.echoUs));

    struct ts_session* session;
    int ret = ts_session_open(&session, TS_ROLE_PARTICIPANT, &cfg);
    if (ret < 0)
    {
        std::fprintf(stderr, "ns3-participant: %s: %s\n", opt.path.c_str(), ts_strerror(ret));
        return 1;
    }
    std::fprintf(stderr, "ns3-participant: waiting for QEMU on %s\n", opt.path.c_str());
    ret = ts_session_connect(session);
    if (ret < 0)
    {
        std::fprintf(stderr, "ns3-participant: cannot connect: %s %s\n", ts_strerror(ret),
                     ts_session_error(session));
        ts_session_close(session, 0, nullptr);
        return 1;
    }
    uint64_t stepNs = opt.stepUs ? opt.stepUs * 1000 : ts_session_guest_quantum_ns(session);
    if (stepNs == 0)
    {
        std::fprintf(stderr, "ns3-participant: the guest announced no quantum: give --step-us\n");
        ts_session_close(session, TS_GOODBYE_ERROR, "no step");
        return 1;
    }
    std::fprintf(stderr, "ns3-participant: connected, steps of %" PRIu64 " ns\n", stepNs);
    int status = RunLockstep(session, stepNs, opt.printSyncs);
    ts_session_close(session, 0, nullptr);
    Simulator::Destroy();
    return status;
}
