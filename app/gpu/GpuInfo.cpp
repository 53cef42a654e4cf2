#include "GpuInfo.h"

QString GpuInfo::migModeName(MigMode mode)
{
    switch (mode) {
    case MigMode::Disabled:
        return QStringLiteral("disabled");
    case MigMode::Enabled:
        return QStringLiteral("enabled");
    case MigMode::Unknown:
        break;
    }
    return QStringLiteral("unknown");
}
