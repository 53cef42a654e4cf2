#include "FakeSmi.h"

#include "gpu/AlertRules.h"
#include "gpu/GpuInventory.h"
#include "gpu/NvmlLibrary.h"

#include <QElapsedTimer>
#include <QFile>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTest>

#include <dlfcn.h>

namespace {

constexpr qint64 MiB = 1024 * 1024;

void useFakeNvml(const char *scenario)
{
    qputenv("GPUDECK_NVML_PATH", GPUDECK_FAKE_NVML);
    qputenv("GPUDECK_FAKE_NVML_SCENARIO", scenario);
}

void useNoNvml()
{
    qputenv("GPUDECK_NVML_PATH", "/nonexistent/libnvidia-ml.so.1");
}

// The timeout of the fake library's last nvmlEventSetWait_v2 call (~0U: none yet).
unsigned lastWaitTimeout()
{
    void *h = dlopen(GPUDECK_FAKE_NVML, RTLD_NOW | RTLD_NOLOAD);
    if (!h)
        return 12345;
    auto fn = reinterpret_cast<unsigned (*)()>(dlsym(h, "fakenvml_lastWaitTimeout"));
    const unsigned ms = fn ? fn() : 12345;
    dlclose(h);
    return ms;
}

// The lastSeenTimeStamp of the fake library's last nvmlDeviceGetProcessUtilization call.
unsigned long long lastSeenTimeStamp()
{
    void *h = dlopen(GPUDECK_FAKE_NVML, RTLD_NOW | RTLD_NOLOAD);
    if (!h)
        return 12345;
    auto fn = reinterpret_cast<unsigned long long (*)()>(dlsym(h, "fakenvml_lastSeenTimeStamp"));
    const unsigned long long t = fn ? fn() : 12345;
    dlclose(h);
    return t;
}

// The fake library's own counter, read from the copy the inventory dlopened.
int identityCalls()
{
    void *h = dlopen(GPUDECK_FAKE_NVML, RTLD_NOW | RTLD_NOLOAD);
    if (!h)
        return -1;
    auto fn = reinterpret_cast<int (*)()>(dlsym(h, "fakenvml_identityCalls"));
    const int n = fn ? fn() : -1;
    dlclose(h);
    return n;
}

const QByteArray kSmiIdentity =
    "0, GPU-aaaa, NVIDIA A100-SXM4-40GB, 00000000:07:00.0, 40960, 0, [N/A], [N/A], 29, 55.50, "
    "400.00, Enabled, 580.159.04\n"
    "1, GPU-bbbb, NVIDIA A100-SXM4-40GB, 00000000:0F:00.0, 40960, 1200, 87, 40, 61, 250.00, "
    "400.00, Disabled, 580.159.04\n";
const QByteArray kSmiList = "GPU 0: NVIDIA A100-SXM4-40GB (UUID: GPU-aaaa)\n"
                            "  MIG 3g.20gb     Device  0: (UUID: MIG-1111)\n"
                            "  MIG 3g.20gb     Device  1: (UUID: MIG-2222)\n"
                            "GPU 1: NVIDIA A100-SXM4-40GB (UUID: GPU-bbbb)\n";

} // namespace

class TestGpuInventory : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();

    void nvmlTwoGpus();
    void nvmlEightGpus();
    void oneShutdownLeavesTheOtherOpenersReading();
    void nvmlDemoGpusSayTheyAreDemo();
    void nvmlMig();
    void nvmlGpuFailsMidway();
    void nvmlInitFails();
    void nvmlNoGpu();
    void identityIsReadOnce();
    void nvmlXidEventsCountedWithoutWaiting();
    void nvmlPerProcessUtilisation();
    void finishedComesFromTheEventLoop();

    void smiFallback();
    void smiRealCapture();
    void smiDriverFailure();
    void smiTimeout();
    void neitherPresent();

private:
    QByteArray m_path;
};

void TestGpuInventory::init()
{
    m_path = qgetenv("PATH");
}

void TestGpuInventory::cleanup()
{
    qputenv("PATH", m_path);
    qunsetenv("GPUDECK_NVML_PATH");
    qunsetenv("GPUDECK_FAKE_NVML_SCENARIO");
}

