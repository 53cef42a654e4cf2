// Which GPUs a container holds, from inspect JSON in each form an engine stores a GPU request:
// DeviceRequests (IDs, counts, all), CDI device requests, Podman's CDI devices and the device
// nodes it keeps of them, and NVIDIA_VISIBLE_DEVICES with the nvidia runtime; resolved against a
// host, and without one.
#include "containers/ContainerGpus.h"
#include "containers/ContainerRecord.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

namespace {

using Gpu = ContainerGpus::Gpu;

// Three GPUs; GPU 2 is split into MIG slices.
GpuSnapshot host()
{
    GpuSnapshot snapshot;
    snapshot.source = GpuSnapshot::Source::Nvml;
    for (int i = 0; i < 3; ++i) {
        GpuInfo gpu;
        gpu.index = i;
        gpu.uuid = QStringLiteral("GPU-%1").arg(i);
        snapshot.gpus << gpu;
    }
    GpuInfo::MigDevice mig;
    mig.index = 0;
    mig.indexName = QStringLiteral("2:0");
    mig.uuid = QStringLiteral("MIG-2a");
    snapshot.gpus[2].migDevices << mig;
    return snapshot;
}

QJsonObject inspect(const char *json)
{
    return QJsonDocument::fromJson(QByteArray(json)).object();
}

} // namespace

Q_DECLARE_METATYPE(QList<Gpu>)

class TestContainerGpus : public QObject
{
    Q_OBJECT

private slots:
    void resolves_data();
    void resolves();
    void deviceNodesByMinorNumber();
    void recordFromInspect();
    void statusLikeDockerPs();
};

