#pragma once

#include "common/Result.h"
#include "gpu/GpuSnapshot.h"
#include "gpu/ProcessOwners.h"
#include "transport/RemoteShell.h"

#include <QObject>
#include <QPointer>
#include <QProcess>
#include <QStringList>
#include <QThread>

#include <functional>
#include <memory>

class ContainerDirectory;
class DockerClient;
class GpuProbe;
class NvmlLibrary;

// Reads the host's GPUs: NVML first (dlopen, on a thread of its own, since nvmlInit can take
// seconds with persistence mode off; reads after it take microseconds), else nvidia-smi (a
// QProcess per read, driven by its signals, with a timeout). The first read
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

    // Reads the GPUs of client's engine's host: this machine's for a local engine, the host's own
    // nvidia-smi over an ssh engine's connection (setRemote), probe containers on other remote
    // engines (setProbe); never this machine's GPUs for another host. The shell or the probe is a
    // child of the client, so it goes with that connection. For an ssh engine, the engine must
    // have answered before the first read (its connection is then up).
    void readHostOf(DockerClient *client);
    // Reads the GPUs of an ssh engine's host instead of this machine's: nvidia-smi runs in the
    // shell over the engine's ssh connection (NVML is this machine's and is not used). Null
    // goes back to this machine. Either way the next read probes again.
    void setRemote(RemoteShell *shell);
    // Reads the GPUs of a tcp:// or TLS engine's host: nvidia-smi runs in probe containers there
    // (GpuProbe), one per read once the first has taken the identity. Their processes are not
    // listed (the container sees none of the host's): a GPU without memory in use has none, the
    // others' are unknown. Null goes back to this machine.
    void setProbe(GpuProbe *probe);
    bool isRemote() const { return m_wantRemote; }
    bool isProbe() const { return m_wantProbe; }

    // The engine's containers, to name the containers of GPU processes; null: IDs only.
    void setContainerDirectory(ContainerDirectory *directory) { m_owners.setDirectory(directory); }
    ProcessOwners &owners() { return m_owners; }

    // One read, waiting for it in a local event loop: for the headless commands, the doctor and
    // tests. Not for the GUI thread, which should use refresh() or GpuMonitor.
    GpuSnapshot readBlocking();

signals:
    void finished(const GpuSnapshot &snapshot);

private:
    using SmiDone = std::function<void(Result<QByteArray>)>;
    void runSmi(const QStringList &args, SmiDone done);
    void smiIdentity(const Error &nvmlError);
    void smiLive();
    void smiProcesses(GpuSnapshot snapshot);
    void remoteOwners(GpuSnapshot snapshot);
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
    QPointer<RemoteShell> m_remote;
    QPointer<GpuProbe> m_probe;
    // set while another host is meant, even after its shell or probe went away
    bool m_wantRemote = false;
    bool m_wantProbe = false;
};
