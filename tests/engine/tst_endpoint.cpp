#include "engine/Endpoint.h"
#include "engine/PodmanConnections.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcessEnvironment>
#include <QSslCertificate>
#include <QSslKey>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

Q_DECLARE_METATYPE(Error::Code)
Q_DECLARE_METATYPE(Endpoint::Kind)

namespace {
const QString kCerts = QStringLiteral(GPUDECK_FIXTURES_DIR "/tls");
}

// Every row builds its own environment and config directory under a temporary directory; the
// real environment and ~/.docker are never read.
class TestEndpoint : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void resolve_data();
    void resolve();
    void rootlessPodmanSocket();
    void contextsAreListed();
    void contextsFollowDockerContext();
    void contextsWithoutStore();
    void remoteEndpoints_data();
    void remoteEndpoints();
    void tlsContext_data();
    void tlsContext();
    void presetEngine_data();
    void presetEngine();
    void podmanConnections();
    void podmanConnectionProblems();
    void podmanConnectionEndpoints_data();
    void podmanConnectionEndpoints();
    void presetNamesAPodmanConnection();
    void podmanDropIns();
    void podmanTlsConnections();

private:
    QString expand(QString text) const
    {
        return text.replace(QStringLiteral("@TMP@"), m_dir->path());
    }
    QProcessEnvironment environment(const QStringList &vars) const;
    void writeContext(const QProcessEnvironment &env, const QString &name,
                      const QString &host) const;
    void writeConfig(const QProcessEnvironment &env, const QString &currentContext) const;

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestEndpoint::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

QProcessEnvironment TestEndpoint::environment(const QStringList &vars) const
{
    QProcessEnvironment env;
    // Without HOME the resolver would fall back to the real home directory.
    env.insert(QStringLiteral("HOME"), m_dir->path() + QStringLiteral("/home"));
    for (const QString &var : vars) {
        const qsizetype eq = var.indexOf(QLatin1Char('='));
        env.insert(var.left(eq), expand(var.mid(eq + 1)));
    }
    return env;
}

void TestEndpoint::writeContext(const QProcessEnvironment &env, const QString &name,
                                const QString &host) const
{
    // The docker CLI's metadata store: contexts/meta/<sha256 of the name>/meta.json.
    const QString hash = QString::fromLatin1(
        QCryptographicHash::hash(name.toUtf8(), QCryptographicHash::Sha256).toHex());
    const QString dir = EndpointResolver::configDir(env) + QStringLiteral("/contexts/meta/") + hash;
    QVERIFY(QDir().mkpath(dir));
    QJsonObject endpoints;
    if (!host.isEmpty()) {
        endpoints.insert(QStringLiteral("docker"),
                         QJsonObject{{QStringLiteral("Host"), expand(host)},
                                     {QStringLiteral("SkipTLSVerify"), false}});
    }
    const QJsonObject meta{{QStringLiteral("Name"), name},
                           {QStringLiteral("Metadata"),
                            QJsonObject{{QStringLiteral("Description"), QStringLiteral("test")}}},
                           {QStringLiteral("Endpoints"), endpoints}};
    QFile file(dir + QStringLiteral("/meta.json"));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QJsonDocument(meta).toJson());
}

void TestEndpoint::writeConfig(const QProcessEnvironment &env, const QString &currentContext) const
{
    const QString dir = EndpointResolver::configDir(env);
    QVERIFY(QDir().mkpath(dir));
    QFile file(dir + QStringLiteral("/config.json"));
    QVERIFY(file.open(QIODevice::WriteOnly));
    const QJsonObject config{{QStringLiteral("auths"), QJsonObject()},
                             {QStringLiteral("currentContext"), currentContext}};
    file.write(QJsonDocument(config).toJson());
}

