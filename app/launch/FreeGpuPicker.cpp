#include "FreeGpuPicker.h"

#include <QHash>

namespace {

// Host -> UUIDs picked by launches whose containers do not run yet. The core lives on one
// thread (the GUI's or the CLI's event loop), so no lock.
QHash<QString, QStringList> &reservations()
{
    static QHash<QString, QStringList> table;
    return table;
}

} // namespace

Result<QList<GpuInfo>> FreeGpuPicker::pick(const GpuSnapshot &host, int count,
                                           const QStringList &reserved,
                                           const QHash<QString, QString> &heldBy,
                                           const QHash<QString, QString> &claimedBy)
{
    if (!host.ok())
        return Error(host.error)
            .withWhat(QStringLiteral("Cannot pick free GPUs: the GPUs of the engine's "
                                     "host could not be read (%1)")
                          .arg(host.error.what()));
    QList<GpuInfo> picked;
    QStringList holders;
    QStringList taking;
    for (const GpuInfo &gpu : host.gpus) {
        if (picked.size() >= count)
            break;
        if (reserved.contains(gpu.uuid)) {
            taking << QStringLiteral("GPU %1").arg(gpu.index);
            continue;
        }
        if (const QString holder = heldBy.value(gpu.uuid); !holder.isEmpty()) {
            holders << QStringLiteral("GPU %1: held by container %2").arg(gpu.index).arg(holder);
            continue;
        }
        if (const QString claimer = claimedBy.value(gpu.uuid); !claimer.isEmpty()) {
            holders
                << QStringLiteral("GPU %1: claimed by %2 (starting)").arg(gpu.index).arg(claimer);
            continue;
        }
        const QString busy = gpu.busyReason();
        if (busy.isEmpty())
            picked << gpu;
        else
            holders << QStringLiteral("GPU %1: %2").arg(gpu.index).arg(busy);
    }
    if (picked.size() >= count)
        return picked;

    QString why = picked.isEmpty()
                      ? QStringLiteral("none of its %1 GPUs is free").arg(host.gpus.size())
                      : QStringLiteral("only %1 of its %2 GPUs %3 free")
                            .arg(picked.size())
                            .arg(host.gpus.size())
                            .arg(picked.size() == 1 ? QStringLiteral("is") : QStringLiteral("are"));
    if (!holders.isEmpty())
        why += QStringLiteral(" (%1)").arg(holders.join(QStringLiteral("; ")));
    if (!taking.isEmpty())
        why += QStringLiteral(", and another launch of GPU Deck is taking %1")
                   .arg(taking.join(QStringLiteral(", ")));
    return Error(Error::Code::Validation,
                 count == 1 ? QStringLiteral("Cannot take 1 free GPU")
                            : QStringLiteral("Cannot take %1 free GPUs").arg(count),
                 why,
                 QStringLiteral(
                     "Wait until they are released, ask for fewer, or pick the GPUs yourself"));
}

Result<LaunchSpec> FreeGpuPicker::resolveOn(const LaunchSpec &spec, EngineKind kind,
                                            const GpuSnapshot &host, const QString &hostKey,
                                            QList<GpuInfo> *taken)
{
    return resolve(spec.resolvedFor(kind), host, reserved(hostKey), taken);
}

Result<LaunchSpec> FreeGpuPicker::resolve(const LaunchSpec &spec, const GpuSnapshot &host,
                                          const QStringList &reserved, QList<GpuInfo> *taken,
                                          const QHash<QString, QString> &heldBy,
                                          const QHash<QString, QString> &claimedBy)
{
    if (spec.gpus.mode != GpuSelection::Mode::Free)
        return spec;
    const Result<QList<GpuInfo>> picked = pick(host, spec.gpus.count, reserved, heldBy, claimedBy);
    if (!picked)
        return picked.error();
    QStringList devices;
    for (const GpuInfo &gpu : picked.value())
        devices << (spec.usesCdi() ? QString::number(gpu.index) : gpu.uuid);
    LaunchSpec resolved = spec;
    resolved.gpus = GpuSelection::ofDevices(devices);
    if (taken)
        *taken = picked.value();
    return resolved;
}

QString FreeGpuPicker::describe(const QList<GpuInfo> &gpus)
{
    QStringList parts;
    for (const GpuInfo &gpu : gpus)
        parts << QStringLiteral("GPU %1 (%2)").arg(gpu.index).arg(gpu.uuid);
    return parts.join(QStringLiteral(", "));
}

QStringList FreeGpuPicker::uuids(const QList<GpuInfo> &gpus)
{
    QStringList ids;
    for (const GpuInfo &gpu : gpus)
        ids << gpu.uuid;
    return ids;
}

QStringList FreeGpuPicker::reserved(const QString &host)
{
    return reservations().value(host);
}

void FreeGpuPicker::reserve(const QString &host, const QStringList &uuids)
{
    reservations()[host] << uuids;
}

void FreeGpuPicker::release(const QString &host, const QStringList &uuids)
{
    auto it = reservations().find(host);
    if (it == reservations().end())
        return;
    for (const QString &uuid : uuids)
        it->removeOne(uuid);
    if (it->isEmpty())
        reservations().erase(it);
}
