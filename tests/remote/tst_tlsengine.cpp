// tcp:// engines with TLS against a real dockerd started with --tlsverify (fixture "tls-engine")
// and openssl-made certificates (tests/scripts/test-tls.sh): a docker context made by the real
// docker CLI, every certificate refusal as one clear sentence, a plain client on the TLS port, a
// stalled peer, the engine stopped in the middle of a stream, and the host's GPUs read through a
// probe container. A QSslServer stands in only
// for certificates a test engine should not be started with (expired, wrong name).
#include "Await.h"
#include "ContainerRun.h"
#include "TestEngine.h"

#include "engine/ContainerStream.h"
#include "engine/DockerClient.h"
#include "engine/WaitCall.h"
#include "launch/GpuProbe.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <optional>

Q_DECLARE_METATYPE(Error::Code)

namespace {

Result<QString> ping(DockerClient &client)
{
    return await<QString>(
        [&](QObject *ctx, DockerClient::Callback<QString> cb) { client.ping(ctx, cb); });
}

QString tlsDir()
{
    return qEnvironmentVariable("GPUDECK_TEST_TLS_DIR");
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QProcessEnvironment tlsEnv(const QString &certDir)
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("HOME"), QDir::tempPath());
    env.insert(QStringLiteral("DOCKER_TLS_VERIFY"), QStringLiteral("1"));
    env.insert(QStringLiteral("DOCKER_CERT_PATH"), certDir);
    return env;
}

std::unique_ptr<DockerClient> client(const QString &url, const QProcessEnvironment &env)
{
    const Result<Endpoint> endpoint = EndpointResolver::fromUrl(url, QStringLiteral("test"), env);
    if (!endpoint)
        qFatal("%s", qPrintable(endpoint.error().message()));
    return std::make_unique<DockerClient>(endpoint.value());
}

quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

} // namespace

class TestTlsEngine : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void contextFromTheDockerCli();
    void certificateRefusals_data();
    void certificateRefusals();
    void clientCertificateRefused();
    void plainClientOnTlsPort();
    void tlsClientOnPlainPort();
    void stalledPeer();
    void engineStoppedMidStream();
    void gpusThroughProbe();
    void probeImageChoice();

private:
    QString m_url;
};

void TestTlsEngine::initTestCase()
{
    GPUDECK_REQUIRE_ENGINE();
    m_url = TestEngine::host();
    QVERIFY2(m_url.startsWith(QLatin1String("tcp://")) && !tlsDir().isEmpty(),
             "run through ctest: the TLS test gets the TLS engine");
}

// `docker context create --docker host=tcp://…,ca=…,cert=…,key=…` as the fixture ran it.
void TestTlsEngine::contextFromTheDockerCli()
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("HOME"), QDir::tempPath());
    env.insert(QStringLiteral("DOCKER_CONFIG"), tlsDir() + QStringLiteral("/docker-config"));
    env.insert(QStringLiteral("DOCKER_CONTEXT"), QStringLiteral("gpudeck-tls"));
    const Result<Endpoint> endpoint = EndpointResolver::resolve({}, env);
    QVERIFY2(endpoint.ok(), qPrintable(endpoint.error().message()));
    QCOMPARE(endpoint.value().kind, Endpoint::Kind::Tls);
    QVERIFY(endpoint.value().tls.verifyPeer);
    QVERIFY(endpoint.value().tls.caFile.contains(QLatin1String("/contexts/tls/")));
    DockerClient docker(endpoint.value());
    const auto info = await<EngineInfo>(
        [&](QObject *ctx, DockerClient::Callback<EngineInfo> cb) { docker.info(ctx, cb); });
    QVERIFY2(info.ok(), qPrintable(info.error().message()));

    // And the CLI with the same context, as a user runs it.
    // the context decides, TLS material included
    env.insert(QStringLiteral("DOCKER_HOST"), QString());
    env.insert(QStringLiteral("DOCKER_TLS_VERIFY"), QString());
    env.insert(QStringLiteral("DOCKER_CERT_PATH"), QString());
    const TestEngine::CliResult images = TestEngine::runProgram(QStringLiteral(GPUDECK_BINARY),
                                                                {QStringLiteral("images")}, env);
    QCOMPARE(images.exitCode, 0);
    QVERIFY(images.out.contains("gpudeck-test:latest"));
}