void TestContainerGpus::resolves_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("request");
    QTest::addColumn<QList<Gpu>>("withHost");
    QTest::addColumn<QList<Gpu>>("withoutHost");

    const QList<Gpu> none;
    const Gpu g0{0, QStringLiteral("GPU-0")}, g1{1, QStringLiteral("GPU-1")},
        g2{2, QStringLiteral("GPU-2")};
    QTest::newRow("no request") << QByteArray(R"({"HostConfig": {"DeviceRequests": null}})")
                                << QString() << none << none;
    QTest::newRow("--gpus device=1")
        << QByteArray(R"({"HostConfig": {"DeviceRequests": [{"Driver": "", "Count": 0,
            "DeviceIDs": ["1"], "Capabilities": [["gpu"]]}]}})")
        << QStringLiteral("device=1") << QList<Gpu>{g1} << QList<Gpu>{{1, {}}};
    QTest::newRow("--gpus '\"device=0,2\"' as one ID")
        << QByteArray(R"({"HostConfig": {"DeviceRequests": [{"Driver": "", "Count": 0,
            "DeviceIDs": ["2,0"], "Capabilities": [["gpu"]]}]}})")
        << QStringLiteral("device=2,0") << QList<Gpu>{g0, g2} << QList<Gpu>{{0, {}}, {2, {}}};
    QTest::newRow("UUID, any case")
        << QByteArray(R"({"HostConfig": {"DeviceRequests": [{"Driver": "nvidia",
            "DeviceIDs": ["gpu-1"]}]}})")
        << QStringLiteral("device=gpu-1") << QList<Gpu>{g1}
        << QList<Gpu>{{-1, QStringLiteral("gpu-1")}};
    QTest::newRow("MIG UUID holds its GPU")
        << QByteArray(R"({"HostConfig": {"DeviceRequests": [{"Capabilities": [["gpu", "utility"]],
            "DeviceIDs": ["MIG-2a"]}]}})")
        << QStringLiteral("device=MIG-2a") << QList<Gpu>{g2} << none;
    QTest::newRow("MIG index 2:0")
        << QByteArray(R"({"HostConfig": {"DeviceRequests": [{"Capabilities": [["gpu"]],
            "DeviceIDs": ["2:0"]}]}})")
        << QStringLiteral("device=2:0") << QList<Gpu>{g2} << QList<Gpu>{{2, {}}};
    QTest::newRow("--gpus 2 takes 0 and 1")
        << QByteArray(R"({"HostConfig": {"DeviceRequests": [{"Driver": "", "Count": 2,
            "DeviceIDs": null, "Capabilities": [["gpu"]]}]}})")
        << QStringLiteral("count=2") << QList<Gpu>{g0, g1} << QList<Gpu>{{0, {}}, {1, {}}};
    QTest::newRow("--gpus all") << QByteArray(
        R"({"HostConfig": {"DeviceRequests": [{"Driver": "", "Count": -1,
            "Capabilities": [["gpu"]]}]}})")
                                << QStringLiteral("all") << QList<Gpu>{g0, g1, g2} << none;
    QTest::newRow("not a GPU request")
        << QByteArray(R"({"HostConfig": {"DeviceRequests": [{"Driver": "other", "Count": -1,
            "Capabilities": [["fpga"]]}]}})")
        << QString() << none << none;
    QTest::newRow("CDI request by index")
        << QByteArray(R"({"HostConfig": {"DeviceRequests": [{"Driver": "cdi", "Count": 0,
            "DeviceIDs": ["nvidia.com/gpu=0"]}]}})")
        << QStringLiteral("cdi nvidia.com/gpu=0") << QList<Gpu>{g0} << QList<Gpu>{{0, {}}};
    QTest::newRow("CDI request by UUID and all")
        << QByteArray(R"({"HostConfig": {"DeviceRequests": [{"Driver": "cdi",
            "DeviceIDs": ["nvidia.com/gpu=GPU-2", "nvidia.com/gpu=all"]}]}})")
        << QStringLiteral("cdi nvidia.com/gpu=GPU-2,nvidia.com/gpu=all") << QList<Gpu>{g0, g1, g2}
        << QList<Gpu>{{-1, QStringLiteral("GPU-2")}};
    QTest::newRow("CDI of another kind")
        << QByteArray(R"({"HostConfig": {"DeviceRequests": [{"Driver": "cdi",
            "DeviceIDs": ["vendor.com/fpga=0"]}]}})")
        << QString() << none << none;
    QTest::newRow("Podman CDI device")
        << QByteArray(R"({"HostConfig": {"Devices": [{"PathOnHost": "nvidia.com/gpu=1",
            "PathInContainer": "nvidia.com/gpu=1", "CgroupPermissions": ""},
            {"PathOnHost": "/dev/fuse", "PathInContainer": "/dev/fuse"}]}})")
        << QStringLiteral("cdi nvidia.com/gpu=1") << QList<Gpu>{g1} << QList<Gpu>{{1, {}}};
    // What Podman's inspect keeps of CDI devices once the container started: their nodes. This
    // host gives no minor numbers, so /dev/nvidiaN is GPU N (deviceNodesByMinorNumber has them).
    QTest::newRow("Podman's started CDI devices: nodes")
        << QByteArray(R"({"HostConfig": {"Devices": [{"PathOnHost": "/dev/nvidia1",
            "PathInContainer": "/dev/nvidia1"}, {"PathOnHost": "/dev/nvidiactl",
            "PathInContainer": "/dev/nvidiactl"}, {"PathOnHost": "/dev/nvidia-uvm",
            "PathInContainer": "/dev/nvidia-uvm"}, {"PathOnHost": "/dev/dri/card1",
            "PathInContainer": "/dev/dri/card1"}]}})")
        << QStringLiteral("device nodes /dev/nvidia1") << QList<Gpu>{g1} << none;
    QTest::newRow("a spec mapping the node from elsewhere: the container's path")
        << QByteArray(R"({"HostConfig": {"Devices": [{"PathOnHost": "/dev/null",
            "PathInContainer": "/dev/nvidia2"}, {"PathOnHost": "/dev/nvidia0",
            "PathInContainer": "/dev/nvidia0"}]}})")
        << QStringLiteral("device nodes /dev/nvidia2,/dev/nvidia0") << QList<Gpu>{g0, g2} << none;
    QTest::newRow("NVIDIA_VISIBLE_DEVICES with the nvidia runtime")
        << QByteArray(R"({"HostConfig": {"Runtime": "nvidia"},
            "Config": {"Env": ["PATH=/bin", "NVIDIA_VISIBLE_DEVICES=1,GPU-2"]}})")
        << QStringLiteral("NVIDIA_VISIBLE_DEVICES=1,GPU-2") << QList<Gpu>{g1, g2}
        << QList<Gpu>{{1, {}}, {-1, QStringLiteral("GPU-2")}};
    QTest::newRow("NVIDIA_VISIBLE_DEVICES=all (nvidia/cuda's ENV)")
        << QByteArray(R"({"HostConfig": {"Runtime": "nvidia"},
            "Config": {"Env": ["NVIDIA_VISIBLE_DEVICES=all"]}})")
        << QStringLiteral("NVIDIA_VISIBLE_DEVICES=all") << QList<Gpu>{g0, g1, g2} << none;
    QTest::newRow("NVIDIA_VISIBLE_DEVICES=void")
        << QByteArray(R"({"HostConfig": {"Runtime": "nvidia"},
            "Config": {"Env": ["NVIDIA_VISIBLE_DEVICES=void"]}})")
        << QString() << none << none;
    QTest::newRow("NVIDIA_VISIBLE_DEVICES under runc holds nothing")
        << QByteArray(R"({"HostConfig": {"Runtime": "runc"},
            "Config": {"Env": ["NVIDIA_VISIBLE_DEVICES=all"]}})")
        << QString() << none << none;
    QTest::newRow("a device request wins over the image's variable")
        << QByteArray(R"({"HostConfig": {"Runtime": "nvidia", "DeviceRequests": [{"Count": 0,
            "DeviceIDs": ["0"], "Capabilities": [["gpu"]]}]},
            "Config": {"Env": ["NVIDIA_VISIBLE_DEVICES=all"]}})")
        << QStringLiteral("device=0") << QList<Gpu>{g0} << QList<Gpu>{{0, {}}};
    QTest::newRow("an index the host lacks is kept as asked")
        << QByteArray(R"({"HostConfig": {"DeviceRequests": [{"Capabilities": [["gpu"]],
            "DeviceIDs": ["1", "7"]}]}})")
        << QStringLiteral("device=1,7") << QList<Gpu>{g1, {7, {}}} << QList<Gpu>{{1, {}}, {7, {}}};
}

