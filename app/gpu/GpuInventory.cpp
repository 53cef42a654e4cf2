#include "GpuInventory.h"

#include "GpuLog.h"
#include "NvidiaSmiParser.h"
#include "NvmlLibrary.h"
#include "engine/DockerClient.h"
#include "engine/Endpoint.h"
#include "launch/GpuProbe.h"
#include "transport/RemoteShell.h"

#include <QEventLoop>
#include <QTimer>

namespace {

const QString kNoDriver = QStringLiteral("no NVIDIA driver found");
const QString kInstallHint = QStringLiteral(
    "If this machine has an NVIDIA GPU, install its driver; the rest of "
    "GPU Deck works without it");

QStringList queryArgs(const QStringList &fields)
{
    return {QStringLiteral("--query-gpu=") + fields.join(QLatin1Char(',')),
            QStringLiteral("--format=csv,noheader,nounits")};
}

} // namespace

GpuInventory::GpuInventory(QObject *parent)
    : QObject(parent), m_nvml(std::make_unique<NvmlLibrary>())
{
    qRegisterMetaType<GpuSnapshot>();
    qRegisterMetaType<GpuInfo>();
}

GpuInventory::~GpuInventory()
{
    // A job under way (an nvmlInit) ends first; those behind it go with the context.
    m_nvmlThread.quit();
    m_nvmlThread.wait();
}

void GpuInventory::onNvmlThread(std::function<void()> job)
{
    if (!m_nvmlContext) {
        m_nvmlContext = new QObject;
        m_nvmlContext->moveToThread(&m_nvmlThread);
        connect(&m_nvmlThread, &QThread::finished, m_nvmlContext, &QObject::deleteLater);
        m_nvmlThread.setObjectName(QStringLiteral("gpudeck-nvml"));
        m_nvmlThread.start();
    }
    QMetaObject::invokeMethod(m_nvmlContext, std::move(job), Qt::QueuedConnection);
}

void GpuInventory::reset()
{
    ++m_generation;
    if (m_nvmlContext) {
        NvmlLibrary *nvml = m_nvml.get();
        onNvmlThread([nvml] { nvml->close(); });
    }
    m_source = GpuSnapshot::Source::None;
    m_identity = GpuSnapshot();
}

void GpuInventory::readHostOf(DockerClient *client)
{
    const Endpoint &endpoint = client->endpoint();
    if (endpoint.kind == Endpoint::Kind::Ssh)
        setRemote(new RemoteShell(client->sshTunnel(), client));
    else if (endpoint.isRemote())
        setProbe(new GpuProbe(client, client));
    else
        setRemote(nullptr);
}

void GpuInventory::setRemote(RemoteShell *shell)
{
    reset();
    m_remote = shell;
    m_probe = nullptr;
    m_wantRemote = shell != nullptr;
    m_wantProbe = false;
}

void GpuInventory::setProbe(GpuProbe *probe)
{
    reset();
    m_remote = nullptr;
    m_probe = probe;
    m_wantRemote = m_wantProbe = probe != nullptr;
}

bool GpuInventory::refresh()
{
    if (m_busy)
        return false;
    m_busy = true;
    if (m_wantRemote && m_source == GpuSnapshot::Source::None) {
        // The host's driver, through its nvidia-smi; this machine's NVML says nothing about it.
        smiIdentity(Error(Error::Code::NoDriver, kNoDriver,
                          QStringLiteral("NVML is not read on another host")));
        return true;
    }

    switch (m_source) {
    case GpuSnapshot::Source::Nvml: {
        NvmlLibrary *nvml = m_nvml.get();
        onNvmlThread([this, nvml, s = m_identity]() mutable {
            nvml->readLive(s);
            complete(s);
        });
        return true;
    }
    case GpuSnapshot::Source::NvidiaSmi: smiLive(); return true;
    case GpuSnapshot::Source::None: break;
    }
    // No backend yet (first read, or nothing worked last time): probe.
    nvmlProbe();
    return true;
}