void TestTlsEngine::certificateRefusals_data()
{
    QTest::addColumn<QString>("serverCert"); // below the TLS dir; empty: the real engine
    QTest::addColumn<QString>("caDir");
    QTest::addColumn<QStringList>("parts");
    QTest::newRow("engine signed by another CA")
        << QString() << QStringLiteral("certs/other-ca")
        << QStringList{QStringLiteral("could not be verified"),
                       QStringLiteral("not signed by the trusted CA"), QStringLiteral("ca.pem")};
    QTest::newRow("certificate for another name")
        << QStringLiteral("certs/mismatch") << QStringLiteral("certs")
        << QStringList{QStringLiteral("is for wrong.example, not for 127.0.0.1")};
    QTest::newRow("expired certificate")
        << QStringLiteral("certs/expired") << QStringLiteral("certs")
        << QStringList{QStringLiteral("expired on 2020-02-01")};
}

void TestTlsEngine::certificateRefusals()
{
    QFETCH(QString, serverCert);
    QFETCH(QString, caDir);
    QFETCH(QStringList, parts);
    QString url = m_url;
    QSslServer server;
    if (!serverCert.isEmpty()) {
        QSslConfiguration config = QSslConfiguration::defaultConfiguration();
        const QString dir = tlsDir() + QLatin1Char('/') + serverCert;
        config.setLocalCertificate(
            QSslCertificate(readAll(dir + QStringLiteral("/server-cert.pem"))));
        QSslKey key(readAll(dir + QStringLiteral("/server-key.pem")), QSsl::Ec);
        if (key.isNull())
            key = QSslKey(readAll(dir + QStringLiteral("/server-key.pem")), QSsl::Rsa);
        QVERIFY(!key.isNull());
        config.setPrivateKey(key);
        server.setSslConfiguration(config);
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        url = QStringLiteral("tcp://127.0.0.1:%1").arg(server.serverPort());
    }
    QElapsedTimer timer;
    timer.start();
    auto docker = client(url, tlsEnv(tlsDir() + QLatin1Char('/') + caDir));
    const Result<QString> answer = ping(*docker);
    QVERIFY(!answer.ok());
    QCOMPARE(answer.error().code(), Error::Code::Tls);
    const QString message = answer.error().message();
    for (const QString &part : std::as_const(parts))
        QVERIFY2(message.contains(part),
                 qPrintable(QStringLiteral("'%1' not in: %2").arg(part, message)));
    QVERIFY2(timer.elapsed() < 5000, qPrintable(QString::number(timer.elapsed())));
}

void TestTlsEngine::clientCertificateRefused()
{
    // The right CA for the engine, but a client certificate the engine does not trust.
    QTemporaryDir dir;
    QVERIFY(QFile::copy(tlsDir() + QStringLiteral("/certs/ca.pem"),
                        dir.filePath(QStringLiteral("ca.pem"))));
    for (const char *name : {"cert.pem", "key.pem"})
        QVERIFY(QFile::copy(tlsDir() + QStringLiteral("/certs/other-ca/") + QLatin1String(name),
                            dir.filePath(QLatin1String(name))));
    auto docker = client(m_url, tlsEnv(dir.path()));
    const Result<QString> answer = ping(*docker);
    QVERIFY(!answer.ok());
    QCOMPARE(answer.error().code(), Error::Code::Tls);
    QVERIFY2(answer.error().message().contains(QLatin1String("client certificate")),
             qPrintable(answer.error().message()));
}