void TestEndpoint::resolve_data()
{
    QTest::addColumn<QString>("hostOption");
    QTest::addColumn<QStringList>("env");
    QTest::addColumn<QStringList>("contexts"); // name=host
    QTest::addColumn<QString>("currentContext");
    QTest::addColumn<bool>("rootlessSocket"); // create @TMP@/run/docker.sock
    QTest::addColumn<QString>("url");         // expected on success
    QTest::addColumn<QString>("source");
    QTest::addColumn<Error::Code>("code"); // expected on failure (None: success)
    QTest::addColumn<QStringList>("messageParts");

    const QString cfg = QStringLiteral("DOCKER_CONFIG=@TMP@/cfg");
    const QString xdg = QStringLiteral("XDG_RUNTIME_DIR=@TMP@/run");
    const QStringList gpuBox{QStringLiteral("gpu-box=unix:///run/gpu-box/docker.sock")};
    const QStringList none;
    const auto ok = Error::Code::None;

    QTest::newRow("--host unix://")
        << QStringLiteral("unix:///tmp/engine.sock") << QStringList{cfg} << none << QString()
        << false << QStringLiteral("unix:///tmp/engine.sock") << QStringLiteral("--host") << ok
        << none;
    QTest::newRow("--host beats DOCKER_HOST and contexts")
        << QStringLiteral("unix:///tmp/engine.sock")
        << QStringList{cfg, QStringLiteral("DOCKER_HOST=unix:///tmp/other.sock"),
                       QStringLiteral("DOCKER_CONTEXT=gpu-box")}
        << gpuBox << QString() << true << QStringLiteral("unix:///tmp/engine.sock")
        << QStringLiteral("--host") << ok << none;
    QTest::newRow("DOCKER_HOST unix://")
        << QString() << QStringList{cfg, QStringLiteral("DOCKER_HOST=unix:///srv/docker.sock")}
        << none << QString() << false << QStringLiteral("unix:///srv/docker.sock")
        << QStringLiteral("DOCKER_HOST") << ok << none;
    QTest::newRow("DOCKER_HOST as a bare path")
        << QString() << QStringList{cfg, QStringLiteral("DOCKER_HOST=/srv/docker.sock")} << none
        << QString() << false << QStringLiteral("unix:///srv/docker.sock")
        << QStringLiteral("DOCKER_HOST") << ok << none;
    QTest::newRow("DOCKER_CONTEXT")
        << QString() << QStringList{cfg, QStringLiteral("DOCKER_CONTEXT=gpu-box")} << gpuBox
        << QString() << false << QStringLiteral("unix:///run/gpu-box/docker.sock")
        << QStringLiteral("context gpu-box") << ok << none;
    QTest::newRow("currentContext in $DOCKER_CONFIG/config.json")
        << QString() << QStringList{cfg} << gpuBox << QStringLiteral("gpu-box") << true
        << QStringLiteral("unix:///run/gpu-box/docker.sock") << QStringLiteral("context gpu-box")
        << ok << none;
    QTest::newRow("currentContext in ~/.docker/config.json")
        << QString() << QStringList() << gpuBox << QStringLiteral("gpu-box") << false
        << QStringLiteral("unix:///run/gpu-box/docker.sock") << QStringLiteral("context gpu-box")
        << ok << none;
    QTest::newRow("DOCKER_CONTEXT beats currentContext")
        << QString() << QStringList{cfg, QStringLiteral("DOCKER_CONTEXT=gpu-box")}
        << QStringList{gpuBox.first(), QStringLiteral("other=unix:///run/other.sock")}
        << QStringLiteral("other") << false << QStringLiteral("unix:///run/gpu-box/docker.sock")
        << QStringLiteral("context gpu-box") << ok << none;
    QTest::newRow("DOCKER_HOST beats DOCKER_CONTEXT")
        << QString()
        << QStringList{cfg, QStringLiteral("DOCKER_HOST=unix:///srv/docker.sock"),
                       QStringLiteral("DOCKER_CONTEXT=gpu-box")}
        << gpuBox << QStringLiteral("gpu-box") << false << QStringLiteral("unix:///srv/docker.sock")
        << QStringLiteral("DOCKER_HOST") << ok << none;
    QTest::newRow("context name with spaces and non-ASCII")
        << QString() << QStringList{cfg, QStringLiteral("DOCKER_CONTEXT=labo caf\u00e9")}
        << QStringList{QStringLiteral("labo caf\u00e9=unix:///run/labo.sock")} << QString() << false
        << QStringLiteral("unix:///run/labo.sock") << QStringLiteral("context labo caf\u00e9") << ok
        << none;
    QTest::newRow("context \"default\" is no context")
        << QString() << QStringList{cfg, xdg, QStringLiteral("DOCKER_CONTEXT=default")} << gpuBox
        << QStringLiteral("gpu-box") << true << QStringLiteral("unix://@TMP@/run/docker.sock")
        << QStringLiteral("rootless socket") << ok << none;
    QTest::newRow("rootless socket in $XDG_RUNTIME_DIR")
        << QString() << QStringList{cfg, xdg} << none << QString() << true
        << QStringLiteral("unix://@TMP@/run/docker.sock") << QStringLiteral("rootless socket") << ok
        << none;
    QTest::newRow("$XDG_RUNTIME_DIR without a socket")
        << QString() << QStringList{cfg, xdg} << none << QString() << false
        << QStringLiteral("unix:///var/run/docker.sock") << QStringLiteral("default socket") << ok
        << none;
    QTest::newRow("default socket") << QString() << QStringList{cfg} << none << QString() << false
                                    << QStringLiteral("unix:///var/run/docker.sock")
                                    << QStringLiteral("default socket") << ok << none;

    // Podman: its own variable after DOCKER_HOST, and its rootless socket after Docker's.
    QTest::newRow("CONTAINER_HOST unix:// (Podman)")
        << QString()
        << QStringList{cfg, QStringLiteral("CONTAINER_HOST=unix:///run/podman/podman.sock")} << none
        << QString() << false << QStringLiteral("unix:///run/podman/podman.sock")
        << QStringLiteral("CONTAINER_HOST") << ok << none;
    QTest::newRow("DOCKER_HOST beats CONTAINER_HOST")
        << QString()
        << QStringList{cfg, QStringLiteral("DOCKER_HOST=unix:///srv/docker.sock"),
                       QStringLiteral("CONTAINER_HOST=unix:///run/podman/podman.sock")}
        << none << QString() << false << QStringLiteral("unix:///srv/docker.sock")
        << QStringLiteral("DOCKER_HOST") << ok << none;
    QTest::newRow("CONTAINER_HOST beats DOCKER_CONTEXT and the rootless socket")
        << QString()
        << QStringList{cfg, xdg, QStringLiteral("CONTAINER_HOST=unix:///run/podman/podman.sock"),
                       QStringLiteral("DOCKER_CONTEXT=gpu-box")}
        << gpuBox << QString() << true << QStringLiteral("unix:///run/podman/podman.sock")
        << QStringLiteral("CONTAINER_HOST") << ok << none;
    QTest::newRow("CONTAINER_HOST ssh:// with Podman's socket path")
        << QString()
        << QStringList{cfg,
                       QStringLiteral(
                           "CONTAINER_HOST=ssh://core@gpu-box/run/user/1000/podman/podman.sock")}
        << none << QString() << false
        << QStringLiteral("ssh://core@gpu-box/run/user/1000/podman/podman.sock")
        << QStringLiteral("CONTAINER_HOST") << ok << none;

    QTest::newRow("DOCKER_HOST tcp:// in the clear")
        << QString() << QStringList{cfg, QStringLiteral("DOCKER_HOST=tcp://10.0.0.2:2375")} << none
        << QString() << false << QStringLiteral("tcp://10.0.0.2:2375")
        << QStringLiteral("DOCKER_HOST") << ok << none;
    QTest::newRow("--host ssh://")
        << QStringLiteral("ssh://me@gpu-box") << QStringList{cfg} << none << QString() << false
        << QStringLiteral("ssh://me@gpu-box") << QStringLiteral("--host") << ok << none;
    QTest::newRow("context pointing at ssh://")
        << QString() << QStringList{cfg, QStringLiteral("DOCKER_CONTEXT=remote")}
        << QStringList{QStringLiteral("remote=ssh://me@gpu-box")} << QString() << false
        << QStringLiteral("ssh://me@gpu-box") << QStringLiteral("context remote") << ok << none;
    QTest::newRow("http:// refused")
        << QStringLiteral("http://gpu-box:2375") << QStringList{cfg} << none << QString() << false
        << QString() << QString() << Error::Code::Unsupported
        << QStringList{QStringLiteral("not supported"), QStringLiteral("--host"),
                       QStringLiteral("tcp://")};

    const auto usage = Error::Code::Usage;
    QTest::newRow("missing context")
        << QString() << QStringList{cfg, QStringLiteral("DOCKER_CONTEXT=nowhere")} << gpuBox
        << QString() << false << QString() << QString() << usage
        << QStringList{QStringLiteral("\"nowhere\""), QStringLiteral("DOCKER_CONTEXT"),
                       QStringLiteral("docker context ls")};
    QTest::newRow("missing currentContext")
        << QString() << QStringList{cfg} << none << QStringLiteral("gone") << false << QString()
        << QString() << usage
        << QStringList{QStringLiteral("\"gone\""), QStringLiteral("config.json")};
    QTest::newRow("context without a docker endpoint")
        << QString() << QStringList{cfg, QStringLiteral("DOCKER_CONTEXT=empty")}
        << QStringList{QStringLiteral("empty=")} << QString() << false << QString() << QString()
        << usage << QStringList{QStringLiteral("no engine address")};
    QTest::newRow("relative unix:// path")
        << QStringLiteral("unix://docker.sock") << QStringList{cfg} << none << QString() << false
        << QString() << QString() << usage << QStringList{QStringLiteral("absolute")};
    QTest::newRow("not a URL") << QString()
                               << QStringList{cfg, QStringLiteral("DOCKER_HOST=docker")} << none
                               << QString() << false << QString() << QString() << usage
                               << QStringList{QStringLiteral("Invalid engine address")};
}

