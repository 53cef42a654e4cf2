// ssh:// engines against a real sshd on loopback (fixture "sshd") in front of the sandboxed dockerd:
// ssh's own refusals as one clear sentence each, one ssh process for every call, ssh killed in the
// middle of a stream, and no ssh process left behind by the client or by a killed gpudeck.
#include "Await.h"
#include "ContainerRun.h"
#include "FakeSmi.h"
#include "TestEngine.h"

#include "engine/ContainerStream.h"
#include "engine/DockerClient.h"
#include "engine/WaitCall.h"
#include "gpu/GpuInventory.h"
#include "gpu/ShellGpuHost.h"
#include "transport/RemoteShell.h"
#include "transport/SshTunnel.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QScopeGuard>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <optional>

Q_DECLARE_METATYPE(Error::Code)

namespace {

constexpr int kStepTimeoutMs = 20000; // each of attach, wait and start

QString engineSocket()
{
    return TestEngine::socketPath();
}

Result<QString> ping(DockerClient &client)
{
    return await<QString>(
        [&](QObject *ctx, DockerClient::Callback<QString> cb) { client.ping(ctx, cb); });
}

bool processAlive(qint64 pid)
{
    if (pid <= 0)
        return false;
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return false;
    const QByteArray line = stat.readAll();
    const qsizetype close = line.lastIndexOf(')');
    return close > 0 && line.mid(close + 2, 1) != "Z"; // a zombie has exited
}

// The ssh processes whose parent is pid.
QList<qint64> sshChildren(qint64 parent)
{
    QList<qint64> children;
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs);
    for (const QString &entry : entries) {
        bool ok = false;
        const qint64 pid = entry.toLongLong(&ok);
        if (!ok)
            continue;
        QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
        if (!stat.open(QIODevice::ReadOnly))
            continue;
        const QByteArray line = stat.readAll();
        const qsizetype open = line.indexOf('(');
        const qsizetype close = line.lastIndexOf(')');
        if (open < 0 || close < 0)
            continue;
        const QByteArray comm = line.mid(open + 1, close - open - 1);
        const QList<QByteArray> rest = line.mid(close + 2).split(' ');
        if (comm == "ssh" && rest.value(1).toLongLong() == parent && rest.value(0) != "Z")
            children.append(pid);
    }
    return children;
}

QJsonObject tickingContainer()
{
    return QJsonObject{{QStringLiteral("Image"), QStringLiteral("gpudeck-test:latest")},
                       {QStringLiteral("Cmd"),
                        QJsonArray{QStringLiteral("sh"), QStringLiteral("-c"),
                                   QStringLiteral("while true; do echo tick; sleep 0.1; done")}},
                       {QStringLiteral("AttachStdout"), true},
                       {QStringLiteral("AttachStderr"), true},
                       {QStringLiteral("HostConfig"),
                        QJsonObject{{QStringLiteral("NetworkMode"), QStringLiteral("none")},
                                    {QStringLiteral("AutoRemove"), true}}}};
}

} // namespace

class TestSshEngine : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void refusals_data();
    void refusals();
    void oneSshForEveryCall();
    void sshKilledMidStream();
    void droppedClientLeavesNoSsh();
    void cliOverSsh();
    void killedCliLeavesNoSsh();
    void remoteGpus();
    void enginesCommand();

private:
    std::unique_ptr<DockerClient> client(const QString &url);
};

void TestSshEngine::initTestCase()
{
    GPUDECK_REQUIRE_ENGINE();
    QVERIFY2(TestEngine::host().startsWith(QLatin1String("ssh://")),
             "run through ctest: the SSH test gets an ssh:// GPUDECK_TEST_HOST");
    QVERIFY(!SshTunnel::sshProgram().isEmpty());
}

std::unique_ptr<DockerClient> TestSshEngine::client(const QString &url)
{
    const Result<Endpoint> endpoint = EndpointResolver::fromUrl(url, QStringLiteral("test"));
    if (!endpoint)
        qFatal("bad test URL %s", qPrintable(url));
    return std::make_unique<DockerClient>(endpoint.value());
}

