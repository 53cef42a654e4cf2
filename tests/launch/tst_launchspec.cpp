#include "launch/ByteSize.h"
#include "launch/DockerCreateBody.h"
#include "launch/LaunchSpec.h"
#include "launch/LibpodCreateBody.h"

#include <QJsonDocument>
#include <QtTest>

Q_DECLARE_METATYPE(LaunchSpec)
Q_DECLARE_METATYPE(GpuSelection)

class TestLaunchSpec : public QObject
{
    Q_OBJECT

private:
    static LaunchSpec base()
    {
        LaunchSpec spec;
        spec.image = QStringLiteral("nvidia/cuda:11.8.0-base-ubuntu20.04");
        spec.command = {QStringLiteral("nvidia-smi")};
        spec.gpus = GpuSelection::all();
        return spec;
    }

private slots:
    void validate_data();
    void validate();
    void messagesAreSentences();
    void byteSize_data();
    void byteSize();
    void createBody();
    void createBodyMinimal();
    void createBodyCdi();
    void createBodyCdiFromTickedGpus_data();
    void createBodyCdiFromTickedGpus();
    void libpodCreateBody();
};

void TestLaunchSpec::validate_data()
{
    QTest::addColumn<LaunchSpec>("spec");
    QTest::addColumn<QString>("api");
    QTest::addColumn<QStringList>("fields");
    QTest::addColumn<bool>("podman");

    const QString digest = QStringLiteral("sha256:") + QString(64, QLatin1Char('a'));
    const auto row = [](const char *name, const LaunchSpec &spec, const QStringList &fields,
                        const QString &api = {}, bool podman = false) {
        QTest::newRow(name) << spec << api << fields << podman;
    };
    const auto withImage = [](const QString &image) {
        LaunchSpec s = base();
        s.image = image;
        return s;
    };

    row("valid base", base(), {});
    row("image plain", withImage(QStringLiteral("busybox")), {});
    row("image registry port", withImage(QStringLiteral("localhost:5000/team/img:v1.2-rc_3")), {});
    row("image digest", withImage(QStringLiteral("registry.example.com/img@") + digest), {});
    row("image tag and digest", withImage(QStringLiteral("img:tag@") + digest), {});
    row("image ipv6 registry", withImage(QStringLiteral("[::1]:5000/img")), {});
    row("image separators", withImage(QStringLiteral("a__b/c--d/e.f_g")), {});
    row("image tag 128", withImage(QStringLiteral("img:") + QString(128, QLatin1Char('t'))), {});
    row("image empty", withImage(QString()), {QStringLiteral("image")});
    row("image uppercase", withImage(QStringLiteral("Nvidia/CUDA")), {QStringLiteral("image")});
    row("image empty tag", withImage(QStringLiteral("nvidia/cuda:")), {QStringLiteral("image")});
    row("image tag leading dash", withImage(QStringLiteral("img:-x")), {QStringLiteral("image")});
    row("image tag 129", withImage(QStringLiteral("img:") + QString(129, QLatin1Char('t'))),
        {QStringLiteral("image")});
    row("image short digest", withImage(QStringLiteral("img@sha256:abc")),
        {QStringLiteral("image")});
    row("image space", withImage(QStringLiteral("img name")), {QStringLiteral("image")});
    row("image leading dash", withImage(QStringLiteral("-img")), {QStringLiteral("image")});
    row("image double slash", withImage(QStringLiteral("a//b")), {QStringLiteral("image")});
    row("image trailing separator", withImage(QStringLiteral("a_")), {QStringLiteral("image")});

    LaunchSpec s = base();
    s.containerName = QStringLiteral("ok_name.1-2");
    row("name valid", s, {});
    s.containerName = QStringLiteral("a");
    row("name too short", s, {QStringLiteral("containerName")});
    s.containerName = QStringLiteral("-ab");
    row("name leading dash", s, {QStringLiteral("containerName")});
    s.containerName = QStringLiteral("a b");
    row("name space", s, {QStringLiteral("containerName")});

    s = base();
    s.env = {QStringLiteral("A=b=c"), QStringLiteral("EMPTY="), QStringLiteral("X=$y `z`")};
    row("env valid", s, {});
    s.env = {QStringLiteral("=x")};
    row("env empty name", s, {QStringLiteral("env")});
    s.env = {QStringLiteral("NOEQ")};
    row("env without equals", s, {QStringLiteral("env")});
    s.env = {QStringLiteral("A") + QChar(0) + QStringLiteral("B=1")};
    row("env NUL", s, {QStringLiteral("env")});
    s.env = {QStringLiteral("=x"), QStringLiteral("OK=1"), QStringLiteral("NOEQ")};
    row("env two problems", s, {QStringLiteral("env"), QStringLiteral("env")});

    s = base();
    s.command = {QStringLiteral("a") + QChar(0)};
    row("command NUL", s, {QStringLiteral("command")});

    s = base();
    s.gpus = GpuSelection::ofCount(0);
    row("count zero", s, {QStringLiteral("gpus")});
    s.gpus = GpuSelection::ofCount(2);
    row("count two", s, {});
    s.gpus = GpuSelection::ofDevices({});
    row("devices empty", s, {QStringLiteral("gpus")});
    s.gpus = GpuSelection::ofDevices(
        {QStringLiteral("0"), QStringLiteral("GPU-6bd9a4f2-1111-2222-3333-444455556666"),
         QStringLiteral("MIG-1b2c3d4e-aaaa-bbbb-cccc-ddddeeeeffff"), QStringLiteral("0:1")});
    row("devices index uuid mig", s, {});
    s.gpus = GpuSelection::ofDevices({QStringLiteral("0,1")});
    row("device with comma", s, {QStringLiteral("gpus")});
    s.gpus = GpuSelection::none();
    row("no gpus", s, {});

    s = base();
    s.capabilities = {QStringLiteral("gpu"),     QStringLiteral("compute"),
                      QStringLiteral("utility"), QStringLiteral("graphics"),
                      QStringLiteral("video"),   QStringLiteral("display"),
                      QStringLiteral("compat32")};
    row("all capabilities", s, {});
    s.capabilities = {QStringLiteral("compute"), QStringLiteral("ngx")};
    row("unknown capability", s, {QStringLiteral("capabilities")});

    s = base();
    s.deviceDriver = QStringLiteral("amd");
    row("unknown driver", s, {QStringLiteral("deviceDriver")});
    s.deviceDriver = QStringLiteral("nvidia");
    row("nvidia driver", s, {});

    LaunchSpec cdi = base();
    cdi.deviceDriver = QStringLiteral("cdi");
    cdi.gpus = GpuSelection::ofDevices(
        {QStringLiteral("nvidia.com/gpu=0"), QStringLiteral("nvidia.com/gpu=all")});
    row("cdi valid on 1.44", cdi, {}, QStringLiteral("1.44"));
    row("cdi valid on 1.47", cdi, {}, QStringLiteral("1.47"));
    row("cdi, api unknown", cdi, {});
    row("cdi on 1.41", cdi, {QStringLiteral("deviceDriver")}, QStringLiteral("1.41"));
    // Ticked GPUs become nvidia.com/gpu=<id>: indexes, UUIDs, MIG devices, all, a count.
    LaunchSpec cdiTicked = cdi;
    cdiTicked.gpus = GpuSelection::ofDevices(
        {QStringLiteral("0"), QStringLiteral("GPU-6bd9"), QStringLiteral("0:1")});
    row("cdi ticked devices", cdiTicked, {});
    cdiTicked.gpus = GpuSelection::ofCount(2);
    row("cdi with count", cdiTicked, {});
    cdiTicked.gpus = GpuSelection::all();
    row("cdi with all", cdiTicked, {});
    LaunchSpec cdiBad = cdi;
    cdiBad.gpus = GpuSelection::ofDevices({QStringLiteral("gpu=0")});
    row("cdi name without vendor/class", cdiBad, {QStringLiteral("gpus")});

    // Podman: GPUs only as CDI devices; its API version says nothing about CDI.
    LaunchSpec pod = base();
    pod.gpus = GpuSelection::ofDevices({QStringLiteral("0")});
    row("podman, driver automatic", pod, {}, QStringLiteral("1.41"), true);
    pod.deviceDriver = QStringLiteral("cdi");
    row("podman, cdi on 1.41", pod, {}, QStringLiteral("1.41"), true);
    pod.deviceDriver = QStringLiteral("nvidia");
    row("podman, nvidia driver refused", pod, {QStringLiteral("deviceDriver")},
        QStringLiteral("1.41"), true);
    pod.deviceDriver.clear();
    pod.runtime = QStringLiteral("nvidia");
    row("podman, nvidia runtime refused", pod, {QStringLiteral("runtime")}, QStringLiteral("1.41"),
        true);
    pod.runtime.clear();
    pod.gpus = GpuSelection::all();
    row("podman, all", pod, {}, QStringLiteral("1.41"), true);

    s = base();
    for (const char *ok : {"1g", "64m", "512", "1.5gb", "2GiB", "100k"}) {
        s.shmSize = QLatin1String(ok);
        QTest::addRow("shm %s", ok) << s << QString() << QStringList() << false;
    }
    for (const char *bad : {"abc", "-1", "1x", "g", "1 g b"}) {
        s.shmSize = QLatin1String(bad);
        QTest::addRow("shm bad %s", bad)
            << s << QString() << QStringList{QStringLiteral("shmSize")} << false;
    }

    s = base();
    for (const char *ok : {"/a:/b", "/a:/b:ro", "vol:/data:ro,z", "/srv/x y:/x:rw,rslave"}) {
        s.binds = {QLatin1String(ok)};
        QTest::addRow("bind %s", ok) << s << QString() << QStringList() << false;
    }
    for (const char *bad : {"/a", "/a:b", "/a:/b:rx", ":/b", "/a:/b:ro:z"}) {
        s.binds = {QLatin1String(bad)};
        QTest::addRow("bind bad %s", bad)
            << s << QString() << QStringList{QStringLiteral("binds")} << false;
    }

    s = base();
    s.ipcMode = QStringLiteral("host");
    row("ipc host", s, {});
    s.ipcMode = QStringLiteral("container:other");
    row("ipc container", s, {});
    s.ipcMode = QStringLiteral("bogus");
    row("ipc bogus", s, {QStringLiteral("ipcMode")});

    s = base();
    s.image.clear();
    s.containerName = QStringLiteral("x");
    s.gpus = GpuSelection::ofCount(0);
    row("several problems, one each", s,
        {QStringLiteral("image"), QStringLiteral("containerName"), QStringLiteral("gpus")});
}

