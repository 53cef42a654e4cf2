// The engine client against a real dockerd (the sandboxed test engine): version negotiation,
// info and images, the seed's GPU launches through DeviceRequests, byte-exact attach streams,
// exit codes, daemon errors as values, logs and events.
#include "Await.h"
#include "ContainerRun.h"
#include "TestEngine.h"
#include "launch/DockerCreateBody.h"
#include "launch/LibpodCreateBody.h"

#include "engine/CdiSpecs.h"
#include "engine/ContainerStream.h"
#include "engine/DockerClient.h"
#include "engine/JsonStream.h"
#include "engine/WaitCall.h"
#include "launch/LaunchSpec.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

Q_DECLARE_METATYPE(LaunchSpec)

namespace {

const QString kImage = QStringLiteral("gpudeck-test:latest");

struct Run
{
    QString id;
    QByteArray out;
    QByteArray err;
    qint64 exitCode = -1;
    Error error;
};

QJsonObject gpuRequest(int count, const QStringList &ids, const QStringList &caps,
                       const QString &driver = {})
{
    QJsonObject request{{QStringLiteral("Driver"), driver},
                        {QStringLiteral("Capabilities"),
                         QJsonArray{QJsonArray::fromStringList(caps)}}};
    if (!ids.isEmpty())
        request.insert(QStringLiteral("DeviceIDs"), QJsonArray::fromStringList(ids));
    else
        request.insert(QStringLiteral("Count"), count);
    return request;
}

QJsonObject createBody(const QStringList &cmd, const QJsonArray &deviceRequests = {},
                       const QString &runtime = {}, bool autoRemove = false)
{
    QJsonObject host{{QStringLiteral("NetworkMode"), QStringLiteral("none")},
                     {QStringLiteral("AutoRemove"), autoRemove}};
    if (!deviceRequests.isEmpty())
        host.insert(QStringLiteral("DeviceRequests"), deviceRequests);
    if (!runtime.isEmpty())
        host.insert(QStringLiteral("Runtime"), runtime);
    return QJsonObject{{QStringLiteral("Image"), kImage},
                       {QStringLiteral("Cmd"), QJsonArray::fromStringList(cmd)},
                       {QStringLiteral("AttachStdout"), true},
                       {QStringLiteral("AttachStderr"), true},
                       {QStringLiteral("Tty"), false},
                       {QStringLiteral("HostConfig"), host}};
}

Run runCreated(DockerClient &client, const Result<QString> &created, bool autoRemove,
               int timeoutMs);

// create → attach → wait (headers in) → start → stream → exit code, the CLI's order.
Run runContainer(DockerClient &client, const QJsonObject &body, int timeoutMs = 120000)
{
    const Result<QString> created = await<QString>(
        [&](QObject *ctx, DockerClient::Callback<QString> cb) {
            client.createContainer(body, {}, ctx, cb);
        });
    return runCreated(client, created,
                      body.value(QStringLiteral("HostConfig"))
                          .toObject()
                          .value(QStringLiteral("AutoRemove"))
                          .toBool(),
                      timeoutMs);
}

// A launch written by LaunchSpec as this engine takes it: Podman before 5.4 through its libpod create.
Run runSpec(DockerClient &client, const LaunchSpec &launch)
{
    const LaunchSpec spec = launch.resolvedFor(client.kind());
    const Result<QString> created = await<QString>(
        [&](QObject *ctx, DockerClient::Callback<QString> cb) {
            if (client.needsLibpodCreate())
                client.createLibpodContainer(LibpodCreateBody::build(spec), ctx, cb);
            else
                client.createContainer(DockerCreateBody::build(spec), {}, ctx, cb);
        });
    return runCreated(client, created, spec.autoRemove, 120000);
}

Run runCreated(DockerClient &client, const Result<QString> &created, bool autoRemove, int timeoutMs)
{
    Run run;
    if (!created) {
        run.error = created.error();
        return run;
    }
    run.id = created.value();
    // Podman 4 answers "removed" with status 0 whatever the exit code: next-exit there.
    const StartedContainer started = startCreated(client, run.id,
                                                  autoRemove && !client.isPodman()
                                                      ? QStringLiteral("removed")
                                                      : QStringLiteral("next-exit"));
    const auto collect = [&run, &started]() {
        run.out = *started.out;
        run.err = *started.err;
        return run;
    };
    if (started.error.isError()) {
        run.error = started.error;
        return collect();
    }
    const ContainerStream *stream = started.stream.get();
    const WaitCall *wait = started.wait.get();
    (void)QTest::qWaitFor([&]() { return wait->isFinished() && stream->isFinished(); }, timeoutMs);
    if (!stream->isFinished() || !wait->isFinished())
        run.error = Error(Error::Code::Timeout, QStringLiteral("test"),
                          QStringLiteral("container did not finish"));
    else if (stream->error().isError())
        run.error = stream->error();
    else if (!wait->result())
        run.error = wait->result().error();
    else
        run.exitCode = wait->result().value();
    return collect();
}

} // namespace

