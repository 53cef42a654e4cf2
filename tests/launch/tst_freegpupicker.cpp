// "N free GPUs": which GPUs count as free, which are picked, the refusal naming who holds the
// others, the in-process reservation, and the launch the pick turns into (UUIDs, CDI indexes).
#include "launch/CdiNames.h"
#include "launch/DockerCreateBody.h"
#include "launch/FreeGpuPicker.h"

#include <QTest>

namespace {

constexpr qint64 MiB = 1024 * 1024;

// (pid, bytes) pairs; the owner fields do not matter to the pick.
GpuInfo gpu(int index, qint64 used, const QList<QPair<qint64, qint64>> &processes = {})
{
    GpuInfo g;
    g.index = index;
    g.uuid = QStringLiteral("GPU-%1").arg(index);
    g.memoryTotal = 81559 * MiB;
    g.memoryUsed = used;
    g.migMode = GpuInfo::MigMode::Disabled;
    for (const auto &[pid, bytes] : processes) {
        GpuInfo::Process p;
        p.pid = pid;
        p.usedMemory = bytes;
        g.processes.append(p);
    }
    g.processesKnown = true;
    return g;
}

// GPU 0 busy (two processes), 1 and 3 idle, 2 holds memory with no process listed.
GpuSnapshot host()
{
    GpuSnapshot s;
    s.source = GpuSnapshot::Source::Nvml;
    s.gpus = {gpu(0, 1024 * MiB, {{4242, 256 * MiB}, {4243, -1}}), gpu(1, 0), gpu(2, 2048 * MiB),
              gpu(3, 3 * MiB)};
    return s;
}

} // namespace

class TestFreeGpuPicker : public QObject
{
    Q_OBJECT

private slots:
    void whatCountsAsFree_data();
    void whatCountsAsFree();
    void picksTheFirstFree();
    void refusalNamesTheHolders();
    void reservedGpusAreSkipped();
    void gpusHeldByContainersAreSkipped();
    void resolveWritesUuidsOrCdiIndexes();
    void unreadableHostIsRefused();
};

void TestFreeGpuPicker::whatCountsAsFree_data()
{
    QTest::addColumn<GpuInfo>("info");
    QTest::addColumn<bool>("free");
    QTest::addColumn<QString>("reason");
    QTest::newRow("idle, 0 MiB") << gpu(1, 0) << true << QString();
    QTest::newRow("idle, under the threshold")
        << gpu(1, GpuInfo::kFreeMemoryBytes - 1) << true << QString();
    QTest::newRow("no process, at the threshold")
        << gpu(1, GpuInfo::kFreeMemoryBytes) << false
        << QStringLiteral("256 MiB in use by no listed process");
    QTest::newRow("a process") << gpu(0, 0, {{77, 10 * MiB}}) << false
                               << QStringLiteral("PID 77 (10 MiB)");
    QTest::newRow("a process without a memory figure")
        << gpu(0, 0, {{78, -1}}) << false << QStringLiteral("PID 78");
    GpuInfo unknownProcesses = gpu(0, 0);
    unknownProcesses.processesKnown = false;
    QTest::newRow("processes unknown")
        << unknownProcesses << false << QStringLiteral("its processes could not be read");
    QTest::newRow("memory unknown")
        << gpu(0, -1) << false << QStringLiteral("its memory use is unknown");
    GpuInfo mig = gpu(0, 0);
    mig.migMode = GpuInfo::MigMode::Enabled;
    QTest::newRow("MIG mode") << mig << false << QStringLiteral("in MIG mode");
    GpuInfo lost = gpu(0, 0);
    lost.error = QStringLiteral("GPU is lost");
    QTest::newRow("unreadable") << lost << false << QStringLiteral("unreadable (GPU is lost)");
}

void TestFreeGpuPicker::whatCountsAsFree()
{
    QFETCH(GpuInfo, info);
    QFETCH(bool, free);
    QFETCH(QString, reason);
    QCOMPARE(info.isFree(), free);
    QCOMPARE(info.busyReason(), reason);
}

void TestFreeGpuPicker::picksTheFirstFree()
{
    const Result<QList<GpuInfo>> one = FreeGpuPicker::pick(host(), 1);
    QVERIFY(one.ok());
    QCOMPARE(one.value().size(), 1);
    QCOMPARE(one.value().at(0).index, 1);
    const Result<QList<GpuInfo>> two = FreeGpuPicker::pick(host(), 2);
    QVERIFY(two.ok());
    QCOMPARE(two.value().at(0).index, 1);
    QCOMPARE(two.value().at(1).index, 3);
    QCOMPARE(FreeGpuPicker::describe(two.value()), QStringLiteral("GPU 1 (GPU-1), GPU 3 (GPU-3)"));
}

void TestFreeGpuPicker::refusalNamesTheHolders()
{
    const Result<QList<GpuInfo>> three = FreeGpuPicker::pick(host(), 3);
    QVERIFY(!three.ok());
    QCOMPARE(three.error().code(), Error::Code::Validation);
    const QString message = three.error().message();
    QVERIFY2(message.startsWith(
                 QLatin1String("Cannot take 3 free GPUs: only 2 of its 4 GPUs are free")),
             qPrintable(message));
    for (const char *part :
         {"GPU 0: PID 4242 (256 MiB), PID 4243", "GPU 2: 2048 MiB in use", "ask for fewer"})
        QVERIFY2(message.contains(QLatin1String(part)), qPrintable(message));
}