void TestLaunchSpec::validate()
{
    QFETCH(LaunchSpec, spec);
    QFETCH(QString, api);
    QFETCH(QStringList, fields);
    QFETCH(bool, podman);
    QStringList got;
    const QList<ValidationIssue> issues = spec.validate(api, podman ? EngineKind::Podman
                                                                    : EngineKind::Docker);
    for (const ValidationIssue &issue : issues) {
        got << issue.field;
        QVERIFY2(!issue.message.isEmpty(), qPrintable(issue.field));
    }
    QCOMPARE(got, fields);
}

void TestLaunchSpec::messagesAreSentences()
{
    LaunchSpec spec = base();
    spec.deviceDriver = QStringLiteral("cdi");
    spec.gpus = GpuSelection::ofDevices({QStringLiteral("nvidia.com/gpu=0")});
    const QList<ValidationIssue> issues = spec.validate(QStringLiteral("1.41"));
    QCOMPARE(issues.size(), 1);
    QVERIFY(issues.first().message.contains(QLatin1String("1.44")));
    QVERIFY(issues.first().message.contains(QLatin1String("1.41")));
    const Error error = validationError(QStringLiteral("Cannot launch"), issues);
    QCOMPARE(error.code(), Error::Code::Validation);
    QVERIFY(error.message().startsWith(QLatin1String("Cannot launch: The engine speaks API 1.41")));
}