void TestContainerGpus::resolves()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, request);
    QFETCH(QList<Gpu>, withHost);
    QFETCH(QList<Gpu>, withoutHost);
    const ContainerGpus gpus = ContainerGpus::fromInspect(inspect(json.constData()));
    QCOMPARE(gpus.request(), request);
    QCOMPARE(gpus.asksForGpus(), !request.isEmpty());

    const GpuSnapshot known = host();
    bool resolved = false;
    const QList<Gpu> held = gpus.held(&known, &resolved);
    QCOMPARE(held, withHost);
    const bool allOnHost = std::all_of(held.begin(), held.end(),
                                       [](const Gpu &gpu) { return !gpu.uuid.isEmpty(); });
    QCOMPARE(resolved, allOnHost);

    // Host unknown (no driver, not read): what the container asked for, and resolved says so.
    GpuSnapshot unknown;
    unknown.error = Error(Error::Code::NoDriver, QStringLiteral("no NVIDIA driver"));
    bool resolvedWithout = true;
    QCOMPARE(gpus.held(&unknown, &resolvedWithout), withoutHost);
    QCOMPARE(gpus.held(nullptr), withoutHost);
    QCOMPARE(resolvedWithout, !gpus.asksForGpus());
}

void TestContainerGpus::deviceNodesByMinorNumber()
{
    // The driver numbered the nodes in another order than NVML's indexes: /dev/nvidia0 is GPU 2.
    GpuSnapshot snapshot = host();
    snapshot.gpus[0].minorNumber = 1;
    snapshot.gpus[1].minorNumber = 2;
    snapshot.gpus[2].minorNumber = 0;
    const ContainerGpus gpus = ContainerGpus::fromInspect(inspect(R"({"HostConfig": {"Devices": [
        {"PathOnHost": "/dev/nvidia0", "PathInContainer": "/dev/nvidia0"},
        {"PathOnHost": "/dev/nvidia2", "PathInContainer": "/dev/nvidia2"}]}})"));
    bool resolved = false;
    QCOMPARE(gpus.held(&snapshot, &resolved),
             (QList<Gpu>{{1, QStringLiteral("GPU-1")}, {2, QStringLiteral("GPU-2")}}));
    QVERIFY(resolved);
    QCOMPARE(gpus.heldUuids(snapshot),
             (QStringList{QStringLiteral("GPU-1"), QStringLiteral("GPU-2")}));

    // A node no GPU of the host has: not resolved, and nothing is made up.
    const ContainerGpus gone = ContainerGpus::fromInspect(inspect(
        R"({"HostConfig": {"Devices": [{"PathOnHost": "/dev/nvidia7", "PathInContainer": "/dev/nvidia7"}]}})"));
    QCOMPARE(gone.request(), QStringLiteral("device nodes /dev/nvidia7"));
    QCOMPARE(gone.held(&snapshot, &resolved), QList<Gpu>());
    QVERIFY(!resolved);
}