class TestEngineClient : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void negotiatesVersion();
    void readsTheEngineClock();
    void info();
    void listsImages();
    void engineProfile();
    void seedLaunches_data();
    void seedLaunches();
    void cdiLaunches_data();
    void cdiLaunches();
    void missingCdiDeviceIsAValue();
    void attachIsByteExact();
    void stdoutAndStderrApart();
    void stdinEndOfFile();
    void exitCodeFromWait();
    void autoRemoveWaitsForRemoval();
    void deviceDriverErrorIsAValue();
    void unknownRuntimeIsAValue();
    void missingImageIsAValue();
    void nameConflictIsAValue();
    void stopKillInspectListRemove();
    void logsFollow();
    void eventsStream();
    void deadSocket();

private:
    std::unique_ptr<DockerClient> m_client;
};

void TestEngineClient::initTestCase()
{
    GPUDECK_REQUIRE_ENGINE();
    const Result<Endpoint> endpoint = EndpointResolver::resolve(TestEngine::host());
    QVERIFY2(endpoint.ok(), qPrintable(endpoint.error().message()));
    m_client = std::make_unique<DockerClient>(endpoint.value());
}

void TestEngineClient::negotiatesVersion()
{
    const Result<QString> api = await<QString>(
        [this](QObject *ctx, DockerClient::Callback<QString> cb) { m_client->ping(ctx, cb); });
    QVERIFY2(api.ok(), qPrintable(api.error().message()));
    const TestEngine::CliResult cli = TestEngine::docker(
        {QStringLiteral("version"), QStringLiteral("--format"),
         QStringLiteral("{{.Server.APIVersion}}")});
    QCOMPARE(cli.exitCode, 0);
    const QString serverApi = QString::fromLatin1(cli.out.trimmed());
    const int serverMinor = serverApi.section(QLatin1Char('.'), 1).toInt();
    QCOMPARE(api.value(),
             QStringLiteral("1.%1").arg(qMin(serverMinor, DockerClient::kMaxApiMinor)));
    QCOMPARE(m_client->apiVersion(), api.value());
}

// The engine's clock from the Date of its /_ping answer (this machine's here, so within a second
// and a half), and the reading of such headers, one far off included.
void TestEngineClient::readsTheEngineClock()
{
    const Result<QString> api = await<QString>(
        [this](QObject *ctx, DockerClient::Callback<QString> cb) { m_client->ping(ctx, cb); });
    QVERIFY2(api.ok(), qPrintable(api.error().message()));
    QVERIFY(m_client->engineClockKnown());
    const qint64 apart = QDateTime::currentDateTimeUtc().msecsTo(m_client->engineNow());
    QVERIFY2(qAbs(apart) <= 1500, qPrintable(QString::number(apart)));

    const QDateTime local = QDateTime(QDate(2026, 12, 6), QTime(23, 40, 0), Qt::UTC);
    QCOMPARE(DockerClient::clockOffsetMs("Sun, 06 Dec 2026 23:45:00 GMT", local),
             std::optional<qint64>(300500));
    QCOMPARE(DockerClient::clockOffsetMs("Sun, 06 Dec 2026 23:39:00 GMT", local),
             std::optional<qint64>(-59500));
    QCOMPARE(DockerClient::clockOffsetMs("yesterday", local), std::nullopt);
    QCOMPARE(DockerClient::clockOffsetMs({}, local), std::nullopt);
}

void TestEngineClient::info()
{
    const Result<EngineInfo> info = await<EngineInfo>(
        [this](QObject *ctx, DockerClient::Callback<EngineInfo> cb) { m_client->info(ctx, cb); });
    QVERIFY2(info.ok(), qPrintable(info.error().message()));
    QVERIFY(!info.value().serverVersion.isEmpty());
    if (!TestEngine::isPodman())
        QVERIFY(info.value().runtimes.contains(QStringLiteral("nvidia")));
    QVERIFY(info.value().runtimes.contains(QStringLiteral("runc")));
    QCOMPARE(info.value().defaultRuntime, QStringLiteral("runc"));
    const TestEngine::CliResult cli = TestEngine::docker(
        {QStringLiteral("info"), QStringLiteral("--format"), QStringLiteral("{{.ServerVersion}}")});
    QCOMPARE(info.value().serverVersion, QString::fromUtf8(cli.out.trimmed()));
}

void TestEngineClient::listsImages()
{
    const auto images = await<QList<ImageSummary>>(
        [this](QObject *ctx, DockerClient::Callback<QList<ImageSummary>> cb) {
            m_client->images(ctx, cb);
        });
    QVERIFY2(images.ok(), qPrintable(images.error().message()));
    const TestEngine::CliResult cli = TestEngine::docker(
        {QStringLiteral("images"), QStringLiteral("--no-trunc"), QStringLiteral("--format"),
         QStringLiteral("{{.ID}}")});
    QSet<QString> cliIds;
    for (const QByteArray &line : cli.out.split('\n')) {
        if (!line.trimmed().isEmpty())
            cliIds.insert(QString::fromLatin1(line.trimmed()));
    }
    QSet<QString> ours;
    bool found = false;
    for (const ImageSummary &image : images.value()) {
        ours.insert(image.id);
        // Podman names local images localhost/NAME:TAG.
        if (image.repoTags.contains(kImage)
            || image.repoTags.contains(QStringLiteral("localhost/") + kImage)) {
            found = true;
            QVERIFY(image.size > 0);
            QVERIFY(image.created.isValid());
            QVERIFY(image.looksGpuReady()); // the test image carries an NVIDIA label
        }
    }
    QVERIFY(found);
    QCOMPARE(ours, cliIds);
}

