// Podman's saved connections as engines: the real `podman system connection add` (Podman 4.3)
// writes a unix:// connection into containers.conf, and a Podman 5 podman-connections.json holds
// two ssh:// ones through the test sshd to the same Podman service, one with a key file and one
// without. `gpudeck engines` lists all three as Podman rows: the unix one and the keyed one
// connected ("Podman 4.3.1"), the one without a key refused by sshd (the host alias's own key is
// one sshd refuses, so only the connection's key logs in). A preset naming the keyed connection
// runs there and says where. And the rootful socket: in a mount namespace of its own where /run
// holds only /run/podman/podman.sock (the Podman service's socket bound there) and so no
// /var/run/docker.sock, the default engine is that socket, and it launches.
#include "TestEngine.h"

#include "launch/LaunchSpec.h"
#include "presets/Preset.h"
#include "presets/PresetStore.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

class TestPodmanConnections : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void listedAndConnected();
    void presetRunsOnAConnection();
    void rootfulSocketIsTheDefault();

private:
    QProcessEnvironment environment() const;
    TestEngine::CliResult gpudeck(const QStringList &args) const;

    QTemporaryDir m_dir;
    QString m_socket;
    QString m_key;
};

void TestPodmanConnections::initTestCase()
{
    GPUDECK_REQUIRE_ENGINE();
    QVERIFY(m_dir.isValid());
    m_socket = qEnvironmentVariable("GPUDECK_TEST_PODMAN_DIR") + QStringLiteral("/podman.sock");
    m_key = qEnvironmentVariable("GPUDECK_TEST_SSH_DIR") + QStringLiteral("/id_ed25519");
    QVERIFY2(QFile::exists(m_socket), "the Podman fixture's socket is missing");
    QVERIFY2(QFile::exists(m_key), "the sshd fixture's key is missing");

    // Podman's own CLI writes the unix:// connection (into CONTAINERS_CONF: never /etc).
    QFile conf(m_dir.filePath(QStringLiteral("containers.conf")));
    QVERIFY(conf.open(QIODevice::WriteOnly));
    conf.close();
    const TestEngine::CliResult add =
        TestEngine::runProgram(QStringLiteral("/usr/bin/podman"),
                               {QStringLiteral("system"), QStringLiteral("connection"),
                                QStringLiteral("add"), QStringLiteral("--default"),
                                QStringLiteral("local"), QStringLiteral("unix://") + m_socket},
                               environment());
    QVERIFY2(add.exitCode == 0, add.err.constData());
    QVERIFY(conf.open(QIODevice::ReadOnly));
    const QByteArray written = conf.readAll();
    QVERIFY2(written.contains("service_destinations.local"), written.constData());

    // Podman 5's file; gpudeck-test-refused's own key is one sshd refuses.
    const QString uri = QStringLiteral("ssh://root@gpudeck-test-refused") + m_socket;
    // The same host without the user (the alias names root): another row, since rows that reach
    // the same address are listed once.
    const QString bare = QStringLiteral("ssh://gpudeck-test-refused") + m_socket;
    const QJsonObject json{
        {QStringLiteral("Connection"),
         QJsonObject{{QStringLiteral("Default"), QStringLiteral("keyed")},
                     {QStringLiteral("Connections"),
                      QJsonObject{{QStringLiteral("keyed"),
                                   QJsonObject{{QStringLiteral("URI"), uri},
                                               {QStringLiteral("Identity"), m_key}}},
                                  {QStringLiteral("nokey"),
                                   QJsonObject{{QStringLiteral("URI"), bare}}}}}}}};
    QFile connections(m_dir.filePath(QStringLiteral("podman-connections.json")));
    QVERIFY(connections.open(QIODevice::WriteOnly));
    connections.write(QJsonDocument(json).toJson());
}

QProcessEnvironment TestPodmanConnections::environment() const
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("CONTAINERS_CONF"),
               m_dir.filePath(QStringLiteral("containers.conf")));
    env.insert(QStringLiteral("PODMAN_CONNECTIONS_CONF"),
               m_dir.filePath(QStringLiteral("podman-connections.json")));
    env.insert(QStringLiteral("DOCKER_CONFIG"), m_dir.filePath(QStringLiteral("docker")));
    env.insert(QStringLiteral("DOCKER_HOST"), QString());
    env.insert(QStringLiteral("GPUDECK_PRESET_DIR"), m_dir.filePath(QStringLiteral("presets")));
    env.insert(QStringLiteral("GPUDECK_NVML_PATH"), QStringLiteral("/nonexistent/libnvidia-ml.so"));
    return env;
}

TestEngine::CliResult TestPodmanConnections::gpudeck(const QStringList &args) const
{
    return TestEngine::runProgram(QStringLiteral(GPUDECK_BINARY), args, environment(), 120000);
}

