// A stand-in for libnvidia-ml.so.1 exporting the entry points GPU Deck uses, so the NVML path is
// tested for real (dlopen, dlsym, struct layouts) on machines without a GPU. The scenario is
// chosen by GPUDECK_FAKE_NVML_SCENARIO when nvmlInit_v2 is called:
//   two (default)  2 GPUs, GPU 0 runs two processes (one without a memory figure)
//   eight          8 GPUs; GPU 3 has no temperature or power sensor; GPU 7 runs 40 processes
//   mig            GPU 0 in MIG mode with slices in slots 0 and 2; GPU 1 not
//   fail-midway    3 GPUs; GPU 1 is lost after its first read; GPU 2 cannot be opened
//   init-fail      nvmlInit_v2 says the driver is not loaded
//   zero           the driver loads but has no GPU
//   demo           4 GPUs named as demo stand-ins, for packaging/dev.sh run on a machine
//                  without an NVIDIA driver (the window shows the names); GPUs 0 and 1 hold
//                  memory, GPUs 2 and 3 are idle, so that "Free N GPUs" can be tried
//   shared         2 GPUs: GPU 0 busy (two processes, 1 GiB), GPU 1 idle (nothing in use)
// GPUDECK_FAKE_NVML_INIT_MS, when set, makes nvmlInit_v2 take that long first (a driver without
// persistence mode takes seconds to start). As NVML does, it counts its initialisations: it is
// shut down when nvmlShutdown has been called once for each (a window's engines each open it, and
// one that goes must not shut it under the others).
#include <algorithm>
#include <atomic>
#include <chrono>
// GPUDECK_FAKE_NVML_PROCESSES="PID:MiB[@SM],PID:MiB[@SM]..." (any scenario) replaces GPU 0's
// processes with these: real PIDs, so that their owners can be named. SM, when given, is the
// process's SM utilisation in percent, which nvmlDeviceGetProcessUtilization reports (one new
// sample per call); without any, it says NOT_FOUND (no sample), as in every scenario.
// GPUDECK_FAKE_NVML_XID="GPU:XID[@N],..." scripts XID critical errors: each is delivered by
// nvmlEventSetWait_v2 (to a set GPU was registered on), in order, from the Nth wait call on
// (default 1). A wait with no event due sleeps its timeout, as the driver does.
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