void TestEndpoint::resolve()
{
    QFETCH(QString, hostOption);
    QFETCH(QStringList, env);
    QFETCH(QStringList, contexts);
    QFETCH(QString, currentContext);
    QFETCH(bool, rootlessSocket);
    QFETCH(QString, url);
    QFETCH(QString, source);
    QFETCH(Error::Code, code);
    QFETCH(QStringList, messageParts);

    const QProcessEnvironment environment = this->environment(env);
    for (const QString &context : std::as_const(contexts)) {
        const qsizetype eq = context.indexOf(QLatin1Char('='));
        writeContext(environment, context.left(eq), context.mid(eq + 1));
    }
    if (!currentContext.isEmpty())
        writeConfig(environment, currentContext);
    if (rootlessSocket) {
        QVERIFY(QDir().mkpath(m_dir->path() + QStringLiteral("/run")));
        QFile socket(m_dir->path() + QStringLiteral("/run/docker.sock"));
        QVERIFY(socket.open(QIODevice::WriteOnly));
    }
    if (QTest::currentTestFailed())
        return;

    const Result<Endpoint> result = EndpointResolver::resolve(hostOption, environment);
    if (code == Error::Code::None) {
        QVERIFY2(result.ok(), qPrintable(result.error().message()));
        QCOMPARE(result.value().url, expand(url));
        if (url.startsWith(QLatin1String("unix://")))
            QCOMPARE(result.value().socketPath, expand(url).mid(7));
        QCOMPARE(result.value().source, source);
        return;
    }
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code(), code);
    const QString message = result.error().message();
    for (const QString &part : std::as_const(messageParts))
        QVERIFY2(message.contains(part),
                 qPrintable(QStringLiteral("'%1' not in: %2").arg(part, message)));
}

void TestEndpoint::rootlessPodmanSocket()
{
    // $XDG_RUNTIME_DIR/podman/podman.sock when there is no rootless Docker socket there.
    const QProcessEnvironment env = environment(
        {QStringLiteral("DOCKER_CONFIG=@TMP@/cfg"), QStringLiteral("XDG_RUNTIME_DIR=@TMP@/run")});
    QVERIFY(QDir().mkpath(m_dir->path() + QStringLiteral("/run/podman")));
    QFile podman(m_dir->path() + QStringLiteral("/run/podman/podman.sock"));
    QVERIFY(podman.open(QIODevice::WriteOnly));
    Result<Endpoint> result = EndpointResolver::resolve(QString(), env);
    QVERIFY2(result.ok(), qPrintable(result.error().message()));
    QCOMPARE(result.value().socketPath, m_dir->path() + QStringLiteral("/run/podman/podman.sock"));
    QCOMPARE(result.value().source, QStringLiteral("rootless Podman socket"));

    // Docker's rootless socket comes first.
    QFile docker(m_dir->path() + QStringLiteral("/run/docker.sock"));
    QVERIFY(docker.open(QIODevice::WriteOnly));
    result = EndpointResolver::resolve(QString(), env);
    QVERIFY2(result.ok(), qPrintable(result.error().message()));
    QCOMPARE(result.value().source, QStringLiteral("rootless socket"));
}

void TestEndpoint::contextsAreListed()
{
    const QProcessEnvironment env = environment({QStringLiteral("DOCKER_CONFIG=@TMP@/cfg")});
    writeContext(env, QStringLiteral("gpu-box"), QStringLiteral("unix:///run/gpu-box/docker.sock"));
    writeContext(env, QStringLiteral("remote"), QStringLiteral("ssh://me@far"));
    writeConfig(env, QStringLiteral("gpu-box"));

    QList<DockerContext> list = EndpointResolver::contexts(env);
    std::sort(list.begin(), list.end(),
              [](const DockerContext &a, const DockerContext &b) { return a.name < b.name; });
    QCOMPARE(list.size(), 3);
    QCOMPARE(list.at(0).name, QStringLiteral("default"));
    QCOMPARE(list.at(0).host, QStringLiteral("unix:///var/run/docker.sock"));
    QVERIFY(!list.at(0).current);
    QCOMPARE(list.at(1).name, QStringLiteral("gpu-box"));
    QCOMPARE(list.at(1).host, QStringLiteral("unix:///run/gpu-box/docker.sock"));
    QVERIFY(list.at(1).current);
    // Listed even though it cannot be used yet: the picker says why.
    QCOMPARE(list.at(2).name, QStringLiteral("remote"));
    QCOMPARE(list.at(2).host, QStringLiteral("ssh://me@far"));
    QVERIFY(!list.at(2).current);
}

void TestEndpoint::contextsFollowDockerContext()
{
    const QProcessEnvironment env = environment({QStringLiteral("DOCKER_CONFIG=@TMP@/cfg"),
                                                 QStringLiteral("DOCKER_CONTEXT=default"),
                                                 QStringLiteral("XDG_RUNTIME_DIR=@TMP@/run")});
    writeContext(env, QStringLiteral("gpu-box"), QStringLiteral("unix:///run/gpu-box/docker.sock"));
    writeConfig(env, QStringLiteral("gpu-box"));
    QVERIFY(QDir().mkpath(m_dir->path() + QStringLiteral("/run")));
    QFile socket(m_dir->path() + QStringLiteral("/run/docker.sock"));
    QVERIFY(socket.open(QIODevice::WriteOnly));

    const QList<DockerContext> list = EndpointResolver::contexts(env);
    QCOMPARE(list.size(), 2);
    for (const DockerContext &context : list) {
        QCOMPARE(context.current, context.name == QLatin1String("default"));
        // "default" is where the engine is without a context: here, the rootless socket.
        if (context.name == QLatin1String("default"))
            QCOMPARE(context.host, QStringLiteral("unix://%1/run/docker.sock").arg(m_dir->path()));
    }
}