void TestEngineClient::engineProfile()
{
    const Result<EngineInfo> info = await<EngineInfo>(
        [this](QObject *ctx, DockerClient::Callback<EngineInfo> cb) { m_client->info(ctx, cb); });
    QVERIFY2(info.ok(), qPrintable(info.error().message()));
    const Result<QJsonObject> version = await<QJsonObject>(
        [this](QObject *ctx, DockerClient::Callback<QJsonObject> cb) {
            m_client->version(ctx, cb);
        });
    QVERIFY2(version.ok(), qPrintable(version.error().message()));
    // The Libpod-API-Version header and /version's components tell the same story.
    QCOMPARE(m_client->isPodman(), TestEngine::isPodman());
    QCOMPARE(isPodmanVersion(version.value()), TestEngine::isPodman());
    QCOMPARE(info.value().isPodman(), TestEngine::isPodman());
    QCOMPARE(info.value().cdiEnabled(), TestEngine::hasCdi());
    if (TestEngine::isPodman()) {
        QCOMPARE(info.value().productName(), QStringLiteral("Podman ") + m_client->podmanVersion());
        // Podman 4.3 takes GPUs only through its own create; 5.8 on the compatible one (5.4+).
        const bool podman58 = TestEngine::kind() == QLatin1String("podman58");
        QVERIFY2(m_client->podmanVersion().startsWith(podman58 ? QLatin1String("5.8.")
                                                               : QLatin1String("4.")),
                 qPrintable(m_client->podmanVersion()));
        QCOMPARE(m_client->needsLibpodCreate(), !podman58);
    } else {
        const QString major = TestEngine::kind() == QLatin1String("docker28")
                                  ? QStringLiteral("28.")
                              : TestEngine::hasCdi() ? QStringLiteral("26.")
                                                     : QStringLiteral("20.10.");
        QVERIFY2(info.value().productName().startsWith(QStringLiteral("Docker ") + major),
                 qPrintable(info.value().productName()));
        QVERIFY(!m_client->needsLibpodCreate());
    }
    if (TestEngine::hasCdi() && !TestEngine::isPodman())
        QCOMPARE(info.value().cdiSpecDirs,
                 QStringList{qEnvironmentVariable("GPUDECK_TEST_CDI_DIR")});
    if (TestEngine::kind() == QLatin1String("docker28")) {
        // Docker 28.5 speaks API 1.51, the newest GPU Deck speaks; from 1.50 /info lists the
        // engine's CDI devices itself (DiscoveredDevices), with the spec directories' devices.
        QCOMPARE(m_client->apiVersion(), QStringLiteral("1.%1").arg(DockerClient::kMaxApiMinor));
        QStringList ids;
        for (const QJsonValue &device : info.value().discoveredDevices) {
            QCOMPARE(device.toObject().value(QStringLiteral("Source")).toString(),
                     QStringLiteral("cdi"));
            ids.append(device.toObject().value(QStringLiteral("ID")).toString());
        }
        ids.sort();
        // The fixture runs the containerd image store (Docker 29's default), whose /images/json
        // listsImages reads like the graph driver's: its storage driver is the snapshotter.
        QCOMPARE(info.value().raw.value(QStringLiteral("Driver")).toString(),
                 QStringLiteral("overlayfs"));
        QCOMPARE(ids, QStringList({QStringLiteral("nvidia.com/gpu=0"),
                                   QStringLiteral("nvidia.com/gpu=1"),
                                   QStringLiteral("nvidia.com/gpu=GPU-6bd9c3a4-0000-4000-8000-"
                                                  "000000000001"),
                                   QStringLiteral("nvidia.com/gpu=all")}));
    } else {
        QVERIFY(info.value().discoveredDevices.isEmpty());
    }
}

