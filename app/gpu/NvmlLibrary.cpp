#include "NvmlLibrary.h"

#include "GpuLog.h"

#include <QByteArray>
#include <QFile>
#include <QHash>

#include <dlfcn.h>

#include <utility>
#include <vector>

// The few NVML types used, declared here from NVIDIA's public nvml.h documentation so that no
// driver headers are needed to build.
namespace {

using nvmlReturn = int;
using nvmlDevice = void *;

constexpr nvmlReturn kSuccess = 0;
constexpr nvmlReturn kNotSupported = 3;
constexpr nvmlReturn kNoPermission = 4;
constexpr nvmlReturn kNotFound = 6;
constexpr nvmlReturn kInsufficientSize = 7;
constexpr nvmlReturn kTimeout = 10;
constexpr nvmlReturn kNoData = 21;
constexpr unsigned long long kEventXidCritical = 0x8; // nvmlEventTypeXidCriticalError
constexpr int kMaxEventsPerRead = 64;                 // a storm is drained over several reads
constexpr unsigned kTemperatureGpu = 0;               // NVML_TEMPERATURE_GPU
constexpr unsigned kClockSm = 1;                      // NVML_CLOCK_SM
constexpr unsigned kEccUncorrected = 1;               // NVML_MEMORY_ERROR_TYPE_UNCORRECTED
constexpr unsigned kEccVolatile = 0;                  // NVML_VOLATILE_ECC: since the driver loaded
constexpr unsigned kMigEnabled = 1;                   // NVML_DEVICE_MIG_ENABLE
constexpr unsigned kStringBuffer = 96;  // covers NVML_DEVICE_NAME_V2 / UUID_V2 buffer sizes
constexpr unsigned kVersionBuffer = 80; // NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE
constexpr unsigned long long kValueNotAvailable = ~0ULL; // NVML_VALUE_NOT_AVAILABLE

struct PciInfo // nvmlPciInfo_t as filled by nvmlDeviceGetPciInfo_v3
{
    char busIdLegacy[16];
    unsigned domain;
    unsigned bus;
    unsigned device;
    unsigned pciDeviceId;
    unsigned pciSubSystemId;
    char busId[32];
};

struct Memory // nvmlMemory_t (v1): bytes
{
    unsigned long long total;
    unsigned long long free;
    unsigned long long used;
};

// nvmlMemory_v2_t: "used" leaves out the driver's reserved memory, as nvidia-smi shows it;
// v1 counts that reserve as used (about 480 MiB on an idle H100).
struct MemoryV2
{
    unsigned version;
    unsigned long long total;
    unsigned long long reserved;
    unsigned long long free;
    unsigned long long used;
};
constexpr unsigned kMemoryV2Version = static_cast<unsigned>(sizeof(MemoryV2)) | (2U << 24U);

struct Utilization // nvmlUtilization_t: percent
{
    unsigned gpu;
    unsigned memory;
};

// nvmlProcessInfo_t as nvmlDeviceGetComputeRunningProcesses_v3 fills it: four fields, 24 bytes.
// (The unversioned call uses a two-field struct; mixing the two corrupts every entry after the first.)
struct ProcessInfo
{
    unsigned pid;
    unsigned long long usedGpuMemory;
    unsigned gpuInstanceId;
    unsigned computeInstanceId;
};
static_assert(sizeof(ProcessInfo) == 24, "nvmlProcessInfo_t layout");

// nvmlEventData_t as nvmlEventSetWait_v2 fills it (the MIG instance IDs came with _v2).
struct EventData
{
    void *device;
    unsigned long long eventType;
    unsigned long long eventData; // the XID for nvmlEventTypeXidCriticalError
    unsigned gpuInstanceId;
    unsigned computeInstanceId;
};
static_assert(sizeof(EventData) == 32, "nvmlEventData_t layout");
static_assert(sizeof(PciInfo) == 68, "nvmlPciInfo_t layout");

// nvmlProcessUtilizationSample_t as nvmlDeviceGetProcessUtilization fills it: percent of the
// sample period, timeStamp in microseconds (CPU time).
struct ProcessUtilizationSample
{
    unsigned pid;
    unsigned long long timeStamp;
    unsigned smUtil;
    unsigned memUtil;
    unsigned encUtil;
    unsigned decUtil;
};
static_assert(sizeof(ProcessUtilizationSample) == 32, "nvmlProcessUtilizationSample_t layout");

QString fromBuffer(const char *buffer, size_t size)
{
    return QString::fromUtf8(buffer, static_cast<qsizetype>(qstrnlen(buffer, size))).trimmed();
}

} // namespace