void TestTlsEngine::plainClientOnTlsPort()
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("HOME"), QDir::tempPath());
    auto docker = client(m_url, env);
    QVERIFY(docker->endpoint().isInsecure());
    const Result<QString> answer = ping(*docker);
    QVERIFY(!answer.ok());
    QCOMPARE(answer.error().code(), Error::Code::Tls);
    QVERIFY2(answer.error().message().contains(QLatin1String("DOCKER_TLS_VERIFY=1")),
             qPrintable(answer.error().message()));
}

void TestTlsEngine::tlsClientOnPlainPort()
{
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    connect(&server, &QTcpServer::newConnection, this, [&server]() {
        QTcpSocket *peer = server.nextPendingConnection();
        connect(peer, &QTcpSocket::readyRead, peer, [peer]() {
            peer->readAll();
            peer->write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        });
    });
    auto docker = client(QStringLiteral("tcp://127.0.0.1:%1").arg(server.serverPort()),
                         tlsEnv(tlsDir() + QStringLiteral("/certs")));
    const Result<QString> answer = ping(*docker);
    QVERIFY(!answer.ok());
    QCOMPARE(answer.error().code(), Error::Code::Tls);
    QVERIFY2(answer.error().message().contains(QLatin1String("does not speak TLS")),
             qPrintable(answer.error().message()));
}

void TestTlsEngine::stalledPeer()
{
    // Accepts, then never says a word: neither a TLS handshake nor an HTTP answer.
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    QList<QTcpSocket *> peers;
    connect(&server, &QTcpServer::newConnection, this,
            [&]() { peers.append(server.nextPendingConnection()); });
    for (bool tls : {false, true}) {
        QProcessEnvironment env = tls ? tlsEnv(tlsDir() + QStringLiteral("/certs"))
                                      : QProcessEnvironment();
        env.insert(QStringLiteral("HOME"), QDir::tempPath());
        auto docker = client(QStringLiteral("tcp://127.0.0.1:%1").arg(server.serverPort()), env);
        QElapsedTimer timer;
        timer.start();
        const Result<QString> answer = ping(*docker);
        QVERIFY(!answer.ok());
        QCOMPARE(answer.error().code(), Error::Code::Timeout);
        QVERIFY2(answer.error().message().contains(QLatin1String("127.0.0.1")),
                 qPrintable(answer.error().message()));
        QVERIFY2(timer.elapsed() < 20000, qPrintable(QString::number(timer.elapsed())));
    }
}

void TestTlsEngine::engineStoppedMidStream()
{
    // An engine of this test's own, so that stopping it harms no other test.
    QTemporaryDir dir;
    const QString engineDir = dir.filePath(QStringLiteral("engine"));
    const quint16 port = freePort();
    QProcessEnvironment startEnv;
    startEnv.insert(QStringLiteral("GPUDECK_TEST_ENGINE_TLS"), QStringLiteral("1"));
    startEnv.insert(QStringLiteral("GPUDECK_TEST_ENGINE_TLS_PORT"), QString::number(port));
    const QString script = QStringLiteral(GPUDECK_SOURCE_DIR "/tests/scripts/test-engine.sh");
    const TestEngine::CliResult started =
        TestEngine::runProgram(script, {QStringLiteral("start"), engineDir}, startEnv, 120000);
    QVERIFY2(started.exitCode == 0, started.err.constData());
    const auto stop = qScopeGuard([&]() {
        TestEngine::runProgram(script, {QStringLiteral("stop"), engineDir});
    });

    auto docker = client(QStringLiteral("tcp://127.0.0.1:%1").arg(port),
                         tlsEnv(engineDir + QStringLiteral("/certs")));
    const QJsonObject body{{QStringLiteral("Image"), QStringLiteral("gpudeck-test:latest")},
                           {QStringLiteral("Cmd"),
                            QJsonArray{QStringLiteral("sh"), QStringLiteral("-c"),
                                       QStringLiteral(
                                           "while true; do echo tick; sleep 0.1; done")}},
                           {QStringLiteral("AttachStdout"), true},
                           {QStringLiteral("AttachStderr"), true},
                           {QStringLiteral("HostConfig"),
                            QJsonObject{{QStringLiteral("NetworkMode"), QStringLiteral("none")}}}};
    const StartedContainer run = startContainer(*docker, body, QStringLiteral("next-exit"), 20000);
    QVERIFY2(!run.error.isError(), qPrintable(run.error.message()));
    ContainerStream *stream = run.stream.get();
    WaitCall *wait = run.wait.get();
    QTRY_VERIFY_WITH_TIMEOUT(run.out->contains("tick\ntick\n"), 20000);

    // Killed, as a crash or a power cut would: every connection drops.
    const qint64 pid = readAll(engineDir + QStringLiteral("/dockerd.pid")).trimmed().toLongLong();
    QVERIFY(pid > 0);
    QElapsedTimer timer;
    timer.start();
    ::kill(pid_t(pid), SIGKILL);
    QTRY_VERIFY_WITH_TIMEOUT(wait->isFinished() && stream->isFinished(), 10000);
    QVERIFY2(timer.elapsed() < 5000, qPrintable(QString::number(timer.elapsed())));
    QVERIFY(!wait->result().ok());
    const QString message = wait->result().error().message();
    QVERIFY2(message.contains(QLatin1String("stopped answering")), qPrintable(message));
}