void TestEndpoint::contextsWithoutStore()
{
    const QList<DockerContext> list = EndpointResolver::contexts(
        environment({QStringLiteral("DOCKER_CONFIG=@TMP@/nothing")}));
    QCOMPARE(list.size(), 1);
    QCOMPARE(list.first().name, QStringLiteral("default"));
    QVERIFY(list.first().current);
}

namespace {

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

// What `podman system connection add` (Podman 4.3.1) writes into containers.conf.
const QByteArray kPodman43Conf = R"([containers]

[engine]
  active_service = "local"
  [engine.service_destinations]
    [engine.service_destinations.local]
      uri = "unix:///run/user/1000/podman/podman.sock"
    [engine.service_destinations.gpu1]
      uri = "ssh://me@gpu1.lab:2222/run/user/1000/podman/podman.sock"
      identity = "/home/me/.ssh/id_ed25519"

[machine]
)";

// Podman 5's podman-connections.json.
const QByteArray kPodman5Json = R"({"Connection": {"Default": "gpu2", "Connections": {
    "gpu2": {"URI": "ssh://root@gpu2.lab:/run/podman/podman.sock?secure=True",
             "Identity": "/home/me/.ssh/gpu2", "IsMachine": false}}}, "Farm": {}})";

} // namespace

void TestEndpoint::podmanConnections()
{
    const QProcessEnvironment env = environment(
        {QStringLiteral("CONTAINERS_CONF=@TMP@/containers.conf"),
         QStringLiteral("PODMAN_CONNECTIONS_CONF=@TMP@/connections.json")});
    QVERIFY(writeFile(m_dir->filePath(QStringLiteral("containers.conf")), kPodman43Conf));
    PodmanConnections::Found found = PodmanConnections::read(env);
    QVERIFY(found.problems.isEmpty());
    QCOMPARE(found.connections.size(), 2);
    QCOMPARE(found.connections.at(0).name, QStringLiteral("gpu1"));
    QCOMPARE(found.connections.at(0).uri,
             QStringLiteral("ssh://me@gpu1.lab:2222/run/user/1000/podman/podman.sock"));
    QCOMPARE(found.connections.at(0).identity, QStringLiteral("/home/me/.ssh/id_ed25519"));
    QVERIFY(!found.connections.at(0).isDefault);
    QCOMPARE(found.connections.at(1).name, QStringLiteral("local"));
    QVERIFY(found.connections.at(1).isDefault); // active_service

    // Podman 5's file adds its connections, and its Default wins.
    QVERIFY(writeFile(m_dir->filePath(QStringLiteral("connections.json")), kPodman5Json));
    found = PodmanConnections::read(env);
    QVERIFY(found.problems.isEmpty());
    QCOMPARE(found.connections.size(), 3);
    QCOMPARE(found.connections.at(2).name, QStringLiteral("gpu2"));
    QCOMPARE(found.connections.at(2).identity, QStringLiteral("/home/me/.ssh/gpu2"));
    QVERIFY(found.connections.at(2).isDefault);
    QVERIFY(!found.connections.at(1).isDefault);

    // Without CONTAINERS_CONF: the user's containers.conf under XDG_CONFIG_HOME.
    const QProcessEnvironment user = environment(
        {QStringLiteral("XDG_CONFIG_HOME=@TMP@/xdg"),
         QStringLiteral("PODMAN_CONNECTIONS_CONF=@TMP@/none.json")});
    QVERIFY(writeFile(m_dir->filePath(QStringLiteral("xdg/containers/containers.conf")),
                      kPodman43Conf));
    QVERIFY(PodmanConnections::find(QStringLiteral("gpu1"), user).has_value());
    QVERIFY(!PodmanConnections::find(QStringLiteral("gpu2"), user).has_value());
}

void TestEndpoint::podmanConnectionProblems()
{
    // A broken file is named with its line; nothing is taken from it, the other file still counts.
    const QProcessEnvironment env = environment(
        {QStringLiteral("CONTAINERS_CONF=@TMP@/containers.conf"),
         QStringLiteral("PODMAN_CONNECTIONS_CONF=@TMP@/connections.json")});
    QVERIFY(writeFile(m_dir->filePath(QStringLiteral("containers.conf")),
                      "[engine]\nactive_service = \"a\"\n[engine.service_destinations.a]\n"
                      "uri = \"unix:///run/a.sock\n"));
    QVERIFY(writeFile(m_dir->filePath(QStringLiteral("connections.json")), kPodman5Json));
    const PodmanConnections::Found found = PodmanConnections::read(env);
    QCOMPARE(found.connections.size(), 1);
    QCOMPARE(found.connections.first().name, QStringLiteral("gpu2"));
    QCOMPARE(found.problems.size(), 1);
    const QString problem = found.problems.first().message();
    QVERIFY2(problem.contains(m_dir->filePath(QStringLiteral("containers.conf")))
                 && problem.contains(QLatin1String("line 4")),
             qPrintable(problem));

    QVERIFY(writeFile(m_dir->filePath(QStringLiteral("connections.json")), "{\"Connection\": "));
    QVERIFY(writeFile(m_dir->filePath(QStringLiteral("containers.conf")), kPodman43Conf));
    const PodmanConnections::Found json = PodmanConnections::read(env);
    QCOMPARE(json.connections.size(), 2);
    QCOMPARE(json.problems.size(), 1);
    QVERIFY2(json.problems.first().message().contains(QLatin1String("connections.json")),
             qPrintable(json.problems.first().message()));
}

void TestEndpoint::podmanConnectionEndpoints_data()
{
    QTest::addColumn<QString>("uri");
    QTest::addColumn<QString>("identity");
    QTest::addColumn<Endpoint::Kind>("kind");
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("socket");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("user");

    QTest::newRow("unix") << "unix:///run/user/1000/podman/podman.sock" << QString()
                          << Endpoint::Kind::Unix << "unix:///run/user/1000/podman/podman.sock"
                          << "/run/user/1000/podman/podman.sock" << QString() << 0 << QString();
    QTest::newRow("ssh with key") << "ssh://me@gpu1.lab:2222/run/user/1000/podman/podman.sock"
                                  << "/home/me/.ssh/id_ed25519" << Endpoint::Kind::Ssh
                                  << "ssh://me@gpu1.lab:2222/run/user/1000/podman/podman.sock"
                                  << "/run/user/1000/podman/podman.sock"
                                  << "gpu1.lab" << 2222 << "me";
    // Podman 5 writes an empty port and ?secure=True; ssh here always checks host keys.
    QTest::newRow("podman 5 form") << "ssh://root@gpu2.lab:/run/podman/podman.sock?secure=True"
                                   << "/home/me/.ssh/gpu2" << Endpoint::Kind::Ssh
                                   << "ssh://root@gpu2.lab:/run/podman/podman.sock"
                                   << "/run/podman/podman.sock"
                                   << "gpu2.lab" << 0 << "root";
    // Podman 4.3 drops the socket path of an ssh URI: root's is the rootful socket.
    QTest::newRow("root without path")
        << "ssh://root@gpu3.lab:22" << QString() << Endpoint::Kind::Ssh
        << "ssh://root@gpu3.lab:22/run/podman/podman.sock"
        << "/run/podman/podman.sock"
        << "gpu3.lab" << 22 << "root";
}