struct NvmlLibrary::Api
{
    nvmlReturn (*init)() = nullptr;
    nvmlReturn (*shutdown)() = nullptr;
    const char *(*errorString)(nvmlReturn) = nullptr;
    nvmlReturn (*getCount)(unsigned *) = nullptr;
    nvmlReturn (*getHandleByIndex)(unsigned, nvmlDevice *) = nullptr;
    nvmlReturn (*getName)(nvmlDevice, char *, unsigned) = nullptr;
    nvmlReturn (*getUuid)(nvmlDevice, char *, unsigned) = nullptr;
    nvmlReturn (*getPciInfo)(nvmlDevice, PciInfo *) = nullptr;
    nvmlReturn (*getMinorNumber)(nvmlDevice, unsigned *) = nullptr;
    nvmlReturn (*getMemoryInfo)(nvmlDevice, Memory *) = nullptr;
    nvmlReturn (*getMemoryInfoV2)(nvmlDevice, MemoryV2 *) = nullptr;
    nvmlReturn (*getUtilization)(nvmlDevice, Utilization *) = nullptr;
    nvmlReturn (*getTemperature)(nvmlDevice, unsigned, unsigned *) = nullptr;
    nvmlReturn (*getPowerUsage)(nvmlDevice, unsigned *) = nullptr;
    nvmlReturn (*getEnforcedPowerLimit)(nvmlDevice, unsigned *) = nullptr;
    nvmlReturn (*getClockInfo)(nvmlDevice, unsigned, unsigned *) = nullptr;
    nvmlReturn (*getTotalEccErrors)(nvmlDevice, unsigned, unsigned, unsigned long long *) = nullptr;
    nvmlReturn (*getThrottleReasons)(nvmlDevice, unsigned long long *) = nullptr;
    nvmlReturn (*getMigMode)(nvmlDevice, unsigned *, unsigned *) = nullptr;
    nvmlReturn (*getMaxMigDeviceCount)(nvmlDevice, unsigned *) = nullptr;
    nvmlReturn (*getMigDeviceHandleByIndex)(nvmlDevice, unsigned, nvmlDevice *) = nullptr;
    nvmlReturn (*getComputeProcesses)(nvmlDevice, unsigned *, ProcessInfo *) = nullptr;
    nvmlReturn (*getProcessUtilization)(nvmlDevice, ProcessUtilizationSample *, unsigned *,
                                        unsigned long long) = nullptr;
    nvmlReturn (*getDriverVersion)(char *, unsigned) = nullptr;
    nvmlReturn (*getCudaDriverVersion)(int *) = nullptr;
    nvmlReturn (*eventSetCreate)(void **) = nullptr;
    nvmlReturn (*registerEvents)(nvmlDevice, unsigned long long, void *) = nullptr;
    nvmlReturn (*eventSetWait)(void *, EventData *, unsigned) = nullptr;
    nvmlReturn (*eventSetFree)(void *) = nullptr;
};

namespace {

template <typename F> void resolve(void *handle, F &fn, const char *symbol)
{
    fn = reinterpret_cast<F>(dlsym(handle, symbol));
}

} // namespace

NvmlLibrary::NvmlLibrary() : m_api(std::make_unique<Api>()) { }

NvmlLibrary::~NvmlLibrary()
{
    close();
}

QString NvmlLibrary::libraryName() const
{
    const QByteArray over = qgetenv("GPUDECK_NVML_PATH");
    return over.isEmpty() ? QStringLiteral("libnvidia-ml.so.1") : QFile::decodeName(over);
}

