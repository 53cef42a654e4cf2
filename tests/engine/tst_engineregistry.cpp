// The registry of engines: which engines it knows (contexts, DOCKER_HOST, --host, added URLs), added
// URLs kept in QSettings and checked (duplicates, bad addresses), and engines that watch themselves
// against the real sandboxed dockerd: a dead socket and a silent host each go down on their own
// while the live one stays connected. Also: DockerClient::reset() leaves running streams alone, and
// which engines share a GPU host (Endpoint::gpuHostKey) among those known.
#include "Await.h"
#include "TestEngine.h"
#include "engine/DockerClient.h"
#include "engine/JsonStream.h"
#include "fleet/Engine.h"
#include "fleet/EngineRegistry.h"

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <utility>

class TestEngineRegistry : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void knownEngines();
    void addedUrlsPersist();
    void badUrls_data();
    void badUrls();
    void duplicates();
    void unreadablePodmanConnections();
    void onlyAddedCanBeRemoved();
    void enginesWatchThemselves();
    void resetKeepsStreams();
    void enginesCommandListsAdded();
    void gpuHostKeys_data();
    void gpuHostKeys();
    void knownOnTheGpuHost();

private:
    QProcessEnvironment environment() const;
    void writeContext(const QString &name, const QString &host) const;

    QTemporaryDir m_settings;
    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestEngineRegistry::initTestCase()
{
    QVERIFY(m_settings.isValid());
    QCoreApplication::setOrganizationName(QStringLiteral("gpudeck-test"));
    QCoreApplication::setApplicationName(QStringLiteral("gpudeck-test-registry"));
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settings.path());
}

void TestEngineRegistry::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    QSettings().clear();
}

// Never the real environment or ~/.docker: a home and a docker config of the test's own.
QProcessEnvironment TestEngineRegistry::environment() const
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("HOME"), m_dir->filePath(QStringLiteral("home")));
    env.insert(QStringLiteral("DOCKER_CONFIG"), m_dir->filePath(QStringLiteral("docker")));
    // nor the machine's Podman connections (/etc/containers)
    env.insert(QStringLiteral("CONTAINERS_CONF"),
               m_dir->filePath(QStringLiteral("containers.conf")));
    return env;
}

void TestEngineRegistry::writeContext(const QString &name, const QString &host) const
{
    const QString hash = QString::fromLatin1(
        QCryptographicHash::hash(name.toUtf8(), QCryptographicHash::Sha256).toHex());
    const QString dir = m_dir->filePath(QStringLiteral("docker/contexts/meta/") + hash);
    QVERIFY(QDir().mkpath(dir));
    QFile meta(dir + QStringLiteral("/meta.json"));
    QVERIFY(meta.open(QIODevice::WriteOnly));
    QJsonObject endpoints;
    if (!host.isEmpty())
        endpoints.insert(QStringLiteral("docker"), QJsonObject{{QStringLiteral("Host"), host}});
    meta.write(QJsonDocument(QJsonObject{{QStringLiteral("Name"), name},
                                         {QStringLiteral("Endpoints"), endpoints}})
                   .toJson());
}

// In order: default and the contexts, DOCKER_HOST, --host, then the added URLs; --host is the
// current one; an added URL that another source already names is not listed twice.
void TestEngineRegistry::knownEngines()
{
    writeContext(QStringLiteral("gpu1"), QStringLiteral("ssh://me@gpu1"));
    writeContext(QStringLiteral("broken"), QString());
    QProcessEnvironment env = environment();
    env.insert(QStringLiteral("DOCKER_HOST"), QStringLiteral("unix:///run/a.sock"));
    const QList<EngineRegistry::Entry> entries = EngineRegistry::known(
        QStringLiteral("tcp://gpu2:2375"),
        {QStringLiteral("ssh://me@gpu3"), QStringLiteral("unix:///run/a.sock")}, env);
    QStringList names;
    QStringList sources;
    for (const EngineRegistry::Entry &entry : entries) {
        names.append(entry.name);
        sources.append(entry.source);
    }
    QCOMPARE(names,
             (QStringList{QStringLiteral("default"), QStringLiteral("broken"),
                          QStringLiteral("gpu1"), QStringLiteral("unix:///run/a.sock"),
                          QStringLiteral("tcp://gpu2:2375"), QStringLiteral("ssh://me@gpu3")}));
    QCOMPARE(sources, (QStringList{QStringLiteral("default"), QStringLiteral("context"),
                                   QStringLiteral("context"), QStringLiteral("DOCKER_HOST"),
                                   QStringLiteral("--host"), QStringLiteral("added")}));
    for (const EngineRegistry::Entry &entry : entries)
        QCOMPARE(entry.current, entry.source == QLatin1String("--host"));
    QVERIFY(!entries.at(1).endpoint.ok()); // a context without an address: listed, with the reason
    QVERIFY(entries.at(1).endpoint.error().message().contains(QLatin1String("no engine address")));
    QCOMPARE(entries.at(2).endpoint.value().kind, Endpoint::Kind::Ssh);
    QCOMPARE(entries.at(2).endpoint.value().host, QStringLiteral("gpu1"));
}