void TestEngineClient::seedLaunches_data()
{
    QTest::addColumn<QJsonArray>("requests");
    QTest::addColumn<QString>("runtime");
    QTest::addColumn<QByteArray>("expected");

    if (TestEngine::isPodman()) {
        // Podman takes the seed's GPUs only as CDI devices: device_ids as nvidia.com/gpu=<id>.
        const QStringList uuids = TestEngine::podmanGpuUuids();
        QTest::newRow("device_ids [uuid0] as CDI")
            << QJsonArray{QJsonObject{{QStringLiteral("cdi"), QJsonArray{uuids.value(0)}}}}
            << QString()
            << QByteArray("NVIDIA_VISIBLE_DEVICES=\nNVIDIA_DRIVER_CAPABILITIES=\nCDI_DEVICES="
                          "nvidia.com/gpu=")
                   + uuids.value(0).toLatin1() + "\n";
        QTest::newRow("device_ids [uuid0, uuid1] as CDI")
            << QJsonArray{QJsonObject{
                   {QStringLiteral("cdi"), QJsonArray{uuids.value(0), uuids.value(1)}}}}
            << QString()
            << QByteArray("NVIDIA_VISIBLE_DEVICES=\nNVIDIA_DRIVER_CAPABILITIES=\nCDI_DEVICES="
                          "nvidia.com/gpu=")
                   + uuids.value(0).toLatin1() + " nvidia.com/gpu=" + uuids.value(1).toLatin1()
                   + "\n";
        return;
    }
    // The seed's Python launches, request for request.
    QTest::newRow("runtime nvidia, all GPUs, [gpu]")
        << QJsonArray{gpuRequest(-1, {}, {QStringLiteral("gpu")})} << QStringLiteral("nvidia")
        << QByteArray("NVIDIA_VISIBLE_DEVICES=all\nNVIDIA_DRIVER_CAPABILITIES=\n");
    QTest::newRow("count -1, [gpu]")
        << QJsonArray{gpuRequest(-1, {}, {QStringLiteral("gpu")})} << QString()
        << QByteArray("NVIDIA_VISIBLE_DEVICES=all\nNVIDIA_DRIVER_CAPABILITIES=\n");
    QTest::newRow("device_ids [0], [gpu]")
        << QJsonArray{gpuRequest(0, {QStringLiteral("0")}, {QStringLiteral("gpu")})}
        << QStringLiteral("nvidia")
        << QByteArray("NVIDIA_VISIBLE_DEVICES=0\nNVIDIA_DRIVER_CAPABILITIES=\n");
    QTest::newRow("[gpu, compute, utility]")
        << QJsonArray{gpuRequest(-1, {},
                                 {QStringLiteral("gpu"), QStringLiteral("compute"),
                                  QStringLiteral("utility")})}
        << QStringLiteral("nvidia")
        << QByteArray("NVIDIA_VISIBLE_DEVICES=all\nNVIDIA_DRIVER_CAPABILITIES=compute,utility\n");
    QTest::newRow("devices 0,2, count 2 style")
        << QJsonArray{gpuRequest(0, {QStringLiteral("0"), QStringLiteral("2")},
                                 {QStringLiteral("gpu")})}
        << QString() << QByteArray("NVIDIA_VISIBLE_DEVICES=0,2\nNVIDIA_DRIVER_CAPABILITIES=\n");
    QTest::newRow("count 2") << QJsonArray{gpuRequest(2, {}, {QStringLiteral("gpu")})} << QString()
                             << QByteArray(
                                    "NVIDIA_VISIBLE_DEVICES=0,1\nNVIDIA_DRIVER_CAPABILITIES=\n");
}

void TestEngineClient::seedLaunches()
{
    QFETCH(QJsonArray, requests);
    QFETCH(QString, runtime);
    QFETCH(QByteArray, expected);
    if (TestEngine::isPodman()) {
        LaunchSpec spec;
        spec.image = kImage;
        spec.command = {QStringLiteral("nvidia-smi")};
        QStringList ids;
        for (const QJsonValue &id :
             requests.first().toObject().value(QStringLiteral("cdi")).toArray())
            ids << id.toString();
        spec.gpus = GpuSelection::ofDevices(ids);
        spec.networkMode = QStringLiteral("none");
        const Run run = runSpec(*m_client, spec);
        QVERIFY2(!run.error.isError(), qPrintable(run.error.message()));
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.out, expected);
        QCOMPARE(run.err, QByteArray());
        return;
    }
    const Run run = runContainer(*m_client, createBody({QStringLiteral("nvidia-smi")}, requests,
                                                       runtime, true));
    QVERIFY2(!run.error.isError(), qPrintable(run.error.message()));
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.out, expected);
    QCOMPARE(run.err, QByteArray());
}

