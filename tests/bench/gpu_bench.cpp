// GPU inventory benchmark: the cost of one refresh through NVML and through nvidia-smi, and the
// CPU share of a GpuMonitor polling at 1 Hz. Prints figures only; nothing is asserted, since
// timings depend on the machine. By default NVML is the test library and nvidia-smi a script
// printing the H100 capture; GPUDECK_BENCH_REAL=1 uses the host's driver and nvidia-smi instead.
// GPUDECK_BENCH_SECONDS sets the monitor window (default 10; the target is stated for 30).
#include "FakeSmi.h"

#include "gpu/GpuInventory.h"
#include "gpu/GpuMonitor.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonDocument>
#include <QTextStream>
#include <QTimer>

#include <sys/resource.h>

namespace {

QTextStream out(stdout);

double cpuSeconds(int who)
{
    rusage ru = {};
    getrusage(who, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec)
        + static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

void refreshCost(const QString &label, int rounds)
{
    GpuInventory inventory;
    QElapsedTimer t;
    t.start();
    const GpuSnapshot first = inventory.readBlocking();
    const qint64 firstNs = t.nsecsElapsed();
    if (qEnvironmentVariableIntValue("GPUDECK_BENCH_REAL") == 1)
        out << QString::fromUtf8(QJsonDocument(first.toJson()).toJson(QJsonDocument::Compact)) << '\n';
    if (!first.ok()) {
        out << label << ": no GPUs (" << first.error.message() << ")\n";
        return;
    }
    t.restart();
    for (int i = 0; i < rounds; ++i)
        inventory.readBlocking();
    const double perRefreshUs = static_cast<double>(t.nsecsElapsed()) / rounds / 1000.0;
    out << label << " (" << first.gpus.size() << " GPUs via " << GpuSnapshot::sourceName(first.source)
        << "): first read " << QString::number(static_cast<double>(firstNs) / 1000.0, 'f', 1)
        << " us, then " << QString::number(perRefreshUs, 'f', 1) << " us per refresh (mean of "
        << rounds << ")\n";
    out.flush();
}

void monitorShare(const QString &label, int seconds)
{
    GpuMonitor monitor;
    int updates = 0;
    QObject::connect(&monitor, &GpuMonitor::updated, &monitor, [&updates] { ++updates; });
    QEventLoop loop;
    QTimer::singleShot(seconds * 1000, &loop, &QEventLoop::quit);
    const double self0 = cpuSeconds(RUSAGE_SELF);
    const double kids0 = cpuSeconds(RUSAGE_CHILDREN);
    QElapsedTimer wall;
    wall.start();
    monitor.start();
    loop.exec();
    monitor.pause();
    const double w = static_cast<double>(wall.elapsed()) / 1000.0;
    const double self = (cpuSeconds(RUSAGE_SELF) - self0) / w * 100.0;
    const double kids = (cpuSeconds(RUSAGE_CHILDREN) - kids0) / w * 100.0;
    out << label << " at 1 Hz over " << QString::number(w, 'f', 1) << " s: " << updates
        << " updates, " << QString::number(self, 'f', 3) << "% of one core in gpudeck, "
        << QString::number(kids, 'f', 3) << "% in child processes\n";
    out.flush();
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const bool real = qEnvironmentVariableIntValue("GPUDECK_BENCH_REAL") == 1;
    int seconds = qEnvironmentVariableIntValue("GPUDECK_BENCH_SECONDS");
    if (seconds <= 0)
        seconds = 10;
    const QByteArray path = qgetenv("PATH");

    // NVML
    if (!real) {
        qputenv("GPUDECK_NVML_PATH", GPUDECK_FAKE_NVML);
        qputenv("GPUDECK_FAKE_NVML_SCENARIO", "eight");
    }
    refreshCost(QStringLiteral("NVML"), 5000);
    monitorShare(QStringLiteral("monitor, NVML"), seconds);

    // nvidia-smi
    FakeSmi smi;
    if (real) {
        qputenv("GPUDECK_NVML_PATH", "/nonexistent/libnvidia-ml.so.1");
    } else {
        qputenv("GPUDECK_NVML_PATH", "/nonexistent/libnvidia-ml.so.1");
        QFile capture(QStringLiteral(GPUDECK_FIXTURES_DIR "/nvidia-smi/h100-query-gpu.csv"));
        if (capture.open(QIODevice::ReadOnly)) {
            const QByteArray csv = capture.readAll();
            smi.write(QStringLiteral("identity.csv"), csv);
            smi.write(QStringLiteral("live.csv"), "0, 0, 0, 0, 36, 72.97, 700.00\n");
        }
        qputenv("PATH", smi.dir().toLocal8Bit() + ':' + path);
    }
    refreshCost(QStringLiteral("nvidia-smi"), 50);
    monitorShare(QStringLiteral("monitor, nvidia-smi"), qMin(seconds, 5));
    return 0;
}