void TestEndpoint::podmanConnectionEndpoints()
{
    QFETCH(QString, uri);
    QFETCH(QString, identity);
    PodmanConnection connection;
    connection.name = QStringLiteral("c");
    connection.uri = uri;
    connection.identity = identity;
    const Result<Endpoint> endpoint = EndpointResolver::fromPodmanConnection(connection);
    QVERIFY2(endpoint, qPrintable(endpoint.error().message()));
    QTEST(endpoint.value().kind, "kind");
    QTEST(endpoint.value().url, "url");
    QTEST(endpoint.value().socketPath, "socket");
    QTEST(endpoint.value().host, "host");
    QTEST(endpoint.value().port, "port");
    QTEST(endpoint.value().user, "user");
    QCOMPARE(endpoint.value().sshIdentity, identity);
    QCOMPARE(endpoint.value().source, QStringLiteral("Podman connection c"));
}

void TestEndpoint::presetNamesAPodmanConnection()
{
    const QProcessEnvironment env = environment(
        {QStringLiteral("DOCKER_CONFIG=@TMP@/cfg"),
         QStringLiteral("CONTAINERS_CONF=@TMP@/containers.conf"),
         QStringLiteral("PODMAN_CONNECTIONS_CONF=@TMP@/none.json")});
    QVERIFY(writeFile(m_dir->filePath(QStringLiteral("containers.conf")), kPodman43Conf));
    const Result<Endpoint> podman = EndpointResolver::resolveForPreset({}, QStringLiteral("gpu1"),
                                                                       env);
    QVERIFY2(podman, qPrintable(podman.error().message()));
    QCOMPARE(podman.value().url,
             QStringLiteral("ssh://me@gpu1.lab:2222/run/user/1000/podman/podman.sock"));
    QCOMPARE(podman.value().sshIdentity, QStringLiteral("/home/me/.ssh/id_ed25519"));
    // A docker context of the same name comes first.
    writeContext(env, QStringLiteral("gpu1"), QStringLiteral("unix:///run/gpu1-docker.sock"));
    const Result<Endpoint> docker = EndpointResolver::resolveForPreset({}, QStringLiteral("gpu1"),
                                                                       env);
    QVERIFY2(docker, qPrintable(docker.error().message()));
    QCOMPARE(docker.value().url, QStringLiteral("unix:///run/gpu1-docker.sock"));
    // A user's ssh connection without a socket path says how to add it with one.
    PodmanConnection bare;
    bare.name = QStringLiteral("bare");
    bare.uri = QStringLiteral("ssh://me@gpu4.lab");
    const Result<Endpoint> refused = EndpointResolver::fromPodmanConnection(bare);
    QVERIFY(!refused);
    QVERIFY2(refused.error().message().contains(QLatin1String("podman system connection add bare")),
             qPrintable(refused.error().message()));
}