// Added URLs are kept in QSettings (URLs only) and come back in the next registry.
void TestEngineRegistry::addedUrlsPersist()
{
    const QString url = QStringLiteral("unix://") + m_dir->filePath(QStringLiteral("none.sock"));
    {
        EngineRegistry registry({}, nullptr, environment());
        registry.load();
        const int before = int(registry.engines().size());
        QSignalSpy added(&registry, &EngineRegistry::engineAdded);
        const Result<Engine *> engine = registry.add(QStringLiteral("  ") + url
                                                     + QStringLiteral(" "));
        QVERIFY2(engine.ok(), qPrintable(engine.error().message()));
        QCOMPARE(added.count(), 1);
        QCOMPARE(engine.value()->source(), QStringLiteral("added"));
        QCOMPARE(engine.value()->name(), url);
        QCOMPARE(registry.engines().size(), before + 1);
        QCOMPARE(EngineRegistry::addedUrls(), QStringList{url});
        // A socket that is not there: down with the reason, on its own.
        QTRY_COMPARE_WITH_TIMEOUT(engine.value()->state(), Engine::State::Down, 5000);
        QVERIFY(!engine.value()->error().message().isEmpty());
    }
    EngineRegistry again({}, nullptr, environment());
    again.load();
    Engine *engine = again.find(url);
    QVERIFY(engine);
    QCOMPARE(engine->source(), QStringLiteral("added"));
}

void TestEngineRegistry::badUrls_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("says");
    QTest::newRow("empty") << QString() << QStringLiteral("address first");
    QTest::newRow("blank") << QStringLiteral("   ") << QStringLiteral("address first");
    QTest::newRow("no scheme") << QStringLiteral("gpu1:2375") << QStringLiteral("scheme");
    QTest::newRow("unknown scheme")
        << QStringLiteral("http://gpu1:2375") << QStringLiteral("not supported");
    QTest::newRow("tcp without host")
        << QStringLiteral("tcp://") << QStringLiteral("Invalid engine address");
}

void TestEngineRegistry::badUrls()
{
    QFETCH(QString, url);
    QFETCH(QString, says);
    EngineRegistry registry({}, nullptr, environment());
    registry.load();
    const int before = int(registry.engines().size());
    const Result<Engine *> engine = registry.add(url);
    QVERIFY(!engine.ok());
    const QString message = engine.error().message();
    QVERIFY2(message.contains(says), qPrintable(message));
    // One sentence or two, never raw JSON or a stack of causes.
    QVERIFY2(!message.contains(QLatin1Char('{')) && message.count(QLatin1Char('\n')) == 0,
             qPrintable(message));
    QCOMPARE(registry.engines().size(), before);
    QVERIFY(EngineRegistry::addedUrls().isEmpty());
}

