#include "GpuSelection.h"

QString GpuSelection::modeName(Mode mode)
{
    switch (mode) {
    case Mode::None: return QStringLiteral("none");
    case Mode::All: return QStringLiteral("all");
    case Mode::Count: return QStringLiteral("count");
    case Mode::Devices: return QStringLiteral("devices");
    case Mode::Free: return QStringLiteral("free");
    }
    return {};
}

bool GpuSelection::modeFromName(const QString &name, Mode *mode)
{
    for (Mode m : {Mode::None, Mode::All, Mode::Count, Mode::Devices, Mode::Free}) {
        if (name == modeName(m)) {
            *mode = m;
            return true;
        }
    }
    return false;
}

QString GpuSelection::summary() const
{
    switch (mode) {
    case Mode::None: return QStringLiteral("no GPUs");
    case Mode::All: return QStringLiteral("all GPUs");
    case Mode::Count:
        return count == 1 ? QStringLiteral("1 GPU") : QStringLiteral("%1 GPUs").arg(count);
    case Mode::Devices: return QStringLiteral("GPUs ") + devices.join(QStringLiteral(", "));
    case Mode::Free:
        return count == 1 ? QStringLiteral("1 free GPU")
                          : QStringLiteral("%1 free GPUs").arg(count);
    }
    return {};
}

bool GpuSelection::operator==(const GpuSelection &other) const
{
    if (mode != other.mode)
        return false;
    if (hasCount())
        return count == other.count;
    if (mode == Mode::Devices)
        return devices == other.devices;
    return true;
}
