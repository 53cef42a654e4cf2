// GPU history benchmark (issue 26): what sampling 8 GPUs each second costs a core (an NVML read
// of the fake library's eight-GPU scenario, recorded into the history), what an hour of 8 GPUs'
// history takes, and how long the selected GPU's plot takes to repaint with a full hour in it.
// Targets: under 0.5 % of a core, under 10 MB, under 5 ms. Prints figures only.
//   QT_QPA_PLATFORM=offscreen build/tests/bench/bench_history
#include "gpu/GpuHistory.h"
#include "gpu/GpuMonitor.h"
#include "gpus/HistoryPlot.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QImage>
#include <QPainter>
#include <QTextStream>

#include <ctime>

namespace {

QTextStream out(stdout);

double threadCpuSeconds()
{
    timespec ts = {};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

// The monitor reads as fast as 20 Hz for `reads` reads; the CPU a read costs, times one a second.
void samplingCost(int reads)
{
    GpuMonitor monitor;
    monitor.setInterval(50);
    int updates = 0;
    QEventLoop loop;
    QObject::connect(&monitor, &GpuMonitor::updated, &loop, [&](const GpuSnapshot &) {
        if (++updates == 5) // NVML's start-up is not the steady cost
            loop.setProperty("cpu0", threadCpuSeconds());
        if (updates == 5 + reads)
            loop.quit();
    });
    monitor.start();
    loop.exec();
    monitor.pause();
    const double perRead = (threadCpuSeconds() - loop.property("cpu0").toDouble()) / reads;
    const int gpus = int(monitor.latest().gpus.size());
    out << "sampling " << gpus << " GPUs each second costs "
        << QString::number(perRead * 100, 'f', 3) << " % of a core ("
        << QString::number(perRead * 1e3, 'f', 3) << " ms CPU a read, " << reads
        << " reads, history included)\n";
}

GpuSnapshot second(int s)
{
    GpuSnapshot snap;
    snap.taken = QDateTime::fromMSecsSinceEpoch(1'700'000'000'000LL + s * 1000LL, Qt::UTC);
    for (int i = 0; i < 8; ++i) {
        GpuInfo g;
        g.index = i;
        g.uuid = QStringLiteral("GPU-%1").arg(i);
        g.name = QStringLiteral("NVIDIA H100");
        g.memoryTotal = 80LL << 30;
        g.gpuUtil = (s * 7 + i * 13) % 101;
        g.temperature = 40 + s % 30;
        g.powerDraw = 300;
        g.smClock = 1980;
        for (int k = 0; k < 3; ++k) {
            GpuInfo::Process p;
            p.pid = 1000 + i * 10 + k;
            p.usedMemory = qint64((s + k * 600) % 3600 + 1) << 22;
            if (k == 0) {
                p.container.id = QString(64, QLatin1Char('a' + char(i)));
                p.container.name = QStringLiteral("train-%1").arg(i);
            }
            g.processes << p;
        }
        g.memoryUsed = 0;
        for (const GpuInfo::Process &p : std::as_const(g.processes))
            g.memoryUsed += p.usedMemory;
        snap.gpus << g;
    }
    return snap;
}

} // namespace

int main(int argc, char **argv)
{
    qputenv("GPUDECK_NVML_PATH", GPUDECK_FAKE_NVML);
    qputenv("GPUDECK_FAKE_NVML_SCENARIO", "eight");
    QApplication app(argc, argv);

    samplingCost(200);

    GpuHistory history;
    QElapsedTimer clock;
    clock.start();
    for (int s = 0; s < 3600; ++s)
        history.record(second(s));
    const qint64 fillMs = clock.elapsed();
    out << "one hour of 8 GPUs' history (3 owners each) takes "
        << QString::number(double(history.memoryBytes()) / (1024.0 * 1024.0), 'f', 2)
        << " MB (recorded in " << fillMs << " ms)\n";

    QObject owner;
    HistoryPlot plot;
    plot.setHistory(&history, &owner);
    plot.setGpu(QStringLiteral("GPU-3"));
    plot.setSpanMinutes(60);
    plot.resize(800, 220);
    QImage image(plot.size(), QImage::Format_ARGB32_Premultiplied);
    const int rounds = qEnvironmentVariableIntValue("GPUDECK_BENCH_ROUNDS") > 0
                           ? qEnvironmentVariableIntValue("GPUDECK_BENCH_ROUNDS")
                           : 200;
    plot.render(&image); // fonts and caches warm
    clock.restart();
    for (int i = 0; i < rounds; ++i)
        plot.render(&image);
    out << "a plot repaint (800x220, 60 minutes, 3 owners) takes "
        << QString::number(double(clock.nsecsElapsed()) / 1e6 / rounds, 'f', 2) << " ms\n";
    plot.setSpanMinutes(1);
    plot.render(&image);
    clock.restart();
    for (int i = 0; i < rounds; ++i)
        plot.render(&image);
    out << "the same over 1 minute takes "
        << QString::number(double(clock.nsecsElapsed()) / 1e6 / rounds, 'f', 2) << " ms\n";
    out.flush();
    return 0;
}
