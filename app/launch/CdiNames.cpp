#include "CdiNames.h"

namespace CdiNames {

const QString &gpuKind()
{
    static const QString kind = QStringLiteral("nvidia.com/gpu");
    return kind;
}

QString nameFor(const QString &device)
{
    const QString id = device.trimmed();
    return id.contains(QLatin1Char('=')) ? id : gpuKind() + QLatin1Char('=') + id;
}

QStringList forGpus(const GpuSelection &gpus)
{
    QStringList names;
    switch (gpus.mode) {
    case GpuSelection::Mode::None: break;
    case GpuSelection::Mode::All: names << nameFor(QStringLiteral("all")); break;
    case GpuSelection::Mode::Count:
    case GpuSelection::Mode::Free:
        for (int i = 0; i < gpus.count; ++i)
            names << nameFor(QString::number(i));
        break;
    case GpuSelection::Mode::Devices:
        for (const QString &id : gpus.devices)
            names << nameFor(id);
        break;
    }
    return names;
}

QStringList devicesFor(const QList<GpuInfo> &gpus, const CdiInventory &defined)
{
    QStringList devices;
    for (const GpuInfo &gpu : gpus) {
        const QString index = QString::number(gpu.index);
        const bool byUuid = !defined.contains(nameFor(index)) && !gpu.uuid.isEmpty()
                            && defined.contains(nameFor(gpu.uuid));
        devices << (byUuid ? gpu.uuid : index);
    }
    return devices;
}

} // namespace CdiNames