void TestGpuInventory::nvmlTwoGpus()
{
    useFakeNvml("two");
    GpuInventory inventory;
    const GpuSnapshot s = inventory.readBlocking();
    QVERIFY2(s.ok(), qPrintable(s.error.message()));
    QCOMPARE(s.source, GpuSnapshot::Source::Nvml);
    QCOMPARE(s.driverVersion, QStringLiteral("580.159.04"));
    QCOMPARE(s.cudaVersion, QStringLiteral("13.0"));
    QCOMPARE(s.gpus.size(), 2);
    const GpuInfo &g = s.gpus.at(1);
    QCOMPARE(g.index, 1);
    QCOMPARE(g.uuid, QStringLiteral("GPU-00000000-0000-0000-0000-000000000010"));
    QCOMPARE(g.name, QStringLiteral("NVIDIA H100 80GB HBM3"));
    QCOMPARE(g.pciBusId, QStringLiteral("00000000:11:00.0"));
    QCOMPARE(g.minorNumber, 1); // nvmlDeviceGetMinorNumber
    QCOMPARE(g.memoryTotal, 81559 * MiB);
    QCOMPARE(g.memoryUsed, 2048 * MiB);
    QCOMPARE(g.gpuUtil, 15);
    QCOMPARE(g.memUtil, 2);
    QCOMPARE(g.temperature, 31);
    QCOMPARE(g.powerDraw, 73.97);
    QCOMPARE(g.powerLimit, 700.0);
    QCOMPARE(g.smClock, 1420); // nvmlDeviceGetClockInfo(NVML_CLOCK_SM)
    QCOMPARE(g.eccUncorrected, 0);
    QCOMPARE(g.throttleReasons, 0);
    QCOMPARE(g.migMode, GpuInfo::MigMode::Disabled);
    QVERIFY(g.processesKnown);
    QVERIFY(g.processes.isEmpty());
    QVERIFY(g.error.isEmpty());

    // Processes through the v3 struct: the second entry would be garbage with the v1 layout.
    const QList<GpuInfo::Process> p = s.gpus.at(0).processes;
    QCOMPARE(p.size(), 2);
    QCOMPARE(p.at(0).pid, qint64(4242));
    QCOMPARE(p.at(0).usedMemory, 256 * MiB);
    QCOMPARE(p.at(1).pid, qint64(4243));
    QCOMPARE(p.at(1).usedMemory, qint64(-1)); // NVML_VALUE_NOT_AVAILABLE
    // No per-process utilisation sample (NOT_FOUND): unknown, and no error on the GPU.
    QCOMPARE(p.at(0).smUtil, -1);
    QCOMPARE(p.at(1).smUtil, -1);
    QVERIFY(s.gpus.at(0).error.isEmpty());
}

// Each engine of a window has an inventory of its own, each opening NVML; one that goes (its
// window closed, its engine removed) shuts its NVML down while another may be opening it: NVML
// counts its initialisations, so the other's reads go on (the fake counts them too).
void TestGpuInventory::oneShutdownLeavesTheOtherOpenersReading()
{
    useFakeNvml("eight");
    NvmlLibrary going;
    NvmlLibrary staying;
    QVERIFY(going.open());
    QVERIFY(staying.open());
    going.close();
    const Result<GpuSnapshot> all = staying.readAll();
    QVERIFY2(all, all ? "" : qPrintable(all.error().message()));
    QCOMPARE(all.value().gpus.size(), 8);
}

void TestGpuInventory::nvmlEightGpus()
{
    useFakeNvml("eight");
    GpuInventory inventory;
    const GpuSnapshot s = inventory.readBlocking();
    QCOMPARE(s.gpus.size(), 8);
    for (int i = 0; i < 8; ++i)
        QCOMPARE(s.gpus.at(i).index, i);
    const GpuInfo &noSensor = s.gpus.at(3);
    QCOMPARE(noSensor.temperature, -1); // unknown, never 0
    QCOMPARE(noSensor.powerDraw, -1.0);
    QCOMPARE(noSensor.powerLimit, -1.0);
    QCOMPARE(noSensor.smClock, -1);
    QVERIFY(noSensor.error.isEmpty()); // "not supported" is not a fault
    QCOMPARE(noSensor.gpuUtil, 35);
    QCOMPARE(s.gpus.at(7).processes.size(), 40); // more than the first buffer holds
    QCOMPARE(s.gpus.at(7).processes.last().pid, qint64(4242 + 39));
}

