#pragma once

#include "CudaRequirement.h"
#include "GpuLedger.h"
#include "LaunchSpec.h"
#include "common/Error.h"
#include "engine/StreamDemuxer.h"
#include "gpu/GpuInfo.h"
#include "gpu/GpuSnapshot.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSize>
#include <QTimer>

#include <optional>

struct CdiInventory;
class ContainerStream;
class DockerClient;
class GpuInventory;
class JsonStream;
class WaitCall;

// Runs one launch the way `docker run` does, so that no output is lost:
// create → attach (hijacked) → wait (next-exit, or removed for auto-remove) once its headers are
// in → start → stream → exit code. Stop asks the engine for SIGTERM and a kill after the grace
// period; cancel works at every stage. A failed start removes the created container, unless the
// engine removes it itself (auto-remove), so auto-remove never ends in a 409.
// A GPU launch is checked first, while the state is Creating: the image's CUDA requirement
// against the host's driver (CudaRequirement), and "N free GPUs" resolved into explicit GPUs
// (FreeGpuPicker), reserved in this process until the container runs or the launch ends.
// Across processes and machines the engine is the ledger (GpuLedger): the container is created
// with a claim on its GPUs, the engine's claims are read again, and a launch whose claim overlaps
// an earlier one removes its container and picks again (at most GpuLedger::kMaxRetries times).
// With setWaitForGpus, a free-GPU launch that finds too few waits for them (still Creating,
// waitingForGpus()) instead of failing: in first-come order among this process's launches on
// that host, trying again on the engine's container events and on a GPU refresh every
// kWaitRefreshMs (a process can free a GPU without an event).
class Launcher : public QObject
{
    Q_OBJECT

public:
    enum class State {
        Idle,
        Creating,
        Attaching,
        Waiting,
        Starting,
        Running,
        Stopping,
        Exited,
        Failed,
        Cancelled
    };
    Q_ENUM(State)

    explicit Launcher(DockerClient *client, QObject *parent = nullptr);
    ~Launcher() override;

    // The GPUs of the engine's host (for the window, its GpuMonitor's inventory): free GPUs are
    // picked from a fresh read of it and the image's CUDA requirement is checked against its
    // driver. Null (the default): "N free GPUs" is refused and the CUDA check skipped.
    void setGpuInventory(GpuInventory *inventory);
    // The other engines of the engine's GPU host (EngineRegistry::onGpuHostOf): a GPU that one of
    // their running containers holds, or one of their launches claims, is taken too. One that
    // cannot be read is left out (ContainerLister::onHost).
    void setHostEngines(const QList<QPointer<DockerClient>> &others) { m_hostEngines = others; }
    // A free-GPU launch that finds too few free GPUs waits for them instead of failing.
    void setWaitForGpus(bool wait) { m_waitForGpus = wait; }

    static constexpr int kWaitRefreshMs = 5000;

    // detach: create and start only; finished follows as soon as the container runs.
    void launch(const LaunchSpec &spec, bool detach = false);
    // SIGTERM, then a kill after the grace period. Before the start it cancels the launch;
    // during the start it is honoured once the container runs.
    void stop(int graceSeconds = 10);
    void cancel();
    // Lets go of a running container, which runs on (docker's detach): the attach and the wait
    // end, finished() follows with state Cancelled and isDetached() true. With a tty the engine
    // keeps the container's stdin open, so a later attach finds its terminal. Not running: cancel().
    void detach();
    bool isDetached() const { return m_detached; }
    // An interactive launch's stdin (bytes before the attach go out once it is there), its
    // end-of-file, and its terminal's size (with tty).
    void writeStdin(const QByteArray &data);
    void closeStdin();
    void resize(int rows, int columns);