void TestEngineClient::cdiLaunches_data()
{
    QTest::addColumn<LaunchSpec>("spec");
    // what the stub nvidia-smi prints for CDI; empty: refused
    QTest::addColumn<QByteArray>("cdiLine");
    LaunchSpec base;
    base.image = kImage;
    base.command = {QStringLiteral("nvidia-smi")};
    base.networkMode = QStringLiteral("none");
    base.deviceDriver = QStringLiteral("cdi");
    const auto with = [&base](const GpuSelection &gpus) {
        LaunchSpec spec = base;
        spec.gpus = gpus;
        return spec;
    };
    if (TestEngine::isPodman()) {
        const QStringList uuids = TestEngine::podmanGpuUuids();
        // Driver "" on Podman is CDI all the same.
        LaunchSpec automatic = with(GpuSelection::ofDevices({uuids.value(1)}));
        automatic.deviceDriver.clear();
        QTest::newRow("ticked uuid0")
            << with(GpuSelection::ofDevices({uuids.value(0)}))
            << QByteArray("CDI_DEVICES=nvidia.com/gpu=") + uuids.value(0).toLatin1();
        QTest::newRow("driver automatic, uuid1")
            << automatic << QByteArray("CDI_DEVICES=nvidia.com/gpu=") + uuids.value(1).toLatin1();
        return;
    }
    if (!TestEngine::hasCdi()) {
        QTest::newRow("Docker 20.10: CDI refused before create")
            << with(GpuSelection::ofDevices({QStringLiteral("0")})) << QByteArray();
        return;
    }
    QTest::newRow("ticked 0 (JSON spec)") << with(GpuSelection::ofDevices({QStringLiteral("0")}))
                                          << QByteArray("CDI_DEVICES=nvidia.com/gpu=0");
    QTest::newRow("ticked 1 and a UUID (YAML spec)")
        << with(GpuSelection::ofDevices(
               {QStringLiteral("1"), QStringLiteral("GPU-6bd9c3a4-0000-4000-8000-000000000001")}))
        << QByteArray("CDI_DEVICES=nvidia.com/gpu=1 "
                      "nvidia.com/gpu=GPU-6bd9c3a4-0000-4000-8000-000000000001");
    QTest::newRow("all") << with(GpuSelection::all())
                         << QByteArray("CDI_DEVICES=nvidia.com/gpu=all");
    QTest::newRow("count 2") << with(GpuSelection::ofCount(2))
                             << QByteArray("CDI_DEVICES=nvidia.com/gpu=0 nvidia.com/gpu=1");
}

void TestEngineClient::cdiLaunches()
{
    QFETCH(LaunchSpec, spec);
    QFETCH(QByteArray, cdiLine);
    QVERIFY(await<QString>([this](QObject *ctx, DockerClient::Callback<QString> cb) {
                m_client->ping(ctx, cb);
            }).ok());
    const QList<ValidationIssue> issues = spec.validate(m_client->apiVersion(), m_client->kind());
    if (cdiLine.isEmpty()) {
        QCOMPARE(issues.size(), 1);
        QCOMPARE(issues.first().field, QStringLiteral("deviceDriver"));
        QVERIFY(issues.first().message.contains(QLatin1String("1.44")));
        return;
    }
    QVERIFY2(issues.isEmpty(), qPrintable(issues.value(0).message));
    const Run run = runSpec(*m_client, spec);
    QVERIFY2(!run.error.isError(), qPrintable(run.error.message()));
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.out,
             QByteArray("NVIDIA_VISIBLE_DEVICES=\nNVIDIA_DRIVER_CAPABILITIES=\n") + cdiLine + '\n');
    QCOMPARE(run.err, QByteArray());
}

void TestEngineClient::missingCdiDeviceIsAValue()
{
    if (!TestEngine::hasCdi()) {
        // Docker 20.10 has no CDI: the request is refused by validation (cdiLaunches), never sent.
        QVERIFY(await<QString>([this](QObject *ctx, DockerClient::Callback<QString> cb) {
                    m_client->ping(ctx, cb);
                }).ok());
        QVERIFY(m_client->apiMinor() < 44);
        return;
    }
    LaunchSpec spec;
    spec.image = kImage;
    spec.command = {QStringLiteral("nvidia-smi")};
    spec.networkMode = QStringLiteral("none");
    spec.deviceDriver = QStringLiteral("cdi");
    spec.autoRemove = false;
    spec.gpus = GpuSelection::ofDevices(
        {QStringLiteral("GPU-00000000-dead-4000-8000-000000000099")});
    // The engine creates the container and refuses to start it: it never runs without its GPU.
    const Run run = runSpec(*m_client, spec);
    QVERIFY(run.error.isError());
    QCOMPARE(run.error.code(), Error::Code::DeviceDriver);
    QVERIFY2(run.error.why().contains(
                 QLatin1String("nvidia.com/gpu=GPU-00000000-dead-4000-8000-000000000099")),
             qPrintable(run.error.why()));
    QVERIFY(run.error.hint().contains(QLatin1String("nvidia-ctk cdi generate")));
    QVERIFY(!run.error.message().contains(QLatin1Char('{')));
    QVERIFY(run.exitCode < 0);
    if (!run.id.isEmpty())
        await<void>([&](QObject *ctx, DockerClient::Callback<void> cb) {
            m_client->removeContainer(run.id, true, ctx, cb);
        });
}

void TestEngineClient::attachIsByteExact()
{
    // 50 MB of random bytes on stdout, their checksum on stderr.
    const Run run = runContainer(
        *m_client,
        createBody(
            {QStringLiteral("sh"), QStringLiteral("-c"),
             QStringLiteral(
                 "head -c 50000000 /dev/urandom > /data && cat /data && sha256sum /data >&2")},
            {}, {}, true));
    QVERIFY2(!run.error.isError(), qPrintable(run.error.message()));
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.out.size(), 50000000);
    const QByteArray ours = QCryptographicHash::hash(run.out, QCryptographicHash::Sha256).toHex();
    QCOMPARE(run.err.left(64), ours);
}