void TestGpuInventory::nvmlDemoGpusSayTheyAreDemo()
{
    // packaging/dev.sh run without a driver: every name the window shows says "demo".
    useFakeNvml("demo");
    GpuInventory inventory;
    const GpuSnapshot s = inventory.readBlocking();
    QCOMPARE(s.gpus.size(), 4);
    QCOMPARE(s.driverVersion, QStringLiteral("demo"));
    for (const GpuInfo &gpu : s.gpus)
        QVERIFY2(gpu.name.startsWith(QLatin1String("Demo GPU")), qPrintable(gpu.name));
    // Some are free, some not, so that a newcomer can try "Free N GPUs" and see it pass a busy
    // one by.
    QVERIFY(!s.gpus.at(0).isFree());
    QVERIFY(!s.gpus.at(1).isFree());
    QVERIFY2(s.gpus.at(2).isFree(), qPrintable(s.gpus.at(2).busyReason()));
    QVERIFY2(s.gpus.at(3).isFree(), qPrintable(s.gpus.at(3).busyReason()));
}

void TestGpuInventory::nvmlMig()
{
    useFakeNvml("mig");
    GpuInventory inventory;
    const GpuSnapshot s = inventory.readBlocking();
    QCOMPARE(s.gpus.size(), 2);
    const GpuInfo &g = s.gpus.at(0);
    QCOMPARE(g.migMode, GpuInfo::MigMode::Enabled);
    QCOMPARE(g.migDevices.size(), 2); // slot 1 is empty
    QCOMPARE(g.migDevices.at(0).indexName, QStringLiteral("0:0"));
    QCOMPARE(g.migDevices.at(1).indexName, QStringLiteral("0:2"));
    QCOMPARE(g.migDevices.at(1).uuid, QStringLiteral("MIG-00000000-0000-0000-0000-000000000002"));
    QCOMPARE(g.migDevices.at(1).name, QStringLiteral("NVIDIA H100 80GB HBM3 MIG 1g.10gb"));
    QCOMPARE(s.gpus.at(1).migMode, GpuInfo::MigMode::Disabled);
    QVERIFY(s.gpus.at(1).migDevices.isEmpty());
}

void TestGpuInventory::nvmlGpuFailsMidway()
{
    useFakeNvml("fail-midway");
    GpuInventory inventory;
    GpuSnapshot s = inventory.readBlocking();
    QVERIFY(s.ok());
    QCOMPARE(s.gpus.size(), 3);
    QVERIFY(s.gpus.at(1).error.isEmpty());
    QCOMPARE(s.gpus.at(1).temperature, 31);
    QVERIFY2(s.gpus.at(2).error.contains(QLatin1String("GPU is lost")),
             qPrintable(s.gpus.at(2).error));
    QVERIFY(s.gpus.at(2).uuid.isEmpty());

    s = inventory.readBlocking(); // GPU 1 falls off the bus now; the others still read
    QVERIFY(s.ok());
    QVERIFY2(s.gpus.at(1).error.contains(QLatin1String("GPU is lost")),
             qPrintable(s.gpus.at(1).error));
    QCOMPARE(s.gpus.at(1).temperature, -1);
    QCOMPARE(s.gpus.at(1).uuid, QStringLiteral("GPU-00000000-0000-0000-0000-000000000010"));
    QVERIFY(s.gpus.at(0).error.isEmpty());
    QCOMPARE(s.gpus.at(0).temperature, 30);
}

