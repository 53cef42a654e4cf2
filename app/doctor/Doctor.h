#pragma once

#include "common/Error.h"
#include "engine/CdiSpecs.h"
#include "engine/EngineTypes.h"
#include "gpu/GpuSnapshot.h"
#include "launch/LaunchSpec.h"

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>

class DockerClient;
class GpuInventory;
class GpuSnapshot;

// The GPU readiness checklist: can containers on this engine see the host's GPUs? Each line
// passes or fails with the reason and the fix (and, where there is one, the command to run).
class Doctor : public QObject
{
    Q_OBJECT

public:
    enum class Status { Pending, Pass, Fail, Warn, Skip };

    struct Check
    {
        QString id; // engine, socket, driver, gpu-request, runtime, cdi, cuda, swarm
        QString title;
        Status status = Status::Pending;
        QString detail;  // what was found
        QString fix;     // what to do when it did not pass
        QString command; // a command that fixes it, when there is one
    };

    // presets: the launches the user keeps; they decide whether the "nvidia" runtime and CDI
    // are needed.
    Doctor(DockerClient *client, GpuInventory *inventory, QObject *parent = nullptr);

    void run(const QList<LaunchSpec> &presets = {});

    const QList<Check> &checks() const { return m_checks; }
    bool isFinished() const { return m_finished; }
    bool passed() const; // no check failed

    static QString statusName(Status status);
    QJsonObject toJson() const;
    QString toText() const;

signals:
    void checkChanged(int index);
    void finished();

private:
    int indexOf(const QString &id) const;
    void set(const QString &id, Status status, const QString &detail, const QString &fix = {},
             const QString &command = {});
    void onEngine(const Result<EngineInfo> &info);
    void onGpus(const GpuSnapshot &snapshot);
    // Once both the engine and the GPUs are known: CDI on or off, spec files, devices, and
    // whether they still match the host's GPUs.
    void checkCdi();
    void checkCuda();
    // On a swarm node: the NVIDIA-GPU resources it advertises against the host's GPUs, and the
    // toolkit's swarm-resource setting that turns a task's reservation into visible GPUs.
    void checkSwarm();
    void probeGpuRequest();
    // throughCdi: the engine's CDI devices instead of the legacy --gpus request.
    void probeWith(const QString &image, bool throughCdi = false);
    void finishProbe(const QString &id, const QString &image, bool throughCdi,
                     const Result<void> &started);
    void maybeFinish();

    DockerClient *m_client;
    GpuInventory *m_inventory;
    QList<LaunchSpec> m_presets;
    QList<Check> m_checks;
    EngineInfo m_info;
    CdiInventory m_cdi;
    GpuSnapshot m_snapshot;
    bool m_haveSnapshot = false;
    bool m_wantsCdi = false;
    bool m_engineOk = false;
    bool m_finished = false;
    QObject *m_calls = nullptr;
};
