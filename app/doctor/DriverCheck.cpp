#include "DriverCheck.h"

using Status = DoctorCheck::Status;

DoctorCheck::Verdict DriverCheck::run(const GpuSnapshot &snapshot)
{
    if (!snapshot.ok()) {
        return {Status::Fail, snapshot.error.message(),
                tr("Install the NVIDIA driver for your GPU and reboot; then nvidia-smi must list "
                   "the GPUs."),
                QStringLiteral("sudo apt-get install -y nvidia-driver")};
    }
    QStringList names;
    for (const GpuInfo &gpu : snapshot.gpus)
        names.append(QStringLiteral("%1: %2").arg(gpu.index).arg(gpu.name));
    return {Status::Pass,
            tr("Driver %1, %n GPU(s) via %2 (%3).", nullptr, int(snapshot.gpus.size()))
                .arg(snapshot.driverVersion.isEmpty() ? tr("of unknown version")
                                                      : snapshot.driverVersion,
                     GpuSnapshot::sourceName(snapshot.source), names.join(QStringLiteral("; "))),
            {},
            {}};
}