Result<void> NvmlLibrary::open()
{
    if (m_state == State::Open)
        return {};
    close();

    const QString name = libraryName();
    dlerror();
    m_handle = dlopen(QFile::encodeName(name).constData(), RTLD_NOW | RTLD_LOCAL);
    if (!m_handle) {
        m_state = State::LibraryMissing;
        const char *why = dlerror();
        return Error(Error::Code::NoDriver, QStringLiteral("no NVIDIA driver found"),
                     QStringLiteral("%1 could not be loaded (%2)")
                         .arg(name, why ? QString::fromLocal8Bit(why) : QStringLiteral("unknown")),
                     QStringLiteral("Install the NVIDIA driver for this GPU"));
    }

    Api &a = *m_api;
    resolve(m_handle, a.init, "nvmlInit_v2");
    resolve(m_handle, a.shutdown, "nvmlShutdown");
    resolve(m_handle, a.errorString, "nvmlErrorString");
    resolve(m_handle, a.getCount, "nvmlDeviceGetCount_v2");
    resolve(m_handle, a.getHandleByIndex, "nvmlDeviceGetHandleByIndex_v2");
    resolve(m_handle, a.getName, "nvmlDeviceGetName");
    resolve(m_handle, a.getUuid, "nvmlDeviceGetUUID");
    resolve(m_handle, a.getPciInfo, "nvmlDeviceGetPciInfo_v3");
    resolve(m_handle, a.getMinorNumber, "nvmlDeviceGetMinorNumber");
    resolve(m_handle, a.getMemoryInfo, "nvmlDeviceGetMemoryInfo");
    resolve(m_handle, a.getMemoryInfoV2, "nvmlDeviceGetMemoryInfo_v2");
    resolve(m_handle, a.getUtilization, "nvmlDeviceGetUtilizationRates");
    resolve(m_handle, a.getTemperature, "nvmlDeviceGetTemperature");
    resolve(m_handle, a.getPowerUsage, "nvmlDeviceGetPowerUsage");
    resolve(m_handle, a.getEnforcedPowerLimit, "nvmlDeviceGetEnforcedPowerLimit");
    resolve(m_handle, a.getClockInfo, "nvmlDeviceGetClockInfo");
    resolve(m_handle, a.getTotalEccErrors, "nvmlDeviceGetTotalEccErrors");
    resolve(m_handle, a.getThrottleReasons, "nvmlDeviceGetCurrentClocksThrottleReasons");
    resolve(m_handle, a.getMigMode, "nvmlDeviceGetMigMode");
    resolve(m_handle, a.getMaxMigDeviceCount, "nvmlDeviceGetMaxMigDeviceCount");
    resolve(m_handle, a.getMigDeviceHandleByIndex, "nvmlDeviceGetMigDeviceHandleByIndex");
    resolve(m_handle, a.getComputeProcesses, "nvmlDeviceGetComputeRunningProcesses_v3");
    resolve(m_handle, a.getProcessUtilization, "nvmlDeviceGetProcessUtilization");
    resolve(m_handle, a.getDriverVersion, "nvmlSystemGetDriverVersion");
    resolve(m_handle, a.getCudaDriverVersion, "nvmlSystemGetCudaDriverVersion_v2");
    resolve(m_handle, a.eventSetCreate, "nvmlEventSetCreate");
    resolve(m_handle, a.registerEvents, "nvmlDeviceRegisterEvents");
    resolve(m_handle, a.eventSetWait, "nvmlEventSetWait_v2");
    resolve(m_handle, a.eventSetFree, "nvmlEventSetFree");
    if (!a.getCudaDriverVersion) // drivers before the _v2 entry point have the first one
        resolve(m_handle, a.getCudaDriverVersion, "nvmlSystemGetCudaDriverVersion");

    // Without these four nothing can be listed; the rest are optional figures.
    if (!a.init || !a.shutdown || !a.getCount || !a.getHandleByIndex) {
        dlclose(m_handle);
        m_handle = nullptr;
        m_state = State::InitFailed;
        return Error(Error::Code::NoDriver, QStringLiteral("no NVIDIA driver found"),
                     QStringLiteral("%1 lacks the NVML entry points this program needs").arg(name),
                     QStringLiteral("Update the NVIDIA driver"));
    }

    const nvmlReturn rc = a.init();
    if (rc != kSuccess) {
        const QString why = errorString(rc);
        dlclose(m_handle);
        m_handle = nullptr;
        m_state = State::InitFailed;
        return Error(Error::Code::NoDriver, QStringLiteral("no NVIDIA driver found"),
                     QStringLiteral("NVML did not start: %1").arg(why),
                     QStringLiteral("Check that the NVIDIA kernel module is loaded (nvidia-smi, "
                                    "dmesg) and that it matches the installed driver"));
    }
    m_state = State::Open;
    qCDebug(lcGpu) << "NVML loaded from" << name;
    return {};
}

void NvmlLibrary::close()
{
    if (m_events && m_api->eventSetFree)
        m_api->eventSetFree(m_events);
    m_events = nullptr;
    m_watched.clear();
    m_xidCount.clear();
    m_lastXid.clear();
    m_utilSeen.clear();
    if (m_handle) {
        if (m_state == State::Open && m_api->shutdown)
            m_api->shutdown();
        dlclose(m_handle);
        m_handle = nullptr;
    }
    *m_api = Api();
    m_devices.clear();
    m_state = State::Closed;
}