void GpuInventory::nvmlProbe()
{
    NvmlLibrary *nvml = m_nvml.get();
    const int generation = m_generation;
    onNvmlThread([this, nvml, generation] {
        const Result<void> opened = nvml->open();
        const bool tryNvidiaSmi = !opened && nvml->state() == NvmlLibrary::State::LibraryMissing;
        GpuSnapshot s;
        if (opened) {
            Result<GpuSnapshot> all = nvml->readAll();
            if (all)
                s = all.value();
            else
                s.error = all.error();
        } else {
            s.error = opened.error();
        }
        // Back on the inventory's thread: the identity and the backend are its state.
        QMetaObject::invokeMethod(
            this,
            [this, s, tryNvidiaSmi, generation] {
                if (tryNvidiaSmi) {
                    smiIdentity(s.error);
                    return;
                }
                if (generation == m_generation && s.ok() && !s.gpus.isEmpty()) {
                    m_source = GpuSnapshot::Source::Nvml;
                    m_identity = s;
                }
                complete(s);
            },
            Qt::QueuedConnection);
    });
}

GpuSnapshot GpuInventory::readBlocking()
{
    GpuSnapshot out;
    QEventLoop loop;
    connect(this, &GpuInventory::finished, &loop, [&](const GpuSnapshot &s) {
        out = s;
        loop.quit();
    });
    refresh(); // when a read is already running, its result is the one taken
    loop.exec();
    return out;
}

void GpuInventory::complete(GpuSnapshot snapshot)
{
    snapshot.taken = QDateTime::currentDateTimeUtc();
    // Always from the event loop, so that a caller may connect after refresh(). The owners are
    // named there too: an NVML read completes on its own thread, and naming a container may ask
    // the engine (ContainerDirectory), whose client lives on this object's thread.
    QMetaObject::invokeMethod(
        this,
        [this, snapshot]() mutable {
            if (!m_wantRemote)
                m_owners.annotate(snapshot);
            m_busy = false;
            emit finished(snapshot);
        },
        Qt::QueuedConnection);
}

