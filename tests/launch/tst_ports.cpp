// Published ports against the real sandboxed dockerd (and, as launch_ports.ssh, through the test
// sshd). The engine has no default bridge and no iptables: the test makes a user-defined bridge
// network of its own (its bridge name unique to this engine and process) and docker's userland
// proxy publishes on the host. A busybox httpd published on 127.0.0.1 answers a real HTTP GET at
// the address the app's link names (over ssh: through the forward on the engine's ssh connection,
// which ends with close()); the docker CLI and the Docker SDK for Python running the exports make
// containers with the same ExposedPorts and PortBindings as the app's own create.
#include "Await.h"
#include "HttpGet.h"
#include "TestEngine.h"
#include "launch/DockerCreateBody.h"

#include "engine/DockerClient.h"
#include "launch/DockerRunExport.h"
#include "launch/Launcher.h"
#include "launch/PortLinks.h"
#include "launch/PortMapping.h"
#include "launch/PythonExport.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

class TestPorts : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void publishedHttpdAnswersThroughItsLink();
    void exportsMakeTheSameBindings();
    void everyFormAsDockerRun_data();
    void everyFormAsDockerRun();

private:
    QString name(const char *what) const
    {
        return QStringLiteral("gpudeck-ports-%1-%2")
            .arg(QCoreApplication::applicationPid())
            .arg(QLatin1String(what));
    }

    std::unique_ptr<DockerClient> m_client;
    QString m_network;
    QStringList m_containers;
};

namespace {

bool refuses(const QUrl &url)
{
    QTcpSocket socket;
    socket.connectToHost(url.host(), quint16(url.port()));
    return !socket.waitForConnected(2000);
}

// n consecutive TCP ports of 127.0.0.1 that nothing listens on now.
int freePorts(int n)
{
    for (int attempt = 0; attempt < 200; ++attempt) {
        QTcpServer first;
        if (!first.listen(QHostAddress::LocalHost, 0))
            return 0;
        const int base = first.serverPort();
        if (base + n > 65535)
            continue;
        bool all = true;
        std::vector<std::unique_ptr<QTcpServer>> held;
        for (int i = 1; i < n && all; ++i) {
            held.push_back(std::make_unique<QTcpServer>());
            all = held.back()->listen(QHostAddress::LocalHost, quint16(base + i));
        }
        if (all)
            return base;
    }
    return 0;
}

QJsonObject inspect(const QString &container)
{
    const TestEngine::CliResult cli = TestEngine::docker({QStringLiteral("inspect"), container});
    return cli.exitCode == 0 ? QJsonDocument::fromJson(cli.out).array().at(0).toObject()
                             : QJsonObject();
}

} // namespace

void TestPorts::initTestCase()
{
    GPUDECK_REQUIRE_ENGINE();
    m_client = std::make_unique<DockerClient>(
        EndpointResolver::resolve(TestEngine::host()).value());
    m_network = name("net");
    const QByteArray problem = TestEngine::createNetwork(m_network);
    QVERIFY2(problem.isEmpty(), problem.constData());
}

void TestPorts::cleanupTestCase()
{
    for (const QString &container : std::as_const(m_containers))
        TestEngine::docker({QStringLiteral("rm"), QStringLiteral("-f"), container});
    if (!m_network.isEmpty())
        TestEngine::docker({QStringLiteral("network"), QStringLiteral("rm"), m_network});
}