QString NvmlLibrary::errorString(int code) const
{
    const char *s = m_api->errorString ? m_api->errorString(code) : nullptr;
    const QString text = s ? QString::fromUtf8(s) : QStringLiteral("NVML error");
    return QStringLiteral("%1 (NVML code %2)").arg(text).arg(code);
}

Result<GpuSnapshot> NvmlLibrary::readAll()
{
    if (m_state != State::Open) {
        if (Result<void> r = open(); !r)
            return r.error();
    }
    const Api &a = *m_api;
    GpuSnapshot s;
    s.source = GpuSnapshot::Source::Nvml;
    m_devices.clear();

    if (a.getDriverVersion) {
        char buf[kVersionBuffer] = {};
        if (a.getDriverVersion(buf, kVersionBuffer) == kSuccess)
            s.driverVersion = fromBuffer(buf, sizeof buf);
    }
    if (a.getCudaDriverVersion) {
        int v = 0;
        if (a.getCudaDriverVersion(&v) == kSuccess && v > 0) // 13000 -> "13.0"
            s.cudaVersion = QStringLiteral("%1.%2").arg(v / 1000).arg((v % 1000) / 10);
    }

    unsigned count = 0;
    if (const nvmlReturn rc = a.getCount(&count); rc != kSuccess) {
        return Error(Error::Code::NoDriver, QStringLiteral("no NVIDIA GPU found"),
                     QStringLiteral("NVML could not count the GPUs: %1").arg(errorString(rc)),
                     QStringLiteral("Check the driver with nvidia-smi"));
    }
    for (unsigned i = 0; i < count; ++i) {
        GpuInfo g;
        g.index = static_cast<int>(i);
        nvmlDevice dev = nullptr;
        if (const nvmlReturn rc = a.getHandleByIndex(i, &dev); rc != kSuccess) {
            g.error = errorString(rc);
            qCInfo(lcGpu) << "GPU" << i << "unreadable:" << g.error;
            m_devices.append(nullptr);
            s.gpus.append(g);
            continue;
        }
        char buf[kStringBuffer] = {};
        if (a.getUuid && a.getUuid(dev, buf, kStringBuffer) == kSuccess)
            g.uuid = fromBuffer(buf, sizeof buf);
        if (a.getName && a.getName(dev, buf, kStringBuffer) == kSuccess)
            g.name = fromBuffer(buf, sizeof buf);
        PciInfo pci = {};
        if (a.getPciInfo && a.getPciInfo(dev, &pci) == kSuccess)
            g.pciBusId = fromBuffer(pci.busId, sizeof pci.busId);
        unsigned minor = 0;
        if (a.getMinorNumber && a.getMinorNumber(dev, &minor) == kSuccess)
            g.minorNumber = static_cast<int>(minor);
        Memory mem = {};
        if (a.getMemoryInfo && a.getMemoryInfo(dev, &mem) == kSuccess)
            g.memoryTotal = static_cast<qint64>(mem.total);

        unsigned current = 0, pending = 0;
        if (a.getMigMode && a.getMigMode(dev, &current, &pending) == kSuccess) {
            g.migMode = current == kMigEnabled ? GpuInfo::MigMode::Enabled
                                               : GpuInfo::MigMode::Disabled;
        }
        unsigned maxMig = 0;
        if (g.migMode == GpuInfo::MigMode::Enabled && a.getMaxMigDeviceCount
            && a.getMigDeviceHandleByIndex && a.getMaxMigDeviceCount(dev, &maxMig) == kSuccess) {
            for (unsigned m = 0; m < maxMig; ++m) {
                nvmlDevice mig = nullptr;
                const nvmlReturn rc = a.getMigDeviceHandleByIndex(dev, m, &mig);
                if (rc == kNotFound)
                    continue; // slots need not be contiguous
                if (rc != kSuccess)
                    break;
                GpuInfo::MigDevice d;
                d.index = static_cast<int>(m);
                d.indexName = QStringLiteral("%1:%2").arg(i).arg(m);
                if (a.getUuid && a.getUuid(mig, buf, kStringBuffer) == kSuccess)
                    d.uuid = fromBuffer(buf, sizeof buf);
                if (a.getName && a.getName(mig, buf, kStringBuffer) == kSuccess)
                    d.name = fromBuffer(buf, sizeof buf);
                g.migDevices.append(d);
            }
        }
        m_devices.append(dev);
        s.gpus.append(g);
    }
    if (s.gpus.isEmpty()) {
        s.error =
            Error(Error::Code::NoDriver, QStringLiteral("no NVIDIA GPU found"),
                  QStringLiteral("the driver %1 is loaded but reports no GPU").arg(s.driverVersion),
                  QStringLiteral("Check that the GPU is seated and powered (lspci)"));
    }
    m_utilSeen = QList<unsigned long long>(m_devices.size(), 0);
    watchEvents();
    readLive(s);
    return s;
}