void GpuInventory::runSmi(const QStringList &args, SmiDone done)
{
    if (m_wantProbe) {
        if (!m_probe) {
            QMetaObject::invokeMethod(
                this,
                [done = std::move(done)]() {
                    done(Error(Error::Code::ConnectionFailed,
                               QStringLiteral("Could not read the host's GPUs"),
                               QStringLiteral("its engine is gone")));
                },
                Qt::QueuedConnection);
            return;
        }
        m_probe->run(args, std::move(done));
        return;
    }
    if (m_wantRemote) {
        if (!m_remote) {
            QMetaObject::invokeMethod(
                this,
                [done = std::move(done)]() {
                    done(Error(Error::Code::Ssh, QStringLiteral("Could not read the host's GPUs"),
                               QStringLiteral("its ssh connection is gone")));
                },
                Qt::QueuedConnection);
            return;
        }
        const QString host = m_remote->host();
        m_remote->run(
            QStringList{QStringLiteral("nvidia-smi")} + args, m_smiTimeoutMs,
            [done, host](const Result<RemoteShell::Output> &r) {
                if (!r) {
                    done(r.error());
                    return;
                }
                const RemoteShell::Output &output = r.value();
                if (output.exitCode == 127) {
                    done(Error(Error::Code::NoDriver, kNoDriver + QStringLiteral(" on ") + host,
                               QStringLiteral("nvidia-smi is not on the PATH of %1").arg(host)));
                } else if (output.exitCode != 0) {
                    QString why = NvidiaSmiParser::failureReason(output.text);
                    why = why.isEmpty()
                              ? QStringLiteral("nvidia-smi on %1 exited with code %2")
                                    .arg(host)
                                    .arg(output.exitCode)
                              : QStringLiteral("nvidia-smi on %1 says \"%2\"").arg(host, why);
                    done(Error(Error::Code::NoDriver, kNoDriver + QStringLiteral(" on ") + host,
                               why));
                } else {
                    done(output.text);
                }
            });
        return;
    }
    auto *process = new QProcess(this);
    auto *timer = new QTimer(process);
    timer->setSingleShot(true);
    auto state = std::make_shared<int>(0); // 0 running, 1 timed out, 2 reported
    auto report = [process, state, done](Result<QByteArray> r) {
        if (*state == 2)
            return;
        *state = 2;
        process->deleteLater();
        done(std::move(r));
    };

    connect(timer, &QTimer::timeout, process, [process, state] {
        *state = 1;
        process->kill(); // finished() follows
    });
    connect(process, &QProcess::errorOccurred, this, [report, process](QProcess::ProcessError e) {
        if (e != QProcess::FailedToStart)
            return; // the others are followed by finished()
        qCDebug(lcGpu) << "nvidia-smi failed to start:" << process->errorString();
        report(
            Error(Error::Code::NoDriver, kNoDriver, QStringLiteral("nvidia-smi is not on PATH")));
    });
    connect(process, &QProcess::finished, this,
            [this, report, process, state](int code, QProcess::ExitStatus status) {
                if (*state == 1) {
                    report(Error(Error::Code::Timeout, QStringLiteral("nvidia-smi did not answer"),
                                 QStringLiteral("no output within %1 ms").arg(m_smiTimeoutMs),
                                 QStringLiteral("The driver may be hung; check dmesg")));
                    return;
                }
                const QByteArray out = process->readAllStandardOutput();
                if (status != QProcess::NormalExit || code != 0) {
                    QString why = NvidiaSmiParser::failureReason(out + '\n'
                                                                 + process->readAllStandardError());
                    if (why.isEmpty())
                        why = QStringLiteral("nvidia-smi exited with code %1").arg(code);
                    else
                        why = QStringLiteral("nvidia-smi says \"%1\"").arg(why);
                    report(Error(Error::Code::NoDriver, kNoDriver, why));
                    return;
                }
                report(out);
            });

    process->start(QStringLiteral("nvidia-smi"), args, QIODevice::ReadOnly);
    timer->start(m_smiTimeoutMs);
}

void GpuInventory::smiIdentity(const Error &nvmlError)
{
    runSmi(queryArgs(NvidiaSmiParser::identityFields()), [this, nvmlError](Result<QByteArray> r) {
        if (!r && m_wantRemote) {
            GpuSnapshot s;
            s.error = r.error();
            complete(s);
            return;
        }
        if (!r) {
            // Both ways failed: say both reasons, NVML's first.
            GpuSnapshot s;
            s.error = Error(r.error().code() == Error::Code::Timeout ? Error::Code::Timeout
                                                                     : Error::Code::NoDriver,
                            kNoDriver, nvmlError.why() + QStringLiteral(", and ") + r.error().why(),
                            kInstallHint);
            complete(s);
            return;
        }
        GpuSnapshot s;
        s.source = GpuSnapshot::Source::NvidiaSmi;
        s.gpus = NvidiaSmiParser::parseQueryGpu(r.value(), NvidiaSmiParser::identityFields(),
                                                &s.driverVersion);
        if (s.gpus.isEmpty()) {
            s.error = Error(Error::Code::NoDriver, QStringLiteral("no NVIDIA GPU found"),
                            QStringLiteral("nvidia-smi lists no GPU"),
                            QStringLiteral("Check that the GPU is seated and powered (lspci)"));
            complete(s);
            return;
        }
        const bool anyMig = std::any_of(s.gpus.cbegin(), s.gpus.cend(), [](const GpuInfo &g) {
            return g.migMode == GpuInfo::MigMode::Enabled;
        });
        auto keep = [this](GpuSnapshot snap) {
            // The driver's CUDA version is in no --query-gpu field: the table's header has it.
            runSmi({}, [this, snap](Result<QByteArray> table) mutable {
                if (table)
                    snap.cudaVersion = NvidiaSmiParser::cudaVersion(table.value());
                m_source = GpuSnapshot::Source::NvidiaSmi;
                m_identity = snap;
                smiProcesses(snap);
            });
        };
        if (!anyMig) {
            keep(s);
            return;
        }
        // The MIG devices' UUIDs are only in -L; read once with the identity.
        runSmi({QStringLiteral("-L")}, [s, keep](Result<QByteArray> list) mutable {
            if (list) {
                const auto migs = NvidiaSmiParser::parseList(list.value());
                for (GpuInfo &g : s.gpus)
                    g.migDevices = migs.value(g.index);
            }
            keep(s);
        });
    });
}