namespace {

enum Rc {
    Success = 0,
    InvalidArgument = 2,
    NotSupported = 3,
    NotFound = 6,
    InsufficientSize = 7,
    DriverNotLoaded = 9,
    GpuIsLost = 15,
    Uninitialized = 1,
    Timeout = 10,
};

struct EventData // nvmlEventData_t as nvmlEventSetWait_v2 fills it
{
    void *device;
    unsigned long long eventType;
    unsigned long long eventData;
    unsigned gpuInstanceId, computeInstanceId;
};
constexpr unsigned long long XidCriticalError = 0x8;

struct Dev
{
    int gpu;
    int mig; // -1 for the GPU itself
};

struct PciInfo
{
    char busIdLegacy[16];
    unsigned domain, bus, device, pciDeviceId, pciSubSystemId;
    char busId[32];
};
struct Memory
{
    unsigned long long total, free, used;
};
struct Utilization
{
    unsigned gpu, memory;
};
struct ProcessInfo
{
    unsigned pid;
    unsigned long long usedGpuMemory;
    unsigned gpuInstanceId, computeInstanceId;
};
struct ProcessUtilizationSample // nvmlProcessUtilizationSample_t
{
    unsigned pid;
    unsigned long long timeStamp;
    unsigned smUtil, memUtil, encUtil, decUtil;
};

constexpr unsigned long long MiB = 1024ULL * 1024ULL;
Dev g_gpus[8];
Dev g_migs[8][7];
std::string g_scenario;
std::atomic<int> g_inits{0}; // nvmlInit_v2 calls not yet matched by nvmlShutdown
int g_identityCalls = 0;
int g_liveReads[8] = {};
struct
{
    int n = -1; // -1: the scenario's own
    unsigned pid[128];
    unsigned long long mib[128];
    int sm[128]; // -1: no per-process utilisation sample
} g_processes;
unsigned long long g_utilSampleTime = 0; // the newest sample's timestamp handed out, microseconds
unsigned long long g_lastSeenAsked = 0;  // lastSeenTimeStamp of the last call
struct
{
    int n = 0;
    int next = 0; // the next to deliver
    int gpu[64];
    unsigned long long xid[64];
    int from[64]; // the wait call it is due at
} g_xids;
int g_eventSet = 0;        // the one set handed out
bool g_registered[8] = {}; // for XID critical errors
int g_waits = 0;           // nvmlEventSetWait_v2 calls
unsigned g_lastWaitTimeout = ~0U;

void readXids()
{
    g_xids.n = g_xids.next = 0;
    const char *list = std::getenv("GPUDECK_FAKE_NVML_XID");
    const char *p = list ? list : "";
    while (*p && g_xids.n < 64) {
        char *end = nullptr;
        const long gpu = std::strtol(p, &end, 10);
        if (end == p || *end != ':')
            break;
        p = end + 1;
        const unsigned long long xid = std::strtoull(p, &end, 10);
        if (end == p)
            break;
        p = end;
        long from = 1;
        if (*p == '@') {
            from = std::strtol(p + 1, &end, 10);
            p = end;
        }
        g_xids.gpu[g_xids.n] = static_cast<int>(gpu);
        g_xids.xid[g_xids.n] = xid;
        g_xids.from[g_xids.n] = static_cast<int>(from);
        ++g_xids.n;
        if (*p != ',')
            break;
        ++p;
    }
}

void readProcesses()
{
    g_processes.n = -1;
    const char *list = std::getenv("GPUDECK_FAKE_NVML_PROCESSES");
    if (!list)
        return;
    g_processes.n = 0;
    const char *p = list;
    while (*p && g_processes.n < 128) {
        char *end = nullptr;
        const unsigned long pid = std::strtoul(p, &end, 10);
        if (end == p || *end != ':')
            break;
        p = end + 1;
        const unsigned long long mib = std::strtoull(p, &end, 10);
        if (end == p)
            break;
        g_processes.pid[g_processes.n] = static_cast<unsigned>(pid);
        g_processes.mib[g_processes.n] = mib;
        g_processes.sm[g_processes.n] = -1;
        p = end;
        if (*p == '@') {
            g_processes.sm[g_processes.n] = static_cast<int>(std::strtol(p + 1, &end, 10));
            p = end;
        }
        ++g_processes.n;
        if (*p != ',')
            break;
        ++p;
    }
}

unsigned gpuCount()
{
    if (g_scenario == "eight")
        return 8;
    if (g_scenario == "fail-midway")
        return 3;
    if (g_scenario == "zero")
        return 0;
    if (g_scenario == "demo")
        return 4;
    return 2;
}

const Dev *dev(void *handle)
{
    return static_cast<const Dev *>(handle);
}

bool lost(const Dev *d)
{
    // One memory read for the identity, one for the first figures; lost from the next.
    return g_scenario == "fail-midway" && d->gpu == 1 && g_liveReads[1] > 2;
}

bool migSlot(int gpu, unsigned slot)
{
    return g_scenario == "mig" && gpu == 0 && (slot == 0 || slot == 2);
}

int copy(char *out, unsigned length, const std::string &s)
{
    if (!out || length <= s.size())
        return InsufficientSize;
    std::memcpy(out, s.c_str(), s.size() + 1);
    return Success;
}

} // namespace