void TestSshEngine::refusals_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<Error::Code>("code");
    QTest::addColumn<QStringList>("parts"); // in the one sentence the user reads
    const QString sock = engineSocket();
    // The aliases are in the test sshd's ssh_config (tests/scripts/test-sshd.sh).
    QTest::newRow("host key changed")
        << QStringLiteral("ssh://gpudeck-test-changed") + sock << Error::Code::SshHostKey
        << QStringList{QStringLiteral("gpudeck-test-changed"), QStringLiteral("changed"),
                       QStringLiteral("ssh-keygen -R gpudeck-test-changed")};
    QTest::newRow("host key unknown")
        << QStringLiteral("ssh://gpudeck-test-unknown") + sock << Error::Code::SshHostKey
        << QStringList{QStringLiteral("not in your known_hosts"), QStringLiteral("fingerprint")};
    QTest::newRow("key refused") << QStringLiteral("ssh://gpudeck-test-refused") + sock
                                 << Error::Code::SshAuth
                                 << QStringList{QStringLiteral("refused the login"),
                                                QStringLiteral("ssh-add"),
                                                QStringLiteral("never asks for a password")};
    QTest::newRow("no engine socket at that path")
        << QStringLiteral("ssh://gpudeck-test/nonexistent/docker.sock")
        << Error::Code::SocketNotFound
        << QStringList{QStringLiteral("no engine socket at /nonexistent/docker.sock"),
                       QStringLiteral("docker group")};
    QTest::newRow("nothing listens on the port")
        << QStringLiteral("ssh://root@127.0.0.1:1") + sock << Error::Code::ConnectionFailed
        << QStringList{QStringLiteral("connection refused"), QStringLiteral("ssh 127.0.0.1")};
    QTest::newRow("unknown host name")
        << QStringLiteral("ssh://no-such-host.invalid") + sock << Error::Code::HostNotFound
        << QStringList{QStringLiteral("no-such-host.invalid"), QStringLiteral("~/.ssh/config")};
}

void TestSshEngine::refusals()
{
    QFETCH(QString, url);
    QFETCH(Error::Code, code);
    QFETCH(QStringList, parts);
    QElapsedTimer timer;
    timer.start();
    auto docker = client(url);
    const Result<QString> answer = ping(*docker);
    QVERIFY(!answer.ok());
    const QString message = answer.error().message();
    QCOMPARE(answer.error().code(), code);
    for (const QString &part : std::as_const(parts))
        QVERIFY2(message.contains(part),
                 qPrintable(QStringLiteral("'%1' not in: %2").arg(part, message)));
    // ssh's banner is not the message
    QVERIFY2(!message.contains(QLatin1String("@@@@")), qPrintable(message));
    QVERIFY2(timer.elapsed() < 15000, qPrintable(QString::number(timer.elapsed())));
}

void TestSshEngine::oneSshForEveryCall()
{
    auto docker = client(TestEngine::host());
    QVERIFY2(ping(*docker).ok(), "ping over ssh");
    SshTunnel *tunnel = docker->sshTunnel();
    QVERIFY(tunnel);
    const qint64 pid = tunnel->processId();
    QVERIFY(processAlive(pid));
    for (int i = 0; i < 5; ++i) {
        const auto images = await<QList<ImageSummary>>(
            [&](QObject *ctx, DockerClient::Callback<QList<ImageSummary>> cb) {
                docker->images(ctx, cb);
            });
        QVERIFY2(images.ok(), qPrintable(images.error().message()));
    }
    // Streams too: a whole launch on the same ssh connection.
    QJsonObject body = tickingContainer();
    body.insert(QStringLiteral("Cmd"), QJsonArray{QStringLiteral("echo"), QStringLiteral("hello")});
    const StartedContainer run = startContainer(*docker, body, QStringLiteral("removed"),
                                                kStepTimeoutMs);
    QVERIFY2(!run.error.isError(), qPrintable(run.error.message()));
    QTRY_VERIFY_WITH_TIMEOUT(run.stream->isFinished() && run.wait->isFinished(), 30000);
    QCOMPARE(*run.out + *run.err, QByteArray("hello\n"));
    QCOMPARE(tunnel->startCount(), 1);
    QCOMPARE(tunnel->processId(), pid);
    QCOMPARE(sshChildren(QCoreApplication::applicationPid()).size(), 1);
}

