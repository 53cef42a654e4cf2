#pragma once

#include "gpu/GpuHost.h"

// This machine: nvidia-smi as a QProcess per call, driven by its signals, with a timeout; the
// owners of processes from this machine's /proc.
class LocalGpuHost : public GpuHost
{
    Q_OBJECT

public:
    explicit LocalGpuHost(QObject *parent = nullptr);

    Reach reach() const override { return Reach::ThisMachine; }
    void runSmi(const QStringList &args, int timeoutMs, Done done) override;
    void nameOwners(GpuSnapshot snapshot, ProcessOwners &owners, int timeoutMs,
                    const SnapshotDone &done) override;
    Error goneError() const override;
};