void TestGpuInventory::nvmlInitFails()
{
    useFakeNvml("init-fail");
    FakeSmi smi; // must not be asked: the driver is there but not running
    qputenv("PATH", smi.pathOnly());
    GpuInventory inventory;
    const GpuSnapshot s = inventory.readBlocking();
    QVERIFY(!s.ok());
    QCOMPARE(s.error.code(), Error::Code::NoDriver);
    QCOMPARE(s.source, GpuSnapshot::Source::None);
    QVERIFY(s.gpus.isEmpty());
    QVERIFY2(s.error.message().startsWith(QLatin1String("no NVIDIA driver found: ")),
             qPrintable(s.error.message()));
    QVERIFY2(s.error.message().contains(QLatin1String("Driver Not Loaded")),
             qPrintable(s.error.message()));
    QVERIFY(!s.error.hint().isEmpty());
    QVERIFY(smi.calls().isEmpty());
}

void TestGpuInventory::nvmlNoGpu()
{
    useFakeNvml("zero");
    GpuInventory inventory;
    const GpuSnapshot s = inventory.readBlocking();
    QCOMPARE(s.error.code(), Error::Code::NoDriver);
    QVERIFY2(s.error.message().contains(QLatin1String("reports no GPU")),
             qPrintable(s.error.message()));
}

void TestGpuInventory::identityIsReadOnce()
{
    useFakeNvml("two");
    GpuInventory inventory;
    inventory.readBlocking();
    const int afterFirst = identityCalls();
    QVERIFY(afterFirst > 0);
    for (int i = 0; i < 5; ++i)
        inventory.readBlocking();
    QCOMPARE(identityCalls(), afterFirst);
}

// XID critical errors from NVML's event set: the fake scripts XID 79 on GPU 1, due from the third
// wait on; each read drains the set with a timeout of 0 (a read never waits for an event), and
// the count and the last XID reach the snapshot, where the alert rules name the GPU.
void TestGpuInventory::nvmlXidEventsCountedWithoutWaiting()
{
    useFakeNvml("two");
    qputenv("GPUDECK_FAKE_NVML_XID", "1:79@3");
    const auto unset = qScopeGuard([]() { qunsetenv("GPUDECK_FAKE_NVML_XID"); });
    GpuInventory inventory;
    AlertRules rules;
    QList<GpuAlert> alerts;
    for (int read = 1; read <= 2; ++read) {
        const GpuSnapshot s = inventory.readBlocking();
        QVERIFY2(s.ok(), qPrintable(s.error.message()));
        QCOMPARE(s.gpus.at(1).xidCount, 0);
        QCOMPARE(s.gpus.at(1).lastXid, -1);
        alerts += rules.check(s);
    }
    QCOMPARE(lastWaitTimeout(), 0U);
    const GpuSnapshot s = inventory.readBlocking();
    QCOMPARE(s.gpus.at(0).xidCount, 0);
    QCOMPARE(s.gpus.at(1).xidCount, 1);
    QCOMPARE(s.gpus.at(1).lastXid, 79);
    QCOMPARE(lastWaitTimeout(), 0U);
    alerts += rules.check(s);
    QCOMPARE(alerts.size(), 1);
    QCOMPARE(alerts.at(0).kind, GpuAlert::Kind::XidError);
    QCOMPARE(alerts.at(0).text, QStringLiteral("GPU 1 (NVIDIA H100 80GB HBM3) reported XID error "
                                               "79 (fallen off the bus)."));
    // Said once: the next reads deliver nothing new.
    QVERIFY(rules.check(inventory.readBlocking()).isEmpty());
}

