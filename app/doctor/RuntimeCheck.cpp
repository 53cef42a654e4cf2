#include "RuntimeCheck.h"

using Status = DoctorCheck::Status;

DoctorCheck::Verdict RuntimeCheck::run(const DoctorFacts &facts)
{
    const EngineInfo &info = facts.info;
    if (info.isPodman()) {
        return {Status::Skip,
                tr("%1 needs no \"nvidia\" runtime: its containers get GPUs as CDI devices.")
                    .arg(info.productName()),
                {},
                {}};
    }
    if (info.runtimes.contains(QStringLiteral("nvidia"))) {
        return {Status::Pass,
                tr("Runtimes: %1 (default %2).")
                    .arg(info.runtimes.join(QStringLiteral(", ")), info.defaultRuntime),
                {},
                {}};
    }
    const bool wanted = facts.presetsWantNvidiaRuntime();
    return {wanted ? Status::Fail : Status::Warn,
            tr("Runtimes: %1; a launch with runtime \"nvidia\" fails here%2.")
                .arg(info.runtimes.join(QStringLiteral(", ")),
                     wanted ? tr(", and a preset asks for it") : QString()),
            tr("Register it with the NVIDIA Container Toolkit and restart dockerd; launches with "
               "the "
               "default runtime and GPUs requested still work without it."),
            QStringLiteral("sudo nvidia-ctk runtime configure --runtime=docker && sudo systemctl "
                           "restart docker")};
}