void NvmlLibrary::watchEvents()
{
    const Api &a = *m_api;
    if (m_events && a.eventSetFree)
        a.eventSetFree(m_events);
    m_events = nullptr;
    const qsizetype n = m_devices.size();
    m_watched = QList<bool>(n, false);
    m_xidCount = QList<qint64>(n, 0);
    m_lastXid = QList<qint64>(n, -1);
    if (!a.eventSetCreate || !a.registerEvents || !a.eventSetWait || !a.eventSetFree)
        return;
    if (const nvmlReturn rc = a.eventSetCreate(&m_events); rc != kSuccess) {
        qCInfo(lcGpu) << "NVML events unavailable:" << errorString(rc);
        m_events = nullptr;
        return;
    }
    for (qsizetype i = 0; i < n; ++i) {
        if (!m_devices.at(i))
            continue;
        const nvmlReturn rc = a.registerEvents(m_devices.at(i), kEventXidCritical, m_events);
        m_watched[i] = rc == kSuccess;
        if (rc != kSuccess)
            qCInfo(lcGpu) << "GPU" << i << "XID events not watched:" << errorString(rc);
    }
}

void NvmlLibrary::drainEvents()
{
    const Api &a = *m_api;
    if (!m_events)
        return;
    for (int k = 0; k < kMaxEventsPerRead; ++k) {
        EventData data = {};
        const nvmlReturn rc = a.eventSetWait(m_events, &data, 0); // never wait on a read
        if (rc == kTimeout)
            return;
        if (rc != kSuccess) {
            qCInfo(lcGpu) << "NVML event wait:" << errorString(rc);
            return;
        }
        if (!(data.eventType & kEventXidCritical))
            continue;
        const qsizetype slot = m_devices.indexOf(data.device);
        if (slot < 0)
            continue;
        ++m_xidCount[slot];
        m_lastXid[slot] = static_cast<qint64>(data.eventData);
        qCWarning(lcGpu) << "GPU" << slot << "XID" << data.eventData;
    }
}

void NvmlLibrary::readLive(GpuSnapshot &snapshot)
{
    if (m_state != State::Open)
        return;
    drainEvents();
    for (qsizetype i = 0; i < snapshot.gpus.size() && i < m_devices.size(); ++i) {
        readLiveOne(static_cast<int>(i), snapshot.gpus[i]);
        const bool watched = i < m_watched.size() && m_watched.at(i);
        snapshot.gpus[i].xidCount = watched ? m_xidCount.at(i) : -1;
        snapshot.gpus[i].lastXid = watched ? m_lastXid.at(i) : -1;
    }
}