void TestSshEngine::sshKilledMidStream()
{
    auto docker = client(TestEngine::host());
    const StartedContainer run = startContainer(*docker, tickingContainer(),
                                                QStringLiteral("removed"), kStepTimeoutMs);
    QVERIFY2(!run.error.isError(), qPrintable(run.error.message()));
    const QString id = run.id;
    ContainerStream *stream = run.stream.get();
    WaitCall *wait = run.wait.get();
    const QByteArray &out = *run.out;
    QTRY_VERIFY_WITH_TIMEOUT(out.contains("tick\ntick\n"), 20000);

    const qint64 pid = docker->sshTunnel()->processId();
    QVERIFY(pid > 0);
    QElapsedTimer timer;
    timer.start();
    ::kill(pid_t(pid), SIGKILL);
    QTRY_VERIFY_WITH_TIMEOUT(stream->isFinished() && wait->isFinished(), 10000);
    QVERIFY2(timer.elapsed() < 5000, qPrintable(QString::number(timer.elapsed())));
    // Never a quiet end of output: the stream says the ssh connection ended.
    QCOMPARE(stream->error().code(), Error::Code::Ssh);
    QVERIFY2(stream->error().message().contains(QLatin1String("ssh connection")),
             qPrintable(stream->error().message()));
    QVERIFY(!wait->result().ok());

    // The next call brings the tunnel back.
    QVERIFY2(ping(*docker).ok(), "ping after ssh came back");
    QCOMPARE(docker->sshTunnel()->startCount(), 2);
    TestEngine::docker({QStringLiteral("rm"), QStringLiteral("-f"), id});
}

void TestSshEngine::droppedClientLeavesNoSsh()
{
    auto docker = client(TestEngine::host());
    QVERIFY(ping(*docker).ok());
    const qint64 pid = docker->sshTunnel()->processId();
    const QString controlDir = QFileInfo(docker->sshTunnel()->localSocket()).path();
    QVERIFY(processAlive(pid));
    docker.reset();
    QVERIFY(!processAlive(pid));
    // the private socket directory goes too
    QVERIFY2(!QFileInfo::exists(controlDir), qPrintable(controlDir));
}