// A tcp:// host's GPUs come from nvidia-smi in a probe container there. The test image's stub
// answers the query only when the container was given every GPU and the utility capability (as
// the NVIDIA toolkit would); this machine has neither NVML nor nvidia-smi, so what the CLI lists
// can only be the host's. No probe container is left behind.
void TestTlsEngine::gpusThroughProbe()
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("HOME"), QDir::tempPath());
    env.insert(QStringLiteral("DOCKER_CONFIG"), tlsDir() + QStringLiteral("/docker-config"));
    env.insert(QStringLiteral("DOCKER_CONTEXT"), QStringLiteral("gpudeck-tls"));
    env.insert(QStringLiteral("DOCKER_HOST"), QString());
    env.insert(QStringLiteral("DOCKER_TLS_VERIFY"), QString());
    env.insert(QStringLiteral("DOCKER_CERT_PATH"), QString());
    env.insert(QStringLiteral("GPUDECK_NVML_PATH"),
               QStringLiteral("/nonexistent/libnvidia-ml.so.1"));
    // no nvidia-smi on this side
    env.insert(QStringLiteral("PATH"), QStringLiteral("/usr/bin:/bin"));
    QVERIFY(!QFileInfo::exists(QStringLiteral("/usr/bin/nvidia-smi")));

    const TestEngine::CliResult cli = TestEngine::runProgram(
        QStringLiteral(GPUDECK_BINARY), {QStringLiteral("gpus"), QStringLiteral("--json")}, env);
    QVERIFY2(cli.exitCode == 0, cli.err.constData());
    const QJsonObject json = QJsonDocument::fromJson(cli.out).object();
    const QJsonArray gpus = json.value(QStringLiteral("gpus")).toArray();
    QCOMPARE(gpus.size(), 2);
    const QJsonObject first = gpus.at(0).toObject();
    const QJsonObject second = gpus.at(1).toObject();
    QCOMPARE(first.value(QStringLiteral("uuid")).toString(),
             QStringLiteral("GPU-6bd9c3a4-0000-4000-8000-000000000000"));
    QCOMPARE(second.value(QStringLiteral("name")).toString(),
             QStringLiteral("NVIDIA Stand-in GPU"));
    QCOMPARE(json.value(QStringLiteral("driverVersion")).toString(), QStringLiteral("580.95.05"));
    // Idle: no process can be on it; busy: its processes are not visible from a container.
    QVERIFY2(first.value(QStringLiteral("processes")).isArray(), cli.out.constData());
    QVERIFY2(second.value(QStringLiteral("processes")).isNull(), cli.out.constData());

    // The table form says the same, and no probe container stays on the engine.
    const TestEngine::CliResult table = TestEngine::runProgram(QStringLiteral(GPUDECK_BINARY),
                                                               {QStringLiteral("gpus")}, env);
    QVERIFY2(table.exitCode == 0, table.err.constData());
    QVERIFY2(table.out.contains("GPU-6bd9c3a4-0000-4000-8000-000000000001"), table.out.constData());
    const TestEngine::CliResult left = TestEngine::docker(
        {QStringLiteral("ps"), QStringLiteral("-a"), QStringLiteral("-q"),
         QStringLiteral("--filter"), QStringLiteral("name=gpudeck-gpu-probe")});
    QCOMPARE(left.exitCode, 0);
    QCOMPARE(left.out.trimmed(), QByteArray());
}