// nvmlDeviceGetProcessUtilization: the fake samples PID 4242 at 10 % SM (GPU 0 itself is 5 %
// busy); 4243 has no sample, so it was idle in the period. Each read asks only for samples newer
// than the last one seen.
void TestGpuInventory::nvmlPerProcessUtilisation()
{
    useFakeNvml("two");
    qputenv("GPUDECK_FAKE_NVML_PROCESSES", "4242:1024@10,4243:512");
    const auto unset = qScopeGuard([]() { qunsetenv("GPUDECK_FAKE_NVML_PROCESSES"); });
    GpuInventory inventory;
    for (int read = 1; read <= 3; ++read) {
        const GpuSnapshot s = inventory.readBlocking();
        QVERIFY2(s.ok(), qPrintable(s.error.message()));
        const GpuInfo &g = s.gpus.at(0);
        QVERIFY(g.error.isEmpty());
        QCOMPARE(g.gpuUtil, 5);
        QCOMPARE(g.processes.size(), 2);
        QCOMPARE(g.processes.at(0).pid, qint64(4242));
        QCOMPARE(g.processes.at(0).usedMemory, 1024 * MiB);
        QCOMPARE(g.processes.at(0).smUtil, 10);
        QCOMPARE(g.processes.at(1).smUtil, 0);
        // The first read asks for everything; each later one from the sample it got before.
        QCOMPARE(lastSeenTimeStamp(), (read - 1) * 1000000ULL);
        QVERIFY(s.gpus.at(1).processes.isEmpty());
    }
}

void TestGpuInventory::finishedComesFromTheEventLoop()
{
    useFakeNvml("two");
    GpuInventory inventory;
    QSignalSpy spy(&inventory, &GpuInventory::finished);
    QVERIFY(inventory.refresh());
    QCOMPARE(spy.count(), 0);
    QVERIFY(inventory.isBusy());
    QVERIFY(!inventory.refresh()); // one read at a time
    QTRY_COMPARE(spy.count(), 1);
    QVERIFY(!inventory.isBusy());
    QCOMPARE(spy.at(0).at(0).value<GpuSnapshot>().gpus.size(), 2);
}

void TestGpuInventory::smiFallback()
{
    useNoNvml();
    FakeSmi smi;
    qputenv("PATH", smi.pathOnly());
    smi.write(QStringLiteral("identity.csv"), kSmiIdentity);
    smi.write(QStringLiteral("list.txt"), kSmiList);
    smi.write(QStringLiteral("apps.csv"), "GPU-bbbb, 777, 1024\nGPU-bbbb, 778, [N/A]\n");

    QFile table(QStringLiteral(GPUDECK_FIXTURES_DIR "/nvidia-smi/h100-table.txt"));
    QVERIFY(table.open(QIODevice::ReadOnly));
    smi.write(QStringLiteral("table.txt"), table.readAll());

    GpuInventory inventory;
    GpuSnapshot s = inventory.readBlocking();
    QVERIFY2(s.ok(), qPrintable(s.error.message()));
    QCOMPARE(s.source, GpuSnapshot::Source::NvidiaSmi);
    QCOMPARE(s.driverVersion, QStringLiteral("580.159.04"));
    QCOMPARE(s.cudaVersion, QStringLiteral("13.0")); // the table's header, read with the identity
    QCOMPARE(s.gpus.size(), 2);
    QCOMPARE(s.gpus.at(0).migMode, GpuInfo::MigMode::Enabled);
    QCOMPARE(s.gpus.at(0).migDevices.size(), 2);
    QCOMPARE(s.gpus.at(0).migDevices.at(1).indexName, QStringLiteral("0:1"));
    QCOMPARE(s.gpus.at(0).migDevices.at(1).uuid, QStringLiteral("MIG-2222"));
    QCOMPARE(s.gpus.at(0).gpuUtil, -1);
    QCOMPARE(s.gpus.at(1).gpuUtil, 87);
    QCOMPARE(s.gpus.at(1).processes.size(), 2);
    QCOMPARE(s.gpus.at(1).processes.at(0).usedMemory, 1024 * MiB);
    QVERIFY(s.gpus.at(0).processesKnown);
    QVERIFY(s.gpus.at(0).processes.isEmpty());

    // Later reads poll only the live figures; identity and MIG devices stay.
    smi.write(QStringLiteral("live.csv"), "0, 100, 3, 4, 30, 60.00, 400.00\n"
                                          "1, 2000, 99, 50, 70, 390.00, 400.00\n");
    smi.write(QStringLiteral("apps.csv"), "");
    s = inventory.readBlocking();
    QCOMPARE(s.gpus.at(0).uuid, QStringLiteral("GPU-aaaa"));
    QCOMPARE(s.gpus.at(0).migDevices.size(), 2);
    QCOMPARE(s.gpus.at(0).gpuUtil, 3);
    QCOMPARE(s.gpus.at(1).memoryUsed, 2000 * MiB);
    QCOMPARE(s.gpus.at(1).powerDraw, 390.0);
    QVERIFY(s.gpus.at(1).processes.isEmpty());
    s = inventory.readBlocking();

    const QByteArray calls = smi.calls();
    QCOMPARE(calls.count("--query-gpu=index,uuid"), 1);
    QCOMPARE(calls.count("-L"), 1);
    QCOMPARE(calls.split('\n').count(QByteArray()) - 1, 1); // the bare table (no arguments), once
    QCOMPARE(calls.count("--query-gpu=index,memory.used"), 2);
    QCOMPARE(calls.count("--query-compute-apps"), 3);
}

