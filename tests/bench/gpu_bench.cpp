// GPU inventory benchmark: the cost of one refresh through NVML and through nvidia-smi, and the
// CPU share of a GpuMonitor polling at 1 Hz. Prints figures only; nothing is asserted, since
// timings depend on the machine. By default NVML is the test library and nvidia-smi a script
// printing the H100 capture; GPUDECK_BENCH_REAL=1 uses the host's driver and nvidia-smi instead.
// GPUDECK_BENCH_SECONDS sets the monitor window (default 10; the target is stated for 30).
#include "FakeSmi.h"

#include "engine/ContainerDirectory.h"
#include "gpu/GpuInventory.h"
#include "gpu/GpuMonitor.h"
#include "gpu/ProcessOwners.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
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
        out << QString::fromUtf8(QJsonDocument(first.toJson()).toJson(QJsonDocument::Compact))
            << '\n';
    if (!first.ok()) {
        out << label << ": no GPUs (" << first.error.message() << ")\n";
        return;
    }
    t.restart();
    for (int i = 0; i < rounds; ++i)
        inventory.readBlocking();
    const double perRefreshUs = static_cast<double>(t.nsecsElapsed()) / rounds / 1000.0;
    out << label << " (" << first.gpus.size() << " GPUs via "
        << GpuSnapshot::sourceName(first.source) << "): first read "
        << QString::number(static_cast<double>(firstNs) / 1000.0, 'f', 1) << " us, then "
        << QString::number(perRefreshUs, 'f', 1) << " us per refresh (mean of " << rounds << ")\n";
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

// Naming the owners of 100 GPU processes once cached: 100 processes in 10 containers, a /proc
// tree written here (every process in a container cgroup), the directory filled once; then the
// same with 100 real host processes (sleep) and this machine's /proc. Each refresh reads one
// stat file per PID and asks the engine nothing (engineCalls stays 0).
void ownersCost(int rounds)
{
    QTemporaryDir tmp;
    ContainerDirectory directory(nullptr);
    GpuSnapshot s;
    GpuInfo g;
    g.index = 0;
    g.processesKnown = true;
    for (int i = 0; i < 100; ++i) {
        const QString id = QStringLiteral("%1").arg(i % 10, 64, 10, QLatin1Char('c'));
        if (i < 10)
            directory.remember(
                {id, QStringLiteral("train-%1").arg(i), QStringLiteral("pytorch:2.4")});
        const QString dir = tmp.filePath(QString::number(1000 + i));
        QDir().mkpath(dir);
        auto put = [&dir](const char *name, const QByteArray &data) {
            QFile f(dir + QLatin1Char('/') + QLatin1String(name));
            if (f.open(QIODevice::WriteOnly))
                f.write(data);
        };
        put("stat", QByteArray::number(1000 + i)
                        + " (python) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 777 1000 100\n");
        put("cgroup", "0::/system.slice/docker-" + id.toLatin1() + ".scope\n");
        put("status", "Name:\tpython\nUid:\t0\t0\t0\t0\n");
        put("cmdline", QByteArray("python\0train.py\0", 16));
        GpuInfo::Process p;
        p.pid = 1000 + i;
        p.usedMemory = 1LL << 30;
        g.processes.append(p);
    }
    s.gpus.append(g);

    auto measure = [&](const QString &label, ProcessOwners &owners, const GpuSnapshot &base) {
        GpuSnapshot first = base;
        owners.annotate(first); // fills the caches
        QElapsedTimer t;
        t.start();
        for (int r = 0; r < rounds; ++r) {
            GpuSnapshot copy = base;
            owners.annotate(copy);
        }
        const double ms = static_cast<double>(t.nsecsElapsed()) / rounds / 1e6;
        out << "owners of 100 GPU processes (" << label << "): " << QString::number(ms, 'f', 3)
            << " ms per refresh once cached (mean of " << rounds << "), engine calls "
            << directory.engineCalls() << ", first owner \""
            << first.gpus.at(0).processes.at(0).ownerLabel() << "\"\n";
        out.flush();
    };
    ProcessOwners fake(tmp.path());
    fake.setDirectory(&directory);
    measure(QStringLiteral("10 containers, written /proc"), fake, s);

    // 100 real host processes.
    QList<QProcess *> sleepers;
    GpuSnapshot host = s;
    host.gpus[0].processes.clear();
    for (int i = 0; i < 100; ++i) {
        auto *p = new QProcess;
        p->start(QStringLiteral("sleep"), {QStringLiteral("60")});
        if (!p->waitForStarted())
            break;
        sleepers.append(p);
        GpuInfo::Process gp;
        gp.pid = p->processId();
        host.gpus[0].processes.append(gp);
    }
    ProcessOwners real;
    real.setDirectory(&directory);
    measure(QStringLiteral("host processes, this machine's /proc"), real, host);
    for (QProcess *p : sleepers) {
        p->kill();
        p->waitForFinished();
        delete p;
    }
}

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
    ownersCost(1000);
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
