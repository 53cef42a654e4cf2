#include "DoctorFacts.h"

bool DoctorFacts::presetsWantCdi() const
{
    return std::any_of(presets.cbegin(), presets.cend(),
                       [](const LaunchSpec &spec) { return spec.usesCdi(); });
}

bool DoctorFacts::presetsWantNvidiaRuntime() const
{
    return std::any_of(presets.cbegin(), presets.cend(), [](const LaunchSpec &spec) {
        return spec.runtime == QLatin1String("nvidia");
    });
}

QStringList DoctorFacts::hostUuids() const
{
    QStringList uuids;
    if (snapshot.ok()) {
        for (const GpuInfo &gpu : snapshot.gpus)
            uuids << gpu.uuid;
    }
    return uuids;
}