    State state() const { return m_state; }
    bool isActive() const;
    QString containerId() const { return m_id; }
    std::optional<qint64> exitCode() const { return m_exitCode; }
    const Error &error() const { return m_error; }
    // docker run's exit code for a Failed launch: 127 or 126 when the engine could not start the
    // created container's command (EngineError::startFailureExitCode), else 125.
    int failureExitCode() const;
    const LaunchSpec &spec() const { return m_spec; }
    DockerClient *client() const { return m_client; }
    // The GPUs an "N free GPUs" launch took; empty before gpusTaken() and for other launches.
    const QList<GpuInfo> &takenGpus() const { return m_taken; }
    // While it waits for GPUs: why (the refusal, naming who holds the GPUs) and its place in this
    // process's line for the host (1: next).
    bool isWaitingForGpus() const { return m_waiting; }
    const Error &waitReason() const { return m_waitReason; }
    int placeInLine() const;

    // From a failed launch's finished() until the engine answered the removal of the container
    // the launch had made (containerRemoved() then): a process about to exit waits for it, or
    // leaves the container behind.
    bool isRemovingContainer() const { return m_removing; }

    static QString stateName(State state);

    // The refusal for the first CDI device spec asks for that inventory lacks; no error when all
    // are there.
    static Error missingCdiDevice(const LaunchSpec &spec, const CdiInventory &inventory);

signals:
    void stateChanged(Launcher::State state);
    void containerCreated(const QString &id);
    // "N free GPUs" were resolved: takenGpus() says which.
    void gpusTaken();
    // A launch found too few free GPUs and waits (again each time its reason or place changes).
    void waitingForGpus();
    // Its claim overlapped an earlier one (holder names its container): it picks again.
    void gaveWay(const QString &holder);
    void output(StreamDemuxer::Channel channel, const QByteArray &data);
    // Exactly once: Exited (exitCode set), Failed (error set) or Cancelled.
    void finished();
    // The container a failed launch removes is gone (or the engine said why not).
    void containerRemoved();

private:
    void setState(State state);
    void checkGpus();
    void onHostRead(const GpuSnapshot &host, const CudaRequirement &requirement);
    void pickFreeGpus();
    void takeFreeGpus(const QHash<QString, QString> &heldBy,
                      const QHash<QString, QString> &claimedBy);
    void releaseGpus();
    void create();
    void onCreated(const QString &id);
    void afterCreated();
    void giveWay(const QString &holder);
    void waitForGpus(const Error &reason);
    void retryWaiting();
    void stopWaiting();
    void onAttached();
    void onWaitReady();
    void onStarted();
    void checkDone();
    void fail(const Error &error, bool removeContainer);
    void finishWith(State state);
    void cleanUp();

    DockerClient *m_client;
    LaunchSpec m_spec;
    // m_spec as the engine's kind takes it, free GPUs resolved: what the engine is asked for
    LaunchSpec m_request;
    QPointer<GpuInventory> m_inventory;
    QList<QPointer<DockerClient>> m_hostEngines;
    QList<GpuInfo> m_taken;
    GpuSnapshot m_host; // the last read of the host's GPUs
    CudaRequirement m_requirement;
    int m_retries = 0;    // times this launch gave way
    quint64 m_ticket = 0; // the order launches began in: their places in a waiting line
    bool m_waitForGpus = false;
    bool m_waiting = false;
    bool m_retrying = false;   // a waiting launch's new read of the host is under way
    bool m_retryAgain = false; // an event came during that read: read again once it ends
    QString m_lineHost;        // the host whose waiting line it is in
    Error m_waitReason;
    QPointer<JsonStream> m_events; // the engine's container events while waiting
    QTimer *m_waitTimer = nullptr;
    QTimer *m_retrySoon = nullptr;
    QString m_reservedOn; // the host whose reservation this launch holds; empty: none
    bool m_detach = false;
    State m_state = State::Idle;
    QString m_id;
    QPointer<ContainerStream> m_stream;
    QByteArray m_pendingStdin;
    bool m_stdinClosed = false;
    bool m_attached = false;
    QSize m_size;
    QPointer<WaitCall> m_wait;
    // context of the short calls in flight; deleting it drops their callbacks
    QObject *m_calls = nullptr;
    std::optional<qint64> m_exitCode;
    Error m_error;
    bool m_cancelRequested = false;
    bool m_detached = false;
    bool m_removing = false;
    std::optional<int> m_pendingStopGrace; // a stop asked for while the engine was starting it
};