// The same engine is listed once: an added URL that is there already (added, a context's, --host)
// is refused with the reason.
void TestEngineRegistry::duplicates()
{
    writeContext(QStringLiteral("gpu1"), QStringLiteral("unix:///run/gpu1.sock"));
    const QString url = QStringLiteral("unix://") + m_dir->filePath(QStringLiteral("none.sock"));
    EngineRegistry registry(QStringLiteral("unix:///run/host.sock"), nullptr, environment());
    registry.load();
    QVERIFY(registry.add(url).ok());
    for (const QString &again :
         {url, QStringLiteral("unix:///run/gpu1.sock"), QStringLiteral("unix:///run/host.sock")}) {
        const Result<Engine *> engine = registry.add(again);
        QVERIFY2(!engine.ok(), qPrintable(again));
        QVERIFY2(engine.error().message().contains(QLatin1String("in the list already")),
                 qPrintable(engine.error().message()));
    }
    QCOMPARE(EngineRegistry::addedUrls(), QStringList{url});
    // Also from the settings: a URL stored twice, or one a context names, is one row.
    QSettings().setValue(QString::fromLatin1(EngineRegistry::kAddedKey),
                         QStringList{url, url, QStringLiteral("unix:///run/gpu1.sock")});
    const QList<EngineRegistry::Entry> entries = EngineRegistry::known({},
                                                                       EngineRegistry::addedUrls(),
                                                                       environment());
    int rows = 0;
    for (const EngineRegistry::Entry &entry : entries)
        rows += entry.endpoint.ok() && entry.endpoint.value().url == url ? 1 : 0;
    QCOMPARE(rows, 1);
}