void TestEndpoint::podmanDropIns()
{
    // containers-config(5): /usr/share, then /etc, each with containers.conf, containers.conf.d/
    // and the rootless (or rootful) drop-ins, then the user's; a later file replaces a name.
    PodmanConnections::Places places;
    places.share = m_dir->filePath(QStringLiteral("usr/share/containers"));
    places.etc = m_dir->filePath(QStringLiteral("etc/containers"));
    places.uid = 1000;
    const auto conf = [](const QString &name, const QString &uri,
                         bool active = false) -> QByteArray {
        QByteArray text = "[engine]\n";
        if (active)
            text += "active_service = \"" + name.toUtf8() + "\"\n";
        return text + "[engine.service_destinations." + name.toUtf8() + "]\nuri = \"" + uri.toUtf8()
               + "\"\n";
    };
    const QString share = places.share;
    const QString etc = places.etc;
    QVERIFY(writeFile(share + QStringLiteral("/containers.conf"),
                      conf(QStringLiteral("a"), QStringLiteral("unix:///run/share.sock"), true)));
    // Drop-ins by name: 20 after 10, and only *.conf files.
    QVERIFY(writeFile(share + QStringLiteral("/containers.conf.d/20-b.conf"),
                      conf(QStringLiteral("b"), QStringLiteral("unix:///run/b-20.sock"))));
    QVERIFY(writeFile(share + QStringLiteral("/containers.conf.d/10-b.conf"),
                      conf(QStringLiteral("b"), QStringLiteral("unix:///run/b-10.sock"))));
    QVERIFY(writeFile(share + QStringLiteral("/containers.conf.d/30-c.conf.rpmsave"),
                      conf(QStringLiteral("c"), QStringLiteral("unix:///run/c.sock"))));
    QVERIFY(writeFile(etc + QStringLiteral("/containers.conf"),
                      conf(QStringLiteral("a"), QStringLiteral("unix:///run/etc.sock"))));
    QVERIFY(writeFile(etc + QStringLiteral("/containers.rootful.conf.d/root.conf"),
                      conf(QStringLiteral("root"), QStringLiteral("unix:///run/root.sock"))));
    QVERIFY(writeFile(etc + QStringLiteral("/containers.rootless.conf.d/rootless.conf"),
                      conf(QStringLiteral("d"), QStringLiteral("unix:///run/rootless.sock"))));
    QVERIFY(writeFile(etc + QStringLiteral("/containers.rootless.conf.d/1000/mine.conf"),
                      conf(QStringLiteral("d"), QStringLiteral("unix:///run/uid.sock"), true)));
    QVERIFY(writeFile(etc + QStringLiteral("/containers.rootless.conf.d/1001/theirs.conf"),
                      conf(QStringLiteral("e"), QStringLiteral("unix:///run/theirs.sock"))));
    const QProcessEnvironment env = environment(
        {QStringLiteral("XDG_CONFIG_HOME=@TMP@/xdg"),
         QStringLiteral("PODMAN_CONNECTIONS_CONF=@TMP@/none.json")});
    QVERIFY(writeFile(m_dir->filePath(QStringLiteral("xdg/containers/containers.conf.d/u.conf")),
                      conf(QStringLiteral("b"), QStringLiteral("unix:///run/user.sock"))));

    const QStringList files = PodmanConnections::confFiles(env, places);
    const QStringList expected{share + QStringLiteral("/containers.conf"),
                               share + QStringLiteral("/containers.conf.d/10-b.conf"),
                               share + QStringLiteral("/containers.conf.d/20-b.conf"),
                               etc + QStringLiteral("/containers.conf"),
                               etc + QStringLiteral("/containers.rootless.conf.d/rootless.conf"),
                               etc + QStringLiteral("/containers.rootless.conf.d/1000/mine.conf"),
                               m_dir->filePath(
                                   QStringLiteral("xdg/containers/containers.conf.d/u.conf"))};
    QCOMPARE(files, expected);

    PodmanConnections::Found found = PodmanConnections::read(env, places);
    QVERIFY(found.problems.isEmpty());
    QHash<QString, PodmanConnection> byName;
    for (const PodmanConnection &connection : std::as_const(found.connections))
        byName.insert(connection.name, connection);
    QCOMPARE(byName.keys().size(), 3);
    QCOMPARE(byName.value(QStringLiteral("a")).uri, QStringLiteral("unix:///run/etc.sock"));
    QCOMPARE(byName.value(QStringLiteral("a")).file, etc + QStringLiteral("/containers.conf"));
    QCOMPARE(byName.value(QStringLiteral("b")).uri, QStringLiteral("unix:///run/user.sock"));
    QCOMPARE(byName.value(QStringLiteral("d")).uri, QStringLiteral("unix:///run/uid.sock"));
    // The last active_service read wins.
    QVERIFY(byName.value(QStringLiteral("d")).isDefault);
    QVERIFY(!byName.value(QStringLiteral("a")).isDefault);

    // Root reads the rootful drop-ins instead.
    places.uid = 0;
    found = PodmanConnections::read(env, places);
    QStringList names;
    for (const PodmanConnection &connection : std::as_const(found.connections))
        names << connection.name;
    names.sort();
    QCOMPARE(names,
             QStringList({QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("root")}));

    // CONTAINERS_CONF alone replaces them all; CONTAINERS_CONF_OVERRIDE comes after every file.
    QVERIFY(writeFile(m_dir->filePath(QStringLiteral("only.conf")),
                      conf(QStringLiteral("b"), QStringLiteral("unix:///run/only.sock"))));
    QVERIFY(writeFile(m_dir->filePath(QStringLiteral("override.conf")),
                      conf(QStringLiteral("b"), QStringLiteral("unix:///run/override.sock"))));
    QProcessEnvironment custom = env;
    custom.insert(QStringLiteral("CONTAINERS_CONF"), m_dir->filePath(QStringLiteral("only.conf")));
    QCOMPARE(PodmanConnections::confFiles(custom, places),
             QStringList{m_dir->filePath(QStringLiteral("only.conf"))});
    custom.insert(QStringLiteral("CONTAINERS_CONF_OVERRIDE"),
                  m_dir->filePath(QStringLiteral("override.conf")));
    found = PodmanConnections::read(custom, places);
    QCOMPARE(found.connections.size(), 1);
    QCOMPARE(found.connections.first().uri, QStringLiteral("unix:///run/override.sock"));
    QProcessEnvironment overridden = env;
    overridden.insert(QStringLiteral("CONTAINERS_CONF_OVERRIDE"),
                      m_dir->filePath(QStringLiteral("override.conf")));
    QCOMPARE(PodmanConnections::confFiles(overridden, places).last(),
             m_dir->filePath(QStringLiteral("override.conf")));
}