void TestSshEngine::cliOverSsh()
{
    QTemporaryDir dir;
    const QString preset = dir.filePath(QStringLiteral("hello.json"));
    QFile file(preset);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(
        R"({"format": "gpudeck-preset", "version": 1, "name": "hello", "image": "gpudeck-test:latest",
                   "command": ["sh", "-c", "nvidia-smi; echo to-stderr >&2; exit 3"], "gpus": {"mode": "devices", "devices": ["0"]},
                   "networkMode": "none", "autoRemove": true})");
    file.close();
    // -H is the short form of --host, before or after the command.
    const QStringList variants[] = {{QStringLiteral("-H"), TestEngine::host(),
                                     QStringLiteral("run"), QStringLiteral("--preset"), preset},
                                    {QStringLiteral("run"), QStringLiteral("--preset"), preset,
                                     QStringLiteral("-H"), TestEngine::host()}};
    for (const QStringList &args : variants) {
        const TestEngine::CliResult run = TestEngine::runProgram(QStringLiteral(GPUDECK_BINARY),
                                                                 args);
        QCOMPARE(run.exitCode, 3);
        QCOMPARE(run.out, QByteArray("NVIDIA_VISIBLE_DEVICES=0\nNVIDIA_DRIVER_CAPABILITIES=\n"));
        QCOMPARE(run.err, QByteArray("to-stderr\n"));
    }
    const TestEngine::CliResult images = TestEngine::runProgram(QStringLiteral(GPUDECK_BINARY),
                                                                {QStringLiteral("-H"),
                                                                 TestEngine::host(),
                                                                 QStringLiteral("images")});
    QCOMPARE(images.exitCode, 0);
    QVERIFY(images.out.contains("gpudeck-test:latest"));
    const TestEngine::CliResult refused = TestEngine::runProgram(
        QStringLiteral(GPUDECK_BINARY),
        {QStringLiteral("-H"), QStringLiteral("ssh://gpudeck-test-changed") + engineSocket(),
         QStringLiteral("images")});
    QVERIFY(refused.exitCode != 0);
    QCOMPARE(refused.err.count('\n'), 1); // one sentence
    QVERIFY2(refused.err.contains("host key"), refused.err.constData());

    // A preset that names its engine runs there, over DOCKER_HOST, and says so on stderr.
    QFile withEngine(dir.filePath(QStringLiteral("remote.json")));
    QVERIFY(withEngine.open(QIODevice::WriteOnly));
    withEngine.write(
        QStringLiteral(
            R"({"format": "gpudeck-preset", "version": 1, "name": "remote", "image": "gpudeck-test:latest",
        "command": ["nvidia-smi"], "gpus": {"mode": "all"}, "networkMode": "none", "autoRemove": true, "engine": "%1"})")
            .arg(TestEngine::host())
            .toUtf8());
    withEngine.close();
    QProcessEnvironment elsewhere;
    elsewhere.insert(QStringLiteral("DOCKER_HOST"),
                     QStringLiteral("unix:///nonexistent/docker.sock"));
    const TestEngine::CliResult there = TestEngine::runProgram(
        QStringLiteral(GPUDECK_BINARY),
        {QStringLiteral("run"), QStringLiteral("--preset"), withEngine.fileName()}, elsewhere);
    QVERIFY2(there.exitCode == 0, there.err.constData());
    QCOMPARE(there.out, QByteArray("NVIDIA_VISIBLE_DEVICES=all\nNVIDIA_DRIVER_CAPABILITIES=\n"));
    QCOMPARE(there.err, QByteArray("gpudeck: launching on " + TestEngine::host().toUtf8()
                                   + " (the preset's engine)\n"));
    // --host still wins: here it points nowhere, so the launch fails instead of going to the preset's engine.
    const TestEngine::CliResult overridden = TestEngine::runProgram(
        QStringLiteral(GPUDECK_BINARY),
        {QStringLiteral("-H"), QStringLiteral("unix:///nonexistent/docker.sock"),
         QStringLiteral("run"), QStringLiteral("--preset"), withEngine.fileName()});
    QCOMPARE(overridden.exitCode, 125);
    QVERIFY2(overridden.err.contains("/nonexistent/docker.sock"), overridden.err.constData());
    const TestEngine::CliResult shown = TestEngine::runProgram(
        QStringLiteral(GPUDECK_BINARY),
        {QStringLiteral("preset"), QStringLiteral("show"), withEngine.fileName(),
         QStringLiteral("--format"), QStringLiteral("docker-run")});
    QVERIFY2(shown.out.startsWith(QByteArray("docker -H " + TestEngine::host().toUtf8() + " run ")),
             shown.out.constData());
}

void TestSshEngine::killedCliLeavesNoSsh()
{
    QTemporaryDir dir;
    const QString preset = dir.filePath(QStringLiteral("ticking.json"));
    QFile file(preset);
    QVERIFY(file.open(QIODevice::WriteOnly));
    const QString name =
        QStringLiteral("gpudeck-ssh-orphan-%1").arg(QCoreApplication::applicationPid());
    file.write(
        QStringLiteral(
            R"({"format": "gpudeck-preset", "version": 1, "name": "t", "image": "gpudeck-test:latest",
        "command": ["sh", "-c", "while true; do echo tick; sleep 0.1; done"], "gpus": {"mode": "none"},
        "networkMode": "none", "autoRemove": true, "containerName": "%1"})")
            .arg(name)
            .toUtf8());
    file.close();
    QProcess gpudeck;
    gpudeck.start(QStringLiteral(GPUDECK_BINARY),
                  {QStringLiteral("-H"), TestEngine::host(), QStringLiteral("run"),
                   QStringLiteral("--preset"), preset});
    QVERIFY(gpudeck.waitForStarted());
    // Running: the container is up and its output flows through gpudeck's one ssh child.
    QTRY_VERIFY_WITH_TIMEOUT(TestEngine::docker({QStringLiteral("inspect"), QStringLiteral("-f"),
                                                 QStringLiteral("{{.State.Running}}"), name})
                                     .out.trimmed()
                                 == "true",
                             30000);
    const QList<qint64> ssh = sshChildren(gpudeck.processId());
    QCOMPARE(ssh.size(), 1);
    ::kill(pid_t(gpudeck.processId()), SIGKILL);
    QVERIFY(gpudeck.waitForFinished(5000));
    QTRY_VERIFY_WITH_TIMEOUT(!processAlive(ssh.first()), 5000);
    TestEngine::docker({QStringLiteral("rm"), QStringLiteral("-f"), name});
}