// A containers.conf whose connections cannot be read is a row that names the file and the line,
// never a silent gap; the readable file's connections are still listed.
void TestEngineRegistry::unreadablePodmanConnections()
{
    QFile conf(m_dir->filePath(QStringLiteral("containers.conf")));
    QVERIFY(conf.open(QIODevice::WriteOnly));
    conf.write("[engine.service_destinations.a]\nuri = \"unix:///run/a.sock\n");
    conf.close();
    QFile json(m_dir->filePath(QStringLiteral("home/.config/containers/podman-connections.json")));
    QVERIFY(QDir().mkpath(QFileInfo(json).absolutePath()));
    QVERIFY(json.open(QIODevice::WriteOnly));
    json.write(R"({"Connection": {"Connections": {"b": {"URI": "unix:///run/b.sock"}}}})");
    json.close();

    const QList<EngineRegistry::Entry> entries = EngineRegistry::known({}, {}, environment());
    QStringList podman;
    QString why;
    for (const EngineRegistry::Entry &entry : entries) {
        if (entry.source != QLatin1String("podman"))
            continue;
        podman << entry.name;
        if (!entry.endpoint)
            why = entry.endpoint.error().message();
    }
    QCOMPARE(podman, (QStringList{QStringLiteral("b"), QStringLiteral("Podman connections")}));
    QVERIFY2(why.contains(conf.fileName()) && why.contains(QLatin1String("line 2")),
             qPrintable(why));
}

void TestEngineRegistry::onlyAddedCanBeRemoved()
{
    writeContext(QStringLiteral("gpu1"), QStringLiteral("unix:///run/gpu1.sock"));
    const QString url = QStringLiteral("unix://") + m_dir->filePath(QStringLiteral("none.sock"));
    EngineRegistry registry({}, nullptr, environment());
    registry.load();
    const Result<Engine *> added = registry.add(url);
    QVERIFY(added.ok());
    Engine *context = registry.findByName(QStringLiteral("gpu1"));
    QVERIFY(context);
    const Result<void> refused = registry.remove(context);
    QVERIFY(!refused.ok());
    QVERIFY2(refused.error().message().contains(QLatin1String("cannot be removed")),
             qPrintable(refused.error().message()));
    QSignalSpy removed(&registry, &EngineRegistry::engineRemoved);
    QVERIFY(registry.remove(added.value()).ok());
    QCOMPARE(removed.count(), 1);
    QVERIFY(!registry.find(url));
    QVERIFY(EngineRegistry::addedUrls().isEmpty());
}

// Against the real engine: the live one connects and learns what it is and its images; a socket
// that is not there goes down at once; a host that accepts and never answers goes down at its
// deadline. None of them waits for another.
void TestEngineRegistry::enginesWatchThemselves()
{
    GPUDECK_REQUIRE_ENGINE();
    QTcpServer silent; // accepts connections and never says a word
    QVERIFY(silent.listen(QHostAddress::LocalHost));
    EngineRegistry registry(TestEngine::host(), nullptr, environment());
    QElapsedTimer clock;
    clock.start();
    registry.load();
    Engine *live = registry.current();
    QVERIFY(live);
    QCOMPARE(live->source(), QStringLiteral("--host"));
    const Result<Engine *> gone = registry.add(QStringLiteral("unix://")
                                               + m_dir->filePath(QStringLiteral("gone.sock")));
    const Result<Engine *> slow = registry.add(
        QStringLiteral("tcp://127.0.0.1:%1").arg(silent.serverPort()));
    QVERIFY(gone.ok() && slow.ok());

    QTRY_COMPARE_WITH_TIMEOUT(live->state(), Engine::State::Connected, 20000);
    QTRY_VERIFY_WITH_TIMEOUT(live->hasInfo() && live->hasImages(), 20000);
    QVERIFY(live->productName().startsWith(TestEngine::isPodman() ? QLatin1String("Podman")
                                                                  : QLatin1String("Docker")));
    QVERIFY(!live->images().isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(gone.value()->state(), Engine::State::Down, 5000);
    QVERIFY2(gone.value()->error().message().contains(QLatin1String("gone.sock")),
             qPrintable(gone.value()->error().message()));
    QCOMPARE(slow.value()->state(), Engine::State::Connecting);
    QTRY_COMPARE_WITH_TIMEOUT(slow.value()->state(), Engine::State::Down,
                              Engine::kConnectDeadlineMs + 10000);
    QCOMPARE(slow.value()->error().code(), Error::Code::Timeout);
    qInfo("silent host down after %lld ms", clock.elapsed());
    QCOMPARE(live->state(), Engine::State::Connected); // untouched by the others
    QVERIFY(slow.value()->gpus().error.isError());     // a tcp:// host's GPUs: the reason, not ours
}

// reset() after a failed ping forgets the version and idle connections only: a stream that runs
// (here the events stream) keeps delivering.
void TestEngineRegistry::resetKeepsStreams()
{
    GPUDECK_REQUIRE_ENGINE();
    const Result<Endpoint> endpoint = EndpointResolver::fromUrl(TestEngine::host(),
                                                                QStringLiteral("test"));
    QVERIFY(endpoint.ok());
    DockerClient client(endpoint.value());
    const Result<QString> ping = await<QString>(
        [&](QObject *context, DockerClient::Callback<QString> done) {
            client.ping(context, std::move(done));
        });
    QVERIFY2(ping.ok(), qPrintable(ping.error().message()));
    JsonStream *events = client.events();
    QSignalSpy started(events, &JsonStream::started);
    QSignalSpy objects(events, &JsonStream::object);
    QVERIFY(started.wait(20000) || started.count() > 0);
    client.reset();
    QVERIFY(client.apiVersion().isEmpty());
    const QString tag =
        QStringLiteral("gpudeck-test:reset-%1").arg(QCoreApplication::applicationPid());
    QCOMPARE(TestEngine::docker({QStringLiteral("tag"), QStringLiteral("gpudeck-test:latest"), tag})
                 .exitCode,
             0);
    const auto untag = qScopeGuard([&]() { TestEngine::docker({QStringLiteral("rmi"), tag}); });
    QTRY_VERIFY_WITH_TIMEOUT(objects.count() > 0, 20000);
    events->cancel();
}

// `gpudeck engines --json` reads the engines added in the window (the same QSettings file): source
// "added", with its state, beside the others; exit 0 although it is down.
void TestEngineRegistry::enginesCommandListsAdded()
{
    GPUDECK_REQUIRE_ENGINE();
    const QString config = m_dir->filePath(QStringLiteral("config"));
    const QString gone = QStringLiteral("unix://") + m_dir->filePath(QStringLiteral("gone.sock"));
    {
        QSettings settings(config + QStringLiteral("/gpudeck/gpudeck.conf"), QSettings::IniFormat);
        settings.setValue(QString::fromLatin1(EngineRegistry::kAddedKey), QStringList{gone});
    }
    QProcessEnvironment env = environment();
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), config);
    const TestEngine::CliResult cli = TestEngine::runProgram(
        QStringLiteral(GPUDECK_BINARY), {QStringLiteral("engines"), QStringLiteral("--json")}, env);
    QVERIFY2(cli.exitCode == 0, cli.err.constData());
    QJsonObject added;
    QJsonObject host;
    for (const QJsonValue &value : QJsonDocument::fromJson(cli.out).array()) {
        const QJsonObject row = value.toObject();
        if (row.value(QStringLiteral("source")).toString() == QLatin1String("added"))
            added = row;
        if (row.value(QStringLiteral("source")).toString() == QLatin1String("DOCKER_HOST"))
            host = row;
    }
    QCOMPARE(added.value(QStringLiteral("name")).toString(), gone);
    QCOMPARE(added.value(QStringLiteral("state")).toString(), QStringLiteral("down"));
    QVERIFY(!added.value(QStringLiteral("reason")).toString().isEmpty());
    QCOMPARE(host.value(QStringLiteral("state")).toString(), QStringLiteral("connected"));
}