void TestEngineClient::stdoutAndStderrApart()
{
    const Run run = runContainer(
        *m_client,
        createBody({QStringLiteral("sh"), QStringLiteral("-c"),
                    QStringLiteral("for i in 1 2 3; do echo out$i; echo err$i >&2; done")},
                   {}, {}, true));
    QVERIFY2(!run.error.isError(), qPrintable(run.error.message()));
    QCOMPARE(run.out, QByteArray("out1\nout2\nout3\n"));
    QCOMPARE(run.err, QByteArray("err1\nerr2\nerr3\n"));
}

// Closing stdin must reach the container as end-of-file while its output still flows back: a
// half-close on every transport (shutdown(2) on sockets and under TLS, a channel EOF through ssh).
void TestEngineClient::stdinEndOfFile()
{
    QJsonObject body = createBody({QStringLiteral("sh"), QStringLiteral("-c"),
                                   QStringLiteral("cat > /in; sha256sum /in; echo eof")},
                                  {}, {}, true);
    body.insert(QStringLiteral("AttachStdin"), true);
    body.insert(QStringLiteral("OpenStdin"), true);
    body.insert(QStringLiteral("StdinOnce"), true);
    const Result<QString> created = await<QString>(
        [&](QObject *ctx, DockerClient::Callback<QString> cb) {
            m_client->createContainer(body, {}, ctx, cb);
        });
    QVERIFY2(created.ok(), qPrintable(created.error().message()));
    std::unique_ptr<ContainerStream> stream(m_client->attach(created.value(), false, true));
    QByteArray out;
    connect(stream.get(), &ContainerStream::output, this,
            [&out](StreamDemuxer::Channel, const QByteArray &data) { out += data; });
    QTRY_VERIFY_WITH_TIMEOUT(stream->isStarted() || stream->isFinished(), 30000);
    QVERIFY2(stream->isStarted(), qPrintable(stream->error().message()));
    std::unique_ptr<WaitCall> wait(
        m_client->wait(created.value(), TestEngine::isPodman() ? QStringLiteral("next-exit")
                                                               : QStringLiteral("removed")));
    QTRY_VERIFY_WITH_TIMEOUT(wait->isReady() || wait->isFinished(), 30000);
    const Result<void> started = await<void>([&](QObject *ctx, DockerClient::Callback<void> cb) {
        m_client->startContainer(created.value(), ctx, cb);
    });
    QVERIFY2(started.ok(), qPrintable(started.error().message()));

    QByteArray input;
    for (int i = 0; input.size() < 8 * 1024 * 1024; ++i)
        input += QByteArray::number(i) + ' ';
    QVERIFY(stream->write(input));
    stream->closeStdin();
    QTRY_VERIFY_WITH_TIMEOUT(wait->isFinished() && stream->isFinished(), 60000);
    QVERIFY2(!stream->error().isError(), qPrintable(stream->error().message()));
    QVERIFY(wait->result().ok());
    QCOMPARE(wait->result().value(), 0);
    const QByteArray sha = QCryptographicHash::hash(input, QCryptographicHash::Sha256).toHex();
    QCOMPARE(out, sha + "  /in\neof\n");
}

void TestEngineClient::exitCodeFromWait()
{
    const Run run = runContainer(*m_client, createBody({QStringLiteral("sh"), QStringLiteral("-c"),
                                                        QStringLiteral("echo bye; exit 7")}));
    QVERIFY2(!run.error.isError(), qPrintable(run.error.message()));
    QCOMPARE(run.exitCode, 7);
    QCOMPARE(run.out, QByteArray("bye\n"));
    // Not auto-remove: the container stays for inspection until we remove it.
    const auto inspected = await<QJsonObject>(
        [&](QObject *ctx, DockerClient::Callback<QJsonObject> cb) {
            m_client->inspectContainer(run.id, ctx, cb);
        });
    QVERIFY2(inspected.ok(), qPrintable(inspected.error().message()));
    QCOMPARE(inspected.value()
                 .value(QStringLiteral("State"))
                 .toObject()
                 .value(QStringLiteral("ExitCode"))
                 .toInt(),
             7);
    const auto removed = await<void>([&](QObject *ctx, DockerClient::Callback<void> cb) {
        m_client->removeContainer(run.id, false, ctx, cb);
    });
    QVERIFY2(removed.ok(), qPrintable(removed.error().message()));
}

void TestEngineClient::autoRemoveWaitsForRemoval()
{
    const Run run = runContainer(*m_client, createBody({QStringLiteral("sh"), QStringLiteral("-c"),
                                                        QStringLiteral("exit 3")},
                                                       {}, {}, true));
    QVERIFY2(!run.error.isError(), qPrintable(run.error.message()));
    QCOMPARE(run.exitCode, 3);
    const auto inspect = [&]() {
        return await<QJsonObject>([&](QObject *ctx, DockerClient::Callback<QJsonObject> cb) {
            m_client->inspectContainer(run.id, ctx, cb);
        });
    };
    // Docker: wait(condition=removed) returned, so the daemon has removed it already. Podman
    // removes it right after the exit its next-exit wait reported.
    if (TestEngine::isPodman())
        QTRY_COMPARE_WITH_TIMEOUT(inspect().error().httpStatus(), 404, 10000);
    const auto inspected = inspect();
    QVERIFY(!inspected.ok());
    QCOMPARE(inspected.error().httpStatus(), 404);
}