// The host's GPUs come from its own nvidia-smi (a stand-in first on the remote PATH; this side has
// neither NVML nor nvidia-smi), through one shell on the engine's ssh connection.
void TestSshEngine::remoteGpus()
{
    FakeSmi smi;
    QFile capture(QStringLiteral(GPUDECK_FIXTURES_DIR "/nvidia-smi/h100-query-gpu.csv"));
    QVERIFY(capture.open(QIODevice::ReadOnly));
    smi.write(QStringLiteral("identity.csv"), capture.readAll());
    smi.write(QStringLiteral("live.csv"), "0, 40000, 97, 50, 61, 300.00, 700.00\n");
    const QString remote = qEnvironmentVariable("GPUDECK_TEST_SSH_DIR")
                           + QStringLiteral("/remote-bin/nvidia-smi");
    QFile::remove(remote);
    QVERIFY(QFile::link(smi.path(), remote));
    const auto unlink = qScopeGuard([&]() { QFile::remove(remote); });
    // none on this side
    QVERIFY(QStandardPaths::findExecutable(QStringLiteral("nvidia-smi")).isEmpty());

    QProcessEnvironment env;
    env.insert(QStringLiteral("GPUDECK_NVML_PATH"),
               QStringLiteral("/nonexistent/libnvidia-ml.so.1"));
    const TestEngine::CliResult cli = TestEngine::runProgram(QStringLiteral(GPUDECK_BINARY),
                                                             {QStringLiteral("-H"),
                                                              TestEngine::host(),
                                                              QStringLiteral("gpus"),
                                                              QStringLiteral("--json")},
                                                             env);
    QVERIFY2(cli.exitCode == 0, cli.err.constData());
    const QJsonObject json = QJsonDocument::fromJson(cli.out).object();
    const QJsonArray gpus = json.value(QStringLiteral("gpus")).toArray();
    QCOMPARE(gpus.size(), 1);
    QCOMPARE(gpus.at(0).toObject().value(QStringLiteral("uuid")).toString(),
             QStringLiteral("GPU-6bd9bc12-8874-799d-c3ad-a49e94f1b9e2"));
    QVERIFY(smi.calls().contains("--query-gpu=index,uuid"));

    // Polling: one shell for every refresh, no new ssh process.
    auto docker = client(TestEngine::host());
    QVERIFY(ping(*docker).ok());
    RemoteShell shell(docker->sshTunnel());
    GpuInventory inventory;
    ShellGpuHost host(&shell);
    inventory.setHost(&host);
    GpuSnapshot first = inventory.readBlocking();
    QVERIFY2(first.ok(), qPrintable(first.error.message()));
    QCOMPARE(first.gpus.at(0).name, QStringLiteral("NVIDIA H100 80GB HBM3"));
    const QList<qint64> before = sshChildren(QCoreApplication::applicationPid());
    QElapsedTimer timer;
    timer.start();
    const int reads = 5;
    GpuSnapshot live;
    for (int i = 0; i < reads; ++i)
        live = inventory.readBlocking();
    qInfo("remote GPU refresh over ssh: %.1f ms each (mean of %d)", timer.elapsed() / double(reads),
          reads);
    QCOMPARE(live.gpus.at(0).gpuUtil, 97);
    QCOMPARE(live.gpus.at(0).memoryUsed, qint64(40000) * 1024 * 1024);
    QCOMPARE(shell.startCount(), 1);
    QCOMPARE(docker->sshTunnel()->startCount(), 1);
    QCOMPARE(sshChildren(QCoreApplication::applicationPid()), before);
}