void TestPorts::publishedHttpdAnswersThroughItsLink()
{
    LaunchSpec spec;
    spec.image = QStringLiteral("gpudeck-test:latest");
    spec.command = {
        QStringLiteral("sh"), QStringLiteral("-c"),
        QStringLiteral(
            "mkdir -p /www && echo hello from the container > /www/index.html && "
            "echo ' or http://127.0.0.1:8080/lab?token=abc123' && exec httpd -f -p 8080 -h /www")};
    spec.networkMode = m_network;
    spec.ports = {QStringLiteral("127.0.0.1::8080")}; // the engine picks the host port
    spec.containerName = name("httpd");
    m_containers << spec.containerName;
    QVERIFY(spec.validate().isEmpty());

    Launcher launcher(m_client.get());
    QByteArray out;
    connect(&launcher, &Launcher::output, this,
            [&out](StreamDemuxer::Channel, const QByteArray &d) { out += d; });
    QSignalSpy finished(&launcher, &Launcher::finished);
    launcher.launch(spec);
    QTRY_VERIFY_WITH_TIMEOUT(launcher.state() == Launcher::State::Running || finished.count() > 0,
                             60000);
    QVERIFY2(launcher.state() == Launcher::State::Running, qPrintable(launcher.error().message()));

    PortLinks links(m_client.get());
    QSignalSpy ready(&links, &PortLinks::ready);
    QSignalSpy failed(&links, &PortLinks::failed);
    links.open(launcher.containerId());
    QVERIFY(ready.wait(30000) || ready.count() == 1);
    QVERIFY2(failed.isEmpty(),
             failed.isEmpty() ? "" : qPrintable(failed.first().first().value<Error>().message()));
    QCOMPARE(links.links().size(), 1);
    const PortLinks::Link link = links.links().first();
    QCOMPARE(link.published.containerPort, 8080);
    QCOMPARE(link.published.hostIp, QStringLiteral("127.0.0.1"));
    QVERIFY(link.published.hostPort > 0);
    QCOMPARE(link.forwarded, TestEngine::isRemote());
    QCOMPARE(link.url.host(), QStringLiteral("127.0.0.1"));
    if (!link.forwarded)
        QCOMPARE(link.url.port(), link.published.hostPort);

    // The link answers: on this machine, or through the ssh forward.
    const QByteArray page = httpGet(link.url, 30000);
    QVERIFY2(page.contains("hello from the container"), page.constData());

    // What the container printed becomes the URL of the published port.
    QTRY_VERIFY_WITH_TIMEOUT(out.contains("token=abc123"), 10000);
    const QList<PortLinks::Match> matches = links.find(QString::fromUtf8(out));
    QCOMPARE(matches.size(), 1);
    QUrl expected = link.url;
    expected.setPath(QStringLiteral("/lab"));
    expected.setQuery(QStringLiteral("token=abc123"));
    QCOMPARE(matches.first().target, expected);
    QCOMPARE(out.mid(matches.first().start, matches.first().length),
             QByteArray("http://127.0.0.1:8080/lab?token=abc123"));
    QVERIFY(!links.rewrite(QUrl(QStringLiteral("http://pypi.org:8080/"))).isValid());

    // The forward ends with the container.
    launcher.stop(1);
    QVERIFY(finished.wait(30000));
    links.close();
    if (link.forwarded)
        QTRY_VERIFY_WITH_TIMEOUT(refuses(link.url), 10000);
}

void TestPorts::exportsMakeTheSameBindings()
{
    const int fixed = freePorts(6);
    QVERIFY(fixed > 0);
    LaunchSpec spec;
    spec.image = QStringLiteral("gpudeck-test:latest");
    spec.command = {QStringLiteral("sleep"), QStringLiteral("600")};
    spec.autoRemove = false;
    spec.networkMode = m_network;
    spec.ports = {QStringLiteral("127.0.0.1:%1:8888").arg(fixed),
                  QStringLiteral("127.0.0.1::7000-7001"),
                  QStringLiteral("127.0.0.1:%1-%2:9000-9001").arg(fixed + 1).arg(fixed + 2),
                  QStringLiteral("127.0.0.1:%1-%2:80").arg(fixed + 3).arg(fixed + 5),
                  QStringLiteral("127.0.0.1::5353/udp")};
    QVERIFY(spec.validate().isEmpty());

    // The app's own create (not started: the others may then use the same host ports).
    LaunchSpec ours = spec;
    ours.containerName = name("ours");
    m_containers << ours.containerName;
    const Result<QString> created = await<QString>([&](QObject *ctx,
                                                       DockerClient::Callback<QString> cb) {
        m_client->createContainer(DockerCreateBody::build(ours, true), ours.containerName, ctx, cb);
    });
    QVERIFY2(created.ok(), qPrintable(created.error().message()));

    // docker create with the words of the docker-run export.
    LaunchSpec cli = spec;
    cli.containerName = name("cli");
    m_containers << cli.containerName;
    QStringList words = DockerRunExport::arguments(cli, false).mid(1);
    QCOMPARE(words.first(), QStringLiteral("run"));
    words.first() = QStringLiteral("create");
    const TestEngine::CliResult made = TestEngine::docker(words);
    QVERIFY2(made.exitCode == 0, made.err.constData());

    // The Python export, run (detached) by Debian's python3-docker.
    LaunchSpec python = spec;
    python.containerName = name("python");
    m_containers << python.containerName;
    QTemporaryDir dir;
    QFile script(dir.filePath(QStringLiteral("launch.py")));
    QVERIFY(script.open(QIODevice::WriteOnly));
    script.write(PythonExport::script(python, true).toUtf8());
    script.close();
    const TestEngine::CliResult ran = TestEngine::runProgram(QStringLiteral("/usr/bin/python3"),
                                                             {script.fileName()},
                                                             TestEngine::localCliEnvironment());
    QVERIFY2(ran.exitCode == 0, ran.err.constData());

    const QJsonObject a = inspect(ours.containerName);
    const QJsonObject b = inspect(cli.containerName);
    const QJsonObject c = inspect(python.containerName);
    const auto bindings = [](const QJsonObject &o) {
        return o.value(QStringLiteral("HostConfig"))
            .toObject()
            .value(QStringLiteral("PortBindings"))
            .toObject();
    };
    const auto exposed = [](const QJsonObject &o) {
        return o.value(QStringLiteral("Config"))
            .toObject()
            .value(QStringLiteral("ExposedPorts"))
            .toObject();
    };
    QCOMPARE(bindings(a), DockerCreateBody::build(spec)
                              .value(QStringLiteral("HostConfig"))
                              .toObject()
                              .value(QStringLiteral("PortBindings"))
                              .toObject());
    QCOMPARE(bindings(a).keys(),
             (QStringList{QStringLiteral("5353/udp"), QStringLiteral("7000/tcp"),
                          QStringLiteral("7001/tcp"), QStringLiteral("80/tcp"),
                          QStringLiteral("8888/tcp"), QStringLiteral("9000/tcp"),
                          QStringLiteral("9001/tcp")}));
    QCOMPARE(bindings(b), bindings(a));
    QCOMPARE(bindings(c), bindings(a));
    QCOMPARE(exposed(b), exposed(a));
    QCOMPARE(exposed(c), exposed(a));
    // The Python launch runs: its published port is read back from the engine.
    const QList<PortMappings::Published> published = PortMappings::fromInspect(c);
    QVERIFY(std::any_of(published.cbegin(), published.cend(),
                        [fixed](const PortMappings::Published &p) {
                            return p.containerPort == 8888 && p.hostPort == fixed
                                   && p.hostIp == QLatin1String("127.0.0.1");
                        }));
}