void TestEngineClient::deviceDriverErrorIsAValue()
{
    if (TestEngine::isPodman()) {
        // Podman's compatible create ignores device requests; its GPU failure is a missing CDI
        // device, covered by missingCdiDeviceIsAValue.
        QVERIFY(m_client->isPodman());
        return;
    }
    // A driver the engine does not know fails at start exactly like a host without the toolkit.
    const Run run = runContainer(*m_client,
                                 createBody({QStringLiteral("nvidia-smi")},
                                            QJsonArray{gpuRequest(-1, {}, {QStringLiteral("gpu")},
                                                                  QStringLiteral("bogus"))}));
    QVERIFY(run.error.isError());
    QCOMPARE(run.error.code(), Error::Code::DeviceDriver);
    QCOMPARE(run.error.httpStatus(), 500);
    QVERIFY2(run.error.why().contains(QLatin1String("could not select device driver")),
             qPrintable(run.error.why()));
    QVERIFY(run.error.hint().contains(QLatin1String("nvidia-ctk runtime configure")));
    QVERIFY(!run.id.isEmpty());
    await<void>([&](QObject *ctx, DockerClient::Callback<void> cb) {
        m_client->removeContainer(run.id, true, ctx, cb);
    });
}

void TestEngineClient::unknownRuntimeIsAValue()
{
    if (TestEngine::isPodman()) {
        // Podman 4.3 ignores a runtime name it does not know; the one that matters for GPUs,
        // "nvidia", is refused at the field and never sent.
        LaunchSpec spec;
        spec.image = kImage;
        spec.runtime = QStringLiteral("nvidia");
        const QList<ValidationIssue> issues = spec.validate(m_client->apiVersion(),
                                                            m_client->kind());
        QCOMPARE(issues.size(), 1);
        QCOMPARE(issues.first().field, QStringLiteral("runtime"));
        QVERIFY(issues.first().message.contains(QLatin1String("CDI")));
        return;
    }
    const Run run = runContainer(*m_client, createBody({QStringLiteral("true")}, {},
                                                       QStringLiteral("no-such-runtime")));
    QVERIFY(run.error.isError());
    // 20.10 says "Unknown runtime specified", newer engines "unknown or invalid runtime name".
    QVERIFY2(run.error.why().contains(QLatin1String("runtime"), Qt::CaseInsensitive)
                 && run.error.why().contains(QLatin1String("no-such-runtime")),
             qPrintable(run.error.message()));
    QVERIFY(run.error.hint().contains(QLatin1String("nvidia-ctk")));
}

void TestEngineClient::missingImageIsAValue()
{
    QJsonObject body = createBody({QStringLiteral("true")});
    body.insert(QStringLiteral("Image"), QStringLiteral("gpudeck-no-such-image:never"));
    const Run run = runContainer(*m_client, body);
    QVERIFY(run.error.isError());
    QCOMPARE(run.error.httpStatus(), 404);
    QVERIFY(run.error.why().contains(QLatin1String("No such image"), Qt::CaseInsensitive));
    QVERIFY(run.error.hint().contains(QLatin1String("Pull")));
    QVERIFY(!run.error.message().contains(QLatin1Char('{'))); // never a raw JSON blob
}

void TestEngineClient::nameConflictIsAValue()
{
    const QString name =
        QStringLiteral("gpudeck-conflict-%1").arg(QCoreApplication::applicationPid());
    const auto first = await<QString>([&](QObject *ctx, DockerClient::Callback<QString> cb) {
        m_client->createContainer(createBody({QStringLiteral("true")}), name, ctx, cb);
    });
    QVERIFY2(first.ok(), qPrintable(first.error().message()));
    const auto second = await<QString>([&](QObject *ctx, DockerClient::Callback<QString> cb) {
        m_client->createContainer(createBody({QStringLiteral("true")}), name, ctx, cb);
    });
    QVERIFY(!second.ok());
    QCOMPARE(second.error().httpStatus(), TestEngine::isPodman() ? 500 : 409);
    QVERIFY(second.error().hint().contains(QLatin1String("another container name")));
    await<void>([&](QObject *ctx, DockerClient::Callback<void> cb) {
        m_client->removeContainer(first.value(), true, ctx, cb);
    });
}

