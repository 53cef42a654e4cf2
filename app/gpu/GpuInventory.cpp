#include "GpuInventory.h"

#include "LocalGpuHost.h"
#include "NvidiaSmiParser.h"
#include "NvmlLibrary.h"

#include <QEventLoop>

namespace {

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
    : QObject(parent),
      m_nvml(std::make_unique<NvmlLibrary>()),
      m_thisMachine(new LocalGpuHost(this)),
      m_host(m_thisMachine)
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

void GpuInventory::setHost(GpuHost *host)
{
    reset();
    m_host = host ? host : m_thisMachine;
    m_reach = m_host->reach();
    m_seesProcesses = m_host->seesProcesses();
    m_hostGone = m_host->goneError();
}

bool GpuInventory::refresh()
{
    if (m_busy)
        return false;
    m_busy = true;
    if (!readsThisMachine() && m_source == GpuSnapshot::Source::None) {
        // The host's driver, through its nvidia-smi; this machine's NVML says nothing about it.
        smiIdentity(Error(Error::Code::NoDriver, GpuHost::noDriver(),
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
            const auto emitFinished = [this](const GpuSnapshot &named) {
                m_busy = false;
                emit finished(named);
            };
            if (m_host)
                m_host->nameOwners(snapshot, m_owners, m_smiTimeoutMs, emitFinished);
            else
                emitFinished(snapshot);
        },
        Qt::QueuedConnection);
}

void GpuInventory::runSmi(const QStringList &args, GpuHost::Done done)
{
    if (!m_host) {
        QMetaObject::invokeMethod(
            this, [this, done = std::move(done)]() { done(m_hostGone); }, Qt::QueuedConnection);
        return;
    }
    m_host->runSmi(args, m_smiTimeoutMs, std::move(done));
}

void GpuInventory::smiIdentity(const Error &nvmlError)
{
    runSmi(queryArgs(NvidiaSmiParser::identityFields()), [this, nvmlError](Result<QByteArray> r) {
        if (!r && !readsThisMachine()) {
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
                            GpuHost::noDriver(),
                            nvmlError.why() + QStringLiteral(", and ") + r.error().why(),
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
            g.smClock = -1;
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
                g.smClock = live.smClock;
            }
        }
        smiProcesses(s);
    });
}

void GpuInventory::smiProcesses(GpuSnapshot snapshot)
{
    if (!m_seesProcesses) {
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
               complete(snapshot);
           });
}
