#pragma once

#include "DoctorCheck.h"
#include "DoctorFacts.h"
#include "common/Result.h"

#include <QCoreApplication>

class DockerClient;

// Can the engine hand out GPUs? On Docker a probe container asks for all of them (and, when the
// legacy request finds no NVIDIA hook, for the engine's CDI devices); Podman hands out exactly
// its CDI devices.
class GpuRequestCheck
{
    Q_DECLARE_TR_FUNCTIONS(Doctor)

public:
    static void run(DockerClient *client, const DoctorFacts &facts, QObject *context,
                    const DoctorCheck::Done &done);

private:
    // throughCdi: the engine's CDI devices instead of the legacy --gpus request.
    static void probeWith(DockerClient *client, const DoctorFacts &facts, const QString &image,
                          bool throughCdi, QObject *context, const DoctorCheck::Done &done);
    // Removes the probe, and only once the engine has removed it judges the start: a command
    // that exits on the checklist's last answer must leave no probe behind.
    static void removeProbe(DockerClient *client, const DoctorFacts &facts, const QString &image,
                            bool throughCdi, const QString &id, const Result<void> &started,
                            QObject *context, const DoctorCheck::Done &done);
    static void judgeProbe(DockerClient *client, const DoctorFacts &facts, const QString &image,
                           bool throughCdi, const Result<void> &started, QObject *context,
                           const DoctorCheck::Done &done);
};