void TestEngineClient::stopKillInspectListRemove()
{
    const auto created = await<QString>([&](QObject *ctx, DockerClient::Callback<QString> cb) {
        m_client->createContainer(createBody({QStringLiteral("sleep"), QStringLiteral("600")}), {},
                                  ctx, cb);
    });
    QVERIFY2(created.ok(), qPrintable(created.error().message()));
    const QString id = created.value();
    QVERIFY(await<void>([&](QObject *ctx, DockerClient::Callback<void> cb) {
                m_client->startContainer(id, ctx, cb);
            }).ok());
    // 304 from a second start is not an error.
    QVERIFY(await<void>([&](QObject *ctx, DockerClient::Callback<void> cb) {
                m_client->startContainer(id, ctx, cb);
            }).ok());

    const auto listed = await<QJsonArray>([&](QObject *ctx, DockerClient::Callback<QJsonArray> cb) {
        m_client->listContainers(false, QJsonObject{{QStringLiteral("id"), QJsonArray{id}}}, ctx,
                                 cb);
    });
    QVERIFY2(listed.ok(), qPrintable(listed.error().message()));
    QCOMPARE(listed.value().size(), 1);
    QCOMPARE(listed.value().at(0).toObject().value(QStringLiteral("Id")).toString(), id);

    QVERIFY(await<void>([&](QObject *ctx, DockerClient::Callback<void> cb) {
                m_client->killContainer(id, QStringLiteral("SIGKILL"), ctx, cb);
            }).ok());
    QTRY_VERIFY_WITH_TIMEOUT(!await<QJsonObject>(
                                  [&](QObject *ctx, DockerClient::Callback<QJsonObject> cb) {
                                      m_client->inspectContainer(id, ctx, cb);
                                  })
                                  .value()
                                  .value(QStringLiteral("State"))
                                  .toObject()
                                  .value(QStringLiteral("Running"))
                                  .toBool(),
                             10000);
    // Stopping an exited container is a no-op (304), not an error.
    QVERIFY(await<void>([&](QObject *ctx, DockerClient::Callback<void> cb) {
                m_client->stopContainer(id, 1, ctx, cb);
            }).ok());
    QVERIFY(await<void>([&](QObject *ctx, DockerClient::Callback<void> cb) {
                m_client->removeContainer(id, false, ctx, cb);
            }).ok());
    const auto gone = await<QJsonObject>([&](QObject *ctx, DockerClient::Callback<QJsonObject> cb) {
        m_client->inspectContainer(id, ctx, cb);
    });
    QCOMPARE(gone.error().httpStatus(), 404);
}

void TestEngineClient::logsFollow()
{
    const auto created = await<QString>([&](QObject *ctx, DockerClient::Callback<QString> cb) {
        m_client->createContainer(createBody({QStringLiteral("sh"), QStringLiteral("-c"),
                                              QStringLiteral(
                                                  "echo one; echo two >&2; sleep 1; echo three")}),
                                  {}, ctx, cb);
    });
    QVERIFY2(created.ok(), qPrintable(created.error().message()));
    const QString id = created.value();
    QVERIFY(await<void>([&](QObject *ctx, DockerClient::Callback<void> cb) {
                m_client->startContainer(id, ctx, cb);
            }).ok());
    ContainerStream *logs = m_client->logs(id, false, true);
    QByteArray out;
    QByteArray err;
    connect(logs, &ContainerStream::output, this,
            [&](StreamDemuxer::Channel channel, const QByteArray &data) {
                (channel == StreamDemuxer::Channel::Stdout ? out : err).append(data);
            });
    QSignalSpy finished(logs, &ContainerStream::finished);
    QVERIFY(finished.wait(30000));
    QVERIFY2(!logs->error().isError(), qPrintable(logs->error().message()));
    QCOMPARE(out, QByteArray("one\nthree\n"));
    QCOMPARE(err, QByteArray("two\n"));
    await<void>([&](QObject *ctx, DockerClient::Callback<void> cb) {
        m_client->removeContainer(id, true, ctx, cb);
    });
}

void TestEngineClient::eventsStream()
{
    JsonStream *events = m_client->events(
        QJsonObject{{QStringLiteral("type"), QJsonArray{QStringLiteral("container")}}});
    QSignalSpy started(events, &JsonStream::started);
    QVERIFY(started.wait(10000));
    QList<QPair<QString, QString>> seen; // (id, status)
    connect(events, &JsonStream::object, this, [&](const QJsonObject &event) {
        seen.append({event.value(QStringLiteral("id")).toString(),
                     event.value(QStringLiteral("status")).toString()});
    });
    const Run run = runContainer(*m_client, createBody({QStringLiteral("true")}, {}, {}, true));
    QVERIFY2(!run.error.isError(), qPrintable(run.error.message()));
    // Podman says "remove" where Docker says "destroy".
    for (const char *status :
         {"create", "attach", "start", "die", TestEngine::isPodman() ? "remove" : "destroy"})
        QTRY_VERIFY_WITH_TIMEOUT(seen.contains({run.id, QLatin1String(status)}), 10000);
    events->cancel();
    QTRY_VERIFY(events->isFinished());
    QCOMPARE(events->error().code(), Error::Code::Cancelled);
}

void TestEngineClient::deadSocket()
{
    DockerClient dead(EndpointResolver::fromUrl(QStringLiteral("unix:///nonexistent/docker.sock"),
                                                QStringLiteral("test"))
                          .value());
    const auto info = await<EngineInfo>(
        [&](QObject *ctx, DockerClient::Callback<EngineInfo> cb) { dead.info(ctx, cb); });
    QVERIFY(!info.ok());
    QCOMPARE(info.error().code(), Error::Code::SocketNotFound);
    QVERIFY(info.error().message().contains(QLatin1String("dockerd")));
}

QTEST_GUILESS_MAIN(TestEngineClient)
#include "tst_engineclient.moc"