void TestPodmanConnections::listedAndConnected()
{
    const TestEngine::CliResult engines = gpudeck(
        {QStringLiteral("engines"), QStringLiteral("--json")});
    const QJsonArray rows = QJsonDocument::fromJson(engines.out).array();
    QHash<QString, QJsonObject> byName;
    for (const QJsonValue &row : rows) {
        if (row[QStringLiteral("source")].toString() == QLatin1String("podman"))
            byName.insert(row[QStringLiteral("name")].toString(), row.toObject());
    }
    QCOMPARE(byName.size(), 3);
    for (const QString &name : {QStringLiteral("local"), QStringLiteral("keyed")}) {
        const QJsonObject row = byName.value(name);
        QVERIFY2(row[QStringLiteral("state")].toString() == QLatin1String("connected"),
                 QJsonDocument(row).toJson().constData());
        QVERIFY2(row[QStringLiteral("engine")].toString().startsWith(QLatin1String("Podman 4.")),
                 QJsonDocument(row).toJson().constData());
    }
    QCOMPARE(byName.value(QStringLiteral("local"))[QStringLiteral("endpoint")].toString(),
             QStringLiteral("unix://") + m_socket);
    QCOMPARE(byName.value(QStringLiteral("keyed"))[QStringLiteral("endpoint")].toString(),
             QStringLiteral("ssh://root@gpudeck-test-refused") + m_socket);
    const QJsonObject nokey = byName.value(QStringLiteral("nokey"));
    QVERIFY2(nokey[QStringLiteral("state")].toString() != QLatin1String("connected"),
             QJsonDocument(nokey).toJson().constData());
    QVERIFY2(nokey[QStringLiteral("reason")].toString().contains(QLatin1String("key")),
             QJsonDocument(nokey).toJson().constData());
}

void TestPodmanConnections::presetRunsOnAConnection()
{
    LaunchSpec spec;
    spec.image = QStringLiteral("gpudeck-test:latest");
    spec.command = {QStringLiteral("echo"), QStringLiteral("on the keyed connection")};
    spec.networkMode = QStringLiteral("none");
    Preset preset(QStringLiteral("via podman connection"), spec);
    preset.setEngine(QStringLiteral("keyed"));
    const QString path = m_dir.filePath(QStringLiteral("preset.json"));
    QVERIFY(PresetStore::writeFile(path, preset.toFileBytes()));
    const TestEngine::CliResult run = gpudeck(
        {QStringLiteral("run"), QStringLiteral("--preset"), path});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QCOMPARE(run.out, QByteArray("on the keyed connection\n"));
    QVERIFY2(run.err.contains(QByteArray("launching on ssh://root@gpudeck-test-refused"))
                 && run.err.contains("Podman connection keyed"),
             run.err.constData());
}

void TestPodmanConnections::rootfulSocketIsTheDefault()
{
    const auto inNamespace = [&](const QStringList &args) {
        QProcessEnvironment env = environment();
        env.insert(QStringLiteral("CONTAINERS_CONF"), QStringLiteral("/nonexistent"));
        env.insert(QStringLiteral("PODMAN_CONNECTIONS_CONF"), QStringLiteral("/nonexistent"));
        env.insert(QStringLiteral("XDG_RUNTIME_DIR"), QString());
        env.insert(QStringLiteral("CONTAINER_HOST"), QString());
        // /run (and so /var/run) is a fresh tmpfs in the namespace; the host's is untouched.
        const QString script = QStringLiteral(
            "set -e; mount -t tmpfs tmpfs /run; mkdir -p /run/podman; "
            "touch /run/podman/podman.sock; mount --bind \"$1\" /run/podman/podman.sock; shift; "
            "exec \"$@\"");
        return TestEngine::runProgram(
            QStringLiteral("/usr/bin/unshare"),
            QStringList{QStringLiteral("--mount"), QStringLiteral("--propagation"),
                        QStringLiteral("private"), QStringLiteral("sh"), QStringLiteral("-c"),
                        script, QStringLiteral("sh"), m_socket, QStringLiteral(GPUDECK_BINARY)}
                + args,
            env, 120000);
    };
    const TestEngine::CliResult engines = inNamespace(
        {QStringLiteral("engines"), QStringLiteral("--json")});
    QVERIFY2(engines.exitCode == 0, engines.err.constData());
    const QJsonObject first = QJsonDocument::fromJson(engines.out).array().first().toObject();
    QCOMPARE(first[QStringLiteral("name")].toString(), QStringLiteral("default"));
    QCOMPARE(first[QStringLiteral("endpoint")].toString(),
             QStringLiteral("unix:///run/podman/podman.sock"));
    QVERIFY2(first[QStringLiteral("state")].toString() == QLatin1String("connected"),
             engines.out.constData());
    QVERIFY2(first[QStringLiteral("engine")].toString().startsWith(QLatin1String("Podman 4.")),
             engines.out.constData());

    LaunchSpec spec;
    spec.image = QStringLiteral("gpudeck-test:latest");
    spec.command = {QStringLiteral("echo"), QStringLiteral("through the rootful socket")};
    spec.networkMode = QStringLiteral("none");
    const QString path = m_dir.filePath(QStringLiteral("rootful.json"));
    QVERIFY(PresetStore::writeFile(path, Preset(QStringLiteral("rootful"), spec).toFileBytes()));
    const TestEngine::CliResult run = inNamespace(
        {QStringLiteral("run"), QStringLiteral("--preset"), path});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QCOMPARE(run.out, QByteArray("through the rootful socket\n"));
}

QTEST_GUILESS_MAIN(TestPodmanConnections)
#include "tst_podmanconnections.moc"
