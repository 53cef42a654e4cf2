#pragma once

#include "DoctorCheck.h"
#include "DoctorFacts.h"
#include "common/Result.h"

#include <QJsonObject>
#include <QList>
#include <QObject>

class DockerClient;
class GpuInventory;

// The GPU readiness checklist: can containers on this engine see the host's GPUs? Each line
// passes or fails with the reason and the fix (and, where there is one, the command to run).
// Each line is a check of its own (EngineCheck, DriverCheck, GpuRequestCheck, RuntimeCheck,
// CdiCheck, CdiRefreshCheck, CudaCheck, SwarmCheck); this object asks the engine and the GPUs, runs them as the
// facts come in, and keeps the list.
class Doctor : public QObject
{
    Q_OBJECT

public:
    using Status = DoctorCheck::Status;
    using Check = DoctorCheck;

    // presets: the launches the user keeps; they decide whether the "nvidia" runtime and CDI
    // are needed.
    Doctor(DockerClient *client, GpuInventory *inventory, QObject *parent = nullptr);

    void run(const QList<LaunchSpec> &presets = {});

    const QList<Check> &checks() const { return m_checks; }
    bool isFinished() const { return m_finished; }
    bool passed() const; // no check failed

    static QString statusName(Status status) { return DoctorCheck::statusName(status); }
    QJsonObject toJson() const;
    QString toText() const;

signals:
    void checkChanged(int index);
    void finished();

private:
    void set(DoctorCheck::Id id, const DoctorCheck::Verdict &verdict);
    void onEngine(const Result<EngineInfo> &info);
    void onGpus(const GpuSnapshot &snapshot);
    // The checks that need both the engine's answer and the host's GPUs.
    void checkBoth();
    void maybeFinish();

    DockerClient *m_client;
    GpuInventory *m_inventory;
    QList<Check> m_checks;
    DoctorFacts m_facts;
    bool m_haveSnapshot = false;
    bool m_engineOk = false;
    bool m_finished = false;
    QObject *m_calls = nullptr;
};