// A GPU a running container holds is taken even when idle; the refusal names the container.
void TestFreeGpuPicker::gpusHeldByContainersAreSkipped()
{
    const QHash<QString, QString> heldBy{{QStringLiteral("GPU-1"), QStringLiteral("jupyter-lab")}};
    const Result<QList<GpuInfo>> one = FreeGpuPicker::pick(host(), 1, {}, heldBy);
    QVERIFY(one.ok());
    QCOMPARE(one.value().first().index, 3);
    const Result<QList<GpuInfo>> two = FreeGpuPicker::pick(host(), 2, {}, heldBy);
    QVERIFY(!two.ok());
    const QString message = two.error().message();
    QVERIFY2(message.startsWith(
                 QLatin1String("Cannot take 2 free GPUs: only 1 of its 4 GPUs is free")),
             qPrintable(message));
    QVERIFY2(message.contains(QLatin1String("GPU 1: held by container jupyter-lab")),
             qPrintable(message));
}

void TestFreeGpuPicker::reservedGpusAreSkipped()
{
    const QString hostName = QStringLiteral("unix:///test.sock");
    QVERIFY(FreeGpuPicker::reserved(hostName).isEmpty());
    FreeGpuPicker::reserve(hostName, {QStringLiteral("GPU-1")});
    QCOMPARE(FreeGpuPicker::reserved(hostName), QStringList{QStringLiteral("GPU-1")});
    QVERIFY(FreeGpuPicker::reserved(QStringLiteral("ssh://other")).isEmpty()); // per host

    const Result<QList<GpuInfo>> one = FreeGpuPicker::pick(host(), 1,
                                                           FreeGpuPicker::reserved(hostName));
    QVERIFY(one.ok());
    QCOMPARE(one.value().at(0).index, 3);
    FreeGpuPicker::reserve(hostName, {QStringLiteral("GPU-3")});
    const Result<QList<GpuInfo>> none = FreeGpuPicker::pick(host(), 1,
                                                            FreeGpuPicker::reserved(hostName));
    QVERIFY(!none.ok());
    QVERIFY2(none.error().message().contains(
                 QLatin1String("another launch of GPU Deck is taking GPU 1, GPU 3")),
             qPrintable(none.error().message()));

    FreeGpuPicker::release(hostName, {QStringLiteral("GPU-1"), QStringLiteral("GPU-3")});
    QVERIFY(FreeGpuPicker::reserved(hostName).isEmpty());
}

void TestFreeGpuPicker::resolveWritesUuidsOrCdiIndexes()
{
    LaunchSpec spec;
    spec.image = QStringLiteral("img");
    spec.gpus = GpuSelection::ofFree(2);
    QList<GpuInfo> taken;
    const Result<LaunchSpec> resolved = FreeGpuPicker::resolve(spec, host(), {}, &taken);
    QVERIFY(resolved.ok());
    QCOMPARE(resolved.value().gpus,
             GpuSelection::ofDevices({QStringLiteral("GPU-1"), QStringLiteral("GPU-3")}));
    QCOMPARE(taken.size(), 2);
    const QJsonObject request =
        DockerCreateBody::deviceRequests(resolved.value()).first().toObject();
    QCOMPARE(request.value(QStringLiteral("DeviceIDs")).toArray(),
             (QJsonArray{QStringLiteral("GPU-1"), QStringLiteral("GPU-3")}));
    QCOMPARE(request.value(QStringLiteral("Count")).toInt(), 0);

    spec.deviceDriver = QStringLiteral("cdi");
    const Result<LaunchSpec> cdi = FreeGpuPicker::resolve(spec, host());
    QVERIFY(cdi.ok());
    QCOMPARE(CdiNames::forGpus(cdi.value().gpus),
             (QStringList{QStringLiteral("nvidia.com/gpu=1"), QStringLiteral("nvidia.com/gpu=3")}));

    // Other selections are left as they are.
    spec.gpus = GpuSelection::ofCount(2);
    QCOMPARE(FreeGpuPicker::resolve(spec, host()).value().gpus, GpuSelection::ofCount(2));

    // On a host whose CDI spec names a GPU by UUID only, the picked GPU goes by its UUID.
    CdiInventory byUuid;
    byUuid.devices << CdiDevice{QStringLiteral("nvidia.com/gpu=GPU-3"), QStringLiteral("a.yaml")}
                   << CdiDevice{QStringLiteral("nvidia.com/gpu=1"), QStringLiteral("a.yaml")};
    QCOMPARE(CdiNames::devicesFor(taken, byUuid),
             (QStringList{QStringLiteral("1"), QStringLiteral("GPU-3")}));
    QCOMPARE(CdiNames::devicesFor(taken, CdiInventory()),
             (QStringList{QStringLiteral("1"), QStringLiteral("3")}));
}

void TestFreeGpuPicker::unreadableHostIsRefused()
{
    GpuSnapshot none;
    none.error = Error(Error::Code::NoDriver, QStringLiteral("no NVIDIA driver found"),
                       QStringLiteral("nvidia-smi is not on PATH"));
    const Result<QList<GpuInfo>> picked = FreeGpuPicker::pick(none, 1);
    QVERIFY(!picked.ok());
    QVERIFY2(picked.error().message().contains(QLatin1String("Cannot pick free GPUs")),
             qPrintable(picked.error().message()));
    QVERIFY2(picked.error().message().contains(QLatin1String("nvidia-smi is not on PATH")),
             qPrintable(picked.error().message()));
}

QTEST_GUILESS_MAIN(TestFreeGpuPicker)
#include "tst_freegpupicker.moc"
