// Issue 27's figures, against the sandboxed engine (GPUDECK_TEST_HOST, a unix:// URL) and two
// stand-in GPUs (a fake nvidia-smi); printed, never asserted:
// - what the claim adds to a free-GPU launch: the read of the engine's claims before the pick
//   and the check after the create (GpuLedger::readClaims + GpuLedger::check), median of 20,
//   alone and with an overlapping earlier claim on the engine (then the check inspects both);
//   and a whole detached free-GPU launch for scale (target: the claim under 50 ms); the check's
//   events are opened after the create, as a launch opens them;
// - a launch waiting for GPUs that a docker-CLI container holds: its CPU share over
//   GPUDECK_BENCH_SECONDS (default 20), the process alone and with the nvidia-smi it runs at each
//   GPU refresh (target: under 0.5 % of a core).
//   GPUDECK_TEST_HOST=$(tests/scripts/test-engine.sh start /tmp/e | tail -n 1)
//   build/tests/bench/bench_ledger       (with GPUDECK_TEST_HOST exported)
#include "FakeSmi.h"
#include "TestEngine.h"

#include "engine/DockerClient.h"
#include "engine/Endpoint.h"
#include "gpu/GpuInventory.h"
#include "launch/DockerCreateBody.h"
#include "launch/FreeGpuPicker.h"
#include "launch/GpuLedger.h"
#include "launch/Launcher.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <sys/resource.h>