void TestLaunchSpec::byteSize_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("bytes");
    QTest::newRow("bytes") << QStringLiteral("512") << qint64(512);
    QTest::newRow("b") << QStringLiteral("512b") << qint64(512);
    QTest::newRow("k") << QStringLiteral("1k") << qint64(1024);
    QTest::newRow("m") << QStringLiteral("64m") << qint64(64) * 1024 * 1024;
    QTest::newRow("g") << QStringLiteral("1g") << (qint64(1) << 30);
    QTest::newRow("G") << QStringLiteral("2G") << qint64(2) * 1024 * 1024 * 1024;
    QTest::newRow("gb") << QStringLiteral("1gb") << qint64(1024) * 1024 * 1024;
    QTest::newRow("fraction") << QStringLiteral("1.5g") << qint64(1536) * 1024 * 1024;
}

void TestLaunchSpec::byteSize()
{
    QFETCH(QString, text);
    QFETCH(qint64, bytes);
    const auto parsed = ByteSize::parse(text);
    QVERIFY(parsed.ok());
    QCOMPARE(parsed.value(), bytes);
    // Written back in the largest whole unit, it reads as the same bytes.
    const QString written = ByteSize::text(bytes);
    QCOMPARE(ByteSize::parse(written).value(), bytes);
    QVERIFY2(written.size() <= text.size() + 1, qPrintable(written));
}

