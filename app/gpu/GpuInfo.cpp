#include "GpuInfo.h"

#include <QStringList>

QString GpuInfo::migModeName(MigMode mode)
{
    switch (mode) {
    case MigMode::Disabled: return QStringLiteral("disabled");
    case MigMode::Enabled: return QStringLiteral("enabled");
    case MigMode::Unknown: break;
    }
    return QStringLiteral("unknown");
}

bool GpuInfo::isFree() const
{
    return busyReason().isEmpty();
}

QString GpuInfo::busyReason() const
{
    const auto mib = [](qint64 bytes) { return QString::number(bytes / (1024 * 1024)); };
    if (!error.isEmpty())
        return QStringLiteral("unreadable (%1)").arg(error);
    if (migMode == MigMode::Enabled)
        return QStringLiteral("in MIG mode");
    if (!processes.isEmpty()) {
        QStringList holders;
        for (const Process &p : processes) {
            holders << (p.usedMemory < 0
                            ? QStringLiteral("PID %1").arg(p.pid)
                            : QStringLiteral("PID %1 (%2 MiB)").arg(p.pid).arg(mib(p.usedMemory)));
        }
        return holders.join(QStringLiteral(", "));
    }
    if (!processesKnown)
        return QStringLiteral("its processes could not be read");
    if (memoryUsed < 0)
        return QStringLiteral("its memory use is unknown");
    if (memoryUsed >= kFreeMemoryBytes)
        return QStringLiteral("%1 MiB in use by no listed process").arg(mib(memoryUsed));
    return {};
}

QString GpuInfo::Process::ownerLabel() const
{
    if (inContainer()) {
        const QString name = container.name.isEmpty() ? container.id.left(12) : container.name;
        return container.yours ? QStringLiteral("%1 (yours)").arg(name)
                               : QStringLiteral("%1 (container)").arg(name);
    }
    if (!user.isEmpty())
        return command.isEmpty() ? user : QStringLiteral("%1: %2").arg(user, command);
    return QStringLiteral("unknown");
}