void TestContainerGpus::recordFromInspect()
{
    const QJsonObject json = inspect(R"({
        "Id": "abc123", "Name": "/jupyter-lab", "Created": "2026-12-06T04:00:00.123456789Z",
        "State": {"Status": "running", "ExitCode": 0, "StartedAt": "2026-12-06T04:00:01Z",
                  "FinishedAt": "0001-01-01T00:00:00Z"},
        "Config": {"Image": "nvidia/cuda:12.4", "Tty": true,
                   "Labels": {"io.github.gpudeck.preset": "notebook",
                              "io.github.gpudeck.gpus": "GPU-1"}},
        "HostConfig": {"DeviceRequests": [{"Count": 0, "DeviceIDs": ["GPU-1"],
                                           "Capabilities": [["gpu"]]}]}})");
    ContainerRecord record = ContainerRecord::fromInspect(json,
                                                          inspect(R"({"Status": "Up 5 minutes"})"));
    record.engine = QStringLiteral("unix:///run/docker.sock");
    QCOMPARE(record.name, QStringLiteral("jupyter-lab"));
    QCOMPARE(record.preset, QStringLiteral("notebook"));
    QVERIFY(record.isRunning());
    QVERIFY(record.tty);
    QVERIFY(!record.finishedAt.isValid());
    QCOMPARE(record.createdAt, QDateTime(QDate(2026, 12, 6), QTime(4, 0, 0, 123), Qt::UTC));

    const GpuSnapshot known = host();
    const QJsonObject out = record.toJson(&known);
    QCOMPARE(out.value(QLatin1String("status")).toString(), QStringLiteral("Up 5 minutes"));
    QCOMPARE(out.value(QLatin1String("gpuRequest")).toString(), QStringLiteral("device=GPU-1"));
    QCOMPARE(
        QJsonDocument(out.value(QLatin1String("gpus")).toArray()).toJson(QJsonDocument::Compact),
        QByteArray(R"([{"index":1,"uuid":"GPU-1"}])"));
    QCOMPARE(out.value(QLatin1String("gpusResolved")).toBool(), true);
    for (const char *key : {"id", "name", "image", "state", "status", "exitCode", "createdAt",
                            "engine", "preset", "gpus", "gpuRequest"})
        QVERIFY2(out.contains(QLatin1String(key)), key);

    // Not a GPU container: null request, empty list.
    const QJsonObject plain =
        ContainerRecord::fromInspect(inspect(R"({"Id": "x", "Name": "/x"})")).toJson(nullptr);
    QVERIFY(plain.value(QLatin1String("gpuRequest")).isNull());
    QVERIFY(plain.value(QLatin1String("preset")).isNull());
    QCOMPARE(plain.value(QLatin1String("gpus")).toArray().size(), 0);
}

void TestContainerGpus::statusLikeDockerPs()
{
    ContainerRecord record;
    const QDateTime now(QDate(2026, 12, 6), QTime(5, 0), Qt::UTC);
    record.state = QStringLiteral("exited");
    record.exitCode = 137;
    record.finishedAt = now.addSecs(-7200);
    QCOMPARE(record.statusText(now), QStringLiteral("Exited (137) 2 hours ago"));
    record.state = QStringLiteral("running");
    record.startedAt = now.addSecs(-300);
    QCOMPARE(record.statusText(now), QStringLiteral("Up 5 minutes"));
    record.state = QStringLiteral("created");
    QCOMPARE(record.statusText(now), QStringLiteral("Created"));
}

QTEST_GUILESS_MAIN(TestContainerGpus)
#include "tst_containergpus.moc"