// The probe's image is one of the engine's own CUDA images whose entrypoint runs the command; with
// none, one sentence says what to do instead of guessing.
void TestTlsEngine::probeImageChoice()
{
    auto docker = client(m_url, tlsEnv(tlsDir() + QStringLiteral("/certs")));
    const auto inspected = await<QJsonObject>(
        [&](QObject *ctx, DockerClient::Callback<QJsonObject> cb) {
            docker->inspectImage(QStringLiteral("gpudeck-test:latest"), ctx, cb);
        });
    QVERIFY2(inspected.ok(), qPrintable(inspected.error().message()));
    const QJsonObject test = inspected.value();
    QVERIFY(GpuProbe::canRunProbe(test)); // NVIDIA's label

    const auto withConfig = [&](const QString &tag, double size, const QJsonObject &config) {
        QJsonObject image = test;
        image.insert(QStringLiteral("RepoTags"), QJsonArray{tag});
        image.insert(QStringLiteral("Size"), size);
        image.insert(QStringLiteral("Config"), config);
        return image;
    };
    const QJsonObject plain = withConfig(QStringLiteral("busybox:latest"), 1e6, {});
    const QJsonObject ownEntrypoint =
        withConfig(QStringLiteral("tritonserver:latest"), 2e6,
                   {{QStringLiteral("Env"), QJsonArray{QStringLiteral("CUDA_VERSION=12.4.1")}},
                    {QStringLiteral("Entrypoint"), QJsonArray{QStringLiteral("/opt/serve")}}});
    const QJsonObject cuda = withConfig(
        QStringLiteral("nvidia/cuda:12.4.1-base-ubuntu22.04"), 3e8,
        {{QStringLiteral("Env"), QJsonArray{QStringLiteral("NVIDIA_REQUIRE_CUDA=cuda>=12.4")}},
         {QStringLiteral("Entrypoint"),
          QJsonArray{QStringLiteral("/opt/nvidia/nvidia_entrypoint.sh")}}});
    QVERIFY(!GpuProbe::canRunProbe(plain));
    QVERIFY(!GpuProbe::canRunProbe(ownEntrypoint));
    QVERIFY(GpuProbe::canRunProbe(cuda));

    // The smallest that can.
    QCOMPARE(GpuProbe::chooseImage({plain, cuda, ownEntrypoint}, QStringLiteral("gpu1")).value(),
             QStringLiteral("nvidia/cuda:12.4.1-base-ubuntu22.04"));
    const QJsonObject smaller = withConfig(QStringLiteral("cuda-small:1"), 5e7,
                                           cuda.value(QStringLiteral("Config")).toObject());
    QCOMPARE(GpuProbe::chooseImage({cuda, smaller}, QStringLiteral("gpu1")).value(),
             QStringLiteral("cuda-small:1"));

    const Result<QString> none = GpuProbe::chooseImage({plain, ownEntrypoint},
                                                       QStringLiteral("gpu1"));
    QVERIFY(!none.ok());
    const QString message = none.error().message();
    QVERIFY2(message.startsWith(QLatin1String("Cannot read the GPUs of gpu1")),
             qPrintable(message));
    QVERIFY2(message.contains(QLatin1String("docker pull nvidia/cuda")), qPrintable(message));
    QVERIFY2(message.contains(QLatin1String("ssh://gpu1")), qPrintable(message));
}

QTEST_GUILESS_MAIN(TestTlsEngine)
#include "tst_tlsengine.moc"