void TestEndpoint::podmanTlsConnections()
{
    // containers.conf's tls_ca, tls_cert and tls_key, and podman-connections.json's TLSCA, TLSCert
    // and TLSKey (what `podman system connection add --tls-ca … --tls-cert … --tls-key …` writes).
    const QString ca = kCerts + QStringLiteral("/ca.pem");
    const QString cert = kCerts + QStringLiteral("/cert.pem");
    const QString key = kCerts + QStringLiteral("/key.pem");
    const QProcessEnvironment env = environment(
        {QStringLiteral("CONTAINERS_CONF=@TMP@/containers.conf"),
         QStringLiteral("PODMAN_CONNECTIONS_CONF=@TMP@/connections.json")});
    QVERIFY(writeFile(m_dir->filePath(QStringLiteral("containers.conf")),
                      "[engine.service_destinations.conf-tls]\nuri = \"tcp://gpu5.lab:8443\"\n"
                      "tls_ca = \""
                          + ca.toUtf8() + "\"\ntls_cert = \"" + cert.toUtf8() + "\"\ntls_key = \""
                          + key.toUtf8()
                          + "\"\n[engine.service_destinations.plain]\n"
                            "uri = \"tcp://gpu6.lab:8080\"\n"));
    const QJsonObject json{
        {QStringLiteral("Connection"),
         QJsonObject{
             {QStringLiteral("Connections"),
              QJsonObject{{QStringLiteral("json-tls"),
                           QJsonObject{{QStringLiteral("URI"), QStringLiteral("tcp://gpu7.lab")},
                                       {QStringLiteral("TLSCA"), ca}}},
                          {QStringLiteral("half"),
                           QJsonObject{{QStringLiteral("URI"),
                                        QStringLiteral("tcp://gpu8.lab:2376")},
                                       {QStringLiteral("TLSCert"), cert}}}}}}}};
    QVERIFY(writeFile(m_dir->filePath(QStringLiteral("connections.json")),
                      QJsonDocument(json).toJson()));
    const PodmanConnections::Found found = PodmanConnections::read(env);
    QVERIFY(found.problems.isEmpty());
    QHash<QString, PodmanConnection> byName;
    for (const PodmanConnection &connection : std::as_const(found.connections))
        byName.insert(connection.name, connection);
    QCOMPARE(byName.value(QStringLiteral("conf-tls")).tlsCa, ca);
    QCOMPARE(byName.value(QStringLiteral("conf-tls")).tlsCert, cert);
    QCOMPARE(byName.value(QStringLiteral("conf-tls")).tlsKey, key);
    QCOMPARE(byName.value(QStringLiteral("json-tls")).tlsCa, ca);

    // Client certificate and CA: TLS, verifying the engine against that CA only.
    const Result<Endpoint> both = EndpointResolver::fromPodmanConnection(
        byName.value(QStringLiteral("conf-tls")));
    QVERIFY2(both, qPrintable(both.error().message()));
    QCOMPARE(both.value().kind, Endpoint::Kind::Tls);
    QCOMPARE(both.value().host, QStringLiteral("gpu5.lab"));
    QCOMPARE(both.value().port, 8443);
    QVERIFY(both.value().tls.verifyPeer);
    QVERIFY(!both.value().isInsecure());
    QVERIFY(both.value().tlsConfiguration.has_value());
    const QSslConfiguration config = *both.value().tlsConfiguration;
    QCOMPARE(config.caCertificates(), QSslCertificate::fromPath(ca));
    QCOMPARE(config.localCertificate(), QSslCertificate::fromPath(cert).first());
    QVERIFY(!config.privateKey().isNull());
    QCOMPARE(config.peerVerifyMode(), QSslSocket::VerifyPeer);

    // A CA alone: TLS without a client certificate, on TLS's port when the URI names none.
    const Result<Endpoint> caOnly = EndpointResolver::fromPodmanConnection(
        byName.value(QStringLiteral("json-tls")));
    QVERIFY2(caOnly, qPrintable(caOnly.error().message()));
    QCOMPARE(caOnly.value().kind, Endpoint::Kind::Tls);
    QCOMPARE(caOnly.value().port, 2376);
    QVERIFY(caOnly.value().tls.certFile.isEmpty());
    QVERIFY(caOnly.value().tlsConfiguration->localCertificate().isNull());

    // No TLS fields: plain tcp://, which the window warns about.
    const Result<Endpoint> plain = EndpointResolver::fromPodmanConnection(
        byName.value(QStringLiteral("plain")));
    QVERIFY2(plain, qPrintable(plain.error().message()));
    QCOMPARE(plain.value().kind, Endpoint::Kind::Tcp);
    QVERIFY(plain.value().isInsecure());

    // A certificate without its key says so, naming the connection and what to run.
    const Result<Endpoint> half = EndpointResolver::fromPodmanConnection(
        byName.value(QStringLiteral("half")));
    QVERIFY(!half);
    QVERIFY2(half.error().message().contains(QLatin1String("\"half\""))
                 && half.error().message().contains(QLatin1String("--tls-key")),
             qPrintable(half.error().message()));

    // A CA file that is not there is named.
    PodmanConnection missing = byName.value(QStringLiteral("json-tls"));
    missing.tlsCa = m_dir->filePath(QStringLiteral("no-ca.pem"));
    const Result<Endpoint> unreadable = EndpointResolver::fromPodmanConnection(missing);
    QVERIFY(!unreadable);
    QVERIFY2(unreadable.error().message().contains(QLatin1String("no-ca.pem")),
             qPrintable(unreadable.error().message()));
}

void TestEndpoint::remoteEndpoints_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QStringList>("env");
    QTest::addColumn<Error::Code>("code");
    QTest::addColumn<Endpoint::Kind>("kind");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("socketPath");
    QTest::addColumn<bool>("insecure");
    QTest::addColumn<QString>("messagePart");

    const auto ok = Error::Code::None;
    const auto usage = Error::Code::Usage;
    const QStringList none;
    const QString certs = QStringLiteral("DOCKER_CERT_PATH=") + kCerts;
    const QString verify = QStringLiteral("DOCKER_TLS_VERIFY=1");
    using K = Endpoint::Kind;
    QTest::newRow("ssh host alone: ssh's user and port, the default socket")
        << QStringLiteral("ssh://gpu1") << none << ok << K::Ssh << QStringLiteral("gpu1") << 0
        << QString() << QStringLiteral("/var/run/docker.sock") << false << QString();
    QTest::newRow("ssh user, port and socket path (docker CLI 24+)")
        << QStringLiteral("ssh://me@gpu1:2222/run/user/1000/docker.sock") << none << ok << K::Ssh
        << QStringLiteral("gpu1") << 2222 << QStringLiteral("me")
        << QStringLiteral("/run/user/1000/docker.sock") << false << QString();
    QTest::newRow("ssh with a password refused")
        << QStringLiteral("ssh://me:secret@gpu1") << none << usage << K::Ssh << QString() << 0
        << QString() << QString() << false << QStringLiteral("password");
    QTest::newRow("tcp in the clear: 2375 and a warning")
        << QStringLiteral("tcp://gpu1") << none << ok << K::Tcp << QStringLiteral("gpu1") << 2375
        << QString() << QString() << true << QString();
    QTest::newRow("tcp with DOCKER_TLS_VERIFY: 2376, verified")
        << QStringLiteral("tcp://gpu1") << QStringList{verify, certs} << ok << K::Tls
        << QStringLiteral("gpu1") << 2376 << QString() << QString() << false << QString();
    QTest::newRow("tcp with DOCKER_TLS only: encrypted, not verified")
        << QStringLiteral("tcp://gpu1:2376") << QStringList{QStringLiteral("DOCKER_TLS=1"), certs}
        << ok << K::Tls << QStringLiteral("gpu1") << 2376 << QString() << QString() << true
        << QString();
    QTest::newRow("DOCKER_TLS_VERIFY without ca.pem")
        << QStringLiteral("tcp://gpu1:2376")
        << QStringList{verify, QStringLiteral("DOCKER_CERT_PATH=/nonexistent")} << usage << K::Tls
        << QString() << 0 << QString() << QString() << false << QStringLiteral("ca.pem");
    QTest::newRow("tcp with a path refused")
        << QStringLiteral("tcp://gpu1:2376/v1.41") << none << usage << K::Tcp << QString() << 0
        << QString() << QString() << false << QStringLiteral("no path");
    QTest::newRow("tcp IPv6") << QStringLiteral("tcp://[::1]:2375") << none << ok << K::Tcp
                              << QStringLiteral("::1") << 2375 << QString() << QString() << true
                              << QString();
}

