#include "GpuSelection.h"

QString GpuSelection::modeName(Mode mode)
{
    switch (mode) {
    case Mode::None:
        return QStringLiteral("none");
    case Mode::All:
        return QStringLiteral("all");
    case Mode::Count:
        return QStringLiteral("count");
    case Mode::Devices:
        return QStringLiteral("devices");
    }
    return {};
}

bool GpuSelection::modeFromName(const QString &name, Mode *mode)
{
    for (Mode m : {Mode::None, Mode::All, Mode::Count, Mode::Devices}) {
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
    case Mode::None:
        return QStringLiteral("no GPUs");
    case Mode::All:
        return QStringLiteral("all GPUs");
    case Mode::Count:
        return count == 1 ? QStringLiteral("1 GPU") : QStringLiteral("%1 GPUs").arg(count);
    case Mode::Devices:
        return QStringLiteral("GPUs ") + devices.join(QStringLiteral(", "));
    }
    return {};
}

bool GpuSelection::operator==(const GpuSelection &other) const
{
    if (mode != other.mode)
        return false;
    if (mode == Mode::Count)
        return count == other.count;
    if (mode == Mode::Devices)
        return devices == other.devices;
    return true;
}