void GpuInventory::smiLive()
{
    runSmi(queryArgs(NvidiaSmiParser::liveFields()), [this](Result<QByteArray> r) {
        GpuSnapshot s = m_identity;
        QList<GpuInfo> rows;
        if (r)
            rows = NvidiaSmiParser::parseQueryGpu(r.value(), NvidiaSmiParser::liveFields());
        for (GpuInfo &g : s.gpus) {
            g.memoryUsed = g.gpuUtil = g.memUtil = g.temperature = -1;
            g.powerDraw = g.powerLimit = -1;
            g.error = r ? QString() : r.error().why();
            for (const GpuInfo &live : std::as_const(rows)) {
                if (live.index != g.index)
                    continue;
                g.memoryUsed = live.memoryUsed;
                g.gpuUtil = live.gpuUtil;
                g.memUtil = live.memUtil;
                g.temperature = live.temperature;
                g.powerDraw = live.powerDraw;
                g.powerLimit = live.powerLimit;
            }
        }
        smiProcesses(s);
    });
}

void GpuInventory::smiProcesses(GpuSnapshot snapshot)
{
    if (m_wantProbe) {
        // A probe container sees none of the host's processes (they are in another PID
        // namespace). A GPU with less memory in use than an idle driver holds has none (a CUDA
        // context alone takes more); on the others they are unknown, not "none".
        for (GpuInfo &g : snapshot.gpus)
            g.processesKnown = g.memoryUsed >= 0 && g.memoryUsed < GpuInfo::kFreeMemoryBytes;
        complete(snapshot);
        return;
    }
    runSmi({QStringLiteral("--query-compute-apps=gpu_uuid,pid,used_memory"),
            QStringLiteral("--format=csv,noheader,nounits")},
           [this, snapshot](Result<QByteArray> r) mutable {
               const auto byGpu = r ? NvidiaSmiParser::parseComputeApps(r.value())
                                    : QMap<QString, QList<GpuInfo::Process>>();
               for (GpuInfo &g : snapshot.gpus) {
                   g.processesKnown = r.ok();
                   g.processes = byGpu.value(g.uuid);
               }
               if (m_wantRemote)
                   remoteOwners(snapshot);
               else
                   complete(snapshot);
           });
}

void GpuInventory::remoteOwners(GpuSnapshot snapshot)
{
    // The host's /proc, in one command over the same shell; without an answer the owners stay
    // unknown and the figures still come.
    const QList<qint64> pids = ProcessOwners::pids(snapshot);
    if (pids.isEmpty() || !m_remote) {
        complete(snapshot);
        return;
    }
    m_remote->run(ProcessOwners::remoteCommand(pids), m_smiTimeoutMs,
                  [this, snapshot](const Result<RemoteShell::Output> &r) mutable {
                      QHash<qint64, ProcessOwners::Facts> facts;
                      if (r) {
                          facts = ProcessOwners::parseRemote(r.value().text);
                      } else {
                          for (qint64 pid : ProcessOwners::pids(snapshot))
                              facts[pid].reason = QStringLiteral("its host did not say: %1")
                                                      .arg(r.error().message());
                      }
                      m_owners.applyFacts(snapshot, facts);
                      m_owners.nameContainers(snapshot);
                      complete(snapshot);
                  });
}