extern "C" {

__attribute__((visibility("default"))) int fakenvml_identityCalls()
{
    return g_identityCalls;
}

__attribute__((visibility("default"))) unsigned long long fakenvml_lastSeenTimeStamp()
{
    return g_lastSeenAsked;
}

__attribute__((visibility("default"))) unsigned fakenvml_lastWaitTimeout()
{
    return g_lastWaitTimeout;
}

__attribute__((visibility("default"))) int nvmlInit_v2()
{
    const char *s = std::getenv("GPUDECK_FAKE_NVML_SCENARIO");
    g_scenario = s && *s ? s : "two";
    if (const char *ms = std::getenv("GPUDECK_FAKE_NVML_INIT_MS"))
        std::this_thread::sleep_for(std::chrono::milliseconds(std::atoi(ms)));
    if (g_scenario == "init-fail")
        return DriverNotLoaded;
    ++g_inits;
    g_identityCalls = 0;
    readProcesses();
    readXids();
    g_utilSampleTime = g_lastSeenAsked = 0;
    g_waits = 0;
    g_lastWaitTimeout = ~0U;
    for (int i = 0; i < 8; ++i) {
        g_registered[i] = false;
        g_liveReads[i] = 0;
        g_gpus[i] = Dev{i, -1};
        for (int m = 0; m < 7; ++m)
            g_migs[i][m] = Dev{i, m};
    }
    return Success;
}

__attribute__((visibility("default"))) int nvmlShutdown()
{
    // More shutdowns than initialisations are no error, as NVML says.
    int inits = g_inits.load();
    while (inits > 0 && !g_inits.compare_exchange_weak(inits, inits - 1)) { }
    return Success;
}

__attribute__((visibility("default"))) const char *nvmlErrorString(int rc)
{
    switch (rc) {
    case Success: return "Success";
    case Uninitialized: return "Uninitialized";
    case InvalidArgument: return "Invalid Argument";
    case NotSupported: return "Not Supported";
    case NotFound: return "Not Found";
    case InsufficientSize: return "Insufficient Size";
    case DriverNotLoaded: return "Driver Not Loaded";
    case GpuIsLost: return "GPU is lost";
    default: return "Unknown Error";
    }
}

__attribute__((visibility("default"))) int nvmlSystemGetDriverVersion(char *out, unsigned length)
{
    if (g_scenario == "demo")
        return copy(out, length, "demo");
    return copy(out, length, "580.159.04");
}

__attribute__((visibility("default"))) int nvmlSystemGetCudaDriverVersion_v2(int *v)
{
    *v = 13000;
    return Success;
}

__attribute__((visibility("default"))) int nvmlDeviceGetCount_v2(unsigned *count)
{
    if (g_inits.load() == 0)
        return Uninitialized;
    *count = gpuCount();
    return Success;
}

__attribute__((visibility("default"))) int nvmlDeviceGetHandleByIndex_v2(unsigned i, void **out)
{
    if (i >= gpuCount())
        return InvalidArgument;
    if (g_scenario == "fail-midway" && i == 2)
        return GpuIsLost;
    *out = &g_gpus[i];
    return Success;
}

__attribute__((visibility("default"))) int nvmlDeviceGetName(void *h, char *out, unsigned length)
{
    const Dev *d = dev(h);
    if (d->mig >= 0)
        return copy(out, length,
                    d->mig == 0 ? "NVIDIA H100 80GB HBM3 MIG 3g.40gb"
                                : "NVIDIA H100 80GB HBM3 MIG 1g.10gb");
    if (g_scenario == "demo")
        return copy(out, length, "Demo GPU (stand-in)");
    return copy(out, length, "NVIDIA H100 80GB HBM3");
}

__attribute__((visibility("default"))) int nvmlDeviceGetUUID(void *h, char *out, unsigned length)
{
    ++g_identityCalls;
    const Dev *d = dev(h);
    std::string uuid = d->mig >= 0 ? "MIG-00000000-0000-0000-0000-0000000000"
                                   : "GPU-00000000-0000-0000-0000-0000000000";
    uuid += char('0' + d->gpu);
    uuid += char('0' + (d->mig >= 0 ? d->mig : 0));
    return copy(out, length, uuid);
}

__attribute__((visibility("default"))) int nvmlDeviceGetPciInfo_v3(void *h, PciInfo *pci)
{
    std::memset(pci, 0, sizeof *pci);
    const std::string bus = "00000000:" + std::to_string(10 + dev(h)->gpu) + ":00.0";
    std::strcpy(pci->busId, bus.c_str());
    std::strcpy(pci->busIdLegacy, bus.c_str() + 4);
    pci->bus = static_cast<unsigned>(10 + dev(h)->gpu);
    return Success;
}

// The N of /dev/nvidiaN: here the GPU's index, as on most hosts.
__attribute__((visibility("default"))) int nvmlDeviceGetMinorNumber(void *h, unsigned *minor)
{
    const Dev *d = dev(h);
    if (d->mig >= 0)
        return NotSupported;
    *minor = static_cast<unsigned>(d->gpu);
    return Success;
}

__attribute__((visibility("default"))) int nvmlDeviceGetMemoryInfo(void *h, Memory *m)
{
    const Dev *d = dev(h);
    ++g_liveReads[d->gpu];
    if (lost(d))
        return GpuIsLost;
    m->total = 81559 * MiB;
    m->used = static_cast<unsigned long long>(d->gpu + 1) * 1024 * MiB;
    if (g_scenario == "shared")
        m->used = d->gpu == 0 ? 1024 * MiB : 0;
    if (g_scenario == "demo" && d->gpu >= 2)
        m->used = 0;
    m->free = m->total - m->used;
    return Success;
}

__attribute__((visibility("default"))) int nvmlDeviceGetUtilizationRates(void *h, Utilization *u)
{
    const Dev *d = dev(h);
    if (lost(d))
        return GpuIsLost;
    u->gpu = static_cast<unsigned>(10 * d->gpu + 5);
    u->memory = static_cast<unsigned>(d->gpu + 1);
    if (g_scenario == "demo" && d->gpu >= 2)
        u->gpu = u->memory = 0;
    return Success;
}

__attribute__((visibility("default"))) int nvmlDeviceGetTemperature(void *h, unsigned sensor,
                                                                    unsigned *t)
{
    const Dev *d = dev(h);
    if (sensor != 0)
        return InvalidArgument;
    if (lost(d))
        return GpuIsLost;
    if (g_scenario == "eight" && d->gpu == 3)
        return NotSupported;
    *t = static_cast<unsigned>(30 + d->gpu);
    return Success;
}

__attribute__((visibility("default"))) int nvmlDeviceGetPowerUsage(void *h, unsigned *mw)
{
    const Dev *d = dev(h);
    if (lost(d))
        return GpuIsLost;
    if (g_scenario == "eight" && d->gpu == 3)
        return NotSupported;
    *mw = static_cast<unsigned>(72970 + 1000 * d->gpu);
    return Success;
}

__attribute__((visibility("default"))) int nvmlDeviceGetEnforcedPowerLimit(void *h, unsigned *mw)
{
    if (lost(dev(h)))
        return GpuIsLost;
    if (g_scenario == "eight" && dev(h)->gpu == 3)
        return NotSupported;
    *mw = 700000;
    return Success;
}

__attribute__((visibility("default"))) int nvmlDeviceGetClockInfo(void *h, unsigned type,
                                                                  unsigned *mhz)
{
    const Dev *d = dev(h);
    if (type != 1) // NVML_CLOCK_SM only
        return NotSupported;
    if (lost(d))
        return GpuIsLost;
    if (g_scenario == "eight" && d->gpu == 3)
        return NotSupported;
    *mhz = static_cast<unsigned>(1410 + 10 * d->gpu);
    return Success;
}

// GPUDECK_FAKE_NVML_ECC and GPUDECK_FAKE_NVML_THROTTLE, when set, are GPU 0's figures; else none.
__attribute__((visibility("default"))) int nvmlDeviceGetTotalEccErrors(void *h, unsigned type,
                                                                       unsigned counter,
                                                                       unsigned long long *count)
{
    const Dev *d = dev(h);
    if (type != 1 || counter != 0) // uncorrected, volatile: what GPU Deck asks
        return InvalidArgument;
    if (lost(d))
        return GpuIsLost;
    const char *ecc = std::getenv("GPUDECK_FAKE_NVML_ECC");
    *count = d->gpu == 0 && ecc ? std::strtoull(ecc, nullptr, 10) : 0;
    return Success;
}

__attribute__((visibility("default"))) int nvmlDeviceGetCurrentClocksThrottleReasons(
    void *h, unsigned long long *reasons)
{
    const Dev *d = dev(h);
    if (lost(d))
        return GpuIsLost;
    const char *throttle = std::getenv("GPUDECK_FAKE_NVML_THROTTLE");
    *reasons = d->gpu == 0 && throttle ? std::strtoull(throttle, nullptr, 0) : 0;
    return Success;
}

__attribute__((visibility("default"))) int nvmlDeviceGetMigMode(void *h, unsigned *current,
                                                                unsigned *pending)
{
    *current = *pending = (g_scenario == "mig" && dev(h)->gpu == 0) ? 1 : 0;
    return Success;
}

__attribute__((visibility("default"))) int nvmlDeviceGetMaxMigDeviceCount(void *h, unsigned *count)
{
    *count = (g_scenario == "mig" && dev(h)->gpu == 0) ? 7 : 0;
    return Success;
}

__attribute__((visibility("default"))) int nvmlDeviceGetMigDeviceHandleByIndex(void *h,
                                                                               unsigned slot,
                                                                               void **out)
{
    const int gpu = dev(h)->gpu;
    if (slot >= 7)
        return InvalidArgument;
    if (!migSlot(gpu, slot))
        return NotFound;
    *out = &g_migs[gpu][slot];
    return Success;
}

__attribute__((visibility("default"))) int nvmlDeviceGetComputeRunningProcesses_v3(
    void *h, unsigned *count, ProcessInfo *infos)
{
    const Dev *d = dev(h);
    if (lost(d))
        return GpuIsLost;
    if (d->gpu == 0 && g_processes.n >= 0) {
        if (*count < static_cast<unsigned>(g_processes.n)) {
            *count = static_cast<unsigned>(g_processes.n);
            return InsufficientSize;
        }
        for (int i = 0; i < g_processes.n; ++i) {
            infos[i].pid = g_processes.pid[i];
            infos[i].usedGpuMemory = g_processes.mib[i] * MiB;
            infos[i].gpuInstanceId = infos[i].computeInstanceId = ~0U;
        }
        *count = static_cast<unsigned>(g_processes.n);
        return Success;
    }
    unsigned n = 0;
    if (d->gpu == 0 && (g_scenario == "two" || g_scenario == "shared"))
        n = 2;
    else if (d->gpu == 7 && g_scenario == "eight")
        n = 40;
    if (*count < n) {
        *count = n;
        return InsufficientSize;
    }
    for (unsigned i = 0; i < n; ++i) {
        infos[i].pid = 4242 + i;
        infos[i].usedGpuMemory = (i == 1 && n == 2) ? ~0ULL : (i + 1) * 256 * MiB;
        infos[i].gpuInstanceId = infos[i].computeInstanceId = ~0U;
    }
    *count = n;
    return Success;
}

// Samples for GPU 0's scripted processes that have an SM figure, timestamped one second after the
// newest handed out, so each read that passes the last timestamp seen gets one new sample each.
__attribute__((visibility("default"))) int nvmlDeviceGetProcessUtilization(
    void *h, ProcessUtilizationSample *samples, unsigned *count,
    unsigned long long lastSeenTimeStamp)
{
    const Dev *d = dev(h);
    if (!count)
        return InvalidArgument;
    if (lost(d))
        return GpuIsLost;
    g_lastSeenAsked = lastSeenTimeStamp;
    unsigned n = 0;
    for (int i = 0; d->gpu == 0 && i < g_processes.n; ++i)
        n += g_processes.sm[i] >= 0 ? 1 : 0;
    if (n == 0)
        return NotFound;
    if (!samples || *count < n) {
        *count = n;
        return InsufficientSize;
    }
    const unsigned long long at = std::max(g_utilSampleTime, lastSeenTimeStamp) + 1000000;
    g_utilSampleTime = at;
    unsigned k = 0;
    for (int i = 0; i < g_processes.n; ++i) {
        if (g_processes.sm[i] < 0)
            continue;
        samples[k].pid = g_processes.pid[i];
        samples[k].timeStamp = at;
        samples[k].smUtil = static_cast<unsigned>(g_processes.sm[i]);
        samples[k].memUtil = samples[k].encUtil = samples[k].decUtil = 0;
        ++k;
    }
    *count = n;
    return Success;
}

__attribute__((visibility("default"))) int nvmlEventSetCreate(void **set)
{
    if (g_inits.load() == 0)
        return Uninitialized;
    *set = &g_eventSet;
    return Success;
}

__attribute__((visibility("default"))) int nvmlDeviceRegisterEvents(void *h,
                                                                    unsigned long long types,
                                                                    void *set)
{
    if (set != &g_eventSet)
        return InvalidArgument;
    const Dev *d = dev(h);
    if (d->mig >= 0)
        return NotSupported;
    if (types & XidCriticalError)
        g_registered[d->gpu] = true;
    return Success;
}

__attribute__((visibility("default"))) int nvmlEventSetWait_v2(void *set, EventData *data,
                                                               unsigned timeoutMs)
{
    if (set != &g_eventSet || !data)
        return InvalidArgument;
    ++g_waits;
    g_lastWaitTimeout = timeoutMs;
    while (g_xids.next < g_xids.n && !g_registered[g_xids.gpu[g_xids.next] & 7])
        ++g_xids.next; // nobody listens for it
    if (g_xids.next < g_xids.n && g_xids.from[g_xids.next] <= g_waits) {
        const int i = g_xids.next++;
        data->device = &g_gpus[g_xids.gpu[i] & 7];
        data->eventType = XidCriticalError;
        data->eventData = g_xids.xid[i];
        data->gpuInstanceId = data->computeInstanceId = ~0U;
        return Success;
    }
    if (timeoutMs > 0)
        std::this_thread::sleep_for(std::chrono::milliseconds(timeoutMs));
    return Timeout;
}

__attribute__((visibility("default"))) int nvmlEventSetFree(void *set)
{
    return set == &g_eventSet ? Success : InvalidArgument;
}

} // extern "C"
