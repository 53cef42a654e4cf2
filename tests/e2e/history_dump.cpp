// Records this machine's GPUs through GpuMonitor (NVML each second, the window's own path) for a
// while, then writes one GPU's GpuHistory as CSV (the plot's "Save as CSV" format: time in UTC,
// gpu_util_percent, memory_used_mib, ...). Used by history-vs-dmon.sh on a GPU host. With a
// container ID it also writes that container's own use, as its log tab's plot draws it
// (GpuHistory::containerUse), to OUT.csv.container: time_utc,memory_mib,gpu_util_percent (gpu-host.sh
// check 7).
//   history_dump SECONDS OUT.csv [GPU_INDEX [CONTAINER_ID]]   (default GPU 0)
#include "gpu/GpuHistory.h"
#include "gpu/GpuMonitor.h"

#include <QCoreApplication>
#include <QDateTime>
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
        std::fprintf(stderr, "usage: history_dump SECONDS OUT.csv [GPU_INDEX [CONTAINER_ID]]\n");
        return 2;
    }
    const QString out = args.at(2);
    const int index = args.size() >= 4 ? args.at(3).toInt() : 0;
    const QString container = args.size() >= 5 ? args.at(4) : QString();

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
        if (container.isEmpty())
            return 0;
        QByteArray rows("time_utc,memory_mib,gpu_util_percent\n");
        const QList<GpuHistory::ContainerPoint> use = history.containerUse(container);
        for (const GpuHistory::ContainerPoint &p : use) {
            rows +=
                QDateTime::fromMSecsSinceEpoch(p.msecs, Qt::UTC).toString(Qt::ISODateWithMs).toUtf8()
                + ',' + QByteArray::number(p.memoryBytes / (1024 * 1024)) + ','
                + QByteArray::number(p.gpuUtil) + '\n';
        }
        QFile own(out + QStringLiteral(".container"));
        if (!own.open(QIODevice::WriteOnly) || own.write(rows) < 0) {
            std::fprintf(stderr, "history_dump: could not write %s.container\n", qPrintable(out));
            return 1;
        }
        std::printf("container %s: %lld points\n", qPrintable(container),
                    static_cast<long long>(use.size()));
        return 0;
    }
    std::fprintf(stderr, "history_dump: no history of GPU %d (%s)\n", index,
                 qPrintable(monitor.latest().error.message()));
    return 1;
}
