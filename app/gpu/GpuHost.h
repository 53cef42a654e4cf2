#pragma once

#include "common/Result.h"
#include "gpu/GpuSnapshot.h"

#include <QByteArray>
#include <QObject>
#include <QStringList>

#include <functional>

class ProcessOwners;

// Where GpuInventory runs the host's nvidia-smi: this machine (LocalGpuHost), an ssh engine's host
// over its connection (ShellGpuHost), or a probe container on another remote engine (GpuProbe in
// launch/). One class per way; the engine object picks one for its host (Engine::gpuHostFor).
class GpuHost : public QObject
{
    Q_OBJECT

public:
    // What kind of place the host is: how often a read is worth its cost, and whether this
    // machine's NVML and /proc speak for it.
    enum class Reach { ThisMachine, Shell, ProbeContainer };

    using Done = std::function<void(Result<QByteArray>)>;
    using SnapshotDone = std::function<void(GpuSnapshot)>;

    ~GpuHost() override;

    virtual Reach reach() const = 0;
    // Runs `nvidia-smi ARGS` there; done gets its standard output or why not, once, always from
    // the event loop.
    virtual void runSmi(const QStringList &args, int timeoutMs, Done done) = 0;
    // Whether nvidia-smi there sees the host's processes (a container sees none of them).
    virtual bool seesProcesses() const { return true; }
    // Gives each process of snapshot its owner (container, or user and command), as the host's
    // /proc says; done gets the snapshot, perhaps from within this call.
    virtual void nameOwners(GpuSnapshot snapshot, ProcessOwners &owners, int timeoutMs,
                            const SnapshotDone &done);
    // The reason a read gives once this host object is gone (its engine went away).
    virtual Error goneError() const = 0;

    // The "what" of every error that says the host's driver cannot be read.
    static QString noDriver();

protected:
    explicit GpuHost(QObject *parent);
};