namespace {

const QString kImage = QStringLiteral("gpudeck-test:latest");

double median(QList<double> values)
{
    std::sort(values.begin(), values.end());
    return values.isEmpty() ? 0 : values.at(values.size() / 2);
}

double cpuSeconds(int who)
{
    rusage usage{};
    getrusage(who, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
           + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// Runs the event loop until done() says so (or 60 s passed).
void spin(const std::function<bool()> &done)
{
    QElapsedTimer timer;
    timer.start();
    while (!done() && timer.elapsed() < 60000)
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
}

// A container created with a claim on uuid (not started); its id.
QString createClaim(DockerClient &client, const QString &uuid)
{
    LaunchSpec spec;
    spec.image = kImage;
    spec.command = {QStringLiteral("nvidia-smi")};
    spec.networkMode = QStringLiteral("none");
    spec.labels.insert(ContainerRecord::gpusLabel(), uuid);
    QString id;
    bool answered = false;
    QObject context;
    client.createContainer(DockerCreateBody::build(spec, true), {}, &context,
                           [&](const Result<QString> &created) {
                               answered = true;
                               if (created)
                                   id = created.value();
                           });
    spin([&]() { return answered; });
    return id;
}

void remove(const QStringList &ids)
{
    if (!ids.isEmpty())
        TestEngine::docker(QStringList{QStringLiteral("rm"), QStringLiteral("-f")} + ids);
}

// Milliseconds of readClaims + check for a fresh claim on GPU-aaaa, median of 20.
void claimCost(DockerClient &client, const GpuSnapshot &host, bool overlapping)
{
    const QString earlier = overlapping ? createClaim(client, QStringLiteral("GPU-aaaa"))
                                        : QString();
    QList<double> reads;
    QList<double> checks;
    for (int i = 0; i < 20; ++i) {
        QObject context;
        const QString id = createClaim(client, QStringLiteral("GPU-aaaa"));
        QElapsedTimer timer;
        timer.start();
        bool read = false;
        GpuLedger::readClaims(&client, host, &context,
                              [&](const Result<QList<GpuLedger::Claim>> &) { read = true; });
        spin([&]() { return read; });
        reads << timer.nsecsElapsed() / 1e6;
        timer.restart();
        bool checked = false;
        QString gaveWayTo;
        GpuLedger::check(&client, {}, id, {QStringLiteral("GPU-aaaa")}, host, &context,
                         [&](const Result<QString> &holder) {
                             checked = true;
                             gaveWayTo = holder.valueOr(QStringLiteral("(error)"));
                         });
        spin([&]() { return checked; });
        checks << timer.nsecsElapsed() / 1e6;
        if (overlapping != !gaveWayTo.isEmpty())
            std::fprintf(stderr, "unexpected answer of the check: '%s'\n", qPrintable(gaveWayTo));
        remove({id});
    }
    remove(earlier.isEmpty() ? QStringList() : QStringList{earlier});
    std::printf("claim %s: read of the claims %.1f ms + check after the create %.1f ms = "
                "%.1f ms added per launch (median of 20; target under 50 ms)\n",
                overlapping ? "with an overlapping earlier claim" : "alone", median(reads),
                median(checks), median(reads) + median(checks));
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (TestEngine::host().isEmpty()) {
        std::fprintf(stderr, "bench_ledger: set GPUDECK_TEST_HOST to the sandboxed engine\n");
        return 2;
    }
    FakeSmi smi;
    smi.writeTwoIdleGpus();
    qputenv("GPUDECK_NVML_PATH", "/nonexistent/libnvidia-ml.so.1");
    qputenv("PATH", smi.pathOnly() + ':' + qgetenv("PATH"));

    const Result<Endpoint> endpoint = EndpointResolver::resolve(TestEngine::host());
    if (!endpoint) {
        std::fprintf(stderr, "bench_ledger: %s\n", qPrintable(endpoint.error().message()));
        return 1;
    }
    DockerClient client(endpoint.value());
    GpuInventory inventory;
    GpuSnapshot host;
    bool haveHost = false;
    QObject::connect(&inventory, &GpuInventory::finished, &app, [&](const GpuSnapshot &read) {
        host = read;
        haveHost = true;
    });
    inventory.refresh();
    spin([&]() { return haveHost; });

    claimCost(client, host, false);
    claimCost(client, host, true);

    // A whole detached launch of "1 free GPU", for scale.
    QList<double> launches;
    for (int i = 0; i < 10; ++i) {
        LaunchSpec spec;
        spec.image = kImage;
        spec.command = {QStringLiteral("true")};
        spec.networkMode = QStringLiteral("none");
        spec.gpus = GpuSelection::ofFree(1);
        spec.autoRemove = true;
        Launcher launcher(&client);
        launcher.setGpuInventory(&inventory);
        bool finished = false;
        QObject::connect(&launcher, &Launcher::finished, &app, [&]() { finished = true; });
        QElapsedTimer timer;
        timer.start();
        launcher.launch(spec, true);
        spin([&]() { return finished; });
        launches << timer.nsecsElapsed() / 1e6;
        if (launcher.state() != Launcher::State::Exited)
            std::fprintf(stderr, "launch failed: %s\n", qPrintable(launcher.error().message()));
    }
    std::printf("a detached free-GPU launch, all of it: %.1f ms (median of 10)\n",
                median(launches));

    // A launch waiting while a docker-CLI container holds both GPUs.
    const QString holder =
        QStringLiteral("bench-ledger-holder-%1").arg(QCoreApplication::applicationPid());
    TestEngine::docker({QStringLiteral("run"), QStringLiteral("-d"), QStringLiteral("--name"),
                        holder, QStringLiteral("--network"), QStringLiteral("none"),
                        QStringLiteral("--gpus"), QStringLiteral("\"device=GPU-aaaa,GPU-bbbb\""),
                        kImage, QStringLiteral("sleep"), QStringLiteral("3600")});
    LaunchSpec waiting;
    waiting.image = kImage;
    waiting.command = {QStringLiteral("nvidia-smi")};
    waiting.networkMode = QStringLiteral("none");
    waiting.gpus = GpuSelection::ofFree(1);
    Launcher launcher(&client);
    launcher.setGpuInventory(&inventory);
    launcher.setWaitForGpus(true);
    launcher.launch(waiting);
    spin([&]() { return launcher.isWaitingForGpus() || !launcher.isActive(); });
    if (!launcher.isWaitingForGpus()) {
        std::fprintf(stderr, "the launch did not wait: %s\n",
                     qPrintable(launcher.error().message()));
        remove({holder});
        return 1;
    }
    const int seconds = qEnvironmentVariableIsSet("GPUDECK_BENCH_SECONDS")
                            ? qEnvironmentVariableIntValue("GPUDECK_BENCH_SECONDS")
                            : 20;
    const double selfBefore = cpuSeconds(RUSAGE_SELF);
    const double childrenBefore = cpuSeconds(RUSAGE_CHILDREN);
    QElapsedTimer wall;
    wall.start();
    QEventLoop loop;
    QTimer::singleShot(seconds * 1000, &loop, &QEventLoop::quit);
    loop.exec();
    const double elapsed = wall.nsecsElapsed() / 1e9;
    const double self = cpuSeconds(RUSAGE_SELF) - selfBefore;
    const double children = cpuSeconds(RUSAGE_CHILDREN) - childrenBefore;
    std::printf("a launch waiting for GPUs over %.0f s: %.3f %% of a core (the process), %.3f %% "
                "with the nvidia-smi runs of its GPU refresh (target under 0.5 %%)\n",
                elapsed, 100 * self / elapsed, 100 * (self + children) / elapsed);
    launcher.cancel();
    remove({holder});
    return 0;
}
