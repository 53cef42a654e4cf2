#include "Doctor.h"

#include "CdiCheck.h"
#include "CdiRefreshCheck.h"
#include "ChecklistReport.h"
#include "CudaCheck.h"
#include "DriverCheck.h"
#include "EngineCheck.h"
#include "GpuRequestCheck.h"
#include "RuntimeCheck.h"
#include "SwarmCheck.h"
#include "engine/DockerClient.h"
#include "gpu/GpuInventory.h"

using Id = DoctorCheck::Id;

Doctor::Doctor(DockerClient *client, GpuInventory *inventory, QObject *parent)
    : QObject(parent), m_client(client), m_inventory(inventory)
{
    m_facts.client = client;
}

bool Doctor::passed() const
{
    return ChecklistReport::passed(m_checks);
}

QJsonObject Doctor::toJson() const
{
    return ChecklistReport::toJson(m_checks, m_client->endpoint().url);
}

QString Doctor::toText() const
{
    return ChecklistReport::toText(m_checks);
}

void Doctor::set(Id id, const DoctorCheck::Verdict &verdict)
{
    for (int index = 0; index < m_checks.size(); ++index) {
        Check &check = m_checks[index];
        if (check.which != id)
            continue;
        check.status = verdict.status;
        check.detail = verdict.detail;
        check.fix = verdict.fix;
        check.command = verdict.command;
        emit checkChanged(index);
        maybeFinish();
        return;
    }
}

void Doctor::run(const QList<LaunchSpec> &presets)
{
    m_facts.presets = presets;
    m_facts.cdi = {};
    m_finished = false;
    m_engineOk = false;
    m_haveSnapshot = false;
    delete m_calls;
    m_calls = new QObject(this);
    const QList<QPair<Id, QString>> lines = {
        {Id::Engine, tr("Docker engine reachable")},
        {Id::Socket, tr("You may use the engine (its socket, or a safe connection to it)")},
        {Id::Driver, tr("NVIDIA driver on the host")},
        {Id::GpuRequest, tr("The engine can hand out GPUs")},
        {Id::Runtime, tr("The \"nvidia\" runtime is registered")},
        {Id::Cdi, tr("CDI specifications for CDI devices")},
        {Id::CdiRefresh, tr("The CDI specification follows driver upgrades (nvidia-cdi-refresh)")},
        {Id::Cuda, tr("The driver runs the CUDA of the GPU presets' images")},
        {Id::Swarm, tr("Swarm tasks can reserve this node's GPUs")},
    };
    m_checks.clear();
    for (const auto &[id, title] : lines) {
        Check check;
        check.which = id;
        check.id = DoctorCheck::idName(id);
        check.title = title;
        m_checks.append(check);
    }
    m_client->info(m_calls, [this](const Result<EngineInfo> &info) { onEngine(info); });
    connect(
        m_inventory, &GpuInventory::finished, m_calls,
        [this](const GpuSnapshot &snapshot) { onGpus(snapshot); }, Qt::SingleShotConnection);
    // A read already under way answers through the same signal.
    m_inventory->refresh();
}

void Doctor::onEngine(const Result<EngineInfo> &info)
{
    set(Id::Engine, EngineCheck::engine(*m_client, info));
    set(Id::Socket, EngineCheck::socket(*m_client, info));
    if (!info) {
        const DoctorCheck::Verdict skipped(Status::Skip,
                                           tr("Not checked: the engine did not answer."));
        for (Id id : {Id::GpuRequest, Id::Runtime, Id::Cdi, Id::CdiRefresh, Id::Cuda, Id::Swarm})
            set(id, skipped);
        return;
    }
    m_engineOk = true;
    m_facts.info = info.value();
    m_facts.cdi = CdiInventory::forEngine(m_facts.info, !m_client->endpoint().isRemote());
    set(Id::Runtime, RuntimeCheck::run(m_facts));
    checkBoth();
    GpuRequestCheck::run(m_client, m_facts, m_calls, [this](const DoctorCheck::Verdict &verdict) {
        set(Id::GpuRequest, verdict);
    });
}

void Doctor::onGpus(const GpuSnapshot &snapshot)
{
    m_facts.snapshot = snapshot;
    m_haveSnapshot = true;
    checkBoth();
    set(Id::Driver, DriverCheck::run(snapshot));
}

void Doctor::checkBoth()
{
    if (!m_engineOk || !m_haveSnapshot)
        return;
    set(Id::Cdi, CdiCheck::run(m_facts));
    CdiRefreshCheck::run(m_facts, m_calls, [this](const DoctorCheck::Verdict &verdict) {
        set(Id::CdiRefresh, verdict);
    });
    CudaCheck::run(m_client, m_facts, m_calls,
                   [this](const DoctorCheck::Verdict &verdict) { set(Id::Cuda, verdict); });
    set(Id::Swarm, SwarmCheck::run(m_facts));
}

void Doctor::maybeFinish()
{
    if (m_finished)
        return;
    for (const Check &check : std::as_const(m_checks)) {
        if (check.status == Status::Pending)
            return;
    }
    m_finished = true;
    emit finished();
}