static QJsonObject json(const char *text)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray(text), &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("bad JSON in test: %s", qPrintable(error.errorString()));
    return doc.object();
}

void TestLaunchSpec::createBody()
{
    LaunchSpec spec = base();
    spec.gpus = GpuSelection::ofDevices({QStringLiteral("0"), QStringLiteral("2")});
    spec.capabilities = {QStringLiteral("compute"), QStringLiteral("utility")};
    spec.runtime = QStringLiteral("nvidia");
    spec.env = {QStringLiteral("A=1")};
    spec.tty = true;
    spec.autoRemove = false;
    spec.shmSize = QStringLiteral("1g");
    spec.ipcMode = QStringLiteral("host");
    spec.binds = {QStringLiteral("/data:/data:ro")};
    spec.networkMode = QStringLiteral("none");
    spec.containerName = QStringLiteral("smi");
    const QJsonObject expected = json(R"({
        "Image": "nvidia/cuda:11.8.0-base-ubuntu20.04", "Cmd": ["nvidia-smi"], "Env": ["A=1"],
        "Tty": true, "OpenStdin": false, "AttachStdin": false, "AttachStdout": true, "AttachStderr": true,
        "HostConfig": {"AutoRemove": false, "Runtime": "nvidia", "ShmSize": 1073741824, "IpcMode": "host",
            "Binds": ["/data:/data:ro"], "NetworkMode": "none",
            "DeviceRequests": [{"Driver": "", "Count": 0, "DeviceIDs": ["0", "2"],
                "Capabilities": [["compute", "utility", "gpu"]], "Options": {}}]}})");
    QCOMPARE(DockerCreateBody::build(spec), expected);
    QCOMPARE(DockerCreateBody::query(spec).queryItemValue(QStringLiteral("name")),
             QStringLiteral("smi"));

    const QJsonObject detached = DockerCreateBody::build(spec, true);
    QCOMPARE(detached.value(QStringLiteral("AttachStdout")).toBool(), false);
    QCOMPARE(detached.value(QStringLiteral("AttachStderr")).toBool(), false);
}

void TestLaunchSpec::createBodyMinimal()
{
    LaunchSpec spec;
    spec.image = QStringLiteral("busybox");
    const QJsonObject expected = json(R"({"Image": "busybox", "Tty": false, "OpenStdin": false,
        "AttachStdin": false, "AttachStdout": true, "AttachStderr": true,
        "HostConfig": {"AutoRemove": true}})");
    QCOMPARE(DockerCreateBody::build(spec), expected);
    QVERIFY(DockerCreateBody::query(spec).isEmpty());
}

void TestLaunchSpec::createBodyCdi()
{
    LaunchSpec spec = base();
    spec.deviceDriver = QStringLiteral("cdi");
    spec.capabilities = {QStringLiteral("compute")}; // not for CDI: the spec decides
    spec.gpus = GpuSelection::ofDevices({QStringLiteral("nvidia.com/gpu=0")});
    const QJsonArray expected = json(R"({"a": [{"Driver": "cdi", "Count": 0,
        "DeviceIDs": ["nvidia.com/gpu=0"], "Capabilities": null, "Options": null}]})")
                                    .value(QStringLiteral("a"))
                                    .toArray();
    QCOMPARE(DockerCreateBody::deviceRequests(spec), expected);
}

// What `docker run --device nvidia.com/gpu=0 --device nvidia.com/gpu=GPU-…` sends, from ticked GPUs.
void TestLaunchSpec::createBodyCdiFromTickedGpus_data()
{
    QTest::addColumn<GpuSelection>("gpus");
    QTest::addColumn<QStringList>("ids");
    QTest::newRow("index") << GpuSelection::ofDevices({QStringLiteral("0")})
                           << QStringList{QStringLiteral("nvidia.com/gpu=0")};
    QTest::newRow("uuid and mig") << GpuSelection::ofDevices(
        {QStringLiteral("GPU-6bd9"), QStringLiteral("0:1")})
                                  << QStringList{QStringLiteral("nvidia.com/gpu=GPU-6bd9"),
                                                 QStringLiteral("nvidia.com/gpu=0:1")};
    QTest::newRow("qualified kept")
        << GpuSelection::ofDevices({QStringLiteral("example.com/fpga=a")})
        << QStringList{QStringLiteral("example.com/fpga=a")};
    QTest::newRow("all") << GpuSelection::all()
                         << QStringList{QStringLiteral("nvidia.com/gpu=all")};
    QTest::newRow("count 3") << GpuSelection::ofCount(3)
                             << QStringList{QStringLiteral("nvidia.com/gpu=0"),
                                            QStringLiteral("nvidia.com/gpu=1"),
                                            QStringLiteral("nvidia.com/gpu=2")};
}