void TestEngineRegistry::gpuHostKeys_data()
{
    QTest::addColumn<QString>("a");
    QTest::addColumn<QString>("b");
    QTest::addColumn<bool>("same");
    const auto row = [](const char *name, const char *a, const char *b, bool same) {
        QTest::newRow(name) << QString::fromLatin1(a) << QString::fromLatin1(b) << same;
    };
    row("two sockets of this machine", "unix:///var/run/docker.sock",
        "unix:///run/podman/podman.sock", true);
    row("loopback tcp is this machine", "tcp://127.0.0.1:2375", "unix:///var/run/docker.sock",
        true);
    row("localhost tcp is this machine", "tcp://localhost:2375", "unix:///run/a.sock", true);
    row("one ssh host, two users and sockets", "ssh://me@gpu1/run/docker.sock",
        "ssh://root@GPU1/run/podman/podman.sock", true);
    row("ssh ports are other hosts", "ssh://me@gpu1:2222", "ssh://me@gpu1", false);
    row("ssh's own port", "ssh://me@gpu1:22", "ssh://gpu1", true);
    row("ssh is not this machine", "ssh://me@localhost:2222", "unix:///var/run/docker.sock", false);
    row("one tcp host, two ports", "tcp://gpu1:2375", "tcp://gpu1:8080", true);
    row("two tcp hosts", "tcp://gpu1:2375", "tcp://gpu2:2375", false);
    row("tcp and ssh names apart", "tcp://gpu1:2375", "ssh://gpu1", false);
}

void TestEngineRegistry::gpuHostKeys()
{
    QFETCH(QString, a);
    QFETCH(QString, b);
    QFETCH(bool, same);
    const Result<Endpoint> first = EndpointResolver::fromUrl(a, QStringLiteral("test"), {});
    const Result<Endpoint> second = EndpointResolver::fromUrl(b, QStringLiteral("test"), {});
    QVERIFY(first.ok() && second.ok());
    QCOMPARE(first.value().gpuHostKey() == second.value().gpuHostKey(), same);
}

// The engines known here on the launching engine's host: the other sockets of this machine (a
// context, DOCKER_HOST, an added one), each once, never the engine itself or another host's.
void TestEngineRegistry::knownOnTheGpuHost()
{
    writeContext(QStringLiteral("gpu1"), QStringLiteral("ssh://me@gpu1"));
    writeContext(QStringLiteral("podman"), QStringLiteral("unix:///run/podman/podman.sock"));
    QSettings().setValue(QString::fromLatin1(EngineRegistry::kAddedKey),
                         QStringList{QStringLiteral("tcp://127.0.0.1:2375"),
                                     QStringLiteral("unix:///run/podman/podman.sock"),
                                     QStringLiteral("ssh://me@gpu2")});
    QProcessEnvironment env = environment();
    env.insert(QStringLiteral("DOCKER_HOST"), QStringLiteral("unix:///run/a.sock"));
    const QString host = QStringLiteral("unix:///run/b.sock");
    const Result<Endpoint> engine = EndpointResolver::fromUrl(host, QStringLiteral("--host"), env);
    QVERIFY(engine.ok());
    QStringList urls;
    for (const Endpoint &other : EngineRegistry::knownOnGpuHostOf(engine.value(), host, env))
        urls << other.url;
    QVERIFY2(!urls.contains(host), qPrintable(urls.join(QLatin1Char(' '))));
    QCOMPARE(urls.count(QStringLiteral("unix:///run/podman/podman.sock")), 1);
    QVERIFY(urls.contains(QStringLiteral("unix:///run/a.sock")));
    QVERIFY(urls.contains(QStringLiteral("tcp://127.0.0.1:2375")));
    for (const QString &url : std::as_const(urls))
        QVERIFY2(!url.startsWith(QLatin1String("ssh://")), qPrintable(url));
}

QTEST_GUILESS_MAIN(TestEngineRegistry)
#include "tst_engineregistry.moc"
