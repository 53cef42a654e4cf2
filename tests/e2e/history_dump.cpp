// Records this machine's GPUs through GpuMonitor (NVML each second, the window's own path) for a
// while, then writes one GPU's GpuHistory as CSV (the plot's "Save as CSV" format: time in UTC,
// gpu_util_percent, memory_used_mib, ...). Used by history-vs-dmon.sh on a GPU host.
//   history_dump SECONDS OUT.csv [GPU_INDEX]   (default GPU 0)
#include "gpu/GpuHistory.h"
#include "gpu/GpuMonitor.h"

#include <QCoreApplication>
#include <QFile>
#include <QTimer>

#include <cstdio>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    bool ok = false;
    const int seconds = args.size() >= 3 ? args.at(1).toInt(&ok) : 0;
    if (!ok || seconds <= 0) {
        std::fprintf(stderr, "usage: history_dump SECONDS OUT.csv [GPU_INDEX]\n");
        return 2;
    }
    const QString out = args.at(2);
    const int index = args.size() >= 4 ? args.at(3).toInt() : 0;

    GpuMonitor monitor;
    monitor.start();
    QTimer::singleShot(seconds * 1000, &app, &QCoreApplication::quit);
    app.exec();

    const GpuHistory &history = monitor.history();
    for (const QString &uuid : history.uuids()) {
        const GpuHistory::GpuSeries *s = history.gpu(uuid);
        if (!s || s->index != index)
            continue;
        QFile file(out);
        if (!file.open(QIODevice::WriteOnly) || file.write(history.csv(uuid)) < 0) {
            std::fprintf(stderr, "history_dump: could not write %s\n", qPrintable(out));
            return 1;
        }
        std::printf("GPU %d (%s): %lld samples\n", index, qPrintable(uuid),
                    static_cast<long long>(s->samples.size()));
        return 0;
    }
    std::fprintf(stderr, "history_dump: no history of GPU %d (%s)\n", index,
                 qPrintable(monitor.latest().error.message()));
    return 1;
}