// `gpudeck engines`: every engine asked in parallel; a dead one is down with its reason, the others
// connected with their kind and their host's GPU count; exit 0 all the same.
void TestSshEngine::enginesCommand()
{
    FakeSmi smi;
    QFile capture(QStringLiteral(GPUDECK_FIXTURES_DIR "/nvidia-smi/h100-query-gpu.csv"));
    QVERIFY(capture.open(QIODevice::ReadOnly));
    smi.write(QStringLiteral("identity.csv"), capture.readAll());
    const QString remote = qEnvironmentVariable("GPUDECK_TEST_SSH_DIR")
                           + QStringLiteral("/remote-bin/nvidia-smi");
    QFile::remove(remote);
    QVERIFY(QFile::link(smi.path(), remote));
    const auto unlink = qScopeGuard([&]() { QFile::remove(remote); });

    QTemporaryDir config;
    const auto writeContext = [&](const QString &name, const QString &host) {
        const QString hash = QString::fromLatin1(
            QCryptographicHash::hash(name.toUtf8(), QCryptographicHash::Sha256).toHex());
        QDir().mkpath(config.filePath(QStringLiteral("contexts/meta/") + hash));
        QFile meta(config.filePath(QStringLiteral("contexts/meta/") + hash
                                   + QStringLiteral("/meta.json")));
        if (meta.open(QIODevice::WriteOnly)) {
            meta.write(
                QJsonDocument(
                    QJsonObject{{QStringLiteral("Name"), name},
                                {QStringLiteral("Endpoints"),
                                 QJsonObject{{QStringLiteral("docker"),
                                              QJsonObject{{QStringLiteral("Host"), host}}}}}})
                    .toJson());
        }
    };
    writeContext(QStringLiteral("gpu-server"), TestEngine::host());
    writeContext(QStringLiteral("gone"),
                 QStringLiteral("ssh://gpudeck-test/nonexistent/docker.sock"));
    QProcessEnvironment env;
    env.insert(QStringLiteral("DOCKER_CONFIG"), config.path());
    env.insert(QStringLiteral("DOCKER_HOST"), TestEngine::dockerHost());
    env.insert(QStringLiteral("GPUDECK_NVML_PATH"),
               QStringLiteral("/nonexistent/libnvidia-ml.so.1"));
    QElapsedTimer timer;
    timer.start();
    const TestEngine::CliResult cli = TestEngine::runProgram(
        QStringLiteral(GPUDECK_BINARY), {QStringLiteral("engines"), QStringLiteral("--json")}, env);
    QCOMPARE(cli.exitCode, 0);
    QVERIFY2(timer.elapsed() < 15000, qPrintable(QString::number(timer.elapsed())));
    QMap<QString, QJsonObject> byName;
    for (const QJsonValue &value : QJsonDocument::fromJson(cli.out).array())
        byName.insert(value.toObject().value(QStringLiteral("name")).toString(), value.toObject());
    const QJsonObject server = byName.value(QStringLiteral("gpu-server"));
    QCOMPARE(server.value(QStringLiteral("state")).toString(), QStringLiteral("connected"));
    QVERIFY(server.value(QStringLiteral("engine")).toString().startsWith(QLatin1String("Docker ")));
    QCOMPARE(server.value(QStringLiteral("gpus")).toInt(-1), 1); // the remote stand-in's H100
    const QJsonObject gone = byName.value(QStringLiteral("gone"));
    QCOMPARE(gone.value(QStringLiteral("state")).toString(), QStringLiteral("down"));
    QVERIFY2(
        gone.value(QStringLiteral("reason")).toString().contains(QLatin1String("no engine socket")),
        qPrintable(gone.value(QStringLiteral("reason")).toString()));
    const QJsonObject local = byName.value(TestEngine::dockerHost());
    QCOMPARE(local.value(QStringLiteral("source")).toString(), QStringLiteral("DOCKER_HOST"));
    QCOMPARE(local.value(QStringLiteral("state")).toString(), QStringLiteral("connected"));
    QVERIFY(local.value(QStringLiteral("current")).toBool());
    // this machine has no driver: unknown, never 0
    QVERIFY(local.value(QStringLiteral("gpus")).isNull());
}

QTEST_GUILESS_MAIN(TestSshEngine)
#include "tst_sshengine.moc"