void TestEndpoint::remoteEndpoints()
{
    QFETCH(QString, url);
    QFETCH(QStringList, env);
    QFETCH(Error::Code, code);
    QFETCH(Endpoint::Kind, kind);
    QFETCH(QString, host);
    QFETCH(int, port);
    QFETCH(QString, user);
    QFETCH(QString, socketPath);
    QFETCH(bool, insecure);
    QFETCH(QString, messagePart);

    const Result<Endpoint> result = EndpointResolver::fromUrl(url, QStringLiteral("--host"),
                                                              environment(env));
    if (code != Error::Code::None) {
        QVERIFY(!result.ok());
        QCOMPARE(result.error().code(), code);
        QVERIFY2(result.error().message().contains(messagePart),
                 qPrintable(result.error().message()));
        return;
    }
    QVERIFY2(result.ok(), qPrintable(result.error().message()));
    const Endpoint &endpoint = result.value();
    QCOMPARE(endpoint.kind, kind);
    QCOMPARE(endpoint.url, url);
    QCOMPARE(endpoint.host, host);
    QCOMPARE(endpoint.port, port);
    QCOMPARE(endpoint.user, user);
    if (kind == Endpoint::Kind::Ssh)
        QCOMPARE(endpoint.socketPath, socketPath);
    QCOMPARE(endpoint.isInsecure(), insecure);
    QCOMPARE(endpoint.insecurityWarning().isEmpty(), !insecure);
    if (kind == Endpoint::Kind::Tls) {
        QCOMPARE(endpoint.tls.certFile, kCerts + QStringLiteral("/cert.pem"));
        QVERIFY(!endpoint.tlsConfiguration->privateKey().isNull());
        QCOMPARE(endpoint.tlsConfiguration->allowedNextProtocols(),
                 QList<QByteArray>{QByteArrayLiteral("http/1.1")});
        if (endpoint.tls.verifyPeer) {
            QCOMPARE(endpoint.tlsConfiguration->caCertificates().size(), 1);
            QCOMPARE(endpoint.tlsConfiguration->peerVerifyMode(), QSslSocket::VerifyPeer);
        }
    }
}

void TestEndpoint::tlsContext_data()
{
    QTest::addColumn<bool>("skipVerify");
    QTest::newRow("verified") << false;
    QTest::newRow("SkipTLSVerify") << true;
}

// A TLS context takes its material from the context store (contexts/tls/<sha256>/docker), never
// from DOCKER_CERT_PATH, as `docker context create --docker host=…,ca=…,cert=…,key=…` stores it.
void TestEndpoint::tlsContext()
{
    QFETCH(bool, skipVerify);
    const QProcessEnvironment env = environment({QStringLiteral("DOCKER_CONFIG=@TMP@/cfg"),
                                                 QStringLiteral("DOCKER_CERT_PATH=/nonexistent")});
    writeContext(env, QStringLiteral("farm"), QStringLiteral("tcp://gpu1:2376"));
    if (skipVerify) {
        const QString hash = QString::fromLatin1(
            QCryptographicHash::hash(QByteArrayLiteral("farm"), QCryptographicHash::Sha256).toHex());
        QFile meta(EndpointResolver::configDir(env) + QStringLiteral("/contexts/meta/") + hash
                   + QStringLiteral("/meta.json"));
        QVERIFY(meta.open(QIODevice::ReadWrite));
        QByteArray json = meta.readAll();
        json.replace("\"SkipTLSVerify\": false", "\"SkipTLSVerify\": true");
        meta.resize(0);
        meta.write(json);
    }
    const QString tlsDir = EndpointResolver::configDir(env) + QStringLiteral("/contexts/tls/")
                           + QString::fromLatin1(
                               QCryptographicHash::hash("farm", QCryptographicHash::Sha256).toHex())
                           + QStringLiteral("/docker");
    QVERIFY(QDir().mkpath(tlsDir));
    for (const char *name : {"ca.pem", "cert.pem", "key.pem"})
        QVERIFY(QFile::copy(kCerts + QLatin1Char('/') + QLatin1String(name),
                            tlsDir + QLatin1Char('/') + QLatin1String(name)));

    QProcessEnvironment withContext = env;
    withContext.insert(QStringLiteral("DOCKER_CONTEXT"), QStringLiteral("farm"));
    const Result<Endpoint> result = EndpointResolver::resolve(QString(), withContext);
    QVERIFY2(result.ok(), qPrintable(result.error().message()));
    QCOMPARE(result.value().kind, Endpoint::Kind::Tls);
    QCOMPARE(result.value().tls.verifyPeer, !skipVerify);
    QCOMPARE(result.value().tls.certFile, tlsDir + QStringLiteral("/cert.pem"));
    QCOMPARE(result.value().source, QStringLiteral("context farm"));
}

// gpudeck run --preset: --host wins, then the preset's engine, then DOCKER_HOST and the contexts.
void TestEndpoint::presetEngine_data()
{
    QTest::addColumn<QString>("hostOption");
    QTest::addColumn<QString>("presetEngine");
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("source");
    QTest::newRow("--host beats the preset")
        << QStringLiteral("unix:///tmp/cli.sock") << QStringLiteral("ssh://gpu1")
        << QStringLiteral("unix:///tmp/cli.sock") << QStringLiteral("--host");
    QTest::newRow("the preset's URL beats DOCKER_HOST")
        << QString() << QStringLiteral("ssh://me@gpu1") << QStringLiteral("ssh://me@gpu1")
        << QStringLiteral("the preset's engine");
    QTest::newRow("the preset's context")
        << QString() << QStringLiteral("gpu-box")
        << QStringLiteral("unix:///run/gpu-box/docker.sock") << QStringLiteral("context gpu-box");
    QTest::newRow("no engine in the preset: DOCKER_HOST")
        << QString() << QString() << QStringLiteral("unix:///tmp/env.sock")
        << QStringLiteral("DOCKER_HOST");
}

void TestEndpoint::presetEngine()
{
    QFETCH(QString, hostOption);
    QFETCH(QString, presetEngine);
    QFETCH(QString, url);
    QFETCH(QString, source);
    const QProcessEnvironment env = environment(
        {QStringLiteral("DOCKER_CONFIG=@TMP@/cfg"),
         QStringLiteral("DOCKER_HOST=unix:///tmp/env.sock")});
    writeContext(env, QStringLiteral("gpu-box"), QStringLiteral("unix:///run/gpu-box/docker.sock"));
    const Result<Endpoint> result = EndpointResolver::resolveForPreset(hostOption, presetEngine,
                                                                       env);
    QVERIFY2(result.ok(), qPrintable(result.error().message()));
    QCOMPARE(result.value().url, url);
    QCOMPARE(result.value().source, source);

    const Result<Endpoint> unknown = EndpointResolver::resolveForPreset({},
                                                                        QStringLiteral("nowhere"),
                                                                        env);
    QVERIFY(!unknown.ok());
    QVERIFY2(unknown.error().message().contains(QLatin1String("\"nowhere\"")),
             qPrintable(unknown.error().message()));
}

QTEST_GUILESS_MAIN(TestEndpoint)
#include "tst_endpoint.moc"
