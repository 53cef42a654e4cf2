#pragma once

#include "common/Result.h"
#include "gpu/GpuHost.h"
#include "gpu/GpuSnapshot.h"
#include "gpu/ProcessOwners.h"

#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QThread>

#include <functional>
#include <memory>

class ContainerDirectory;
class LocalGpuHost;
class NvmlLibrary;

// Reads the host's GPUs: NVML first (dlopen, on a thread of its own, since nvmlInit can take
// seconds with persistence mode off; reads after it take microseconds), else nvidia-smi (a
// run by its GpuHost, with a timeout). The first read
// takes the identity of each GPU (index, UUID, name, MIG devices); later reads only poll the
// live figures. When neither works the snapshot carries a NoDriver Error saying why. Each
// process is given its owner (ProcessOwners): its container, named through the directory given,
// or its user and command; on an ssh engine's host these facts come from there.
class GpuInventory : public QObject
{
    Q_OBJECT
public:
    explicit GpuInventory(QObject *parent = nullptr);
    ~GpuInventory() override;

    static constexpr int DefaultSmiTimeoutMs = 5000;
    void setNvidiaSmiTimeout(int ms) { m_smiTimeoutMs = ms; }
    int nvidiaSmiTimeout() const { return m_smiTimeoutMs; }

    // Starts one read; finished() follows once, always from the event loop (never from inside
    // this call). Returns false, doing nothing, while a read is already running.
    bool refresh();
    bool isBusy() const { return m_busy; }

    // Forgets the backend and identity: the next read probes again (after a driver install,
    // a MIG reconfiguration).
    void reset();

    // Where nvidia-smi runs (GpuHost): this machine's by default; another host's (an ssh
    // engine's, a probe container's) as the engine picked it (Engine::gpuHostFor). NVML is read
    // for this machine only. Null goes back to this machine; either way the next read probes
    // again. The host is not owned: reads fail with its goneError() once it is gone.
    void setHost(GpuHost *host);
    // The kind of place read, kept after the host object went away.
    GpuHost::Reach reach() const { return m_reach; }
    bool readsThisMachine() const { return m_reach == GpuHost::Reach::ThisMachine; }

    // The engine's containers, to name the containers of GPU processes; null: IDs only.
    void setContainerDirectory(ContainerDirectory *directory) { m_owners.setDirectory(directory); }
    ProcessOwners &owners() { return m_owners; }

    // One read, waiting for it in a local event loop: for the headless commands, the doctor and
    // tests. Not for the GUI thread, which should use refresh() or GpuMonitor.
    GpuSnapshot readBlocking();

signals:
    void finished(const GpuSnapshot &snapshot);

private:
    void runSmi(const QStringList &args, GpuHost::Done done);
    void smiIdentity(const Error &nvmlError);
    void smiLive();
    void smiProcesses(GpuSnapshot snapshot);
    void complete(GpuSnapshot snapshot);
    void nvmlProbe();
    // Runs job on the NVML thread, one job after another; late jobs of a destroyed inventory
    // never run.
    void onNvmlThread(std::function<void()> job);

    // Only touched on m_nvmlThread (and here once that thread has ended).
    std::unique_ptr<NvmlLibrary> m_nvml;
    QThread m_nvmlThread;
    QObject *m_nvmlContext = nullptr; // lives on m_nvmlThread, deleted when it ends
    int m_generation = 0;             // reset() makes a read under way stale
    ProcessOwners m_owners;
    GpuSnapshot::Source m_source = GpuSnapshot::Source::None;
    GpuSnapshot m_identity; // the first full read; live figures are laid over a copy of it
    int m_smiTimeoutMs = DefaultSmiTimeoutMs;
    bool m_busy = false;
    LocalGpuHost *m_thisMachine;
    QPointer<GpuHost> m_host;
    GpuHost::Reach m_reach = GpuHost::Reach::ThisMachine;
    bool m_seesProcesses = true;
    Error m_hostGone; // what reads say once m_host went away
};