void TestLaunchSpec::createBodyCdiFromTickedGpus()
{
    QFETCH(GpuSelection, gpus);
    QFETCH(QStringList, ids);
    LaunchSpec spec = base();
    spec.deviceDriver = QStringLiteral("cdi");
    spec.gpus = gpus;
    const QJsonObject request = DockerCreateBody::build(spec)
                                    .value(QStringLiteral("HostConfig"))
                                    .toObject()
                                    .value(QStringLiteral("DeviceRequests"))
                                    .toArray()
                                    .first()
                                    .toObject();
    QCOMPARE(request, (QJsonObject{{QStringLiteral("Driver"), QStringLiteral("cdi")},
                                   {QStringLiteral("Count"), 0},
                                   {QStringLiteral("DeviceIDs"), QJsonArray::fromStringList(ids)},
                                   {QStringLiteral("Capabilities"), QJsonValue::Null},
                                   {QStringLiteral("Options"), QJsonValue::Null}}));
    // Podman's own create carries the same names as devices.
    QJsonArray devices;
    for (const QString &id : ids)
        devices.append(QJsonObject{{QStringLiteral("path"), id}});
    QCOMPARE(LibpodCreateBody::build(spec).value(QStringLiteral("devices")).toArray(), devices);
}

void TestLaunchSpec::libpodCreateBody()
{
    LaunchSpec spec = base();
    spec.command = {QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("echo hi")};
    spec.env = {QStringLiteral("A=1"), QStringLiteral("B=x=y")};
    spec.containerName = QStringLiteral("job-1");
    spec.autoRemove = true;
    spec.tty = true;
    spec.shmSize = QStringLiteral("1g");
    spec.ipcMode = QStringLiteral("host");
    spec.networkMode = QStringLiteral("none");
    spec.binds = {QStringLiteral("/data:/data:ro"), QStringLiteral("cache:/cache")};
    spec.gpus = GpuSelection::ofDevices({QStringLiteral("1")});
    const QJsonObject body = LibpodCreateBody::build(spec.resolvedFor(EngineKind::Podman));
    QCOMPARE(body.value(QStringLiteral("image")).toString(), spec.image);
    QCOMPARE(body.value(QStringLiteral("command")).toArray().size(), 3);
    QCOMPARE(body.value(QStringLiteral("env")).toObject(),
             (QJsonObject{{QStringLiteral("A"), QStringLiteral("1")},
                          {QStringLiteral("B"), QStringLiteral("x=y")}}));
    QCOMPARE(body.value(QStringLiteral("name")).toString(), QStringLiteral("job-1"));
    QCOMPARE(body.value(QStringLiteral("remove")).toBool(), true);
    QCOMPARE(body.value(QStringLiteral("terminal")).toBool(), true);
    QCOMPARE(body.value(QStringLiteral("shm_size")).toDouble(), 1073741824.0);
    QCOMPARE(
        body.value(QStringLiteral("ipcns")).toObject().value(QStringLiteral("nsmode")).toString(),
        QStringLiteral("host"));
    QCOMPARE(
        body.value(QStringLiteral("netns")).toObject().value(QStringLiteral("nsmode")).toString(),
        QStringLiteral("none"));
    QCOMPARE(body.value(QStringLiteral("mounts"))
                 .toArray()
                 .first()
                 .toObject()
                 .value(QStringLiteral("source"))
                 .toString(),
             QStringLiteral("/data"));
    QCOMPARE(body.value(QStringLiteral("volumes"))
                 .toArray()
                 .first()
                 .toObject()
                 .value(QStringLiteral("Name"))
                 .toString(),
             QStringLiteral("cache"));
    QCOMPARE(body.value(QStringLiteral("devices")).toArray(),
             (QJsonArray{
                 QJsonObject{{QStringLiteral("path"), QStringLiteral("nvidia.com/gpu=1")}}}));
    // No Docker-style GPU request and no runtime: Podman would ignore the one and refuse the other.
    QVERIFY(!body.contains(QStringLiteral("HostConfig")));
    QVERIFY(!body.contains(QStringLiteral("oci_runtime")));
}

QTEST_GUILESS_MAIN(TestLaunchSpec)
#include "tst_launchspec.moc"
