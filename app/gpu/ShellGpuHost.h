#pragma once

#include "gpu/GpuHost.h"

#include <QPointer>

class RemoteShell;

// An ssh engine's host: nvidia-smi runs in the long-lived shell over the engine's ssh connection
// (RemoteShell), and the owners of processes come from the host's /proc in one command there.
class ShellGpuHost : public GpuHost
{
    Q_OBJECT

public:
    // shell is not owned; reads fail once it is gone.
    explicit ShellGpuHost(RemoteShell *shell, QObject *parent = nullptr);

    Reach reach() const override { return Reach::Shell; }
    void runSmi(const QStringList &args, int timeoutMs, Done done) override;
    void nameOwners(GpuSnapshot snapshot, ProcessOwners &owners, int timeoutMs,
                    const SnapshotDone &done) override;
    Error goneError() const override;

private:
    QPointer<RemoteShell> m_shell;
};