void NvmlLibrary::readLiveOne(int slot, GpuInfo &g)
{
    nvmlDevice dev = m_devices.at(slot);
    if (!dev)
        return;
    const Api &a = *m_api;
    g.memoryUsed = g.gpuUtil = g.memUtil = g.temperature = -1;
    g.powerDraw = g.powerLimit = -1;
    g.smClock = -1;
    g.eccUncorrected = g.throttleReasons = -1;
    g.processes.clear();
    g.processesKnown = false;
    g.error.clear();

    // "Not supported" and "no permission" only mean this figure stays unknown; anything else
    // (the GPU fell off the bus, needs a reset) is said on the GPU.
    auto check = [&](nvmlReturn rc, const char *call) {
        if (rc == kSuccess)
            return true;
        if (rc != kNotSupported && rc != kNoPermission && rc != kNoData && g.error.isEmpty())
            g.error = QStringLiteral("%1: %2").arg(QLatin1String(call), errorString(rc));
        return false;
    };

    MemoryV2 mem2 = {};
    mem2.version = kMemoryV2Version;
    Memory mem = {};
    if (a.getMemoryInfoV2 && a.getMemoryInfoV2(dev, &mem2) == kSuccess)
        g.memoryUsed = static_cast<qint64>(mem2.used);
    else if (a.getMemoryInfo && check(a.getMemoryInfo(dev, &mem), "memory"))
        g.memoryUsed = static_cast<qint64>(mem.used);
    Utilization util = {};
    if (a.getUtilization && check(a.getUtilization(dev, &util), "utilisation")) {
        g.gpuUtil = static_cast<int>(util.gpu);
        g.memUtil = static_cast<int>(util.memory);
    }
    unsigned v = 0;
    if (a.getTemperature && check(a.getTemperature(dev, kTemperatureGpu, &v), "temperature"))
        g.temperature = static_cast<int>(v);
    if (a.getPowerUsage && check(a.getPowerUsage(dev, &v), "power draw"))
        g.powerDraw = v / 1000.0; // mW
    if (a.getEnforcedPowerLimit && check(a.getEnforcedPowerLimit(dev, &v), "power limit"))
        g.powerLimit = v / 1000.0;
    if (a.getClockInfo && check(a.getClockInfo(dev, kClockSm, &v), "SM clock"))
        g.smClock = static_cast<int>(v);
    unsigned long long big = 0;
    if (a.getTotalEccErrors
        && check(a.getTotalEccErrors(dev, kEccUncorrected, kEccVolatile, &big), "ECC errors"))
        g.eccUncorrected = static_cast<qint64>(big);
    if (a.getThrottleReasons && check(a.getThrottleReasons(dev, &big), "throttle reasons"))
        g.throttleReasons = static_cast<qint64>(big);

    if (a.getComputeProcesses) {
        std::vector<ProcessInfo> infos(32);
        unsigned n = static_cast<unsigned>(infos.size());
        nvmlReturn rc = a.getComputeProcesses(dev, &n, infos.data());
        if (rc == kInsufficientSize) { // n now holds the count; processes may start meanwhile
            infos.resize(n + 16);
            n = static_cast<unsigned>(infos.size());
            rc = a.getComputeProcesses(dev, &n, infos.data());
        }
        if (check(rc, "processes")) {
            g.processesKnown = true;
            for (unsigned k = 0; k < n && k < infos.size(); ++k) {
                GpuInfo::Process p;
                p.pid = infos[k].pid;
                p.usedMemory = infos[k].usedGpuMemory == kValueNotAvailable
                                   ? -1
                                   : static_cast<qint64>(infos[k].usedGpuMemory);
                g.processes.append(p);
            }
        }
    }
    if (g.processesKnown && !g.processes.isEmpty())
        readProcessUtilization(slot, g);
}

void NvmlLibrary::readProcessUtilization(int slot, GpuInfo &g)
{
    const Api &a = *m_api;
    if (!a.getProcessUtilization || slot >= m_utilSeen.size())
        return;
    nvmlDevice dev = m_devices.at(slot);
    unsigned long long &lastSeen = m_utilSeen[slot];
    // A null buffer asks for the count; the samples are those newer than the last one seen.
    unsigned n = 0;
    nvmlReturn rc = a.getProcessUtilization(dev, nullptr, &n, lastSeen);
    std::vector<ProcessUtilizationSample> samples;
    if (rc == kInsufficientSize) {
        samples.resize(n + 8); // processes may start meanwhile
        n = static_cast<unsigned>(samples.size());
        rc = a.getProcessUtilization(dev, samples.data(), &n, lastSeen);
    }
    // NOT_FOUND: no sample since the last read; NOT_SUPPORTED and the rest: none at all. Either
    // way the processes' figures stay unknown; it is never an error on the GPU.
    if (rc != kSuccess) {
        if (rc != kNotFound && rc != kNotSupported && rc != kNoPermission)
            qCDebug(lcGpu) << "GPU" << slot << "per-process utilisation:" << errorString(rc);
        return;
    }
    n = qMin(n, static_cast<unsigned>(samples.size()));
    if (n == 0)
        return;
    // The driver may give several samples of one process; its newest counts.
    QHash<qint64, std::pair<unsigned long long, int>> newest; // PID -> (timeStamp, smUtil)
    for (unsigned k = 0; k < n; ++k) {
        const ProcessUtilizationSample &x = samples[k];
        lastSeen = qMax(lastSeen, x.timeStamp);
        const auto it = newest.constFind(x.pid);
        if (it == newest.cend() || it->first <= x.timeStamp)
            newest.insert(x.pid, {x.timeStamp, static_cast<int>(qMin(x.smUtil, 100U))});
    }
    // NVML samples only the processes that used the GPU in the period: the others were idle.
    for (GpuInfo::Process &p : g.processes)
        p.smUtil = newest.value(p.pid, {0, 0}).second;
}