void TestPorts::everyFormAsDockerRun_data()
{
    // Cases read from the docker CLI's run options and go-connections' nat tests, written anew:
    // each is given to the real docker CLI and to the parser, and both must agree. (A bare IPv6
    // address, ::1:6006:6006, is left out: docker 20.10 refuses it, newer CLIs take it, as the
    // parser does.)
    QTest::addColumn<QString>("entry");
    for (const char *entry :
         {"80", "0", "0:80", "127.0.0.1:0:80", "[::1]:0:80", "0.0.0.0:0:80", "0-0:80", "8080:080",
          "1-2-3", "65535:65535", "8000-8002:80", "80/", "80/TCP", "53/udp/x",
          "target=80,published=8080,protocol=udp", "target=80", "target=80,published=0",
          "target=80,published=8080,mode=host", "target=80,foo=bar",
          "target=80-81,published=8080-8081", "target=80,published=8080,target=81", "target=80/udp",
          // refused by both
          "65536", "70000:80", "+80", "80-", "-80", "80/quic", "1.2.3:80:80", "8000-8002:80-81",
          "published=8080", "target=", "=80", "target=80,,published=1", "8080:"})
        QTest::newRow(entry) << QString::fromUtf8(entry);
}

void TestPorts::everyFormAsDockerRun()
{
    QFETCH(QString, entry);
    const QString container = name("form");
    TestEngine::docker({QStringLiteral("rm"), QStringLiteral("-f"), container});
    const TestEngine::CliResult made = TestEngine::docker(
        {QStringLiteral("create"), QStringLiteral("--network"), QStringLiteral("none"),
         QStringLiteral("-p"), entry, QStringLiteral("--name"), container,
         QStringLiteral("gpudeck-test:latest")});
    const auto cleanup = qScopeGuard([&] {
        TestEngine::docker({QStringLiteral("rm"), QStringLiteral("-f"), container});
    });
    const Result<PortMapping> parsed = PortMapping::parse(entry);
    QCOMPARE(parsed.ok(), made.exitCode == 0);
    if (!parsed.ok())
        return;
    const QJsonObject cli = inspect(container);
    QCOMPARE(PortMappings::portBindings({entry}), cli.value(QStringLiteral("HostConfig"))
                                                      .toObject()
                                                      .value(QStringLiteral("PortBindings"))
                                                      .toObject());
    QCOMPARE(PortMappings::exposedPorts({entry}), cli.value(QStringLiteral("Config"))
                                                      .toObject()
                                                      .value(QStringLiteral("ExposedPorts"))
                                                      .toObject());
}

QTEST_GUILESS_MAIN(TestPorts)
#include "tst_ports.moc"