void TestGpuInventory::smiRealCapture()
{
    useNoNvml();
    FakeSmi smi;
    qputenv("PATH", smi.pathOnly());
    QFile capture(QStringLiteral(GPUDECK_FIXTURES_DIR "/nvidia-smi/h100-query-gpu.csv"));
    QVERIFY(capture.open(QIODevice::ReadOnly));
    smi.write(QStringLiteral("identity.csv"), capture.readAll());
    GpuInventory inventory;
    const GpuSnapshot s = inventory.readBlocking();
    QVERIFY2(s.ok(), qPrintable(s.error.message()));
    QCOMPARE(s.gpus.size(), 1);
    QCOMPARE(s.gpus.at(0).uuid, QStringLiteral("GPU-6bd9bc12-8874-799d-c3ad-a49e94f1b9e2"));
    QCOMPARE(s.gpus.at(0).powerDraw, 72.97);
}

void TestGpuInventory::smiDriverFailure()
{
    useNoNvml();
    FakeSmi smi(FakeSmi::Mode::DriverFailure);
    qputenv("PATH", smi.pathOnly());
    GpuInventory inventory;
    const GpuSnapshot s = inventory.readBlocking();
    QCOMPARE(s.error.code(), Error::Code::NoDriver);
    const QString m = s.error.message();
    QVERIFY2(m.startsWith(QLatin1String("no NVIDIA driver found: ")), qPrintable(m));
    QVERIFY2(m.contains(QLatin1String("libnvidia-ml.so.1 could not be loaded")), qPrintable(m));
    QVERIFY2(m.contains(QLatin1String("couldn't communicate with the NVIDIA driver")),
             qPrintable(m));
}

void TestGpuInventory::smiTimeout()
{
    useNoNvml();
    FakeSmi smi(FakeSmi::Mode::Hang);
    qputenv("PATH", smi.pathOnly());
    GpuInventory inventory;
    inventory.setNvidiaSmiTimeout(300);
    QElapsedTimer t;
    t.start();
    const GpuSnapshot s = inventory.readBlocking();
    QVERIFY(t.elapsed() < 5000);
    QCOMPARE(s.error.code(), Error::Code::Timeout);
    QVERIFY2(s.error.message().contains(QLatin1String("300 ms")), qPrintable(s.error.message()));
}

void TestGpuInventory::neitherPresent()
{
    useNoNvml();
    QTemporaryDir empty;
    qputenv("PATH", QFile::encodeName(empty.path()));
    GpuInventory inventory;
    const GpuSnapshot s = inventory.readBlocking();
    QCOMPARE(s.source, GpuSnapshot::Source::None);
    QCOMPARE(s.error.code(), Error::Code::NoDriver);
    QVERIFY(s.gpus.isEmpty());
    const QString m = s.error.message();
    QVERIFY2(m.startsWith(QLatin1String("no NVIDIA driver found: /nonexistent/libnvidia-ml.so.1 "
                                        "could not be loaded")),
             qPrintable(m));
    QVERIFY2(m.contains(QLatin1String("nvidia-smi is not on PATH")), qPrintable(m));
    QVERIFY(!s.error.hint().isEmpty());
}

QTEST_GUILESS_MAIN(TestGpuInventory)
#include "tst_gpuinventory.moc"
